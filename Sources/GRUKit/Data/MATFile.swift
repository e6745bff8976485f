import CZlib
import Foundation

/// The array classes of MATLAB level-5 MAT-files (`mxCLASS_ID`); the raw value is the class code
/// stored in the low byte of an array's flags.
public enum MATClass: UInt8, Sendable, CustomStringConvertible {
    /// The container classes: `cell` (1, a cell array, decoded: its cells are ``MATArray``s),
    /// `structure` (2, a struct array), `object` (3, a class instance), `char` (4, text) and
    /// `sparse` (5, a sparse matrix). Only `cell` is decoded; the others are read as
    /// ``MATArray/Storage/unsupported(_:)``.
    case cell = 1, structure = 2, object = 3, char = 4, sparse = 5
    /// The numeric classes (decoded; see ``isNumeric``): `double` (6, IEEE binary64), `single`
    /// (7, binary32), `int8` (8), `uint8` (9), `int16` (10), `uint16` (11). A logical array is
    /// stored as `uint8` with the logical flag set (``MATArray/isLogical``).
    case double = 6, single = 7, int8 = 8, uint8 = 9, int16 = 10, uint16 = 11
    /// More numeric classes, `int32` (12), `uint32` (13), `int64` (14), `uint64` (15), decoded to
    /// `Double` (64-bit integers above 2⁵³ in magnitude are rounded); and two opaque classes,
    /// `function` (16, a function handle) and `opaque` (17, e.g. a table or string object), read
    /// as unsupported.
    case int32 = 12, uint32 = 13, int64 = 14, uint64 = 15, function = 16, opaque = 17

    /// MATLAB's own name of the class, as `whos` prints it (`double`, `uint8`, `cell`, `struct`, …).
    public var description: String {
        switch self {
        case .cell: return "cell"
        case .structure: return "struct"
        case .object: return "object"
        case .char: return "char"
        case .sparse: return "sparse"
        case .double: return "double"
        case .single: return "single"
        case .int8: return "int8"
        case .uint8: return "uint8"
        case .int16: return "int16"
        case .uint16: return "uint16"
        case .int32: return "int32"
        case .uint32: return "uint32"
        case .int64: return "int64"
        case .uint64: return "uint64"
        case .function: return "function handle"
        case .opaque: return "opaque object"
        }
    }

    /// Whether arrays of this class are plain numbers this reader converts: `double` … `uint64`
    /// (class codes 6–15).
    public var isNumeric: Bool { rawValue >= MATClass.double.rawValue && rawValue <= MATClass.uint64.rawValue }
}

/// One MATLAB array (a variable, or a cell of a cell array).
///
/// Values are kept in MATLAB's column-major order: element (i, j) of an m×n array is at
/// index i + j·m. `uint8` arrays keep their bytes; every other numeric class is converted to
/// `Double` (exact for all integers up to 2⁵³); cell arrays hold their cells.
public struct MATArray: Sendable {
    /// The decoded values of an array, by kind.
    public enum Storage: Sendable {
        /// A `uint8` array's values (column-major).
        case uint8([UInt8])
        /// Any other numeric class (double, single, intN, uintN, logical), converted to Double.
        case numbers([Double])
        /// A cell array's cells (column-major).
        case cells([MATArray])
        /// A class this reader does not decode (struct, char, sparse, complex, …); the reason says which.
        case unsupported(String)
    }

    /// The variable's name ("" for a cell).
    public let name: String
    /// The MATLAB class stored in the array flags (a logical array reports `uint8`; see ``isLogical``).
    public let arrayClass: MATClass
    /// Dimensions, at least two (MATLAB has no vectors: a list is 1×N).
    public let dimensions: [Int]
    /// True when the array flags mark the array as MATLAB `logical` (values 0 and 1, stored as `uint8`).
    public let isLogical: Bool
    /// The values, column-major: `uint8` bytes, numbers converted to `Double`, cells, or the
    /// reason the class is not decoded.
    public let storage: Storage

