import Foundation
import XCTest
import GRUKit
import GRUKitChapterSupport

/// Reading training logs: numbers that do not fit a count are refused naming the file and line
/// (never a trap), every record the trainer can write reads back, and `--collect` says per run what
/// happened — one run's problem never stops the collection of the others.
final class ReliabilityLogReadingTests: XCTestCase {
    static let header = #"{"type":"run","name":"sgd-lr1","method":"none","learning_rate":1,"clip":null,"delta":null,"epochs":3,"seed":"1","cell":"resetAfter","hidden":5,"batch":4,"steps":7,"dropout":0.5,"metric":"perplexity"}"#
    static func epoch(_ e: String, iteration: String = "10") -> String {
        #"{"type":"epoch","epoch":"# + e + #","iteration":"# + iteration
            + #","learning_rate":1,"train_loss":3.2,"valid_loss":3.1,"valid_perplexity":22.197951281441636,"seconds":0.5}"#
    }

    /// Writes `lines` as `name.jsonl` in `dir` and returns the refusal's message of reading it.
    func refusal(_ lines: [String], in dir: URL, name: String = "sgd-lr1", file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let url = dir.appendingPathComponent(name + ".jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        do {
            _ = try LoggedRun(contentsOf: url)
            XCTFail("read: \(lines)", file: file, line: line)
            return ""
        } catch let e as TrainingError {
            return "\(e)"
        }
    }

    // MARK: - Numbers that do not fit a count

