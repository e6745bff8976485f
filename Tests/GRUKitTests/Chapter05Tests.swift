import Foundation
import XCTest
import GRUKit
import GRUKitChapterSupport
import GRUKitChapters
import GRUKitPresentation

/// Text printed through a report or a training console, collected for the checks.
final class Printed: @unchecked Sendable {
    private let lock = NSLock()
    private var parts: [String] = []

    func append(_ s: String) { lock.lock(); parts.append(s); lock.unlock() }
    var text: String { lock.lock(); defer { lock.unlock() }; return parts.joined() }
    /// A report whose every line lands here.
    var report: Report { Report(chapter: 0, title: "test", sink: { [self] in append($0) }) }
    /// A console that prints its lines (not a bar) here.
    func console(unit: String = "tok") -> TrainingConsole {
        TrainingConsole(unit: unit, output: ProgressOutput(isTerminal: { _ in false }, bar: { [self] in append($0) }, lines: { [self] in append($0) }))
    }
}

/// What chapter 5 computes, in process (`Chapter05` of GRUKitChapters) on a small generated corpus (no
/// real data needed), plus two runs of the executable: one that checks what goes to standard output
/// and standard error, and one on the real PTB that skips when it is absent.
final class Chapter05Tests: XCTestCase {
    /// Options of a run that takes a second or two in a debug build.
    static func tiny(_ data: URL, _ out: URL) -> [String] {
        ["--data", data.path, "--out", out.path, "--no-render", "--hidden", "8", "--epochs", "2", "--limit-windows", "4", "--log-every", "2", "--seeds", "1"]
    }

    /// The chapter's model (the `makeTask` of its page) for an experiment.
    static func task(_ e: Chapter05.Experiment) -> (RunConfiguration) throws -> TrainingTask {
        { c in
            let config = GRULanguageModel<Float>.Configuration(vocabularySize: e.vocabulary, embeddingSize: e.embeddingSize,
                                                               hiddenSize: c.hiddenSize, cell: c.cell, dropout: c.dropout)
            return try LanguageModelTask(model: GRULanguageModel<Float>(configuration: config, seed: c.seed),
                                         train: e.train, valid: e.valid, test: e.test, batchSize: c.batchSize, steps: c.steps)
        }
    }

    /// Trains the experiment of `arguments` in process: the experiment, its results, and what the report
    /// and the console printed.
    static func train(_ arguments: [String]) throws -> (experiment: Chapter05.Experiment, results: [RunResult], printed: Printed) {
        let printed = Printed()
        let e = try Chapter05.Experiment(options: Chapter05.Options.parse(arguments))
        let results = try e.train(report: printed.report, progress: printed.console(), makeTask: task(e))
        return (e, try XCTUnwrap(results), printed)
    }

    /// The message the command line prints for an error.
    static func message(_ error: Error) -> String { Chapter05.Options.message(for: error) }

