/// Why a safetensors file could not be read, written or used. The description always names the
/// file (or `<memory>` for bytes not tied to a file) and the problem, e.g.
/// `model.safetensors: tensor "rnn.weight_hh_l0": data_offsets [0, 4000] run past the end of the data (1024 bytes)`.
public struct SafetensorsError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The file the problem is in, as the user named it.
    public var file: String
    /// What is wrong; ``problemDescription`` words it.
    public var problem: Problem

    /// The kinds of problem, each carrying what the message needs (the tensor's name, sizes, …).
    public enum Problem: Equatable, Sendable {
        /// The file could not be opened, read or written (the system's reason).
        case io(String)
        /// Shorter than the 8-byte header length.
        case fileTooShort(size: Int)
        /// The header length N is larger than the file (or than the 100 MB limit).
        case headerLengthTooLarge(headerLength: UInt64, fileSize: Int)
        /// The header is not a JSON object (the reason and the byte offset within the header).
        case malformedJSON(String)
        /// A tensor entry is not of the form {"dtype": …, "shape": […], "data_offsets": [b, e]}.
        case invalidEntry(tensor: String, reason: String)
        /// The `__metadata__` entry is not an object of strings.
        case invalidMetadata(String)
        /// A dtype string this reader does not know (or, when writing, cannot encode).
        case unsupportedDType(tensor: String, dtype: String)
        /// end − begin ≠ product(shape) · size of the dtype.
        case byteCountMismatch(tensor: String, shape: [Int], dtype: String, expected: Int, actual: Int)
        /// data_offsets run past the end of the file (the file is truncated).
        case truncatedData(tensor: String, end: Int, available: Int)
        /// Two tensors' byte ranges overlap.
        case overlappingOffsets(tensor: String, other: String)
        /// A gap between two tensors (or before the first one): the layout is not contiguous.
        case gapInOffsets(tensor: String, expectedBegin: Int, begin: Int)
        /// Bytes after the last tensor that belong to none.
        case trailingBytes(count: Int)
        /// A tensor that was asked for is not in the file.
        case missingTensor(String)
        /// A tensor exists but cannot be used as asked (wrong rank, shape or dtype).
        case unusable(tensor: String, reason: String)
        /// The file is valid but the operation asked of it cannot be done (e.g. no GRU layer in it).
        case notApplicable(String)
    }

    /// An error about `file` (a path, or `<memory>` for bytes not yet tied to a file; see
    /// ``SafetensorsFile/attributed(_:_:)``, which fills in the file and tensor names).
    public init(file: String, problem: Problem) {
        self.file = file
        self.problem = problem
    }

    /// `file: problem`, one line, the message a command-line tool prints.
    public var description: String { "\(file): \(problemDescription)" }

    /// The problem alone, without the file name. Tensor names are printed with their control
    /// characters escaped (`escapingControlCharacters`): they come from the file.
    public var problemDescription: String {
        func q(_ name: String) -> String { "\"" + name.escapingControlCharacters + "\"" }
        switch problem {
        case .io(let reason):
            return reason
        case .fileTooShort(let size):
            return "not a safetensors file: \(size) bytes, shorter than the 8-byte header length"
        case .headerLengthTooLarge(let n, let size):
            return "not a safetensors file: the header length \(n) is larger than the file (\(size) bytes) allows"
        case .malformedJSON(let reason):
            return "malformed JSON header: \(reason)"
        case .invalidEntry(let t, let reason):
            return "tensor \(q(t)): invalid header entry: \(reason)"
        case .invalidMetadata(let reason):
            return "invalid __metadata__: \(reason)"
        case .unsupportedDType(let t, let d):
            return "tensor \(q(t)): unsupported dtype \(q(d))"
        case .byteCountMismatch(let t, let shape, let d, let expected, let actual) where expected < 0:
            return "tensor \(q(t)): shape \(shape) of \(d) has too many elements to address (data_offsets span \(actual) bytes)"
        case .byteCountMismatch(let t, let shape, let d, let expected, let actual):
            return "tensor \(q(t)): shape \(shape) of \(d) needs \(expected) bytes but data_offsets span \(actual)"
        case .truncatedData(let t, let end, let available):
            return "tensor \(q(t)): data_offsets end at byte \(end) but the data section has only \(available) bytes (truncated file?)"
        case .overlappingOffsets(let t, let other):
            return "tensor \(q(t)): data_offsets overlap those of \(q(other))"
        case .gapInOffsets(let t, let expected, let begin):
            return "tensor \(q(t)): data_offsets begin at \(begin), expected \(expected) (offsets must be contiguous)"
        case .trailingBytes(let count):
            return "\(count) bytes after the last tensor belong to no tensor"
        case .missingTensor(let t):
            return "no tensor named \(q(t))"
        case .unusable(let t, let reason):
            return "tensor \(q(t)): \(reason)"
        case .notApplicable(let reason):
            return reason
        }
    }
}
