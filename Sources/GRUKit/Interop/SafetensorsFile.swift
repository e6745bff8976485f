import Foundation

/// A safetensors file (the format of `safetensors.torch.save_file(model.state_dict(), path)`):
///
///     [8 bytes: header length N, little-endian u64]
///     [N bytes: JSON {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, …,
///                     "__metadata__": {"key": "value", …}}, padded with spaces]
///     [data: the tensors' raw little-endian bytes; offsets are relative to the start of the data]
///
/// Reading is strict and never traps: every inconsistency is a ``SafetensorsError`` naming the file
/// and the problem. Tensors keep their raw bytes, and their order is the order of their data in
/// the file (new tensors are appended), so reading and writing back a file reproduces its data
/// section and offsets exactly, and changing one tensor changes only that tensor's bytes.
public struct SafetensorsFile: Sendable {
    /// The name used in error messages: the path the file was read from, or `<memory>`.
    public var source: String
    /// The `__metadata__` string map, or nil when the file has none.
    public var metadata: [String: String]?
    /// The tensor names in data order.
    public private(set) var names: [String] = []
    private var tensors: [String: SafetensorsTensor] = [:]

    /// The largest header the reference implementation accepts (100 MB).
    public static let maxHeaderLength: UInt64 = 100_000_000

    /// An empty file (no tensors, no metadata).
    public init(source: String = "<memory>", metadata: [String: String]? = nil) {
        self.source = source
        self.metadata = metadata
    }

    /// The tensor named `name`, or nil. Setting replaces it in place (keeping its position) or
    /// appends a new name at the end; setting nil removes it.
    public subscript(name: String) -> SafetensorsTensor? {
        get { tensors[name] }
        set {
            if let t = newValue {
                if tensors.updateValue(t, forKey: name) == nil { names.append(name) }
            } else if tensors.removeValue(forKey: name) != nil {
                names.removeAll { $0 == name }
            }
        }
    }

    /// The number of tensors.
    public var count: Int { names.count }

    /// The tensor named `name`.
    /// - Throws: ``SafetensorsError`` (``SafetensorsError/Problem/missingTensor(_:)``) naming this file.
    public func tensor(_ name: String) throws -> SafetensorsTensor {
        guard let t = tensors[name] else { throw SafetensorsError(file: source, problem: .missingTensor(name)) }
        return t
    }

    /// The tensor `name` as a matrix (see ``SafetensorsTensor/matrix(_:)``), errors naming file and tensor.
    public func matrix<T: BLASScalar>(_ name: String, as type: T.Type = T.self) throws -> Matrix<T> {
        try attributed(name) { try tensor(name).matrix(T.self) }
    }

    /// The tensor `name` as Float values, row-major (see ``SafetensorsTensor/floats()``).
    ///
    /// - Throws: ``SafetensorsError`` when there is no such tensor.
    public func floats(_ name: String) throws -> [Float] { try tensor(name).floats() }

    /// The tensor `name` as Double values, row-major (see ``SafetensorsTensor/doubles()``).
    ///
    /// - Throws: ``SafetensorsError`` when there is no such tensor.
    public func doubles(_ name: String) throws -> [Double] { try tensor(name).doubles() }

    /// Runs `body`, re-labelling a tensor-level error with this file's name and the tensor's name.
    ///
    /// A ``SafetensorsError`` thrown with file `<memory>` gets ``source`` as its file, and one with
    /// an empty tensor name gets `name`; other errors pass through unchanged.
    public func attributed<R>(_ name: String, _ body: () throws -> R) throws -> R {
        do { return try body() } catch var e as SafetensorsError {
            if e.file == "<memory>" { e.file = source }
            switch e.problem {
            case .unusable(let t, let r) where t.isEmpty: e.problem = .unusable(tensor: name, reason: r)
            case .unsupportedDType(let t, let d) where t.isEmpty: e.problem = .unsupportedDType(tensor: name, dtype: d)
            case .byteCountMismatch(let t, let s, let d, let x, let a) where t.isEmpty:
                e.problem = .byteCountMismatch(tensor: name, shape: s, dtype: d, expected: x, actual: a)
            default: break
            }
            throw e
        }
    }

