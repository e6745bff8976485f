import Foundation
import XCTest
import ArgumentParser
import GRUKit
import GRUKitChapterSupport

/// The Slurm mode of the sweeps without a cluster: the job-array script, the task's arguments, a
/// task stopped by its signal, and chapter 5's array tasks and `--collect` run by hand.
/// scripts/slurm-test.sh (`make test-slurm`) runs the same on a real Slurm cluster.
final class SlurmTests: XCTestCase {
    func testTaskArgumentsDropTheModeAndSubmissionFlagsInBothSpellings() {
        let args = ["--sweep", "--methods", "none,clip", "--slurm", "--partition", "short", "--time=1:00:00", "--resume",
                    "--sbatch", "--mem=4G", "--cpus-per-task=2", "--out", "o", "--hidden", "8", "--collect", "--array-task", "3"]
        XCTAssertEqual(SlurmArray.taskArguments(args), ["--sweep", "--methods", "none,clip", "--out", "o", "--hidden", "8"])
    }

    func testScriptHasOneTaskPerRunTheWarningSignalAndQuotedArguments() throws {
        var o = try SlurmOptions.parse(["--slurm", "--partition", "gpu", "--time", "2:00:00", "--max-running", "2",
                                        "--sbatch", "--mem=4G", "--sbatch", "--qos=low", "--warn-seconds", "90"])
        o.cpusPerTask = 3
        let a = SlurmArray(jobName: "ch05-penn-treebank", runNames: ["sgd-lr1", "clip5-lr1", "sgd-lr10"],
                           command: ["/bin/ch05", "--out", "it's here"], workingDirectory: "/w", logDirectory: "/w/s", options: o)
        let s = a.script
        for line in ["#SBATCH --array=0-2%2", "#SBATCH --cpus-per-task=3", "#SBATCH --partition=gpu", "#SBATCH --time=2:00:00",
                     "#SBATCH --mem=4G", "#SBATCH --qos=low", "#SBATCH --signal=B:USR1@90", "#SBATCH --requeue",
                     "#SBATCH --chdir=\"/w\"", "#SBATCH --output=\"/w/s/%x-%A_%a.out\"", "#   2: sgd-lr10",
                     "'/bin/ch05' '--out' 'it'\\''s here' --array-task \"$SLURM_ARRAY_TASK_ID\" --resume &",
                     "trap on_warning USR1"] {
            XCTAssertTrue(s.contains(line + "\n"), "missing \(line) in\n\(s)")
        }
        // bash accepts it.
        let url = try Executables.temporaryDirectory(self).appendingPathComponent("a.sbatch")
        try a.write(to: url)
        XCTAssertEqual(try Executables.run(url: URL(fileURLWithPath: "/bin/bash"), ["-n", url.path]).status, 0)
    }

    func testModesExcludeEachOther() throws {
        XCTAssertEqual(try SlurmOptions.parse([]).mode, .inProcess)
        XCTAssertEqual(try SlurmOptions.parse(["--slurm-dry-run"]).mode, .submit(dryRun: true))
        XCTAssertEqual(try SlurmOptions.parse(["--array-task", "2"]).mode, .task(2))
        XCTAssertThrowsError(try SlurmOptions.parse(["--slurm", "--collect"]))
        XCTAssertThrowsError(try SlurmOptions.parse(["--collect", "--array-task", "0"]))
        XCTAssertThrowsError(try SlurmOptions.parse(["--array-task", "-1"]))
    }

    func testStopSignalRaisesItsFlag() throws {
        let stop = StopSignal(signals: [SIGUSR2])
        XCTAssertFalse(stop.isRaised)
        kill(getpid(), SIGUSR2)
        let deadline = Date().addingTimeInterval(5)
        while !stop.isRaised && Date() < deadline { usleep(10_000) }
        XCTAssertTrue(stop.isRaised)
        XCTAssertEqual(stop.signalName, "signal \(SIGUSR2)")
    }

