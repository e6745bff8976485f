/// The plain-text form of a piano-roll data set split:
/// - one line per time step: the sounding MIDI notes (21 … 108) in ascending order separated by
///   single spaces, e.g. `48 52 55 64`; a step with no note is the line `-`;
/// - a line `#` between consecutive tunes (none before the first or after the last);
/// - ASCII, LF line endings, a final `\n`.
///
/// The reader is lenient only where it is harmless (a missing final newline, CRLF line endings,
/// extra spaces, notes out of order); anything else is an error with its line number.
package enum MusicText {
    /// Reads the tunes of one split, in file order.
    ///
    /// - Throws: ``DataError/unreadable(path:reason:)`` when the file cannot be read,
    ///   ``DataError/emptyFile(path:)`` when it holds no tune, ``DataError/invalidText(path:line:reason:)``
    ///   with the line: a note that is not an integer in 21 … 108, a repeated note, an empty line,
    ///   an empty tune (`#` at the start or end, or two `#` in a row), binary data.
    package static func read(_ path: String) throws -> [PianoRoll] {
        try parse(readDataFile(path), path: path)
    }

    /// Parses the bytes of a text file (`path` is only used in messages). One pass over the bytes,
    /// no intermediate strings.
    ///
    /// - Throws: as ``read(_:)``, except that nothing is read from disk.
    package static func parse(_ bytes: [UInt8], path: String) throws -> [PianoRoll] {
        if bytes.isEmpty { throw DataError.emptyFile(path: path) }
        return try bytes.withUnsafeBufferPointer { try parse($0, path: path) }
    }

    // Works on a raw buffer: every byte of the file passes through here.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, path: String) throws -> [PianoRoll] {
        let keys = PianoRoll.keys
        let silentFrame = [UInt8](repeating: 0, count: keys)
        var tunes: [PianoRoll] = []
        var current: [UInt8] = []
        var steps = 0
        var line = 1
        var i = 0
        let n = bytes.count
        func fail(_ reason: String) -> DataError { DataError.invalidText(path: path, line: line, reason: reason) }
        while i < n {
            // One line: bytes[lo ..< hi] without the \n, a trailing \r and surrounding spaces.
            var end = i
            while end < n && bytes[end] != 0x0A { end += 1 }
            let next = end + 1
            var lo = i, hi = end
            if hi > lo && bytes[hi - 1] == 0x0D { hi -= 1 }
            while lo < hi && bytes[lo] == 0x20 { lo += 1 }
            while hi > lo && bytes[hi - 1] == 0x20 { hi -= 1 }
            if hi - lo == 1 && bytes[lo] == 0x23 {  // "#"
                guard steps > 0 else { throw fail("a tune separator `#` with no tune before it (empty tune)") }
                tunes.append(PianoRoll(uncheckedSteps: steps, notes: current))
                current = []
                steps = 0
            } else if hi - lo == 1 && bytes[lo] == 0x2D {  // "-": a silent step
                current.append(contentsOf: silentFrame)
                steps += 1
            } else if hi == lo {
                throw fail("empty line; a silent time step is written `-`")
            } else {
                let row = current.count
                current.append(contentsOf: silentFrame)
                var value = 0, digits = 0
                var k = lo
                while true {
                    let c: UInt8 = k < hi ? bytes[k] : 0x20
                    if c >= 0x30 && c <= 0x39 {
                        if digits < 4 { value = value * 10 + Int(c - 0x30) }
                        digits += 1
                    } else if c == 0x20 {
                        if digits > 0 {
                            guard digits <= 3, value >= PianoRoll.lowestNote, value <= PianoRoll.highestNote else {
                                throw fail("note \(digits > 3 ? "with \(digits) digits" : String(value)) is outside the piano's MIDI range \(PianoRoll.lowestNote)…\(PianoRoll.highestNote)")
                            }
                            let slot = row + value - PianoRoll.lowestNote
                            guard current[slot] == 0 else { throw fail("note \(value) is listed twice") }
                            current[slot] = 1
                        }
                        value = 0; digits = 0
                        if k >= hi { break }
                    } else if c < 0x20 || c >= 0x7F {
                        throw fail("binary data (byte 0x\(String(c, radix: 16, uppercase: true))) where a line of note numbers was expected")
                    } else {
                        throw fail("unexpected character \"\(Character(Unicode.Scalar(c)))\"; a line holds MIDI note numbers separated by spaces, `-` or `#`")
                    }
                    k += 1
                }
                steps += 1
            }
            line += 1
            i = next
        }
        line -= 1
        guard steps > 0 else {
            if tunes.isEmpty { throw DataError.emptyFile(path: path) }
            throw fail("the file ends with a tune separator `#` (empty last tune)")
        }
        tunes.append(PianoRoll(uncheckedSteps: steps, notes: current))
        return tunes
    }

    /// The text form of `tunes` (see the type's documentation). For a non-empty list of tunes that
    /// each have at least one step it is the exact inverse of ``parse(_:path:)``: parsing the
    /// result gives `tunes` back. Deterministic, so equal data gives byte-identical files.
    package static func format(_ tunes: [PianoRoll]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(tunes.reduce(0) { $0 + $1.steps * 12 })
        for (index, tune) in tunes.enumerated() {
            if index > 0 { out.append(contentsOf: [0x23, 0x0A]) }
            tune.notes.withUnsafeBufferPointer { notes in
                for t in 0 ..< tune.steps {
                    var first = true
                    for k in 0 ..< PianoRoll.keys where notes[t * PianoRoll.keys + k] != 0 {
                        if !first { out.append(0x20) }
                        let note = k + PianoRoll.lowestNote  // 21…108: two or three digits
                        if note >= 100 { out.append(0x30 + UInt8(note / 100)) }
                        out.append(0x30 + UInt8(note / 10 % 10))
                        out.append(0x30 + UInt8(note % 10))
                        first = false
                    }
                    if first { out.append(0x2D) }
                    out.append(0x0A)
                }
            }
        }
        return out
    }

    /// Writes `tunes` to `path` in text form (through a temporary file renamed into place, so an
    /// existing file is never left half-written).
    ///
    /// - Throws: ``DataError/unwritable(path:reason:)`` naming the file.
    package static func write(_ tunes: [PianoRoll], to path: String) throws {
        try writeAtomically(format(tunes), to: path)
    }
}