    // MARK: Reading

    /// Reads and validates the file at `url`.
    /// - Throws: ``SafetensorsError`` naming `url.path` (or `displayName`) and the problem.
    public init(contentsOf url: URL, displayName: String? = nil) throws {
        let name = displayName ?? url.path
        // InputFile refuses folders, FIFOs and devices by what they are (Foundation would say
        // "You don't have permission" of a FIFO, or block on it).
        let bytes: [UInt8]
        do { bytes = try InputFile.read(url.path) } catch {
            throw SafetensorsError(file: name, problem: .io(AtomicFile.reason(error)))
        }
        try self.init(bytes: bytes, source: name)
    }

    /// Parses and validates a whole file held in memory.
    ///
    /// Checks, in this order: the 8-byte length; N ≤ file size − 8 and N ≤ 100 MB; the header is
    /// strict JSON (no duplicate keys) whose top level is an object; `__metadata__` maps strings to
    /// strings; each entry has a known dtype, a shape of non-negative integers and two offsets
    /// begin ≤ end; end − begin = product(shape)·size; no offset runs past the data; sorted by
    /// offset the tensors start at 0, neither overlap nor leave gaps, and cover the data exactly.
    ///
    /// - Throws: ``SafetensorsError`` naming `source` and the first check that fails.
    public init(bytes: [UInt8], source: String = "<memory>") throws {
        self.source = source
        func fail(_ p: SafetensorsError.Problem) -> SafetensorsError { SafetensorsError(file: source, problem: p) }

        guard bytes.count >= 8 else { throw fail(.fileTooShort(size: bytes.count)) }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard n <= UInt64(bytes.count - 8), n <= SafetensorsFile.maxHeaderLength else {
            throw fail(.headerLengthTooLarge(headerLength: n, fileSize: bytes.count))
        }
        let headerEnd = 8 + Int(n)
        let json: StrictJSON
        do { json = try StrictJSON.parse(Array(bytes[8..<headerEnd])) } catch let e as StrictJSON.ParseError {
            throw fail(.malformedJSON("\(e.message) at byte \(e.offset) of the header"))
        }
        guard case .object(let members) = json else {
            throw fail(.malformedJSON("the header is \(json.typeName), not an object"))
        }
        let dataLength = bytes.count - headerEnd

        struct Entry { var name: String; var dtype: SafetensorsDType; var shape: [Int]; var begin: Int; var end: Int }
        var entries: [Entry] = []
        for (name, value) in members {
            if name == "__metadata__" {
                guard case .object(let pairs) = value else { throw fail(.invalidMetadata("it is \(value.typeName), not an object")) }
                var m: [String: String] = [:]
                for (k, v) in pairs {
                    guard case .string(let s) = v else { throw fail(.invalidMetadata("the value of \"\(k)\" is \(v.typeName), not a string")) }
                    m[k] = s
                }
                metadata = m
                continue
            }
            func invalid(_ reason: String) -> SafetensorsError { fail(.invalidEntry(tensor: name, reason: reason)) }
            guard case .object(let fields) = value else { throw invalid("it is \(value.typeName), not an object") }
            func field(_ key: String) throws -> StrictJSON {
                guard let f = fields.first(where: { $0.key == key }) else { throw invalid("no \"\(key)\"") }
                return f.value
            }
            guard case .string(let dtypeName) = try field("dtype") else { throw invalid("\"dtype\" is not a string") }
            guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
                throw fail(.unsupportedDType(tensor: name, dtype: dtypeName))
            }
            guard case .array(let dims) = try field("shape") else { throw invalid("\"shape\" is not an array") }
            var shape: [Int] = []
            for d in dims {
                guard let v = d.nonNegativeInteger else { throw invalid("shape entry \(d.typeName) is not a non-negative integer") }
                shape.append(v)
            }
            guard case .array(let offs) = try field("data_offsets"), offs.count == 2,
                  let begin = offs[0].nonNegativeInteger, let end = offs[1].nonNegativeInteger else {
                throw invalid("\"data_offsets\" is not a pair of non-negative integers")
            }
            guard begin <= end else { throw invalid("data_offsets [\(begin), \(end)] end before they begin") }
            guard end <= dataLength else { throw fail(.truncatedData(tensor: name, end: end, available: dataLength)) }
            let count = SafetensorsTensor.elementCount(of: shape)
            let (expected, overflow) = (count ?? Int.max).multipliedReportingOverflow(by: dtype.byteSize)
            guard count != nil, !overflow, expected == end - begin else {
                throw fail(.byteCountMismatch(tensor: name, shape: shape, dtype: dtypeName,
                                              expected: count == nil || overflow ? -1 : expected, actual: end - begin))
            }
            entries.append(Entry(name: name, dtype: dtype, shape: shape, begin: begin, end: end))
        }

