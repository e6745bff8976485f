import XCTest
import GRUKit
import GRUKitChapterSupport

final class DataPennTreebankTests: XCTestCase {
    func testTinyCorpusIdsByFirstOccurrence() throws {
        let dir = try Executables.temporaryDirectory(self)
        // PTB layout: a space at the start and end of every line.
        let train = try DataFixtures.write(" a b \n b c \n", "ptb/ptb.train.txt", in: dir)
        let valid = try DataFixtures.write(" c a \n", "ptb/ptb.valid.txt", in: dir)
        let test = try DataFixtures.write(" b\tb\r\n a", "ptb/ptb.test.txt", in: dir)  // CRLF, no final newline
        let ptb = try PennTreebank(trainPath: train, validPath: valid, testPath: test)
        // ids by first occurrence: a=0, b=1, <eos>=2 (end of line 1), c=3
        XCTAssertEqual(ptb.vocabulary.words, ["a", "b", "<eos>", "c"])
        XCTAssertEqual(ptb.train, [0, 1, 2, 1, 3, 2])
        XCTAssertEqual(ptb.valid, [3, 0, 2])
        XCTAssertEqual(ptb.test, [1, 1, 2, 0, 2])
        XCTAssertEqual(ptb.counts[0], WordCorpus.Counts(lines: 2, words: 4, mappedToUnknown: 0))
        XCTAssertEqual(ptb.vocabulary.endOfSentenceID, 2)
        XCTAssertNil(ptb.vocabulary.unknownID)
        // The directory form finds the same files.
        let viaDir = try PennTreebank(directory: DataDirectory(path: dir.path, source: .option))
        XCTAssertEqual(viaDir.train, ptb.train)
        // Empty lines still end with <eos>.
        var v = Vocabulary()
        let r = try WordCorpus.tokenize(Array("x\n\n y\n".utf8), path: "t", vocabulary: &v, growth: .grow)
        XCTAssertEqual(r.tokens, [0, 1, 1, 2, 1])
    }

    func testUnknownWordsMapToUnkOrFailWithFileAndLine() throws {
        let dir = try Executables.temporaryDirectory(self)
        let train = try DataFixtures.write(" a <unk> \n", "train.txt", in: dir)
        let valid = try DataFixtures.write(" a \n zebra a \n", "valid.txt", in: dir)
        let ptb = try PennTreebank(trainPath: train, validPath: valid, testPath: valid)
        XCTAssertEqual(ptb.valid, [0, 2, 1, 0, 2])
        XCTAssertEqual(ptb.counts[1].mappedToUnknown, 1)

        let train2 = try DataFixtures.write(" a b \n", "train2.txt", in: dir)
        DataFixtures.assertDataError(try PennTreebank(trainPath: train2, validPath: valid, testPath: valid),
                                     contains: [valid + ":2:", "\"zebra\"", "no <unk>"])
    }

    func testInvalidTextNamesFileAndLine() throws {
        let dir = try Executables.temporaryDirectory(self)
        let good = try DataFixtures.write(" a \n", "good.txt", in: dir)
        let empty = try DataFixtures.write("", "empty.txt", in: dir)
        let blank = try DataFixtures.write("  \n \n", "blank.txt", in: dir)
        let binary = try DataFixtures.write([0x61, 0x0A, 0x62, 0x00, 0x01, 0x0A], "binary.txt", in: dir)
        let badUTF8 = try DataFixtures.write([0x61, 0x0A, 0x62, 0x0A, 0x63, 0xFF, 0xFE, 0x0A], "latin.txt", in: dir)
        let folder = dir.appendingPathComponent("folder.txt")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)

