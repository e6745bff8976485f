import CZlib
import Foundation

/// CRC-32 (the polynomial of zlib, gzip and PNG: 0xEDB88320 reflected, initial and final XOR
/// 0xFFFFFFFF), computed by zlib's `crc32`, which the package already links for MAT-files.
///
/// Why CRC-32: checkpoints need to catch accidental damage — a flipped bit on disk or in
/// transfer, a truncated copy, a value edited by hand, a log cut at the wrong place — not a
/// forger. CRC-32 detects every error of up to 32 consecutive bits and all but one in 2³² of the
/// others, is fast enough to run over a model and its log at every resume, and can be checked by
/// anyone with standard tools (Python's `zlib.crc32(bytes)`, for example, gives the same number).
/// Values are written as 8 lowercase hexadecimal digits.
package enum Checksum {
    /// The CRC-32 of `bytes`, continuing from `crc` (0 to start; the CRC of the bytes before them
    /// to extend a running checksum, so crc32(a + b) = crc32(b, continuing: crc32(a))).
    package static func crc32(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        var value = UInt(crc)
        var rest = bytes
        // zlib takes a 32-bit length: feed large buffers in pieces.
        while !rest.isEmpty {
            let n = min(rest.count, 1 << 30)
            value = zlibCRC32(value, rest.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt32(n))
            rest = UnsafeRawBufferPointer(rebasing: rest[n...])
        }
        return UInt32(truncatingIfNeeded: value)
    }

    /// The CRC-32 of a byte array (see ``crc32(_:continuing:)``).
    package static func crc32<Bytes: ContiguousBytes>(_ bytes: Bytes, continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { crc32($0, continuing: crc) }
    }

    /// `crc` as 8 lowercase hexadecimal digits, the form stored in checkpoints.
    package static func hex(_ crc: UInt32) -> String {
        let digits = String(crc, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// Parses ``hex(_:)``'s form (exactly 8 hexadecimal digits); nil otherwise.
    package static func parse(_ text: String) -> UInt32? {
        guard text.utf8.count == 8, text.allSatisfy(\.isHexDigit) else { return nil }
        return UInt32(text, radix: 16)
    }
}

/// zlib's `crc32`, named apart from ``Checksum/crc32(_:continuing:)`` (which shadows it inside the enum).
private func zlibCRC32(_ crc: UInt, _ bytes: UnsafePointer<UInt8>, _ count: UInt32) -> UInt {
    crc32(crc, bytes, count)
}