        // Data order; zero-sized tensors sharing an offset are ordered by name.
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var position = 0
        var previous: String? = nil
        for e in entries {
            if e.begin < position, let p = previous { throw fail(.overlappingOffsets(tensor: e.name, other: p)) }
            if e.begin > position { throw fail(.gapInOffsets(tensor: e.name, expectedBegin: position, begin: e.begin)) }
            position = e.end
            previous = e.name
        }
        if position != dataLength { throw fail(.trailingBytes(count: dataLength - position)) }

        for e in entries {
            let slice = Array(bytes[(headerEnd + e.begin)..<(headerEnd + e.end)])
            self[e.name] = try SafetensorsTensor(dtype: e.dtype, shape: e.shape, bytes: slice)
        }
    }

    // MARK: Writing

    /// The file's bytes: the header lists `__metadata__` first (keys sorted) and then the tensors in
    /// data order, each as {"dtype","shape","data_offsets"}; compact JSON padded with spaces to a
    /// multiple of 8 bytes (as the reference implementation does, so the data is 8-byte aligned);
    /// the data is the tensors' bytes back to back. Deterministic: equal files give equal bytes.
    public func serialized() -> [UInt8] {
        var members: [(key: String, value: StrictJSON)] = []
        if let metadata {
            members.append(("__metadata__", .object(metadata.keys.sorted().map { ($0, .string(metadata[$0]!)) })))
        }
        var offset = 0
        for name in names {
            let t = tensors[name]!
            let end = offset + t.bytes.count
            members.append((name, .object([
                ("dtype", .string(t.dtype.rawValue)),
                ("shape", .array(t.shape.map { .number(String($0)) })),
                ("data_offsets", .array([.number(String(offset)), .number(String(end))])),
            ])))
            offset = end
        }
        var header: [UInt8] = []
        StrictJSON.object(members).serialized(into: &header)
        header.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8))
        var out: [UInt8] = []
        out.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        for name in names { out.append(contentsOf: tensors[name]!.bytes) }
        return out
    }

    /// Writes the file atomically: the bytes go to a temporary file in the destination's folder,
    /// which is flushed and then renamed over `url`. On any error the temporary file is removed and
    /// `url` is untouched (an existing file there keeps its old contents).
    /// - Throws: ``SafetensorsError`` (``SafetensorsError/Problem/io(_:)``) naming `url.path` (or `displayName`).
    public func write(to url: URL, displayName: String? = nil) throws {
        try SafetensorsFile.writeAtomically(serialized(), to: url, displayName: displayName ?? url.path)
    }

    /// The atomic write behind ``write(to:displayName:)``, for any bytes: `AtomicFile.write(_:to:)`
    /// (a temporary file in the target's folder, flushed, then renamed over it; symbolic links
    /// followed; only regular files or new paths replaced; mode and owner kept).
    ///
    /// - Throws: ``SafetensorsError`` (``SafetensorsError/Problem/io(_:)``) naming `displayName` when
    ///   the folder does not exist, `url` is a folder, device or FIFO, or writing or renaming fails;
    ///   `url` is then untouched.
    public static func writeAtomically(_ bytes: [UInt8], to url: URL, displayName: String) throws {
        do { try AtomicFile.write(bytes, to: url) } catch {
            throw SafetensorsError(file: displayName, problem: .io(AtomicFile.reason(error)))
        }
    }
}