    /// An array with the given fields, taken as is: the caller keeps `storage` consistent with
    /// `dimensions` (``elementCount`` values) and `arrayClass`. Used to build variables for
    /// `MATFileWriter`; the static constructors ``uint8(_:rows:cols:columnMajor:)``,
    /// ``double(_:rows:cols:columnMajor:)`` and ``cell(_:rows:cols:cells:)`` are simpler.
    public init(name: String, arrayClass: MATClass, dimensions: [Int], isLogical: Bool = false, storage: Storage) {
        self.name = name
        self.arrayClass = arrayClass
        self.dimensions = dimensions
        self.isLogical = isLogical
        self.storage = storage
    }

    /// A rows×cols `uint8` array from column-major values.
    public static func uint8(_ name: String = "", rows: Int, cols: Int, columnMajor values: [UInt8]) -> MATArray {
        MATArray(name: name, arrayClass: .uint8, dimensions: [rows, cols], storage: .uint8(values))
    }

    /// A rows×cols `double` array from column-major values.
    public static func double(_ name: String = "", rows: Int, cols: Int, columnMajor values: [Double]) -> MATArray {
        MATArray(name: name, arrayClass: .double, dimensions: [rows, cols], storage: .numbers(values))
    }

    /// A rows×cols cell array from column-major cells.
    public static func cell(_ name: String = "", rows: Int, cols: Int, cells: [MATArray]) -> MATArray {
        MATArray(name: name, arrayClass: .cell, dimensions: [rows, cols], storage: .cells(cells))
    }

    /// The number of elements, the product of `dimensions`.
    public var elementCount: Int { dimensions.reduce(1, *) }

    /// "1×694 cell", "192×88 uint8", as MATLAB's `whos` would say.
    public var summary: String {
        dimensions.map(String.init).joined(separator: "×") + " " + (isLogical ? "logical" : arrayClass.description)
    }
}

/// A MATLAB level-5 MAT-file (the format of `save -v6` and `save -v7`), read completely into memory.
///
/// Format (MathWorks, "MAT-File Format", level 5): a 128-byte header — 116 bytes of text
/// starting "MATLAB 5.0 MAT-file", 8 bytes of subsystem offset, the version 0x0100 and the
/// endian indicator "IM" (little-endian; "MI" is a big-endian file) — followed by data elements.
/// Each element has an 8-byte tag (UInt32 type, UInt32 byte count; data padded to 8 bytes) or
/// the packed 4-byte small-element tag (upper 16 bits count ≤ 4, lower 16 type, data in the
/// next 4 bytes). Variables are `miMATRIX` (14) elements, or `miCOMPRESSED` (15) elements whose
/// zlib stream holds one `miMATRIX`. A matrix holds array flags (class, complex/logical bits),
/// dimensions, name and then the real (and imaginary) data, or, for a cell array, one
/// `miMATRIX` per cell.
///
/// Rejected with a ``DataError/invalidMATFile(path:reason:)`` naming the file: v7.3 files (HDF5), big-endian
/// files, other versions, truncated elements, corrupt zlib streams, declared sizes beyond the
/// file or beyond ``defaultMaximumInflatedSize`` (or the cap given), nesting deeper than 64,
/// and variables whose decoded values would exceed ``defaultMaximumDecodedSize``.
/// No input can make it trap.
///
/// Memory: reading a file holds the file's bytes, at most one inflated element (≤ the inflate
/// cap) and the decoded variables (≤ the decode budget). The decode budget matters because the
/// stored type may be narrower than the class (MATLAB stores a `double` array of small integers
/// as `miUINT8`, so 1 byte in the file becomes 8 in memory) and because a cell costs far more in
/// memory than its 8-byte empty element in the file: both are charged before anything is allocated.
public struct MATFile: Sendable {
    /// The file the variables came from (used in every error message).
    public let path: String
    /// The header's descriptive text, trailing spaces removed.
    public let headerText: String
    /// The variables in file order.
    public let variables: [MATArray]

    /// The default cap on the decompressed size of one compressed element (1 GiB).
    public static let defaultMaximumInflatedSize = 1 << 30

    /// The default cap on the memory the decoded variables of one file may take (1 GiB): numbers
    /// at 8 bytes each (1 for `uint8` arrays stored as `miUINT8`), cells at the size of a
    /// ``MATArray`` plus its dimension list, summed over every variable and cell of the file.
    /// The real Nottingham file decodes to about 40 MB.
    public static let defaultMaximumDecodedSize = 1 << 30

