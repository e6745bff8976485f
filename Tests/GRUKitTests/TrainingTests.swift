import Foundation
import XCTest
import GRUKit
import GRUKitChapterSupport
import GRUKitPresentation

/// The training machinery in-process: schedule, generator state, log records, checkpoints,
/// divergence, resumption and the results table.
final class TrainingTests: XCTestCase {
    func testScheduleIsThePapersAndMatchesRepeatedDivision() {
        let s = LearningRateSchedule.paper(initial: 1)
        for e in 1 ... 10 { XCTAssertEqual(s.rate(epoch: e), 1) }
        XCTAssertEqual(s.rate(epoch: 11), 1 / 1.1)
        var eta = 1.0
        for _ in 0 ..< 65 { eta /= 1.1 }
        XCTAssertEqual(s.rate(epoch: 75), eta)     // bit for bit: PyTorch's `lr /= 1.1` loop
        _ = Oracle.check("η(75) = 1.1^-65", [s.rate(epoch: 75)], [pow(1.1, -65)], tolerance: 1e-15)
        XCTAssertEqual(LearningRateSchedule(initial: 3, constantEpochs: 0, decay: 2).rate(epoch: 2), 0.75)
    }

    func testGeneratorStateRestoresTheSequenceIncludingTheSpareNormal() {
        var g = SeededGenerator(seed: 42)
        _ = g.nextNormal()                         // leaves a spare normal cached
        var h = SeededGenerator(state: g.state)!
        XCTAssertEqual(g.state.count, 6)
        for _ in 0 ..< 5 { XCTAssertEqual(g.nextNormal(), h.nextNormal()); XCTAssertEqual(g.next(), h.next()) }
        XCTAssertNil(SeededGenerator(state: [0, 0, 0, 0]))
        XCTAssertNil(SeededGenerator(state: [1, 2, 3]))
        XCTAssertNil(SeededGenerator(state: [1, 2, 3, 4, 0, 0]))
    }

    func testLogRecordsRoundTripExactlyAndBadLinesAreNamed() throws {
        let r = LogRecord([("type", .string("iteration")), ("loss", .number(0.1 + 0.2)), ("n", .integer(7)),
                           ("ok", .bool(true)), ("gone", .number(.nan)), ("text", .string("a \"q\"\n\\ é"))])
        let parsed = try LogRecord.parse(r.json, path: "x.jsonl", lineNumber: 1)
        XCTAssertEqual(parsed.double("loss"), 0.1 + 0.2)            // shortest round-trip text
        XCTAssertEqual(parsed["gone"], .null)                        // NaN is not JSON: null
        XCTAssertEqual(parsed["text"], .string("a \"q\"\n\\ é"))
        XCTAssertEqual(parsed.fields.map(\.key), r.fields.map(\.key))
        // Written by another JSON writer (Foundation), read back by ours.
        let foreign = String(decoding: try JSONSerialization.data(withJSONObject: ["a": 1.5, "b": "x"], options: [.sortedKeys]), as: UTF8.self)
        XCTAssertEqual(try LogRecord.parse(foreign, path: "f", lineNumber: 1).double("a"), 1.5)
        // The one strict reader (StrictJSON, shared with safetensors headers): a surrogate pair is one character.
        XCTAssertEqual(try LogRecord.parse("{\"s\":\"\\ud83d\\ude00\"}", path: "f", lineNumber: 1)["s"], .string("😀"))
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        let cases: [(line: String, says: String)] = [
            ("{\"a\":1", "expected"), ("[1]", "expected an object"), ("{\"a\":[1]}", "log fields are numbers"),
            ("{\"a\":1,\"a\":2}", "duplicate key \"a\""), ("{\"a\":1} x", "after the JSON value"), ("{\"a\":nan}", "column"),
            ("{\"a\":1e999}", "not finite"), ("{\"a\":" + deep + "}", "nesting deeper than 64"),
        ]
        for (bad, says) in cases {
            XCTAssertThrowsError(try LogRecord.parse(bad, path: "runs/x.jsonl", lineNumber: 3)) { e in
                XCTAssertTrue("\(e)".hasPrefix("runs/x.jsonl:3:"), "\(e)")
                XCTAssertTrue("\(e)".contains(says), "\(bad): \(e)")
            }
        }
    }