    func testHugeAndNegativeCountsAreRefusedNamingTheFileAndLine() throws {
        let dir = try Executables.temporaryDirectory(self)
        let path = dir.appendingPathComponent("sgd-lr1.jsonl").path
        let cases: [([String], String)] = [
            ([Self.header.replacingOccurrences(of: #""epochs":3"#, with: #""epochs":1e300"#)], "\(path):1: "),
            ([Self.header, Self.epoch("1e19")], "\(path):2: "),
            ([Self.header, Self.epoch("1", iteration: "-1e300")], "\(path):2: "),
            ([Self.header, Self.epoch("1.5")], "\(path):2: "),
            ([Self.header, Self.epoch("1"), #"{"type":"diverged","epoch":2,"iteration":-1e300,"loss":null,"gradient_norm":null,"reason":"x","seconds":1}"#],
             "\(path):3: "),
        ]
        for (lines, prefix) in cases {
            let message = try refusal(lines, in: dir)
            XCTAssertTrue(message.hasPrefix(prefix) && message.contains("not a count"), message)
        }
    }

    func testChapter5FromLogsRefusesAHugeEpochNamingTheLine() throws {
        let dir = try Executables.temporaryDirectory(self)
        let logs = dir.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let url = logs.appendingPathComponent("sgd-lr1.jsonl")
        try ([Self.header, Self.epoch("1e19")].joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        let before = DiskSnapshot(dir)
        let r = try Executables.run("ch05-penn-treebank", ["--skip-sweep", "--from-logs", logs.path, "--out", dir.appendingPathComponent("out").path, "--no-render"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("\(url.path):2: ") && r.stderr.contains("\"epoch\" is 1e+19, not a count"), r.stderr)
        before.assertUnchanged(dir, "a refused --from-logs")
    }

    func testAnEpochRecordedTwiceOrOutOfOrderIsRefused() throws {
        let dir = try Executables.temporaryDirectory(self)
        let twice = try refusal([Self.header, Self.epoch("1"), Self.epoch("2"), Self.epoch("2")], in: dir)
        XCTAssertTrue(twice.hasSuffix("epoch 2 is recorded again (first on line 3); a log records each epoch once"), twice)
        let gap = try refusal([Self.header, Self.epoch("1"), Self.epoch("3")], in: dir)
        XCTAssertTrue(gap.contains(":3: ") && gap.contains("epoch 3 follows epoch 1"), gap)
    }

    // MARK: - Every record the trainer writes reads back

    /// The property: records built the way ``Trainer`` builds them, with any Double in their number
    /// fields (finite, huge, tiny, ±∞, NaN), written by ``TrainingLog`` and read by ``LoggedRun``,
    /// come back with every finite number exact, every non-finite one as NaN, and a perplexity
    /// written as `null` (overflowed) recomputed from its finite loss as e^loss (+∞).
    func testEveryRecordTheTrainerCanWriteIsReadBack() throws {
        let dir = try Executables.temporaryDirectory(self)
        var g = SeededGenerator(seed: 31)
        let specials: [Double] = [.nan, .infinity, -.infinity, 0, -0.0, 1e308, -1e308, 5e-324, 709.9, 710, 1000, .greatestFiniteMagnitude]
        func anyDouble() -> Double {
            if g.next() % 3 == 0 { return specials[Int(g.next() % UInt64(specials.count))] }
            return Double(bitPattern: g.next())  // any bit pattern: NaNs, infinities, subnormals, huge and tiny
        }
        for trial in 0 ..< 200 {
            let url = dir.appendingPathComponent("t\(trial).jsonl")
            let log = try TrainingLog(url: url)
            try log.append(try LogRecord.parse(Self.header, path: "", lineNumber: 1))
            var written: [(lr: Double, train: Double, valid: Double, seconds: Double)] = []
            let epochs = 1 + Int(g.next() % 4)
            for e in 1 ... epochs {
                let w = (lr: anyDouble(), train: anyDouble(), valid: anyDouble(), seconds: anyDouble())
                written.append(w)
                try log.append(LogRecord([
                    ("type", LogRecordType.epoch.value), ("epoch", .integer(e)), ("iteration", .integer(e * 10)),
                    ("learning_rate", .number(w.lr)), ("train_loss", .number(w.train)), ("valid_loss", .number(w.valid)),
                    ("valid_perplexity", .number(exp(w.valid))), ("seconds", .number(w.seconds))]))
            }
            let testLoss = anyDouble()
            try log.append(LogRecord([("type", LogRecordType.test.value), ("epoch", .integer(epochs)), ("iteration", .integer(epochs * 10)),
                                      ("test_loss", .number(testLoss)), ("test_perplexity", .number(exp(testLoss))),
                                      ("valid_perplexity", .number(exp(written.last!.valid))), ("seconds", .number(anyDouble()))]))
            let run = try LoggedRun(contentsOf: url)
            func same(_ read: Double?, _ wrote: Double, _ what: String) {
                guard let read else { return XCTFail("trial \(trial): \(what) missing") }
                if wrote.isFinite { XCTAssertEqual(read.bitPattern == wrote.bitPattern || read == wrote, true, "trial \(trial): \(what) \(read) ≠ \(wrote)") }
                else { XCTAssertTrue(read.isNaN, "trial \(trial): \(what) wrote \(wrote), read \(read)") }
            }
            XCTAssertEqual(run.epochs.count, epochs)
            XCTAssertEqual(run.status, .completed)
            for (e, w) in zip(run.epochs, written) {
                same(e.learningRate, w.lr, "learning_rate")
                same(e.trainLoss, w.train, "train_loss")
                same(e.validLoss, w.valid, "valid_loss")
                same(e.seconds, w.seconds, "seconds")
                // e^loss as the trainer computed it: +∞ for a finite loss that overflows (written null,
                // recomputed), 0 for a loss of −∞; NaN when both the loss and its perplexity were null.
                let perplexity = exp(w.valid)
                if w.valid.isFinite || perplexity.isFinite { XCTAssertEqual(e.validMetric, perplexity, "trial \(trial): perplexity of \(w.valid)") }
                else { XCTAssertTrue(e.validMetric.isNaN, "trial \(trial): perplexity of \(w.valid) read as \(e.validMetric)") }
            }
            same(run.testLoss, testLoss, "test_loss")
            if testLoss.isFinite || exp(testLoss).isFinite { XCTAssertEqual(run.testMetric, exp(testLoss), "trial \(trial)") }
        }
    }

    /// End to end: a run whose clock gives NaN seconds (as a checkpoint with `seconds = nan` resumes)
    /// writes `"seconds":null`, and its log reads back.
    func testARunWithNonFiniteSecondsWritesALogItsReaderReads() throws {
        let dir = try Executables.temporaryDirectory(self)
        let trainer = Trainer(configuration: TrainingFixtures.tinyConfiguration(), task: try TrainingFixtures.tinyTask(), directory: dir,
                              clock: { .nan })
        let result = try trainer.run()
        let text = try String(contentsOf: trainer.logURL, encoding: .utf8)
        XCTAssertTrue(text.contains(#""seconds":null"#))
        let run = try LoggedRun(contentsOf: trainer.logURL)
        XCTAssertEqual(run.epochs.map(\.validLoss), result.validLosses)
        XCTAssertTrue(run.epochs.allSatisfy { $0.seconds.isNaN })
    }

    // MARK: - --collect, per run

    /// Four configurations in `dir`: sgd-lr1 trained, clip1-lr1 stopped after epoch 1 (still
    /// running), sgd-lr2 trained with a torn last line, clip1-lr2 holding sgd-lr2's log (another
    /// configuration's header) and no checkpoint.
    func collectionFixture(_ dir: URL) throws -> Sweep {
        let sweep = Sweep.grid(base: TrainingFixtures.tinyConfiguration(), methods: [.sgd, .clip(maxNorm: 1)], learningRates: [1, 2])
        XCTAssertEqual(sweep.configurations.map(\.name), ["sgd-lr1", "clip1-lr1", "sgd-lr2", "clip1-lr2"])
        for c in sweep.configurations {
            let trainer = Trainer(configuration: c, task: try TrainingFixtures.tinyTask(), directory: dir)
            if c.name == "clip1-lr1" { trainer.stopAfterEpochs = 1 }
            _ = try trainer.run()
        }
        let fm = FileManager.default
        try fm.removeItem(at: dir.appendingPathComponent("clip1-lr2.jsonl"))
        try fm.removeItem(at: dir.appendingPathComponent("clip1-lr2.checkpoint.safetensors"))
        try fm.copyItem(at: dir.appendingPathComponent("sgd-lr2.jsonl"), to: dir.appendingPathComponent("clip1-lr2.jsonl"))
        let torn = try FileHandle(forWritingTo: dir.appendingPathComponent("sgd-lr2.jsonl"))
        try torn.seekToEnd()
        try torn.write(contentsOf: Data(#"{"type":"iteration","iterat"#.utf8))
        try torn.close()
        return sweep
    }

    func testCollectSaysPerRunWhatHappenedAndChangesNothing() throws {
        let dir = try Executables.temporaryDirectory(self)
        let sweep = try collectionFixture(dir)
        let before = DiskSnapshot(dir)
        let collection = SweepCollection(sweep: sweep, directory: dir)
        before.assertUnchanged(dir, "--collect")
        let states = Dictionary(uniqueKeysWithValues: collection.states.map { ($0.configuration.name, $0.state) })
        XCTAssertEqual(states["sgd-lr1"], .finished)
        XCTAssertEqual(states["clip1-lr1"], .unfinished(epoch: 1))
        guard case .unreadable(let why)? = states["sgd-lr2"] else { return XCTFail("\(String(describing: states["sgd-lr2"]))") }
        let lines = try String(contentsOf: dir.appendingPathComponent("sgd-lr1.jsonl"), encoding: .utf8).split(separator: "\n").count
        XCTAssertTrue(why.hasPrefix(dir.appendingPathComponent("sgd-lr2.jsonl").path + ":"), why)
        _ = lines
        guard case .missing(let other)? = states["clip1-lr2"] else { return XCTFail("\(String(describing: states["clip1-lr2"]))") }
        XCTAssertTrue(other.contains("its log's header is another configuration's") && other.contains("name: log sgd-lr2, this sweep clip1-lr2")
                      && other.contains("method: log sgd, this sweep clip(1.0)"), other)
        XCTAssertEqual(collection.results.map(\.configuration.name), ["sgd-lr1", "clip1-lr1"])
        let summary = collection.summary
        for text in ["Still running after epoch k", "clip1-lr1 (after epoch 1 of 3)", "Unreadable: sgd-lr2: ", "Missing: clip1-lr2 (its log's header"] {
            XCTAssertTrue(summary.contains(text), "missing \(text) in\n\(summary)")
        }

        // The still-running run is neither "failed to learn" nor counted so.
        let baseline = ResultsTable.Baseline(name: "a predictor that cannot be beaten", metric: 0)
        let table = ResultsTable(results: collection.results, title: "t", baseline: baseline)
        XCTAssertEqual(table.outcome(of: collection.results[1]), "stopped after epoch 1")
        XCTAssertTrue(table.outcome(of: collection.results[0]).hasPrefix("failed to learn"))
        let seeds = SeedSummary(results: collection.results, title: "t", baseline: baseline)
        let group = try XCTUnwrap(seeds.groups.first { $0.name == "clip1-lr1" })
        XCTAssertEqual([group.failed.count, group.trained.count, group.unfinished.count], [0, 0, 1])
        XCTAssertTrue(seeds.markdown.contains("Not yet finished (still running or stopped; counted in no column): clip1-lr1 (after epoch 1 of 3)"),
                      seeds.markdown)
    }

    func testARunExtendedWithMoreEpochsIsUnfinishedAndALongerRunIsNotTheShorterSweeps() throws {
        let dir = try Executables.temporaryDirectory(self)
        let c = TrainingFixtures.tinyConfiguration("sgd-lr1")
        _ = try Trainer(configuration: c, task: try TrainingFixtures.tinyTask(), directory: dir).run()
        var longer = c; longer.epochs = 5
        let more = SweepCollection(sweep: Sweep(configurations: [longer]), directory: dir)
        XCTAssertEqual(more.states.first?.state, .unfinished(epoch: 3))
        XCTAssertNil(more.results.first?.testLoss)
        var shorter = c; shorter.epochs = 2
        let fewer = SweepCollection(sweep: Sweep(configurations: [shorter]), directory: dir)
        XCTAssertEqual(fewer.states.first?.state, .missing("its log holds 3 epochs, more than the 2 of this sweep (--epochs)"))
        XCTAssertTrue(fewer.results.isEmpty)
        // Extended with --resume, its first header kept: collected at the new count as trained.
        _ = try Trainer(configuration: longer, task: try TrainingFixtures.tinyTask(), directory: dir).run(resume: true)
        XCTAssertEqual(SweepCollection(sweep: Sweep(configurations: [longer]), directory: dir).states.first?.state, .finished)
    }
}