    /// Reads and decodes the MAT-file at `path`.
    ///
    /// - Parameters:
    ///   - path: the file to read; also the name used in every error message.
    ///   - maximumInflatedSize: the cap in bytes on the decompressed size of any one compressed
    ///     element, so that a small malicious file cannot exhaust memory.
    ///   - maximumDecodedSize: the cap in bytes on the decoded values of the whole file
    ///     (``defaultMaximumDecodedSize``), checked before each array is allocated.
    /// - Throws: ``DataError/unreadable(path:reason:)`` when the file is missing or cannot be read;
    ///   ``DataError/invalidMATFile(path:reason:)`` naming the file and the byte offset of the
    ///   problem for anything else (see the type's list).
    public init(path: String, maximumInflatedSize: Int = MATFile.defaultMaximumInflatedSize,
                maximumDecodedSize: Int = MATFile.defaultMaximumDecodedSize) throws {
        try self.init(bytes: readDataFile(path), path: path, maximumInflatedSize: maximumInflatedSize,
                      maximumDecodedSize: maximumDecodedSize)
    }

    /// Decodes MAT-file `bytes`; `path` is only used in messages. The caps are those of
    /// ``init(path:maximumInflatedSize:maximumDecodedSize:)``.
    ///
    /// - Throws: ``DataError/invalidMATFile(path:reason:)`` naming `path` and the byte offset of the
    ///   problem (wrong magic, version or endianness, truncation, corrupt zlib data, …), or naming
    ///   the variable whose decoded values exceed `maximumDecodedSize`.
    public init(bytes: [UInt8], path: String, maximumInflatedSize: Int = MATFile.defaultMaximumInflatedSize,
                maximumDecodedSize: Int = MATFile.defaultMaximumDecodedSize) throws {
        self.path = path
        do {
            let parser = MATParser(maximumInflatedSize: maximumInflatedSize, budget: MATDecodeBudget(bytes: maximumDecodedSize))
            (headerText, variables) = try parser.parseFile(bytes)
        } catch let error as MATParseError {
            throw DataError.invalidMATFile(path: path, reason: error.reason)
        }
    }

    /// The first variable called `name` (names are compared exactly).
    ///
    /// - Throws: ``DataError/missingVariable(path:name:available:)`` listing the variables the file
    ///   does have.
    public func variable(_ name: String) throws -> MATArray {
        guard let v = variables.first(where: { $0.name == name }) else {
            throw DataError.missingVariable(path: path, name: name, available: variables.map(\.name))
        }
        return v
    }
}

/// A reason a MAT-file cannot be read (wrapped into `DataError.invalidMATFile` with the path).
struct MATParseError: Error {
    let reason: String
}

/// The data types of level-5 data elements (`miINT8` …).
enum MATDataType: UInt32 {
    case int8 = 1, uint8 = 2, int16 = 3, uint16 = 4, int32 = 5, uint32 = 6, single = 7, double = 9
    case int64 = 12, uint64 = 13, matrix = 14, compressed = 15, utf8 = 16, utf16 = 17, utf32 = 18

    /// Bytes per value of a numeric type.
    var width: Int? {
        switch self {
        case .int8, .uint8, .utf8: return 1
        case .int16, .uint16, .utf16: return 2
        case .int32, .uint32, .single, .utf32: return 4
        case .double, .int64, .uint64: return 8
        case .matrix, .compressed: return nil
        }
    }
}

/// A bounds-checked parser over one buffer. Every read checks its range first; every declared
/// size is compared with the bytes actually present before anything is allocated.
struct MATParser {
    let maximumInflatedSize: Int
    /// What the decoded arrays may still take; shared by every array of the file.
    let budget: MATDecodeBudget
    static let maximumDepth = 64
    static let hdf5Signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

    /// One element: its type code, where its data lies, and where the next element starts.
    struct Element {
        let type: UInt32
        let data: Range<Int>
        let next: Int
        let offset: Int
    }

