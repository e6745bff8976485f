import XCTest
import GRUKit
@testable import gru

final class DataMusicTests: XCTestCase {
    func testTextParseAndFormatRoundTrip() throws {
        let text = "48 52 55 64\n-\n21 108\n#\n60\n"
        let tunes = try MusicText.parse(Array(text.utf8), path: "t.txt")
        XCTAssertEqual(tunes.map(\.steps), [3, 1])
        XCTAssertEqual(tunes[0].activeNotes(at: 0), [48, 52, 55, 64])
        XCTAssertEqual(tunes[0].activeNotes(at: 1), [])
        XCTAssertEqual(tunes[0].activeNotes(at: 2), [21, 108])
        XCTAssertTrue(tunes[0][2, 87])
        XCTAssertEqual(tunes[1], PianoRoll(activeNotes: [[60]]))
        XCTAssertEqual(String(decoding: MusicText.format(tunes), as: UTF8.self), text)
        // Lenient where harmless: CRLF, no final newline, notes out of order.
        let loose = try MusicText.parse(Array("64 48\r\n-\r\n#\r\n60".utf8), path: "t.txt")
        XCTAssertEqual(loose, [PianoRoll(activeNotes: [[48, 64], []]), PianoRoll(activeNotes: [[60]])])
        // Random rolls survive format → parse.
        var g = SeededGenerator(seed: 3)
        let random = (1 ... 5).map { DataFixtures.randomRoll(steps: $0 * 7, using: &g) }
        XCTAssertEqual(try MusicText.parse(MusicText.format(random), path: "r"), random)
    }

    func testTextErrorsNameFileAndLine() throws {
        let dir = try Executables.temporaryDirectory(self)
        func check(_ text: [UInt8], _ fragments: [String], line: UInt = #line) throws {
            let path = try DataFixtures.write(text, "bad.txt", in: dir)
            DataFixtures.assertDataError(try MusicText.read(path), contains: [path] + fragments, line: line)
        }
        try check(Array("60\n61\n200\n".utf8), [":3:", "note 200", "21…108"])
        try check(Array("60\n20\n".utf8), [":2:", "note 20"])
        try check(Array("60\n6x\n".utf8), [":2:", "unexpected character \"x\""])
        try check(Array("60\n\n61\n".utf8), [":2:", "empty line"])
        try check(Array("#\n60\n".utf8), [":1:", "empty tune"])
        try check(Array("60\n#\n#\n61\n".utf8), [":3:", "empty tune"])
        try check(Array("60\n#\n".utf8), [":2:", "ends with a tune separator"])
        try check(Array("60 60\n".utf8), [":1:", "listed twice"])
        try check(Array("60 123456\n".utf8), [":1:", "6 digits"])
        try check([0x36, 0x30, 0x0A, 0x00, 0xFF, 0x0A], [":2:", "binary data"])
        try check([], ["empty"])
        XCTAssertThrowsError(try MusicText.read(dir.appendingPathComponent("absent.txt").path))
    }

    /// Tunes of 3 and 5 frames in one batch: S = 4 steps, the first tune padded after 2.
    func testBatchLayoutAndMaskByHand() throws {
        let a = PianoRoll(activeNotes: [[21], [22], [23]])
        let b = PianoRoll(activeNotes: [[30], [31], [], [33], [34]])
        let batches = try MusicBatches([a, b], batchSize: 2)
        XCTAssertEqual(batches.count, 1)
        let batch = batches.batch(0)
        XCTAssertEqual(batch.steps, 4)
        XCTAssertEqual(batch.lengths, [2, 4])
        XCTAssertEqual(batch.realSteps, 6)
        XCTAssertEqual(batch.mask, [1, 1, 1, 1, 0, 1, 0, 1])
        func on(_ frames: [Float], _ s: Int, _ column: Int) -> [Int] {
            (0 ..< 88).filter { frames[(s * 2 + column) * 88 + $0] == 1 }.map { $0 + 21 }
        }
        XCTAssertEqual((0 ..< 4).map { on(batch.inputs, $0, 0) }, [[21], [22], [], []])
        XCTAssertEqual((0 ..< 4).map { on(batch.targets, $0, 0) }, [[22], [23], [], []])
        XCTAssertEqual((0 ..< 4).map { on(batch.inputs, $0, 1) }, [[30], [31], [], [33]])
        XCTAssertEqual((0 ..< 4).map { on(batch.targets, $0, 1) }, [[31], [], [33], [34]])
        XCTAssertEqual(batch.inputs.reduce(0, +), 5)  // nothing set in padding
        // Batch size 1: one batch per tune, in order; the last batch of size 2 over 3 tunes holds one.
        XCTAssertEqual(Array(try MusicBatches([a, b], batchSize: 1)).map(\.steps), [2, 4])
        XCTAssertEqual(Array(try MusicBatches([a, b, a], batchSize: 2)).map(\.batchSize), [2, 1])
        DataFixtures.assertDataError(try MusicBatches([a], batchSize: 0), contains: ["batch size"])
        DataFixtures.assertDataError(try MusicBatches([], batchSize: 1), contains: ["no tunes"])
    }

