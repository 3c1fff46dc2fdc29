/// A plain error whose description is its message.
public struct ValidationErrorMessage: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