    /// A language model on a random 30-word corpus: seconds per epoch in a debug build.
    static func tinyTask(seed: UInt64 = 1) throws -> LanguageModelTask {
        var g = SeededGenerator(seed: 3)
        func tokens(_ n: Int) -> [Int32] { (0 ..< n).map { _ in Int32(g.next() % 30) } }
        let config = GRULanguageModel<Float>.Configuration(vocabularySize: 30, embeddingSize: 6, hiddenSize: 5, dropout: 0.5)
        return try LanguageModelTask(model: GRULanguageModel(configuration: config, seed: seed), train: tokens(600),
                                     valid: tokens(200), test: tokens(200), batchSize: 4, steps: 7)
    }

    static func configuration(_ name: String, lr: Double, epochs: Int = 3, method: TrainingMethod = .project(delta: 0.2)) -> RunConfiguration {
        RunConfiguration(name: name, method: method, schedule: LearningRateSchedule(initial: lr, constantEpochs: 1, decay: 2),
                         epochs: epochs, hiddenSize: 5, batchSize: 4, steps: 7, dropout: 0.5, logEvery: 3, divergenceLoss: 100)
    }

    func testCheckpointRoundTripAndCorruptionIsNamed() throws {
        let dir = try Executables.temporaryDirectory(self)
        let task = try Self.tinyTask()
        let url = dir.appendingPathComponent("c.safetensors")
        var params: [String: Matrix<Float>] = [:]
        for p in task.parameters { params[p.name] = p.value }
        let c = Checkpoint(fingerprint: "a=1\nb=2", status: "running", epoch: 2, iteration: 9, learningRate: 0.5, seconds: 1.25,
                           trainLosses: [3.1, 0.1 + 0.2], validLosses: [2.5, 1 / 3], logOffset: 1234,
                           randomStates: task.randomStates.mapValues(\.state), parameters: params)
        try c.write(to: url)
        XCTAssertEqual(try Checkpoint(contentsOf: url), c)
        // Restoring into a fresh model with another seed makes it equal to the saved one.
        let other = try Self.tinyTask(seed: 99)
        try c.restore(into: other, path: url.path)
        XCTAssertEqual(other.parameters.map(\.value), task.parameters.map(\.value))
        XCTAssertEqual(other.randomStates.mapValues(\.state), task.randomStates.mapValues(\.state))
        // Corruptions: each error names the file.
        var bytes = try Data(contentsOf: url)
        bytes[20] = 0x7B
        try bytes.write(to: url)
        XCTAssertThrowsError(try Checkpoint(contentsOf: url)) { XCTAssertTrue("\($0)".contains(url.path), "\($0)") }
        try SafetensorsFile(metadata: ["format": Checkpoint.format]).write(to: url)
        // The metadata checksum is checked first: every other entry is read only once it matches.
        XCTAssertThrowsError(try Checkpoint(contentsOf: url)) { XCTAssertTrue("\($0)".contains("\"metadata_crc32\" is missing"), "\($0)") }
        try Data().write(to: url)
        XCTAssertThrowsError(try Checkpoint(contentsOf: url)) { XCTAssertTrue("\($0)".contains(url.path), "\($0)") }
    }