    func parseFile(_ bytes: [UInt8]) throws -> (String, [MATArray]) {
        // v7.3 files are HDF5 containers with a MAT-style text header in the user block.
        let text = String(decoding: bytes.prefix(116), as: UTF8.self)
        if text.hasPrefix("MATLAB 7.3 MAT-file")
            || (bytes.count >= 520 && Array(bytes[512 ..< 520]) == Self.hdf5Signature)
            || bytes.starts(with: Self.hdf5Signature) {
            throw MATParseError(reason: "it is a MATLAB v7.3 file (HDF5), which this reader does not support; re-save it in MATLAB with `save(file, '-v7')` or in Python with scipy.io.savemat")
        }
        guard bytes.count >= 128 else {
            if bytes.starts(with: Array("MATLAB".utf8)) {
                throw MATParseError(reason: "truncated: the file has \(bytes.count) bytes, less than the 128-byte header")
            }
            throw MATParseError(reason: "too short (\(bytes.count) bytes) to be a MAT-file, which starts with a 128-byte header")
        }
        guard text.hasPrefix("MATLAB") else {
            throw MATParseError(reason: "wrong magic: the header text does not start with \"MATLAB 5.0 MAT-file\" (it starts with \(quotedPrefix(bytes)))")
        }
        let indicator = (bytes[126], bytes[127])
        if indicator == (0x4D, 0x49) {  // "MI": written on a big-endian machine
            throw MATParseError(reason: "it is a big-endian MAT-file (endian indicator \"MI\"); only little-endian files (\"IM\") are supported; re-save it on a little-endian machine")
        }
        guard indicator == (0x49, 0x4D) else {
            throw MATParseError(reason: "bad endian indicator 0x\(hex(bytes[126]))\(hex(bytes[127])) at byte 126 (expected \"IM\")")
        }
        let version = UInt16(bytes[124]) | UInt16(bytes[125]) << 8
        guard version == 0x0100 else {
            throw MATParseError(reason: "unsupported version 0x\(String(version, radix: 16)) at byte 124 (a level-5 file has 0x0100)")
        }
        var header = text
        while header.last == " " || header.last == "\0" { header.removeLast() }

        var variables: [MATArray] = []
        try parseElements(bytes, from: 128, to: bytes.count, context: "", depth: 0, into: &variables)
        return (header, variables)
    }

    /// Parses the top-level elements in `bytes[from ..< to]` (the file, or a decompressed stream).
    func parseElements(_ bytes: [UInt8], from: Int, to end: Int, context: String, depth: Int,
                       into variables: inout [MATArray]) throws {
        var offset = from
        while offset < end {
            let element = try readTag(bytes, at: offset, end: end, context: context)
            switch MATDataType(rawValue: element.type) {
            case .compressed?:
                guard depth == 0 else {
                    throw MATParseError(reason: "compressed element inside a compressed element\(context) at byte \(offset)")
                }
                let inflated = try inflate(bytes[element.data], at: offset)
                try parseElements(inflated, from: 0, to: inflated.count,
                                  context: " (inside the compressed element at byte \(offset))", depth: 1, into: &variables)
                // Compressed elements are not padded: the next element follows the stream directly.
                offset = element.data.upperBound
                continue
            case .matrix?:
                variables.append(try parseMatrix(bytes, element, context: context, depth: 0, variable: nil))
            default:
                throw MATParseError(reason: "unexpected element of type \(element.type) at byte \(offset)\(context) (a variable must be miMATRIX or miCOMPRESSED)")
            }
            offset = element.next
        }
    }

    /// Reads the tag at `offset` and checks that the element's data lies within `end`.
    func readTag(_ bytes: [UInt8], at offset: Int, end: Int, context: String) throws -> Element {
        guard offset >= 0, end - offset >= 8 else {
            throw MATParseError(reason: "truncated: an element tag at byte \(offset)\(context) needs 8 bytes but only \(max(0, end - offset)) remain")
        }
        let word = u32(bytes, offset)
        if word >> 16 != 0 {  // small data element: count in the upper half, type in the lower
            let size = Int(word >> 16), type = word & 0xFFFF
            guard size <= 4 else {
                throw MATParseError(reason: "malformed small element at byte \(offset)\(context): it declares \(size) bytes (at most 4 fit)")
            }
            return Element(type: type, data: (offset + 4) ..< (offset + 4 + size), next: offset + 8, offset: offset)
        }
        let size = Int(u32(bytes, offset + 4))
        let start = offset + 8
        guard size <= end - start else {
            throw MATParseError(reason: "truncated: the element at byte \(offset)\(context) declares \(size) bytes but only \(end - start) remain")
        }
        let padded = start + ((size + 7) / 8) * 8
        return Element(type: word, data: start ..< (start + size), next: min(padded, end), offset: offset)
    }

