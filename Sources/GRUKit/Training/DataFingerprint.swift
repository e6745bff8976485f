/// The content of a data split as a short text for a run's fingerprint (``RunConfiguration/details``):
/// the CRC-32 (``Checksum``) of its values, so that `--resume` refuses a checkpoint trained on other
/// data of the same sizes (another corpus, another slice) instead of continuing it on the new data.
/// A CRC-32 tells two different corpora apart except with odds of 1 in 2³², which is what an
/// accidental `--data` pointing elsewhere needs; it is no defence against a forged corpus.
package enum DataFingerprint {
    /// The CRC-32 of token ids (their little-endian 32-bit bytes), as 8 hexadecimal digits.
    package static func tokens(_ ids: [Int32]) -> String {
        Checksum.hex(ids.withUnsafeBytes { Checksum.crc32($0) })
    }

    /// The CRC-32 of a vocabulary's words in id order (each word's UTF-8 bytes and a NUL), as 8
    /// hexadecimal digits: token ids only mean words through it.
    package static func words(_ words: [String]) -> String {
        var crc: UInt32 = 0
        for w in words { crc = Checksum.crc32(Array(w.utf8) + [0], continuing: crc) }
        return Checksum.hex(crc)
    }

    /// The CRC-32 of tunes: each tune's step count (8 bytes, little-endian) and its 0/1 notes, in
    /// order, as 8 hexadecimal digits.
    package static func tunes(_ rolls: [PianoRoll]) -> String {
        var crc: UInt32 = 0
        for r in rolls {
            var steps = UInt64(r.steps).littleEndian
            crc = withUnsafeBytes(of: &steps) { Checksum.crc32($0, continuing: crc) }
            crc = r.notes.withUnsafeBytes { Checksum.crc32($0, continuing: crc) }
        }
        return Checksum.hex(crc)
    }
}
