/// What a path inside a file names.
public enum ObjectKind: String, Sendable, Equatable {
    case group, dataset
    /// A committed datatype or anything else.
    case other
}