    /// Decodes one miMATRIX element (a variable, `variable` nil, or a cell of the variable named).
    func parseMatrix(_ bytes: [UInt8], _ element: Element, context: String, depth: Int, variable: String?) throws -> MATArray {
        guard depth < Self.maximumDepth else {
            throw MATParseError(reason: "cell arrays nested more than \(Self.maximumDepth) deep at byte \(element.offset)\(context)")
        }
        let end = element.data.upperBound
        let at = " in the array at byte \(element.offset)\(context)"
        if element.data.isEmpty {  // MATLAB writes an empty cell as a matrix element with no data
            return MATArray(name: "", arrayClass: .double, dimensions: [0, 0], isLogical: false, storage: .numbers([]))
        }
        // Array flags: miUINT32, 8 bytes; class in the low byte, complex 0x800, global 0x400, logical 0x200.
        let flagsElement = try readTag(bytes, at: element.data.lowerBound, end: end, context: context)
        guard flagsElement.type == MATDataType.uint32.rawValue, flagsElement.data.count == 8 else {
            throw MATParseError(reason: "malformed array flags\(at) (type \(flagsElement.type), \(flagsElement.data.count) bytes; expected miUINT32, 8 bytes)")
        }
        let flags = u32(bytes, flagsElement.data.lowerBound)
        let classCode = UInt8(flags & 0xFF)
        let isComplex = flags & 0x800 != 0, isLogical = flags & 0x200 != 0
        guard let arrayClass = MATClass(rawValue: classCode) else {
            throw MATParseError(reason: "unknown array class \(classCode)\(at)")
        }
        // Dimensions: miINT32, at least two.
        let dimsElement = try readTag(bytes, at: flagsElement.next, end: end, context: context)
        guard dimsElement.type == MATDataType.int32.rawValue, dimsElement.data.count % 4 == 0, dimsElement.data.count >= 8 else {
            throw MATParseError(reason: "malformed dimensions\(at) (expected at least two miINT32 values)")
        }
        var dimensions: [Int] = []
        var count = 1
        for k in stride(from: dimsElement.data.lowerBound, to: dimsElement.data.upperBound, by: 4) {
            let d = Int(Int32(bitPattern: u32(bytes, k)))
            guard d >= 0 else { throw MATParseError(reason: "negative dimension \(d)\(at)") }
            dimensions.append(d)
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, product <= Int(Int32.max) else {
                throw MATParseError(reason: "dimensions \(dimensions.map(String.init).joined(separator: "×"))… are too large\(at)")
            }
            count = product
        }
        // Name: miINT8 (often a small element); empty for cells.
        let nameElement = try readTag(bytes, at: dimsElement.next, end: end, context: context)
        guard nameElement.type == MATDataType.int8.rawValue || nameElement.type == MATDataType.utf8.rawValue else {
            throw MATParseError(reason: "malformed array name\(at) (type \(nameElement.type), expected miINT8)")
        }
        let nameBytes = Array(bytes[nameElement.data])
        guard let name = String(validating: nameBytes, as: UTF8.self) else {
            throw MATParseError(reason: "array name is not valid text\(at)")
        }
        let where_ = name.isEmpty ? at : " in variable \"\(name)\" (byte \(element.offset)\(context))"
        let owner = variable ?? name
        // Charges `bytes` to the budget before they are allocated, naming the variable on refusal.
        func charge(_ bytes: Int, _ what: String) throws {
            guard budget.take(bytes) else {
                throw MATParseError(reason: "variable \"\(owner)\" would decode to more than the reader's memory budget of "
                                    + "\(budget.limit) bytes for one file (\(what), array at byte \(element.offset)\(context)); "
                                    + "it is refused rather than allowed to exhaust memory")
            }
        }

        let storage: MATArray.Storage
        switch arrayClass {
        case .cell:
            // Each cell needs at least an 8-byte tag: check before reserving room for `count`.
            guard count <= (end - nameElement.next) / 8 else {
                throw MATParseError(reason: "truncated: \(count) cells declared but the data holds at most \((end - nameElement.next) / 8)\(where_)")
            }
            // A cell costs its MATArray and its dimension list, whatever its 8 bytes in the file.
            let (cost, overflow) = count.multipliedReportingOverflow(by: MATDecodeBudget.cellBytes)
            try charge(overflow ? Int.max : cost, "\(count) cells of \(MATDecodeBudget.cellBytes) bytes each")
            var cells: [MATArray] = []
            cells.reserveCapacity(count)
            var offset = nameElement.next
            for index in 0 ..< count {
                let cell = try readTag(bytes, at: offset, end: end, context: context)
                guard cell.type == MATDataType.matrix.rawValue else {
                    throw MATParseError(reason: "cell \(index + 1) of \(count) is an element of type \(cell.type), not miMATRIX\(where_)")
                }
                cells.append(try parseMatrix(bytes, cell, context: context, depth: depth + 1, variable: owner))
                offset = cell.next
            }
            storage = .cells(cells)
        case _ where arrayClass.isNumeric:
            if isComplex {
                storage = .unsupported("complex \(arrayClass) values are not supported")
            } else {
                let real = try readTag(bytes, at: nameElement.next, end: end, context: context)
                storage = try decodeNumbers(bytes, real, class: arrayClass, count: count, where: where_, charge: charge)
            }
        default:
            storage = .unsupported("arrays of class \(arrayClass) are not supported")
        }
        return MATArray(name: name, arrayClass: arrayClass, dimensions: dimensions, isLogical: isLogical, storage: storage)
    }

