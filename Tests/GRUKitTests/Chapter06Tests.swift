import Foundation
import XCTest
import GRUKit
import GRUKitChapterSupport
import GRUKitChapters
import GRUKitPresentation

/// What chapter 6 computes, in process (`Chapter06` of GRUKitChapters) on generated piano rolls in the
/// text format, plus one run of the executable on the real Nottingham data that skips when it is absent.
final class Chapter06Tests: XCTestCase {
    static func tiny(_ data: URL, _ out: URL) -> [String] {
        ["--data", data.path, "--out", out.path, "--no-render", "--format", "text", "--hidden", "8", "--epochs", "2",
         "--limit-windows", "3", "--log-every", "2", "--seeds", "1"]
    }

    /// The chapter's two models (the `makeTask` of its page).
    static func task(_ e: Chapter06.Experiment, _ kind: Chapter06.ModelName) -> (RunConfiguration) throws -> TrainingTask {
        { c in
            let model = kind == .assumptions
                ? GRUSequenceModel<Float>(keys: PianoRoll.keys, hiddenSize: c.hiddenSize, cell: c.cell, bias: false, dropout: c.dropout,
                                          seed: c.seed, inputLayer: .init(size: c.hiddenSize, scale: 0.01))
                : GRUSequenceModel<Float>(keys: PianoRoll.keys, hiddenSize: c.hiddenSize, cell: c.cell, bias: true, dropout: c.dropout, seed: c.seed)
            return try MusicTask(model: model, music: e.music, batchSize: c.batchSize, steps: c.steps, shuffleSeed: c.seed &+ 3)
        }
    }

    /// Trains each model of `arguments` in process: the experiment, the results per model and what was printed.
    static func train(_ arguments: [String]) throws -> (experiment: Chapter06.Experiment, results: [(Chapter06.ModelName, [RunResult])], printed: Printed) {
        let printed = Printed()
        let options = try Chapter06.Options.parse(arguments)
        let e = try Chapter06.Experiment(options: options)
        let results = try options.models.map { kind in
            let results = try e.train(kind, report: printed.report, progress: printed.console(unit: "frames"), makeTask: task(e, kind))
            return (kind, try XCTUnwrap(results))
        }
        return (e, results, printed)
    }