    func testResumeAfterStopEqualsUninterruptedRun() throws {
        let dir = try Executables.temporaryDirectory(self)
        let a = dir.appendingPathComponent("a"), b = dir.appendingPathComponent("b")
        let c = Self.configuration("run", lr: 1)
        let straight = try Trainer(configuration: c, task: Self.tinyTask(), directory: a).run()
        let stopper = Trainer(configuration: c, task: try Self.tinyTask(), directory: b)
        stopper.stopAfterEpochs = 1
        XCTAssertEqual(try stopper.run().status, .stopped(epoch: 1))
        // The resumed session starts from a fresh model: everything comes from the checkpoint.
        let resumed = try Trainer(configuration: c, task: Self.tinyTask(seed: 5), directory: b).run(resume: true)
        XCTAssertEqual(resumed.status, .completed)
        XCTAssertEqual(resumed.validLosses, straight.validLosses)
        XCTAssertEqual(resumed.trainLosses, straight.trainLosses)
        XCTAssertEqual(resumed.testLoss, straight.testLoss)
        XCTAssertEqual(resumed.iterations, straight.iterations)
        let la = try TrainingLog.records(at: a.appendingPathComponent("run.jsonl")).map(TrainingFixtures.withoutSeconds)
        let lb = try TrainingLog.records(at: b.appendingPathComponent("run.jsonl")).map(TrainingFixtures.withoutSeconds)
        XCTAssertEqual(la, lb)
        // Extending a completed run by one epoch equals a 4-epoch run.
        var c4 = c
        c4.epochs = 4
        let four = try Trainer(configuration: c4, task: Self.tinyTask(), directory: dir.appendingPathComponent("c")).run()
        let extended = try Trainer(configuration: c4, task: Self.tinyTask(), directory: b).run(resume: true)
        XCTAssertEqual(extended.validLosses, four.validLosses)
        XCTAssertEqual(extended.testLoss, four.testLoss)
        // The rate halves after epoch 1, as the schedule says.
        let rates = la.filter { $0.type == "epoch" }.compactMap { $0.double("learning_rate") }
        XCTAssertEqual(rates, [1, 0.5, 0.25])
    }

    /// H = 64 with two singular values of the candidate block pushed above 2 − δ: the projection binds
    /// and the warm-started subspace method carries vectors from step to step (checked on a probe).
    /// A checkpoint does not save them; the tasks forget the projection's history at every epoch start,
    /// so the resumed run still repeats the uninterrupted one bit for bit.
    func testResumeWithABindingWarmStartedProjectionEqualsUninterruptedRun() throws {
        func task() throws -> LanguageModelTask {
            var g = SeededGenerator(seed: 3)
            func tokens(_ n: Int) -> [Int32] { (0 ..< n).map { _ in Int32(g.next() % 30) } }
            let config = GRULanguageModel<Float>.Configuration(vocabularySize: 30, embeddingSize: 8, hiddenSize: 64, dropout: 0)
            let t = try LanguageModelTask(model: GRULanguageModel(configuration: config, seed: 1), train: tokens(400),
                                          valid: tokens(100), test: tokens(100), batchSize: 4, steps: 7)
            var block = t.recurrentLayer.candidateBlock
            block[0, 0] += 2.5
            block[1, 1] += 2.3
            t.recurrentLayer.candidateBlock = block
            return t
        }
        let method = TrainingMethod.project(delta: 0.2)
        let probe = try task()
        let windows = try probe.beginEpoch(1)
        var warm = 0
        for w in 0 ..< windows where try probe.trainWindow(w, learningRate: 1, method: method).step.projection?.method == .warmSubspace { warm += 1 }
        XCTAssertGreaterThanOrEqual(warm, 3, "the warm-started subspace method should certify binding steps (\(warm) of \(windows))")

        let dir = try Executables.temporaryDirectory(self)
        let c = RunConfiguration(name: "bind", method: method, schedule: LearningRateSchedule(initial: 1, constantEpochs: 4, decay: 2),
                                 epochs: 2, hiddenSize: 64, batchSize: 4, steps: 7, dropout: 0, logEvery: 3, divergenceLoss: 100)
        let straight = try Trainer(configuration: c, task: try task(), directory: dir.appendingPathComponent("a")).run()
        XCTAssertEqual(straight.status, .completed)
        let stopper = Trainer(configuration: c, task: try task(), directory: dir.appendingPathComponent("b"))
        stopper.stopAfterEpochs = 1
        XCTAssertEqual(try stopper.run().status, .stopped(epoch: 1))
        let resumed = try Trainer(configuration: c, task: try task(), directory: dir.appendingPathComponent("b")).run(resume: true)
        XCTAssertEqual(resumed.validLosses, straight.validLosses)
        XCTAssertEqual(resumed.trainLosses, straight.trainLosses)
        XCTAssertEqual(resumed.testLoss, straight.testLoss)
    }