    /// Converts a numeric data element (whose stored type may be narrower than the class, as
    /// MATLAB stores e.g. a double array of small integers as miUINT8) into the class's storage.
    /// `charge` is called with the bytes the values will take before they are allocated.
    func decodeNumbers(_ bytes: [UInt8], _ element: Element, class arrayClass: MATClass, count: Int,
                       where where_: String, charge: (Int, String) throws -> Void) throws -> MATArray.Storage {
        guard let type = MATDataType(rawValue: element.type), let width = type.width,
              type != .utf8, type != .utf16, type != .utf32 else {
            throw MATParseError(reason: "numeric data stored as unsupported element type \(element.type) at byte \(element.offset)\(where_)")
        }
        guard element.data.count == count * width else {
            throw MATParseError(reason: "the dimensions say \(count) values but the data element at byte \(element.offset) holds \(element.data.count) bytes of \(width)-byte values\(where_)")
        }
        let base = element.data.lowerBound
        if arrayClass == .uint8, type == .uint8 {
            try charge(count, "\(count) uint8 values")
            return .uint8(Array(bytes[element.data]))
        }
        // Widened to Double (and, for a uint8 class stored wider, narrowed again from there); count
        // ≤ Int32.max, so the product cannot overflow.
        let widened = count * 8 + (arrayClass == .uint8 ? count : 0)
        try charge(widened, "\(count) values stored as \(width)-byte \(type) and widened to 8-byte doubles")
        var values = [Double](repeating: 0, count: count)
        for i in 0 ..< count {
            let o = base + i * width
            switch type {
            case .int8: values[i] = Double(Int8(bitPattern: bytes[o]))
            case .uint8: values[i] = Double(bytes[o])
            case .int16: values[i] = Double(Int16(bitPattern: u16(bytes, o)))
            case .uint16: values[i] = Double(u16(bytes, o))
            case .int32: values[i] = Double(Int32(bitPattern: u32(bytes, o)))
            case .uint32: values[i] = Double(u32(bytes, o))
            case .int64: values[i] = Double(Int64(bitPattern: u64(bytes, o)))
            case .uint64: values[i] = Double(u64(bytes, o))
            case .single: values[i] = Double(Float(bitPattern: u32(bytes, o)))
            case .double: values[i] = Double(bitPattern: u64(bytes, o))
            default: break  // excluded by the guard above
            }
        }
        if arrayClass == .uint8 {
            var out = [UInt8](repeating: 0, count: count)
            for i in 0 ..< count {
                guard let v = UInt8(exactly: values[i]) else {
                    throw MATParseError(reason: "value \(values[i]) does not fit a uint8 array\(where_)")
                }
                out[i] = v
            }
            return .uint8(out)
        }
        return .numbers(values)
    }