    func testSweepWritesLogsTableAndRecordsADivergence() throws {
        let dir = try Executables.temporaryDirectory(self)
        let data = dir.appendingPathComponent("data"), out = dir.appendingPathComponent("out")
        try TrainingFixtures.writeMusic(in: data)
        let (e, all, printed) = try Self.train(Self.tiny(data, out) + ["--sweep", "--methods", "none,clip", "--lrs", "1e9,0.5"])
        // The quick scale trains both models, the raw one into runs-raw/.
        XCTAssertEqual(all.map { $0.0 }, [.assumptions, .raw])
        for name in ["sgd-lr1000000000", "clip5-lr1000000000", "sgd-lr0.5", "clip5-lr0.5"] {
            TrainingFixtures.assertWellFormed(try TrainingFixtures.log(out, name), metric: "nll")
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("runs-raw/\(name).jsonl").path), name)
        }
        XCTAssertEqual(try TrainingFixtures.log(out, "sgd-lr1000000000").last?.type, "diverged")
        let trained = try TrainingFixtures.log(out, "sgd-lr0.5")
        XCTAssertEqual(trained.last?.type, "test")
        // NLL per frame of random rolls (keys on with p = 0.1): near 88·H(0.1) ≈ 28.6 nats once the
        // biases learn the rate, and below the uniform guess 88·ln 2 ≈ 61 in any case.
        let nll = try XCTUnwrap(trained.last?.double("test_nll"))
        XCTAssertGreaterThan(nll, 20)
        XCTAssertLessThan(nll, 61)
        XCTAssertTrue(printed.text.contains("--model assumptions") && printed.text.contains("--model raw"), printed.text)
        XCTAssertTrue(printed.text.contains("input layer 8 × 0.01, GRU without biases"), printed.text)

        // The tables and figures of each model, and the values the prose cites.
        var values = RecordedValues()
        e.printBaseline(Printed().report, values: &values)
        XCTAssertEqual(values["quick.baseline"], String(format: "%.3f", e.frequencies))
        for (kind, results) in all {
            let (summary, files) = try e.tabulate(kind, results, report: Printed().report, values: &values)
            XCTAssertEqual(files.map(\.lastPathComponent), ["results", "summary"].flatMap { ["\($0)\(kind.suffix).md", "\($0)\(kind.suffix).dat"] })
            for figure in try e.figures(kind, summary) { try e.output.write(figure) }
        }
        let md = try String(contentsOf: out.appendingPathComponent("results.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("diverged (epoch 1") && md.contains("| clip5-lr0.5 |"), md)
        XCTAssertEqual(values["assumptions.sgd-lr1000000000.diverged"], "1/1")
        XCTAssertEqual(values["raw.seeds"], "1")
        for name in ["valid-nll", "gradient-dynamics", "gradient-groups", "valid-nll-raw", "gradient-dynamics-raw", "gradient-groups-raw"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("\(name).gp").path), name)
        }
        // Long titles are split over two lines so that they fit.
        let dynamics = try String(contentsOf: out.appendingPathComponent("gradient-dynamics-raw.gp"), encoding: .utf8)
        XCTAssertTrue(dynamics.contains("at learning rate 1000000000\\nwhen the assumptions fail (ours)"), dynamics)
    }

    /// A configuration whose mean NLL leaves twice the baseline turns the validation figure's axis
    /// logarithmic, so that every line is drawn (no empty frame); otherwise the axis stops there.
    func testValidationFigureKeepsEveryConfigurationOnItsAxis() {
        func summary(_ finals: [[Double]]) -> SeedSummary {
            let runs = finals.enumerated().flatMap { g, seeds in
                seeds.enumerated().map { k, f -> RunResult in
                    let method: TrainingMethod = g == 0 ? .sgd : .project(delta: 0.2)
                    let c = RunConfiguration(name: RunConfiguration.name(method: method, learningRate: 6) + "-s\(k + 1)", method: method,
                                             schedule: .paper(initial: 6), epochs: 1, seed: UInt64(k + 1), hiddenSize: 4, batchSize: 2, steps: 3)
                    return RunResult(configuration: c, status: .completed, metricName: "nll", trainLosses: [], validLosses: [],
                                     validMetrics: [f], testLoss: nil, testMetric: nil, iterations: 10, seconds: 1)
                }
            }
            return SeedSummary(results: runs, title: "t", baseline: .init(name: "per-key frequencies", metric: 10))
        }
        let within = TrainingFigures.validation(summary([[7, 8], [6, 7]]), title: "t")
        XCTAssertEqual(within.panels[0].yRange, 0 ... 20)
        XCTAssertFalse(within.panels[0].logScale.contains(.y))
        let above = TrainingFigures.validation(summary([[7, 8], [6, 160]]), title: "t")
        XCTAssertNil(above.panels[0].yRange)
        XCTAssertTrue(above.panels[0].logScale.contains(.y))
        XCTAssertFalse(above.script.contains("mean above the axis"), above.script)
        XCTAssertTrue(above.script.contains("using 1:2:($3 > 0 ? $3 : $2/10):4"), above.script)
    }

    func testResumedRunEqualsUninterruptedRun() throws {
        let dir = try Executables.temporaryDirectory(self)
        let data = dir.appendingPathComponent("data")
        try TrainingFixtures.writeMusic(in: data)
        let straight = dir.appendingPathComponent("a"), resumed = dir.appendingPathComponent("b")
        // Epochs of different shuffles: the shuffling generator must be restored exactly.
        let run = ["--method", "project", "--lr", "0.5", "--model", "assumptions"]
        _ = try Self.train(Self.tiny(data, straight) + run)
        _ = try Self.train(Self.tiny(data, resumed) + run + ["--stop-after", "1"])
        let r = try Self.train(Self.tiny(data, resumed) + run + ["--resume"])
        XCTAssertTrue(r.printed.text.contains("resuming after epoch 1"), r.printed.text)
        let a = try TrainingFixtures.log(straight, "project0.2-lr0.5").map(TrainingFixtures.withoutSeconds)
        let b = try TrainingFixtures.log(resumed, "project0.2-lr0.5").map(TrainingFixtures.withoutSeconds)
        XCTAssertEqual(a.count, b.count)
        for (x, y) in zip(a, b) { XCTAssertEqual(x, y, "\(x.json)\n\(y.json)") }
        XCTAssertEqual(a.last?.type, "test")
    }

    func testCorruptDataFileIsNamed() throws {
        let dir = try Executables.temporaryDirectory(self)
        let data = dir.appendingPathComponent("data")
        try TrainingFixtures.writeMusic(in: data)
        let valid = data.appendingPathComponent("nottingham/valid.txt")
        try Data("60 64\n60 200\n".utf8).write(to: valid)
        XCTAssertThrowsError(try Self.train(Self.tiny(data, dir.appendingPathComponent("out")) + ["--method", "none"])) { error in
            XCTAssertTrue(Chapter06.Options.message(for: error).contains(valid.path + ":2"), Chapter06.Options.message(for: error))
        }
        XCTAssertThrowsError(try Self.train(["--data", dir.appendingPathComponent("nowhere").path, "--no-render",
                                             "--out", dir.appendingPathComponent("out").path])) { error in
            XCTAssertTrue(Chapter06.Options.message(for: error).contains("Nottingham.mat"), Chapter06.Options.message(for: error))
        }
        // Flags, named; a Slurm mode needs one model.
        for (args, fragment) in [(["--eval-tunes", "0"], "--eval-tunes"), (["--skip-sweep"], "--standard-logs"),
                                 (["--collect"], "--model assumptions")] {
            XCTAssertThrowsError(try Chapter06.Options.parse(args), "\(args)") { error in
                XCTAssertTrue(Chapter06.Options.message(for: error).contains(fragment), "\(args): \(Chapter06.Options.message(for: error))")
            }
        }
        XCTAssertEqual(try Chapter06.Options.parse(["--skip-sweep", "--standard-logs", "x"]).models, [])
        XCTAssertEqual(try Chapter06.Options.parse(["--scale", "standard"]).models, [.assumptions])
        XCTAssertEqual(try Chapter06.Options.parse(["--model", "raw"]).models, [.raw])
    }

    func testRealNottinghamRunsWhenTheDataIsPresent() throws {
        let data = try DataFixtures.realData(["nottingham/Nottingham.mat"])
        let out = try Executables.temporaryDirectory(self)
        let r = try Executables.run("ch06-nottingham", ["--data", data.path, "--out", out.path, "--no-render", "--hidden", "8",
                                                       "--epochs", "1", "--limit-windows", "2", "--train-tunes", "40",
                                                       "--eval-tunes", "10", "--method", "project"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(r.stdout.contains("end of epoch"), r.stdout)
        let records = try TrainingFixtures.log(out, "project0.2-lr1")
        TrainingFixtures.assertWellFormed(records, metric: "nll")
        let nll = try XCTUnwrap(records.last?.double("test_nll"))
        XCTAssertGreaterThan(nll, 2)
        XCTAssertLessThan(nll, 88 * log(2.0) + 1)
    }
}
