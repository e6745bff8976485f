import XCTest
import GRUKit

final class DataMATFileTests: XCTestCase {
    /// A level-5 file built byte by byte from the format specification: one 2×3 uint8 variable
    /// "ab" (a packed small-element name) with values [[1 0 1] [0 1 0]] stored column-major.
    static func handMadeFile(classCode: UInt8 = 9) -> [UInt8] {
        var b = [UInt8](repeating: 0x20, count: 116)
        let text = Array("MATLAB 5.0 MAT-file, written by GRUKit".utf8)
        b.replaceSubrange(0 ..< text.count, with: text)
        b += [0, 0, 0, 0, 0, 0, 0, 0] + [0x00, 0x01] + Array("IM".utf8)
        b += [14, 0, 0, 0, 56, 0, 0, 0]                               // miMATRIX, 56 bytes
        b += [6, 0, 0, 0, 8, 0, 0, 0, classCode, 0, 0, 0, 0, 0, 0, 0] // flags: miUINT32 ×2
        b += [5, 0, 0, 0, 8, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0]         // dims: miINT32 [2, 3]
        b += [1, 0, 2, 0] + Array("ab".utf8) + [0, 0]                 // name: small miINT8, 2 bytes
        b += [2, 0, 0, 0, 6, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0]         // data: miUINT8 ×6 + padding
        return b
    }

    func testHandMadeFileAndWriterAgree() throws {
        let file = try MATFile(bytes: Self.handMadeFile(), path: "hand.mat")
        XCTAssertEqual(file.headerText, "MATLAB 5.0 MAT-file, written by GRUKit")
        let v = try file.variable("ab")
        XCTAssertEqual(v.dimensions, [2, 3])
        XCTAssertEqual(v.arrayClass, .uint8)
        guard case .uint8(let values) = v.storage else { return XCTFail("expected uint8 storage") }
        XCTAssertEqual(values, [1, 0, 0, 1, 1, 0])
        // The writer produces exactly these bytes.
        let written = try MATFileWriter.encode([.uint8("ab", rows: 2, cols: 3, columnMajor: [1, 0, 0, 1, 1, 0])], compressed: false)
        XCTAssertEqual(written, Self.handMadeFile())
        // A double array stored as miUINT8 (MATLAB narrows storage) reads as doubles.
        let asDouble = try MATFile(bytes: Self.handMadeFile(classCode: 6), path: "hand.mat").variable("ab")
        guard case .numbers(let d) = asDouble.storage else { return XCTFail("expected numbers") }
        XCTAssertEqual(d, [1, 0, 0, 1, 1, 0])
    }

    func testRoundTripCompressedAndUncompressed() throws {
        var g = SeededGenerator(seed: 7)
        let music = PolyphonicMusic(train: [DataFixtures.randomRoll(steps: 5, using: &g), DataFixtures.randomRoll(steps: 1, using: &g)],
                                    valid: [DataFixtures.randomRoll(steps: 9, using: &g)],
                                    test: [DataFixtures.randomRoll(steps: 3, using: &g)])
        let dir = try Executables.temporaryDirectory(self)
        for compressed in [false, true] {
            let path = dir.appendingPathComponent("m\(compressed).mat").path
            try MATFileWriter.write(music.matArrays, to: path, compressed: compressed)
            XCTAssertEqual(try PolyphonicMusic(matFile: path), music, "compressed: \(compressed)")
            let file = try MATFile(path: path)
            XCTAssertEqual(file.variables.map(\.name), ["traindata", "validdata", "testdata"])
            XCTAssertEqual(try file.variable("traindata").summary, "1×2 cell")
        }
        // Rolls stored as double 0/1 matrices read the same.
        let doubles = MATArray.cell("traindata", rows: 1, cols: 1, cells: [
            .double(rows: 2, cols: 88, columnMajor: (0 ..< 176).map { $0 == 1 || $0 == 4 ? 1 : 0 })])
        let path = dir.appendingPathComponent("d.mat").path
        try MATFileWriter.write([doubles], to: path)
        let rolls = try PolyphonicMusic.pianoRolls(MATFile(path: path).variable("traindata"), path: path)
        // Column-major 2×88: index 1 is (step 1, key 0) = MIDI 21; index 4 is (step 0, key 2) = MIDI 23.
        XCTAssertEqual(rolls[0].activeNotes(at: 0), [23])
        XCTAssertEqual(rolls[0].activeNotes(at: 1), [21])
    }