    /// A run asked to stop mid-epoch keeps the checkpoint of its last completed epoch, and resuming
    /// it gives the numbers of an uninterrupted run.
    func testARunStoppedMidEpochResumesToTheUninterruptedNumbers() throws {
        func task() throws -> LanguageModelTask {
            var g = SeededGenerator(seed: 3)
            func tokens(_ n: Int) -> [Int32] { (0 ..< n).map { _ in Int32(g.next() % 30) } }
            let config = GRULanguageModel<Float>.Configuration(vocabularySize: 30, embeddingSize: 6, hiddenSize: 5, dropout: 0.5)
            return try LanguageModelTask(model: GRULanguageModel(configuration: config, seed: 1), train: tokens(600),
                                         valid: tokens(200), test: tokens(200), batchSize: 4, steps: 7)
        }
        let c = RunConfiguration(name: "s", method: .clip(maxNorm: 1), schedule: LearningRateSchedule(initial: 1, constantEpochs: 1, decay: 2),
                                 epochs: 3, hiddenSize: 5, batchSize: 4, steps: 7, dropout: 0.5, logEvery: 3)
        let dir = try Executables.temporaryDirectory(self)
        let straight = try Trainer(configuration: c, task: task(), directory: dir.appendingPathComponent("a")).run()
        let b = dir.appendingPathComponent("b")
        let stopped = Trainer(configuration: c, task: try task(), directory: b)
        var polls = 0
        stopped.shouldStop = { polls += 1; return polls > 30 }  // 21 windows per epoch: stops in epoch 2
        let partial = try stopped.run()
        XCTAssertEqual(partial.status, .stopped(epoch: 1))
        XCTAssertEqual(try LoggedRun(contentsOf: b.appendingPathComponent("s.jsonl")).status, .stopped(epoch: 1))
        let resumed = try Trainer(configuration: c, task: task(), directory: b).run(resume: true)
        XCTAssertEqual(resumed.status, .completed)
        XCTAssertEqual(resumed.validLosses, straight.validLosses)
        XCTAssertEqual(resumed.testLoss, straight.testLoss)
    }

    /// Chapter 5's array tasks run by hand (as Slurm would, one of them twice), then --collect:
    /// the same table as the in-process sweep; before that, --collect names what is missing.
    func testArrayTasksThenCollectGiveTheInProcessTable() throws {
        let dir = try Executables.temporaryDirectory(self)
        let data = dir.appendingPathComponent("data")
        try TrainingFixtures.writePTB(in: data)
        let sweep = ["--sweep", "--methods", "none,clip", "--lrs", "1,10"]
        let env = ["OPENBLAS_NUM_THREADS": "1"]
        let local = dir.appendingPathComponent("local"), cluster = dir.appendingPathComponent("cluster")
        let l = try Executables.run("ch05-penn-treebank", Chapter05Tests.tiny(data, local) + sweep, environment: env)
        XCTAssertEqual(l.status, 0, l.stderr)

        let dry = try Executables.run("ch05-penn-treebank", Chapter05Tests.tiny(data, cluster) + sweep + ["--slurm-dry-run"], environment: env)
        XCTAssertEqual(dry.status, 0, dry.stderr)
        let script = try String(contentsOf: cluster.appendingPathComponent("slurm/ch05-penn-treebank.sbatch"), encoding: .utf8)
        XCTAssertTrue(script.contains("#SBATCH --array=0-3\n"), script)
        XCTAssertFalse(script.contains("--slurm-dry-run"), script)

        let none = try Executables.run("ch05-penn-treebank", Chapter05Tests.tiny(data, cluster) + sweep + ["--collect"], environment: env)
        XCTAssertNotEqual(none.status, 0, "collecting before any task ran must fail")

        for task in [0, 1, 2, 2] {  // task 2 twice: a requeued task that had finished is not retrained
            let t = try Executables.run("ch05-penn-treebank", Chapter05Tests.tiny(data, cluster) + sweep + ["--array-task", "\(task)", "--resume"],
                                        environment: env)
            XCTAssertEqual(t.status, 0, t.stderr)
        }
        let partial = try Executables.run("ch05-penn-treebank", Chapter05Tests.tiny(data, cluster) + sweep + ["--collect"], environment: env)
        XCTAssertEqual(partial.status, 0, partial.stderr)
        XCTAssertTrue(partial.stdout.contains("Missing: clip5-lr10"), partial.stdout)

        let last = try Executables.run("ch05-penn-treebank", Chapter05Tests.tiny(data, cluster) + sweep + ["--array-task", "3", "--resume"],
                                       environment: env)
        XCTAssertEqual(last.status, 0, last.stderr)
        let all = try Executables.run("ch05-penn-treebank", Chapter05Tests.tiny(data, cluster) + sweep + ["--collect"], environment: env)
        XCTAssertEqual(all.status, 0, all.stderr)
        XCTAssertFalse(all.stdout.contains("Missing:") || all.stdout.contains("Unfinished"), all.stdout)
        let expected = try String(contentsOf: local.appendingPathComponent("results.md"), encoding: .utf8)
        XCTAssertEqual(try String(contentsOf: cluster.appendingPathComponent("results.md"), encoding: .utf8), expected)
        XCTAssertEqual(expected.components(separatedBy: "\n").filter { $0.hasPrefix("| ") }.count, 5)  // header + 4 runs

        let bad = try Executables.run("ch05-penn-treebank", Chapter05Tests.tiny(data, cluster) + sweep + ["--array-task", "4"], environment: env)
        XCTAssertNotEqual(bad.status, 0)
    }
}
