import ArgumentParser
import Foundation
import XCTest
import GRUKit
import GRUKitChapterSupport

/// Hostile flags: each is refused by `validate()` with a message naming the flag (exit 64), before
/// anything is written, instead of trapping after the run has trained (issue: reliability).
final class ReliabilityFlagTests: XCTestCase {
    /// The message swift-argument-parser prints for `arguments`, or a failure when they parse.
    func refusal(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            _ = try TrainingOptions.parse(arguments)
            XCTFail("\(arguments) was accepted", file: file, line: line)
            return ""
        } catch {
            return TrainingOptions.message(for: error)
        }
    }

    func testEmptyListsAreRefused() {
        for list in [",", "", " , "] {
            XCTAssertTrue(refusal(["--sweep", "--lrs", list]).contains("--lrs: the list is empty"), list)
            XCTAssertTrue(refusal(["--sweep", "--methods", list]).contains("--methods: the list is empty"), list)
        }
        XCTAssertTrue(refusal(["--sweep", "--lrs", "1,,10"]).contains("has an empty entry"))
    }

    func testDuplicateConfigurationsAreRefused() {
        XCTAssertTrue(refusal(["--sweep", "--methods", "none,none"]).contains("\"none\" is listed twice"))
        XCTAssertTrue(refusal(["--sweep", "--methods", "clip, project,clip"]).contains("\"clip\" is listed twice"))
        XCTAssertTrue(refusal(["--sweep", "--lrs", "1,1.0"]).contains("\"1\" and \"1.0\" are the same learning rate"))
        XCTAssertTrue(refusal(["--sweep", "--lrs", "10,1e1"]).contains("the same learning rate"))
        XCTAssertEqual(try TrainingOptions.parseRates("1, 10"), [1, 10])
        XCTAssertEqual(try TrainingOptions.parseMethods("none,clip+project"), [.sgd, .clipAndProject])
    }

    func testNegativeNumbersReachTheRangeCheck() {
        // Not "Missing value for '--lr'": the value is read, then its range is checked.
        XCTAssertTrue(refusal(["--lr", "-1"]).contains("--lr must be a positive number (got -1.0)"))
        XCTAssertTrue(refusal(["--hidden", "-5"]).contains("--hidden must be at least 1 (got -5)"))
        XCTAssertTrue(refusal(["--delta", "-0.1"]).contains("--delta must lie in (0, 2)"))
        XCTAssertTrue(refusal(["--sweep", "--lrs", "-1,2"]).contains("--lrs: \"-1\" is not a positive number"))
    }

    func testRunNamesOfHugeRatesNeverConvertToInt() {
        // 2^63 and beyond trapped in Int(x) when the chapters titled their figures.
        XCTAssertEqual(RunConfiguration.number(9.3e18), "9.3e+18")
        XCTAssertEqual(RunConfiguration.number(1e300), "1e+300")
        XCTAssertEqual(RunConfiguration.name(method: .sgd, learningRate: 1e19), "sgd-lr1e+19")
        XCTAssertTrue(RunConfiguration.isValidName(RunConfiguration.name(method: .sgd, learningRate: 1e19)))
    }

    func testMemoryEstimateRefusesHugeModelsWithTheEstimate() {
        let small = MemoryEstimate.languageModel(vocabulary: 10_000, embedding: 650, hidden: 650, batch: 20, steps: 35)
        XCTAssertNil(MemoryEstimate.refusal(bytes: small, flags: "--hidden", budget: 4 * 1024 * 1024 * 1024))
        // 2^62 units: no overflow trap, just a number far beyond any machine.
        let huge = MemoryEstimate.sequenceModel(keys: 88, hidden: 1 << 62, batch: 20, steps: 100)
        XCTAssertTrue(huge.isFinite && huge > 1e30)
        let text = MemoryEstimate.refusal(bytes: huge, flags: "--hidden", budget: 1e9)
        XCTAssertTrue(text?.contains("TiB of memory") == true && text?.contains("choose a smaller --hidden") == true, text ?? "nil")
        XCTAssertEqual(MemoryEstimate.text(1536), "1.5 KiB")
    }

    // MARK: the chapters, run as a user runs them

    /// Runs chapter `name` with `arguments` writing into a fresh `out` folder; asserts exit status
    /// 64, the message and that `out` was never created.
    func assertRefused(_ name: String, _ arguments: [String], says fragment: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = try Executables.temporaryDirectory(self)
        try TrainingFixtures.writePTB(in: dir.appendingPathComponent("data"))
        let out = dir.appendingPathComponent("out")
        let r = try Executables.run(name, ["--data", dir.appendingPathComponent("data").path, "--out", out.path, "--no-render"] + arguments)
        XCTAssertEqual(r.status, 64, r.stderr, file: file, line: line)
        XCTAssertTrue(r.stderr.contains(fragment), r.stderr, file: file, line: line)
        XCTAssertFalse(r.stderr.contains("Fatal error"), r.stderr, file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "a refused run wrote \(out.path)", file: file, line: line)
    }

    func testChaptersRefuseHostileFlagsBeforeWritingAnything() throws {
        try assertRefused("ch05-penn-treebank", ["--sweep", "--methods", ","], says: "--methods: the list is empty")
        try assertRefused("ch05-penn-treebank", ["--sweep", "--lrs", ""], says: "--lrs: the list is empty")
        try assertRefused("ch05-penn-treebank", ["--sweep", "--methods", "none,none"], says: "\"none\" is listed twice")
        try assertRefused("ch06-nottingham", ["--sweep", "--lrs", "1,1.0"], says: "are the same learning rate")
        try assertRefused("ch05-penn-treebank", ["--lr", "-1"], says: "--lr must be a positive number (got -1.0)")
        try assertRefused("ch05-penn-treebank", ["--hidden", "100000000"], says: "--hidden 100000000 with --embedding 100000000: the model would need about")
        try assertRefused("ch05-penn-treebank", ["--embedding", "100000000"], says: "choose a smaller --hidden or --embedding")
        try assertRefused("ch06-nottingham", ["--hidden", "4611686018427387904"], says: "--hidden 4611686018427387904: the model would need about")
    }

    func testAHugeLearningRateTrainsAndTitlesItsFigure() throws {
        let dir = try Executables.temporaryDirectory(self)
        let data = dir.appendingPathComponent("data"), out = dir.appendingPathComponent("out")
        try TrainingFixtures.writePTB(in: data)
        let r = try Executables.run("ch05-penn-treebank", Chapter05Tests.tiny(data, out) + ["--lr", "1e19", "--epochs", "1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let script = try String(contentsOf: out.appendingPathComponent("gradient-dynamics.gp"), encoding: .utf8)
        XCTAssertTrue(script.contains("learning rate 1e+19"), script)
    }

    func testACorpusWithTooManyWordsIsRefusedWithTheEstimate() throws {
        // Sizes that pass validate() (vocabulary not yet known) but not with the corpus's vocabulary.
        let budget = MemoryEstimate.budget
        func bytes(_ v: Int, _ h: Int) -> Double { MemoryEstimate.languageModel(vocabulary: v, embedding: 1, hidden: h, batch: 20, steps: 35) }
        var hidden = 1
        while bytes(1, hidden * 2) < budget / 2 { hidden *= 2 }
        var words = 1000
        while bytes(words, hidden) <= budget { words *= 2 }
        let dir = try Executables.temporaryDirectory(self)
        let data = dir.appendingPathComponent("data"), out = dir.appendingPathComponent("out")
        try TrainingFixtures.writePTB(in: data)
        var lines = [(0 ..< 40).map { "w\($0)" }.joined(separator: " ")]  // the validation and test words
        for start in stride(from: 0, to: words, by: 20) {
            lines.append((start ..< min(words, start + 20)).map { "x\($0)" }.joined(separator: " "))
        }
        try DataFixtures.write(lines.joined(separator: "\n") + "\n", PennTreebank.trainFile, in: data)
        let r = try Executables.run("ch05-penn-treebank", ["--data", data.path, "--out", out.path, "--no-render",
                                                           "--hidden", "\(hidden)", "--embedding", "1", "--lr", "1"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("\(PennTreebank.trainFile) has "), r.stderr)
        XCTAssertTrue(r.stderr.contains("distinct words; with --hidden \(hidden) and --embedding 1 the model would need about"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "a refused run wrote its output folder")
    }
}