    private func tiny(compressed: Bool) throws -> [UInt8] {
        let roll = MATArray.uint8(rows: 3, cols: 88, columnMajor: (0 ..< 264).map { $0 % 7 == 0 ? 1 : 0 })
        return try MATFileWriter.encode(["traindata", "validdata", "testdata"].map {
            .cell($0, rows: 1, cols: 2, cells: [roll, roll])
        }, compressed: compressed)
    }

    private func expectError(_ bytes: [UInt8], _ fragments: [String], line: UInt = #line) throws {
        let dir = try Executables.temporaryDirectory(self)
        let path = try DataFixtures.write(bytes, "broken.mat", in: dir)
        DataFixtures.assertDataError(try PolyphonicMusic(matFile: path), contains: [path] + fragments, line: line)
    }

    func testBrokenFilesAreRejectedWithReasons() throws {
        let plain = try tiny(compressed: false), packed = try tiny(compressed: true)
        XCTAssertNoThrow(try MATFile(bytes: plain, path: "p"))
        XCTAssertNoThrow(try MATFile(bytes: packed, path: "c"))
        // Truncated: uncompressed, compressed, inside the header.
        try expectError(Array(plain.dropLast(10)), ["truncated"])
        try expectError(Array(packed.dropLast(10)), ["truncated"])
        try expectError(Array(plain.prefix(100)), ["truncated", "128-byte header"])
        try expectError([], ["too short"])
        // A compressed element whose size field agrees with a cut-short zlib stream.
        var cut = Array(packed.prefix(128 + 8 + 20))
        cut[132] = 20; cut[133] = 0; cut[134] = 0; cut[135] = 0
        try expectError(cut, ["zlib stream", "ends early"])
        // Wrong magic.
        var magic = plain
        magic.replaceSubrange(0 ..< 6, with: Array("HELLO!".utf8))
        try expectError(magic, ["wrong magic", "HELLO!"])
        // v7.3 by its header text, and by the HDF5 signature at byte 512.
        var v73 = plain
        v73.replaceSubrange(0 ..< 19, with: Array("MATLAB 7.3 MAT-file".utf8))
        try expectError(v73, ["v7.3", "HDF5"])
        var hdf5 = plain + [UInt8](repeating: 0, count: 600)
        hdf5.replaceSubrange(512 ..< 520, with: [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A])
        try expectError(hdf5, ["v7.3"])
        // Big-endian and unknown version.
        var big = plain
        big[126] = UInt8(ascii: "M"); big[127] = UInt8(ascii: "I")
        try expectError(big, ["big-endian"])
        var version = plain
        version[124] = 0; version[125] = 2
        try expectError(version, ["version 0x200"])
        // Corrupt zlib data (the stream's first deflate bytes overwritten).
        var bad = packed
        for k in 138 ..< 146 { bad[k] = 0xFF }
        try expectError(bad, ["corrupt zlib data", "byte 128"])
        // A huge declared element size.
        var huge = plain
        huge[132] = 0xF0; huge[133] = 0xFF; huge[134] = 0xFF; huge[135] = 0xFF
        try expectError(huge, ["truncated", "declares 4294967280 bytes"])
        // Decompression beyond the cap.
        DataFixtures.assertDataError(try MATFile(bytes: packed, path: "c.mat", maximumInflatedSize: 100),
                                     contains: ["c.mat", "inflates to more than 100 bytes"])
    }