    func testSweepWritesLogsTableAndRecordsADivergenceWithoutStopping() throws {
        let dir = try Executables.temporaryDirectory(self)
        try TrainingFixtures.writePTB(in: dir.appendingPathComponent("data"))
        let out = dir.appendingPathComponent("out")
        // The huge rate comes first: the sweep must go on to the ordinary one after it diverges.
        let (e, results, printed) = try Self.train(Self.tiny(dir.appendingPathComponent("data"), out)
                                                   + ["--sweep", "--methods", "none,project", "--lrs", "1e9,1"])
        let names = ["sgd-lr1000000000", "project0.2-lr1000000000", "sgd-lr1", "project0.2-lr1"]
        XCTAssertEqual(results.map(\.configuration.name), names)
        for name in names {
            let records = try TrainingFixtures.log(out, name)
            TrainingFixtures.assertWellFormed(records, metric: "perplexity")
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("runs/\(name).checkpoint.safetensors").path))
        }
        let diverged = try TrainingFixtures.log(out, "sgd-lr1000000000")
        XCTAssertEqual(diverged.last?.type, "diverged")
        XCTAssertEqual(diverged.last?.double("epoch"), 1)
        let trained = try TrainingFixtures.log(out, "sgd-lr1")
        XCTAssertEqual(trained.last?.type, "test")
        XCTAssertEqual(trained.filter { $0.type == "epoch" }.count, 2)
        // The projection's bound holds at every log point of the projected run at rate 1.
        for rec in try TrainingFixtures.log(out, "project0.2-lr1") where rec.type == "iteration" {
            XCTAssertLessThanOrEqual(rec.double("spectral_norm")!, 1.8 + 1e-5, rec.json)
        }
        XCTAssertTrue(printed.text.contains("diverged at epoch 1"), printed.text)
        let divergedCount = results.filter(\.diverged).count
        XCTAssertGreaterThanOrEqual(divergedCount, 1)
        XCTAssertTrue(printed.text.contains("4 runs: \(4 - divergedCount) trained to the end, \(divergedCount) diverged"), printed.text)

        // The tables.
        let tables = Printed()
        var values = RecordedValues()
        let (summary, _, files) = try e.tabulate(results, report: tables.report, values: &values)
        XCTAssertEqual(files.map(\.lastPathComponent), ["results.md", "results.dat", "summary.md", "summary.dat"])
        let md = try String(contentsOf: out.appendingPathComponent("results.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("| sgd-lr1000000000 |") && md.contains("diverged (epoch 1"), md)
        // Four windows of a tiny model do not beat the unigram model of the training text: the table says so.
        XCTAssertTrue(md.contains("| sgd-lr1 |") && md.contains("failed to learn (not better than the unigram model)"), md)
        XCTAssertTrue(tables.text.contains("Trivial predictor: the unigram model of the training tokens scores a validation perplexity of"), tables.text)
        XCTAssertTrue(md.contains("ours"), "the table must say the numbers are ours")
        let dat = try String(contentsOf: out.appendingPathComponent("results.dat"), encoding: .utf8)
        XCTAssertEqual(dat.split(separator: "\n").filter { !$0.hasPrefix("#") }.count, 4, dat)
        XCTAssertEqual(values["quick.sgd-lr1000000000.diverged"], "1/1")
        XCTAssertEqual(values["quick.seeds"], "1")
        XCTAssertEqual(values["quick.unigram"], String(format: "%.2f", e.baseline.metric))

        // The figures: the validation curves, and the dynamics of the runs at the largest rate only.
        try e.output.write(e.validationFigure(summary))
        let logs = try e.topRateLogs(summary)
        XCTAssertEqual(logs.map(\.name), ["sgd-lr1000000000", "project0.2-lr1000000000"])
        for figure in e.dynamicsFigures(logs) { try e.output.write(figure) }
        for fig in ["valid-perplexity", "gradient-dynamics", "gradient-groups"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("\(fig).gp").path), fig)
        }
        XCTAssertTrue(e.inShort(summary, ResultsTable(results: results, title: "t")).contains("plain SGD at rate 10 blew up at iteration 164"))
    }

    func testResumedRunEqualsUninterruptedRun() throws {
        let dir = try Executables.temporaryDirectory(self)
        let data = dir.appendingPathComponent("data")
        try TrainingFixtures.writePTB(in: data)
        let straight = dir.appendingPathComponent("straight"), resumed = dir.appendingPathComponent("resumed")
        let run = ["--method", "clip+project", "--lr", "2"]
        _ = try Self.train(Self.tiny(data, straight) + run)
        let b1 = try Self.train(Self.tiny(data, resumed) + run + ["--stop-after", "1"])
        XCTAssertTrue(b1.printed.text.contains("stopped after epoch 1"), b1.printed.text)
        XCTAssertEqual(try TrainingFixtures.log(resumed, "clip5+project0.2-lr2").last?.type, "epoch")
        let b2 = try Self.train(Self.tiny(data, resumed) + run + ["--resume"])
        XCTAssertTrue(b2.printed.text.contains("resuming after epoch 1"), b2.printed.text)
        let logA = try TrainingFixtures.log(straight, "clip5+project0.2-lr2").map(TrainingFixtures.withoutSeconds)
        let logB = try TrainingFixtures.log(resumed, "clip5+project0.2-lr2").map(TrainingFixtures.withoutSeconds)
        XCTAssertEqual(logA.count, logB.count)
        for (x, y) in zip(logA, logB) { XCTAssertEqual(x, y, "\(x.json)\n\(y.json)") }
        // The final parameters agree bit for bit.
        let ca = try Checkpoint(contentsOf: straight.appendingPathComponent("runs/clip5+project0.2-lr2.checkpoint.safetensors"))
        let cb = try Checkpoint(contentsOf: resumed.appendingPathComponent("runs/clip5+project0.2-lr2.checkpoint.safetensors"))
        XCTAssertEqual(ca.parameters, cb.parameters)
        XCTAssertEqual(ca.testLoss, cb.testLoss)
        XCTAssertEqual(ca.status, "completed")
        // A resumed completed run is reported, not retrained.
        let again = try Self.train(Self.tiny(data, resumed) + run + ["--resume"])
        XCTAssertTrue(again.printed.text.contains("already completed"), again.printed.text)
    }

    func testBadCheckpointAndDataFileGiveClearErrors() throws {
        let dir = try Executables.temporaryDirectory(self)
        let data = dir.appendingPathComponent("data")
        try TrainingFixtures.writePTB(in: data)
        let out = dir.appendingPathComponent("out")
        let run = ["--method", "project", "--lr", "1"]
        _ = try Self.train(Self.tiny(data, out) + run + ["--stop-after", "1"])
        let checkpoint = out.appendingPathComponent("runs/project0.2-lr1.checkpoint.safetensors")

        // Another configuration: the differing setting is named.
        XCTAssertThrowsError(try Self.train(Self.tiny(data, out) + ["--hidden", "9"] + run + ["--resume"])) { error in
            let m = Self.message(error)
            XCTAssertTrue(m.contains(checkpoint.path) && m.contains("hiddenSize"), m)
        }
        // A truncated checkpoint, then garbage.
        let bytes = try Data(contentsOf: checkpoint)
        try bytes.prefix(bytes.count / 2).write(to: checkpoint)
        XCTAssertThrowsError(try Self.train(Self.tiny(data, out) + run + ["--resume"])) { error in
            XCTAssertTrue(Self.message(error).contains(checkpoint.path), Self.message(error))
        }
        try Data("not a checkpoint".utf8).write(to: checkpoint)
        XCTAssertThrowsError(try Self.train(Self.tiny(data, out) + run + ["--resume"])) { error in
            XCTAssertTrue(Self.message(error).contains(checkpoint.path), Self.message(error))
        }
        // A binary training file is refused before the output folder is made.
        let train = data.appendingPathComponent(PennTreebank.trainFile)
        try Data([0x77, 0x30, 0x00, 0xFF, 0x0A]).write(to: train)
        let fresh = dir.appendingPathComponent("fresh")
        XCTAssertThrowsError(try Self.train(Self.tiny(data, fresh) + run)) { error in
            XCTAssertTrue(Self.message(error).contains(train.path), Self.message(error))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: fresh.path))
        // Bad flags, named.
        for (args, fragment) in [(["--delta", "3"], "--delta"), (["--train-tokens", "0"], "--train-tokens"),
                                 (["--skip-sweep"], "--from-logs")] {
            XCTAssertThrowsError(try Chapter05.Options.parse(Self.tiny(data, out) + args), "\(args)") { error in
                XCTAssertTrue(Self.message(error).contains(fragment), "\(args): \(Self.message(error))")
            }
        }
    }

    func testFileListGroupsAFiguresFilesOnOneLine() {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let urls = ["results.md", "results.dat", "valid.gp", "valid.dat", "valid.png", "values.tsv"]
            .map { cwd.appendingPathComponent("figures/x/" + $0) }
        XCTAssertEqual(Chapter05.fileList(urls), "  figures/x/results.{md,dat}\n  figures/x/valid.{gp,dat,png}\n  figures/x/values.tsv")
        XCTAssertEqual(Chapter05.outcomeLine([]), "0 runs: 0 trained to the end (each run's console lines went to standard error; its log is runs/NAME.jsonl)")
    }

    /// Two identical curves: the one drawn second is dashed, so that the first shows through; a third,
    /// different curve keeps its solid line, and a style's own dash is kept.
    func testCoincidingSeriesGetDistinctDashes() {
        var panel = Panel()
        let x: [Double] = [1, 2, 3, 4], y: [Double] = [1, 10, 100, 1000]
        panel.plot(.xy(x, y, title: "sgd", style: .lines.lineType(1)))
        panel.plot(.xy(x, y, title: "clip", style: .lines.lineType(2)))
        panel.plot(.xy(x, y.map { $0 * 2 }, title: "project", style: .lines.lineType(3)))
        panel.plot(.xy(x, y, title: "third copy", style: .lines.lineType(4)))
        panel.plot(.xy(x, y, title: "own dash", style: .lines.lineType(5).dotted))
        let script = Figure("f", panels: [panel]).script
        let plot = script.split(separator: "\n").filter { $0.contains("\"f.dat\" index") }
        XCTAssertEqual(plot.count, 5, script)
        XCTAssertFalse(plot[0].contains(" dt "), String(plot[0]))
        XCTAssertTrue(plot[1].contains("lt 2 dt 2"), String(plot[1]))
        XCTAssertFalse(plot[2].contains(" dt "), String(plot[2]))
        XCTAssertTrue(plot[3].contains("lt 4 dt 3"), String(plot[3]))
        XCTAssertTrue(plot[4].contains("lt 5 dt 3"), String(plot[4]))
        // Means with error bars (a validation figure): two configurations with the same means.
        let rows: [[Double]] = [[1, 870, 860, 880], [2, 742, 700, 780]]
        let bars = [0, 1].map { k in Series.data(rows, columns: ["epoch", "mean", "low", "high"], using: "1:2:3:4",
                                                 style: Style(kind: .custom("yerrorlines"), lineType: k + 1)) }
        XCTAssertEqual(Figure.coincidingDashes(bars), [1: .dashed])
    }

    /// The executable end to end: its standard output carries the summaries (the outcome line, the
    /// table), never a per-batch line; those go to standard error (`--jobs 1`, the sweep in the
    /// process) or to each run's `runs/NAME.out` (`--jobs 2`, the default on two cores).
    func testTheExecutablePrintsSummariesAndSendsPerBatchLinesToStandardError() throws {
        let dir = try Executables.temporaryDirectory(self)
        try TrainingFixtures.writePTB(in: dir.appendingPathComponent("data"))
        let out = dir.appendingPathComponent("out")
        let r = try Executables.run("ch05-penn-treebank", Self.tiny(dir.appendingPathComponent("data"), out)
                                    + ["--sweep", "--methods", "none,project", "--lrs", "1e9,1", "--jobs", "1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(r.stdout.contains("| epoch") || r.stdout.contains("end of epoch"), r.stdout)
        XCTAssertTrue(r.stderr.contains("end of epoch") && r.stderr.contains("diverged at epoch 1"), r.stderr)
        XCTAssertTrue(r.stdout.contains("4 runs: ") && r.stdout.contains(" diverged (each run's console lines went to standard error"), r.stdout)
        XCTAssertTrue(r.stdout.contains("Files written") && r.stdout.contains("valid-perplexity.{gp,dat}"), r.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("values.tsv").path))

        let two = dir.appendingPathComponent("two")
        let j = try Executables.run("ch05-penn-treebank", Self.tiny(dir.appendingPathComponent("data"), two)
                                    + ["--sweep", "--methods", "none,project", "--lrs", "1e9,1", "--jobs", "2"])
        XCTAssertEqual(j.status, 0, j.stderr)
        XCTAssertFalse(j.stdout.contains("| epoch") || j.stdout.contains("end of epoch"), j.stdout)
        XCTAssertTrue(j.stdout.contains("4 runs: ") && j.stdout.contains("console lines went to runs/NAME.out"), j.stdout)
        let console = try String(contentsOf: two.appendingPathComponent("runs/project0.2-lr1.out"), encoding: .utf8)
        XCTAssertTrue(console.contains("end of epoch"), console)
    }

    /// Children of `--jobs` run the process's executable again, so only a chapter's executable
    /// defaults to two at a time; a test runner (this process) defaults to one.
    func testTheJobsDefaultIsTwoOnlyInAChapterExecutable() {
        XCTAssertTrue(SweepJobs.isChapterExecutable("/x/.build/release/ch05-penn-treebank"))
        XCTAssertTrue(SweepJobs.isChapterExecutable("ch06-nottingham"))
        XCTAssertFalse(SweepJobs.isChapterExecutable("/usr/bin/xctest"))
        XCTAssertFalse(SweepJobs.isChapterExecutable("/x/GRUKitPackageTests.xctest"))
        XCTAssertFalse(SweepJobs.isChapterExecutable("chapter-05"))
        XCTAssertFalse(SweepJobs.isChapterExecutable("ch5-x"))
        XCTAssertEqual(SweepJobs.defaultJobs, 1, "this test runner is not a chapter executable")
        XCTAssertTrue(SweepJobs.usesChildren(mode: .inProcess, jobs: 2, configurations: 2))
        XCTAssertFalse(SweepJobs.usesChildren(mode: .inProcess, jobs: 2, configurations: 1))
        XCTAssertFalse(SweepJobs.usesChildren(mode: .inProcess, jobs: 1, configurations: 8))
        XCTAssertFalse(SweepJobs.usesChildren(mode: .jobTask(0), jobs: 2, configurations: 8))
        XCTAssertEqual(Chapter05.outcomeLine([], inChildren: true),
                       "0 runs: 0 trained to the end (each run's console lines went to runs/NAME.out, its log to runs/NAME.jsonl)")
    }

    func testRealPTBRunsWhenTheDataIsPresent() throws {
        let data = try DataFixtures.realData([PennTreebank.trainFile, PennTreebank.validFile, PennTreebank.testFile])
        let out = try Executables.temporaryDirectory(self)
        let r = try Executables.run("ch05-penn-treebank", ["--data", data.path, "--out", out.path, "--no-render", "--hidden", "8",
                                                          "--embedding", "8", "--epochs", "1", "--limit-windows", "2",
                                                          "--train-tokens", "5000", "--eval-tokens", "700", "--method", "clip"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let records = try TrainingFixtures.log(out, "clip5-lr1")
        TrainingFixtures.assertWellFormed(records, metric: "perplexity")
        // An untrained model over 10,000 words scores a perplexity near 10,000.
        let ppl = try XCTUnwrap(records.last?.double("test_perplexity"))
        XCTAssertGreaterThan(ppl, 5_000)
        XCTAssertLessThan(ppl, 20_000)
    }
}