        DataFixtures.assertDataError(try PennTreebank(trainPath: empty, validPath: good, testPath: good), contains: [empty, "empty"])
        DataFixtures.assertDataError(try PennTreebank(trainPath: blank, validPath: good, testPath: good), contains: [blank, "empty"])
        DataFixtures.assertDataError(try PennTreebank(trainPath: binary, validPath: good, testPath: good),
                                     contains: [binary + ":2:", "binary data"])
        DataFixtures.assertDataError(try PennTreebank(trainPath: badUTF8, validPath: good, testPath: good),
                                     contains: [badUTF8 + ":3:", "UTF-8"])
        DataFixtures.assertDataError(try PennTreebank(trainPath: good, validPath: good, testPath: folder.path),
                                     contains: [folder.path, "folder"])
    }

    func testMissingFileSaysWhereAndWhyAndHowToFetch() throws {
        let dir = try Executables.temporaryDirectory(self)
        for (source, why) in [(DataDirectory.Source.option, "--data"), (.environment, "GRUKIT_DATA"), (.repositoryDefault, "default")] {
            DataFixtures.assertDataError(try PennTreebank(directory: DataDirectory(path: dir.path, source: source)),
                                         contains: [dir.appendingPathComponent("ptb/ptb.train.txt").path, "looked in \(dir.path)", why, "make data"])
        }
    }

    func testDataDirectoryResolutionOrder() throws {
        let dir = try Executables.temporaryDirectory(self)
        let nested = dir.appendingPathComponent("repo/Chapters/05-x")
        try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
        try DataFixtures.write("// swift-tools-version:6.0\n", "repo/Package.swift", in: dir)
        let env = ["GRUKIT_DATA": "/env/data"]
        XCTAssertEqual(DataDirectory.resolve(option: "opt", environment: env, currentDirectory: nested.path),
                       DataDirectory(path: "opt", source: .option))
        XCTAssertEqual(DataDirectory.resolve(option: nil, environment: env, currentDirectory: nested.path),
                       DataDirectory(path: "/env/data", source: .environment))
        let repoDefault = DataDirectory.resolve(option: nil, environment: [:], currentDirectory: nested.path)
        XCTAssertEqual(repoDefault.source, .repositoryDefault)
        XCTAssertEqual(URL(fileURLWithPath: repoDefault.path).standardizedFileURL.path,
                       dir.appendingPathComponent("repo/data").standardizedFileURL.path)
        // Outside any package: ./data.
        let outside = dir.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        if DataDirectory.repositoryRoot(from: outside.path) == nil {
            let d = DataDirectory.resolve(option: nil, environment: [:], currentDirectory: outside.path)
            XCTAssertEqual(d, DataDirectory(path: outside.appendingPathComponent("data").path, source: .workingDirectoryDefault))
        }
        // The option group parses --data.
        let parsed = try DataOptions.parse(["--data", "some/dir"])
        XCTAssertEqual(parsed.directory, DataDirectory(path: "some/dir", source: .option))
        XCTAssertNil(try DataOptions.parse([]).dataDirectory)
    }

    /// Hand-computed layout: 11 tokens, B = 2 → L = 5, streams 0…4 and 5…9, token 10 dropped.
    func testBatchifyAndWindowsByHand() throws {
        let streams = try TokenStreams((0 ..< 11).map(Int32.init), batchSize: 2)
        XCTAssertEqual(streams.length, 5)
        XCTAssertEqual(streams.data, [0, 5, 1, 6, 2, 7, 3, 8, 4, 9])
        XCTAssertEqual(streams[3, 1], 8)
        let windows = Array(streams.windows(steps: 3))
        XCTAssertEqual(streams.windowCount(steps: 3), 2)
        XCTAssertEqual(windows, [
            .init(start: 0, steps: 3, batchSize: 2, inputs: [0, 5, 1, 6, 2, 7], targets: [1, 6, 2, 7, 3, 8]),
            .init(start: 3, steps: 1, batchSize: 2, inputs: [3, 8], targets: [4, 9]),
        ])
        // Preallocated copies agree with the iterator.
        var inputs = [Int32](repeating: -1, count: 6), targets = inputs
        for (i, w) in windows.enumerated() {
            let s = streams.copyWindow(i, steps: 3, inputs: &inputs, targets: &targets)
            XCTAssertEqual(s, w.steps)
            XCTAssertEqual(Array(inputs.prefix(s * 2)), w.inputs)
            XCTAssertEqual(Array(targets.prefix(s * 2)), w.targets)
        }
        // Windows of exactly L − 1 = 4 steps: one window; T = 1: four.
        XCTAssertEqual(Array(streams.windows(steps: 4)).map(\.steps), [4])
        XCTAssertEqual(Array(streams.windows(steps: 1)).map(\.targets), [[1, 6], [2, 7], [3, 8], [4, 9]])
        // Errors.
        DataFixtures.assertDataError(try TokenStreams([1, 2, 3], batchSize: 0), contains: ["batch size", "0"])
        DataFixtures.assertDataError(try TokenStreams([1, 2, 3], batchSize: 2), contains: ["3 tokens", "2 streams"])
        DataFixtures.assertDataError(try TokenStreams.validateWindow(steps: 0), contains: ["window"])
    }

    func testRealPennTreebank() throws {
        let dir = try DataFixtures.realData([PennTreebank.trainFile, PennTreebank.validFile, PennTreebank.testFile])
        let clock = ContinuousClock()
        var ptb: PennTreebank?
        let elapsed = try clock.measure { ptb = try PennTreebank(directory: dir) }
        let p = try XCTUnwrap(ptb)
        print("PTB loaded in \(elapsed) (\(DataFixtures.buildConfiguration) build)")
        XCTAssertEqual(p.train.count, 929_589)
        XCTAssertEqual(p.valid.count, 73_760)
        XCTAssertEqual(p.test.count, 82_430)
        XCTAssertEqual(p.vocabulary.count, 10_000)
        XCTAssertEqual(p.counts.map(\.lines), [42_068, 3_370, 3_761])
        XCTAssertEqual(p.counts.map(\.mappedToUnknown), [0, 0, 0])
        let unk = try XCTUnwrap(p.vocabulary.unknownID)
        XCTAssertEqual(p.train.filter { $0 == unk }.count, 45_020)
        XCTAssertEqual(Set(p.valid).count, 6_022)
        XCTAssertEqual(Set(p.test).count, 6_049)
        // The first line of ptb.train.txt begins "aer banknote berlitz".
        XCTAssertEqual(p.train.prefix(3).compactMap { p.vocabulary.word(for: $0) }, ["aer", "banknote", "berlitz"])
        // Batchify as in the PyTorch example: B = 20 → L = 46,479.
        let streams = try TokenStreams(p.train, batchSize: 20)
        XCTAssertEqual(streams.length, 929_589 / 20)
        XCTAssertEqual(streams[0, 1], p.train[46_479])
    }
}