    func testBadVariablesAreRejectedWithReasons() throws {
        let good = MATArray.uint8(rows: 2, cols: 88, columnMajor: [UInt8](repeating: 0, count: 176))
        var two = [UInt8](repeating: 0, count: 176)
        two[3] = 2  // step 2, key 2 (column-major: i = 3 → row 1, column 1)
        let withTwo = MATArray.uint8(rows: 2, cols: 88, columnMajor: two)
        let valid = MATArray.cell("validdata", rows: 1, cols: 1, cells: [good])
        let test = MATArray.cell("testdata", rows: 1, cols: 1, cells: [good])
        // A value 2 in a piano roll.
        try expectError(MATFileWriter.encode([.cell("traindata", rows: 1, cols: 2, cells: [good, withTwo]), valid, test], compressed: true),
                        ["\"traindata\"", "tune 2", "value 2", "step 2, key 2", "only 0 and 1"])
        // A missing variable.
        try expectError(MATFileWriter.encode([.cell("traindata", rows: 1, cols: 1, cells: [good]), valid], compressed: false),
                        ["no variable named \"testdata\"", "traindata, validdata"])
        // A roll that is not T×88.
        try expectError(MATFileWriter.encode([.cell("traindata", rows: 1, cols: 1, cells: [.uint8(rows: 2, cols: 3, columnMajor: [0, 0, 0, 0, 0, 0])]), valid, test], compressed: false),
                        ["tune 1 is 2×3 uint8", "T×88"])
        // An unsupported class: the hand-made file's class byte set to char (4), then asked for as tunes.
        let charFile = DataMATFileTests.handMadeFile(classCode: 4)
        let dir = try Executables.temporaryDirectory(self)
        let path = try DataFixtures.write(charFile, "char.mat", in: dir)
        let v = try MATFile(path: path).variable("ab")
        guard case .unsupported(let reason) = v.storage else { return XCTFail("char should be unsupported") }
        XCTAssertTrue(reason.contains("char"), reason)
        DataFixtures.assertDataError(try PolyphonicMusic.pianoRolls(v, path: path), contains: [path, "\"ab\"", "2×3 char"])
        // An unknown class code and a not-a-cell variable.
        try expectError(DataMATFileTests.handMadeFile(classCode: 99), ["unknown array class 99"])
        DataFixtures.assertDataError(try PolyphonicMusic.pianoRolls(MATFile(bytes: Self.handMadeFile(), path: "x.mat").variable("ab"), path: "x.mat"),
                                     contains: ["x.mat", "1×N cell array", "2×3 uint8"])
    }

    /// Random corruptions must give an error or a value, never a trap.
    /// Random damage anywhere in a file (the 128-byte header included: its text, the version and the
    /// endianness mark), with or without truncation, has one of two outcomes, checked for every case:
    /// a parse (the damage hit bytes that do not matter, such as the header's text) or a thrown
    /// ``DataError`` whose message names the file. Never a trap, never another error type.
    func testRandomCorruptionNeverTraps() throws {
        var g = SeededGenerator(seed: 99)
        var parsed = 0, refused = 0, headerCases = 0
        for (f, original) in [try tiny(compressed: false), try tiny(compressed: true), Self.handMadeFile()].enumerated() {
            for trial in 0 ..< 400 {
                var b = original
                let path = "corrupt-\(f)-\(trial).mat"
                let flips = 1 + Int(g.next() % 4)
                for _ in 0 ..< flips {
                    // One flip in four lands in the header (bytes 0…127), the rest anywhere.
                    let i = g.next() % 4 == 0 ? Int(g.next() % 128) : Int(g.next() % UInt64(b.count))
                    if i < 128 { headerCases += 1 }
                    b[i] = UInt8(truncatingIfNeeded: g.next())
                }
                if g.next() % 4 == 0 { b = Array(b.prefix(Int(g.next() % UInt64(b.count)))) }
                do {
                    let file = try MATFile(bytes: b, path: path)
                    // The hand-made file has no "traindata": its outcome is the variable's refusal.
                    _ = try PolyphonicMusic.pianoRolls(file.variable("traindata"), path: path)
                    parsed += 1
                } catch let e as DataError {
                    refused += 1
                    XCTAssertTrue(e.description.contains(path), "the message does not name the file: \(e.description)")
                } catch {
                    XCTFail("\(path): an error that is not a DataError: \(error)")
                }
            }
        }
        XCTAssertEqual(parsed + refused, 1200)
        XCTAssertGreaterThan(headerCases, 200, "the header was hardly damaged")
        XCTAssertGreaterThan(refused, 100, "hardly any damage was detected: is the damage reaching the files?")
    }
}