    func testDivergenceIsRecordedNotThrown() throws {
        let dir = try Executables.temporaryDirectory(self)
        let r = try Trainer(configuration: Self.configuration("big", lr: 1e12, method: .sgd), task: Self.tinyTask(), directory: dir).run()
        guard case .diverged(let epoch, let iteration, let reason) = r.status else { return XCTFail("\(r.status)") }
        XCTAssertEqual(epoch, 1)
        XCTAssertGreaterThanOrEqual(iteration, 1)
        XCTAssertFalse(reason.isEmpty)
        XCTAssertNil(r.testMetric)
        let log = try TrainingLog.records(at: dir.appendingPathComponent("big.jsonl"))
        XCTAssertEqual(log.last?.type, "diverged")
        XCTAssertEqual(log.last?.double("iteration"), Double(iteration))
        // Resuming a diverged run reports it again without training.
        let again = try Trainer(configuration: Self.configuration("big", lr: 1e12, method: .sgd), task: Self.tinyTask(), directory: dir).run(resume: true)
        XCTAssertEqual(again.status, r.status)
        // The table says so.
        let table = ResultsTable(results: [r], title: "t (ours)")
        XCTAssertTrue(table.markdown.contains("diverged (epoch 1, iteration \(iteration))"), table.markdown)
        XCTAssertTrue(table.dataTable.text.contains("NaN"))
    }

    func testLoggedDiagnosticsMatchTheModel() throws {
        // ‖W_hh‖₂ and ρ(J) in the last iteration record are those of the final W_hh (no step after it).
        let dir = try Executables.temporaryDirectory(self)
        let task = try Self.tinyTask()
        _ = try Trainer(configuration: Self.configuration("d", lr: 1, epochs: 1), task: task, directory: dir).run()
        let last = try XCTUnwrap(TrainingLog.records(at: dir.appendingPathComponent("d.jsonl")).last { $0.type == "iteration" })
        let w = task.model.gru.candidateBlock.converted(to: Double.self)
        _ = Oracle.check("‖W_hh‖₂ logged vs LAPACK", [last.double("spectral_norm")!], [try w.spectralNorm()], tolerance: 0)
        let j = 0.5 * Matrix<Double>.identity(w.rows) + 0.25 * w
        _ = Oracle.check("ρ(J) logged vs eigenvalues of ½I + ¼W", [last.double("spectral_radius")!], [try j.spectralRadius()], tolerance: 1e-12)
    }
}

/// The run-level ETA of the training progress bar.
final class TrainingConsoleTests: XCTestCase {
    func testRunETACountsTheRestOfThisEpochAndTheEpochsAfterIt() {
        // Epoch 2 of 5, a quarter done in 60 s: 180 s left in this epoch, then 3 epochs of 240 s.
        XCTAssertEqual(TrainingConsole.runRemaining(epoch: 2, epochs: 5, items: 250, totalItems: 1000, elapsed: 60),
                       "  run ETA 15:00")
        XCTAssertEqual(TrainingConsole.runRemaining(epoch: 1, epochs: 75, items: 100, totalItems: 1000, elapsed: 10),
                       "  run ETA 2:04:50")
        // Nothing to add in the last epoch or before any progress.
        XCTAssertEqual(TrainingConsole.runRemaining(epoch: 5, epochs: 5, items: 250, totalItems: 1000, elapsed: 60), "")
        XCTAssertEqual(TrainingConsole.runRemaining(epoch: 1, epochs: 5, items: 0, totalItems: 1000, elapsed: 0), "")
    }