    func testShuffleIsASeededPermutation() throws {
        let tunes = (1 ... 20).map { n in PianoRoll(activeNotes: Array(repeating: [60], count: n + 1)) }
        let x = try MusicBatches(tunes, batchSize: 3, shuffleSeed: 5)
        let y = try MusicBatches(tunes, batchSize: 3, shuffleSeed: 5)
        let z = try MusicBatches(tunes, batchSize: 3, shuffleSeed: 6)
        XCTAssertEqual(x.order, y.order)
        XCTAssertNotEqual(x.order, z.order)
        XCTAssertNotEqual(x.order, Array(0 ..< 20))
        XCTAssertEqual(x.order.sorted(), Array(0 ..< 20))
        XCTAssertEqual(Array(x).flatMap(\.tuneIndices), x.order)
        XCTAssertEqual(Array(x).flatMap(\.lengths), x.order.map { $0 + 1 })
        // A shared generator advances: two epochs differ.
        var g = SeededGenerator(seed: 5)
        let e1 = try MusicBatches(tunes, batchSize: 3, shuffledWith: &g)
        let e2 = try MusicBatches(tunes, batchSize: 3, shuffledWith: &g)
        XCTAssertEqual(e1.order, x.order)
        XCTAssertNotEqual(e1.order, e2.order)
    }

    func testMissingNottinghamSaysWhatToDo() throws {
        let dir = try Executables.temporaryDirectory(self)
        let data = DataDirectory(path: dir.path, source: .environment)
        DataFixtures.assertDataError(try PolyphonicMusic(.nottingham, directory: data),
                                     contains: [dir.appendingPathComponent("nottingham/Nottingham.mat").path, "GRUKIT_DATA", "make data"])
        DataFixtures.assertDataError(try PolyphonicMusic(.nottingham, directory: data, format: .text),
                                     contains: ["nottingham/train.txt", "make data"])
    }

    func testRealNottinghamFromMATAndTextAgree() throws {
        let dir = try DataFixtures.realData(["nottingham/Nottingham.mat", "nottingham/train.txt", "nottingham/valid.txt", "nottingham/test.txt"])
        let clock = ContinuousClock()
        var fromMAT: PolyphonicMusic?, fromText: PolyphonicMusic?
        let tMAT = try clock.measure { fromMAT = try PolyphonicMusic(.nottingham, directory: dir) }
        let tText = try clock.measure { fromText = try PolyphonicMusic(.nottingham, directory: dir, format: .text) }
        print("Nottingham loaded in \(tMAT) from the .mat, \(tText) from text (\(DataFixtures.buildConfiguration) build)")
        let mat = try XCTUnwrap(fromMAT), text = try XCTUnwrap(fromText)
        for m in [mat, text] {
            XCTAssertEqual(Split.allCases.map { m.split($0).count }, [694, 173, 170])
            XCTAssertEqual(Split.allCases.map { m.split($0).reduce(0) { $0 + $1.steps } }, [176_561, 45_513, 44_463])
            XCTAssertEqual(Split.allCases.map { m.split($0).reduce(0) { $0 + $1.noteEvents } }, [699_403, 180_192, 177_421])
            XCTAssertEqual(m.train.map(\.steps).min(), 40)
            XCTAssertEqual(m.train.map(\.steps).max(), 1788)
        }
        XCTAssertTrue(mat == text, "the .mat and the text files disagree")
        // The first step of the first tune is 48 52 55 64 (the first line of train.txt).
        XCTAssertEqual(mat.train[0].activeNotes(at: 0), [48, 52, 55, 64])
        // Our text writer reproduces the published files byte for byte.
        let out = try Executables.temporaryDirectory(self)
        var command = try MusicTextCommand.parse([dir.path(of: "nottingham/Nottingham.mat"), "--out", out.path])
        try command.run()
        for split in Split.allCases {
            XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("\(split.rawValue).txt")),
                           try Data(contentsOf: URL(fileURLWithPath: dir.path(of: "nottingham/\(split.rawValue).txt"))), split.rawValue)
        }
        // And the MAT writer's output reads back to the same data.
        let re = out.appendingPathComponent("re.mat").path
        try MATFileWriter.write(mat.matArrays, to: re)
        XCTAssertTrue(try PolyphonicMusic(matFile: re) == mat)
    }
}