    /// Inflates a zlib stream, refusing to grow beyond `maximumInflatedSize`.
    func inflate(_ input: ArraySlice<UInt8>, at offset: Int) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit_(&stream, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw MATParseError(reason: "zlib could not be initialised")
        }
        defer { inflateEnd(&stream) }
        // Inflate in fixed-size chunks appended to the output (a contiguous copy), so the output
        // only grows as far as the data really goes and is checked against the cap as it grows.
        let chunkSize = 1 << 18
        let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
        defer { chunk.deallocate() }
        var output: [UInt8] = []
        output.reserveCapacity(min(input.count * 4, maximumInflatedSize))
        var tooLarge = false
        let status: Int32 = input.withUnsafeBufferPointer { src -> Int32 in
            stream.next_in = UnsafeMutablePointer(mutating: src.baseAddress)
            stream.avail_in = uInt(src.count)
            while true {
                stream.next_out = chunk
                stream.avail_out = uInt(chunkSize)
                let rc = CZlib.inflate(&stream, Z_NO_FLUSH)
                let produced = chunkSize - Int(stream.avail_out)
                guard produced <= maximumInflatedSize - output.count else { tooLarge = true; return rc }
                output.append(contentsOf: UnsafeBufferPointer(start: chunk, count: produced))
                if rc == Z_STREAM_END { return rc }
                if rc == Z_BUF_ERROR, stream.avail_in == 0 { return rc }  // input ended before the stream did
                if rc != Z_OK && rc != Z_BUF_ERROR { return rc }
                if rc == Z_OK, stream.avail_in == 0, produced < chunkSize { return Z_BUF_ERROR }  // needs more input
            }
        }
        if tooLarge {
            throw MATParseError(reason: "the compressed element at byte \(offset) inflates to more than \(maximumInflatedSize) bytes")
        }
        switch status {
        case Z_STREAM_END:
            return output
        case Z_BUF_ERROR:
            throw MATParseError(reason: "truncated: the zlib stream of the compressed element at byte \(offset) ends early")
        default:
            let message = stream.msg.map { String(cString: $0) } ?? "error \(status)"
            throw MATParseError(reason: "corrupt zlib data in the compressed element at byte \(offset): \(message)")
        }
    }

    // Little-endian reads; callers have checked the range.
    @inline(__always) func u16(_ b: [UInt8], _ o: Int) -> UInt16 { UInt16(b[o]) | UInt16(b[o + 1]) << 8 }
    @inline(__always) func u32(_ b: [UInt8], _ o: Int) -> UInt32 {
        UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24
    }
    @inline(__always) func u64(_ b: [UInt8], _ o: Int) -> UInt64 { UInt64(u32(b, o)) | UInt64(u32(b, o + 4)) << 32 }

    func hex(_ b: UInt8) -> String { (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true) }

    func quotedPrefix(_ bytes: [UInt8]) -> String {
        let head = bytes.prefix(16)
        if head.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return "\"" + String(decoding: head, as: UTF8.self) + "\"" }
        return "bytes " + head.prefix(8).map(hex).joined(separator: " ")
    }
}

/// The memory the decoded arrays of one file may still take, charged before each allocation.
/// A class because the parser recurses through cells and every level draws on the same total.
final class MATDecodeBudget {
    /// The bytes one decoded cell costs beyond its values: the ``MATArray`` itself and the heap
    /// block of its two-entry dimension list (header and storage, rounded up).
    static let cellBytes = MemoryLayout<MATArray>.stride + 64
    /// The whole budget in bytes.
    let limit: Int
    private var remaining: Int

    init(bytes: Int) {
        limit = max(0, bytes)
        remaining = limit
    }

    /// Takes `bytes` from what remains; false (and nothing taken) when that would go below zero.
    func take(_ bytes: Int) -> Bool {
        guard bytes >= 0, bytes <= remaining else { return false }
        remaining -= bytes
        return true
    }
}
