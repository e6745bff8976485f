import CZlib
import Foundation

/// Writes MATLAB level-5 MAT-files (the counterpart of ``MATFile``), little-endian, optionally
/// with every variable zlib-compressed (`miCOMPRESSED`, as MATLAB's default `-v7`).
///
/// Supports what ``MATFile`` reads back as values: `uint8` and `double` arrays (other numeric
/// classes are written as `double` data under their own class) and cell arrays of them.
/// Names of at most 4 bytes use the packed small-element tag, like MATLAB does.
package enum MATFileWriter {
    /// The bytes of a MAT-file holding `variables`, in order: the 128-byte header (`headerText`,
    /// cut to 116 bytes, then version 0x0100 and "IM"), then one `miMATRIX` element per variable,
    /// each wrapped in an `miCOMPRESSED` zlib stream when `compressed`.
    ///
    /// - Throws: ``DataError/invalidVariable(path:name:reason:)`` for an array whose values do not
    ///   match its dimensions, a storage that cannot be written (``MATArray/Storage/unsupported(_:)``),
    ///   or a zlib failure.
    package static func encode(_ variables: [MATArray], compressed: Bool,
                              headerText: String = "MATLAB 5.0 MAT-file, written by GRUKit") throws -> [UInt8] {
        var out = [UInt8](repeating: 0x20, count: 128)
        for (i, b) in headerText.utf8.prefix(116).enumerated() { out[i] = b }
        for i in 116 ..< 124 { out[i] = 0 }  // no subsystem data
        out[124] = 0x00; out[125] = 0x01     // version 0x0100, little-endian
        out[126] = 0x49; out[127] = 0x4D     // "IM"
        for v in variables {
            var element: [UInt8] = []
            try appendMatrix(v, to: &element)
            if compressed {
                var bound = compressBound(uLong(element.count))
                var packed = [UInt8](repeating: 0, count: Int(bound))
                let rc = packed.withUnsafeMutableBufferPointer { dst in
                    element.withUnsafeBufferPointer { src in
                        compress2(dst.baseAddress, &bound, src.baseAddress, uLong(src.count), Z_DEFAULT_COMPRESSION)
                    }
                }
                guard rc == Z_OK else {
                    throw DataError.invalidVariable(path: "(MAT-file being written)", name: v.name, reason: "zlib compress failed (\(rc))")
                }
                appendU32(MATDataType.compressed.rawValue, to: &out)
                appendU32(UInt32(bound), to: &out)
                out.append(contentsOf: packed[0 ..< Int(bound)])  // not padded, as MATLAB writes it
            } else {
                out.append(contentsOf: element)
            }
        }
        return out
    }

    /// Writes `variables` to `path` through a temporary file that is renamed into place, so an
    /// existing file is never left half-written (compressed by default, like MATLAB's `-v7`).
    ///
    /// - Throws: the errors of ``encode(_:compressed:headerText:)`` (nothing is written then), or
    ///   ``DataError/unwritable(path:reason:)`` naming the file when it cannot be written.
    package static func write(_ variables: [MATArray], to path: String, compressed: Bool = true) throws {
        try writeAtomically(encode(variables, compressed: compressed), to: path)
    }

    static func appendMatrix(_ a: MATArray, to out: inout [UInt8]) throws {
        var body: [UInt8] = []
        // Array flags.
        var flags = UInt32(a.arrayClass.rawValue)
        if a.isLogical { flags |= 0x200 }
        appendElement(type: .uint32, payload: le32(flags) + [0, 0, 0, 0], to: &body)
        // Dimensions.
        appendElement(type: .int32, payload: a.dimensions.flatMap { le32(UInt32(truncatingIfNeeded: $0)) }, to: &body)
        // Name.
        appendElement(type: .int8, payload: Array(a.name.utf8), to: &body)
        let count = a.elementCount
        func mismatch(_ n: Int) -> DataError {
            DataError.invalidVariable(path: "(MAT-file being written)", name: a.name,
                                      reason: "\(n) values for dimensions \(a.dimensions)")
        }
        switch a.storage {
        case .uint8(let values):
            guard values.count == count else { throw mismatch(values.count) }
            appendElement(type: .uint8, payload: values, to: &body)
        case .numbers(let values):
            guard values.count == count else { throw mismatch(values.count) }
            appendElement(type: .double, payload: values.flatMap { le64($0.bitPattern) }, to: &body)
        case .cells(let cells):
            guard cells.count == count else { throw mismatch(cells.count) }
            for c in cells { try appendMatrix(c, to: &body) }
        case .unsupported(let reason):
            throw DataError.invalidVariable(path: "(MAT-file being written)", name: a.name, reason: reason)
        }
        appendU32(MATDataType.matrix.rawValue, to: &out)
        appendU32(UInt32(body.count), to: &out)
        out.append(contentsOf: body)  // every sub-element is padded, so body is a multiple of 8
    }

    static func appendElement(type: MATDataType, payload: [UInt8], to out: inout [UInt8]) {
        if payload.count <= 4, payload.count > 0 {
            appendU32(UInt32(payload.count) << 16 | type.rawValue, to: &out)
            out.append(contentsOf: payload)
            out.append(contentsOf: repeatElement(0, count: 4 - payload.count))
            return
        }
        appendU32(type.rawValue, to: &out)
        appendU32(UInt32(payload.count), to: &out)
        out.append(contentsOf: payload)
        out.append(contentsOf: repeatElement(0, count: (8 - payload.count % 8) % 8))
    }

    static func appendU32(_ v: UInt32, to out: inout [UInt8]) { out.append(contentsOf: le32(v)) }
    static func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }
    static func le64(_ v: UInt64) -> [UInt8] { le32(UInt32(v & 0xFFFF_FFFF)) + le32(UInt32(v >> 32)) }
}

/// Writes `bytes` to `path` with ``AtomicFile/write(_:to:)`` (temporary file and rename; only a
/// regular file or a new path is replaced).
func writeAtomically(_ bytes: [UInt8], to path: String) throws {
    do { try AtomicFile.write(bytes, to: URL(fileURLWithPath: path)) } catch {
        throw DataError.unwritable(path: path, reason: AtomicFile.reason(error))
    }
}
