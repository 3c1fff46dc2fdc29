/// Every failure of the HDF5 wrapper. The message names the file on disk, the object path
/// inside it and, when libhdf5 reported one, HDF5's own message (from walking its error stack
/// with H5Ewalk2).
///
///     data.h5: /train/images: dataset not found (HDF5: object 'images' doesn't exist)
public struct HDF5Error: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, for callers that react to it.
    public enum Kind: String, Sendable, Equatable {
        /// The file (or the folder it should be created in) does not exist.
        case noSuchFile
        /// The file exists but is not HDF5 (empty, text, truncated before the signature, …).
        case notHDF5
        /// No group, dataset or attribute at that path.
        case noSuchObject
        /// Creating something that already exists.
        case alreadyExists
        /// The stored type or kind is not the one asked for (a group where a dataset was expected,
        /// a string attribute read as an integer, …).
        case wrongType
        /// Sizes disagree (buffer vs dataset, hyperslab outside the dataset, …).
        case wrongShape
        /// A caller error (bad shape, bad chunk, unsupported element type).
        case invalidArgument
        /// libhdf5 reported a failure (I/O error, corrupt file, …); see `detail`.
        case library
    }

    public let kind: Kind
    /// Path of the file on disk.
    public let file: String
    /// Path of the object inside the file ("/" for the root group; "/train/images@classes" style
    /// is not used: attributes are named in `message`).
    public let object: String
    /// What failed, in the wrapper's words.
    public let message: String
    /// HDF5's own message from its error stack ("" when it had none).
    public let detail: String

    public init(_ kind: Kind, file: String, object: String, message: String, detail: String = "") {
        self.kind = kind
        self.file = file
        self.object = object
        self.message = message
        self.detail = detail
    }

    /// One line: "file: object: message (HDF5: detail)".
    public var description: String {
        "\(file): \(object): \(message)" + (detail.isEmpty ? "" : " (HDF5: \(detail))")
    }

    /// An error carrying the calling thread's HDF5 error stack as `detail` (and clearing it).
    static func fromStack(_ kind: Kind = .library, file: String, object: String, _ message: String) -> HDF5Error {
        HDF5Error(kind, file: file, object: object, message: message, detail: HDF5Library.stackMessage())
    }
}