    func testTheBarOnATerminalShowsTheRunETA() {
        var text = "", lines = ""
        let progress = TrainingConsole(unit: "tok", output: ProgressOutput(isTerminal: { _ in true }, bar: { text += $0 },
                                                                            lines: { lines += $0 }))
        progress.beginEpoch()
        usleep(20_000)
        progress.update(run: "sgd-lr1", epoch: 1, epochs: 3, window: 5, windows: 10, items: 500, totalItems: 1000,
                        learningRate: 1, meanLoss: 5, metric: { exp($0) }, metricName: "perplexity")
        XCTAssertTrue(text.contains("sgd-lr1 epoch 1/3 it 5/10"), text)
        XCTAssertTrue(text.contains("run ETA"), text)
        XCTAssertEqual(lines, "", "on a terminal the bar stands for the console lines")
    }

    /// One epoch of ten windows with standard output piped (as under `make`) and with neither stream
    /// a terminal (a log): standard output gets the same lines (five PyTorch-style lines and the epoch
    /// end, up to the measured ms/batch and time), and the bar goes to standard error only in the first.
    func testUnderMakeTheBarGoesToStandardErrorAndTheLinesStayAsInALog() {
        func epoch(stderrIsTerminal: Bool) -> (bar: String, lines: [String]) {
            var bar = "", lines: [String] = []
            let console = TrainingConsole(unit: "tok", output: ProgressOutput(isTerminal: { $0 == STDERR_FILENO && stderrIsTerminal },
                                                                               bar: { bar += $0 }, lines: { lines.append($0) }))
            console.beginEpoch()
            for w in 1...10 {
                console.update(run: "sgd-lr1", epoch: 1, epochs: 1, window: w, windows: 10, items: 100 * w, totalItems: 1000,
                               learningRate: 1, meanLoss: 5, metric: { exp($0) }, metricName: "perplexity")
            }
            console.endEpoch(run: "sgd-lr1", epoch: 1, seconds: 1, validLoss: 4, metric: exp(4), metricName: "perplexity")
            console.note("| end of training |")
            // The measured milliseconds per batch differ between any two runs.
            return (bar, lines.map { $0.replacingOccurrences(of: #"ms/batch +[0-9.]+"#, with: "ms/batch _", options: .regularExpression) })
        }
        let make = epoch(stderrIsTerminal: true), log = epoch(stderrIsTerminal: false)
        XCTAssertEqual(make.lines, log.lines)
        XCTAssertEqual(log.lines.count, 7)
        XCTAssertEqual(log.lines[0], "| sgd-lr1 | epoch   1 |     2/   10 batches | lr 1 | ms/batch _ | loss  5.000 | ppl   148.413\n")
        XCTAssertEqual(log.bar, "")
        XCTAssertTrue(make.bar.contains("sgd-lr1 epoch 1/1 it 10/10  [████████████████████]"), make.bar)
        XCTAssertTrue(make.bar.hasSuffix("\r\u{1B}[K"), "the bar is cleared before the lines that follow it")
    }

    /// The enums' raw values are the spelling of checkpoints and logs already written: changing one
    /// would make old files unreadable.
    func testStatusAndRecordTypeSpellings() {
        XCTAssertEqual(Checkpoint.Status.allCases.map(\.rawValue), ["running", "completed", "diverged", "stopped"])
        XCTAssertEqual(LogRecordType.allCases.map(\.rawValue), ["run", "iteration", "epoch", "diverged", "test", "trace"])
        XCTAssertEqual(LogRecord([("type", LogRecordType.epoch.value)]).json, #"{"type":"epoch"}"#)
        XCTAssertEqual(LogRecord([("type", .string("epoch"))]).recordType, .epoch)
        XCTAssertNil(LogRecord([("type", .string("other"))]).recordType)
        XCTAssertEqual(RunStatus.diverged(epoch: 1, iteration: 2, reason: "").keyword, "diverged")
    }
}
