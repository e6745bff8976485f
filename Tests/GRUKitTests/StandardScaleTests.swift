import ArgumentParser
import Foundation
import XCTest
import GRUKit
import GRUKitChapterSupport
import GRUKitChapters

/// The standard scale of chapters 5 and 6, the tuning grids' flags, `--jobs`, and the significance
/// tests that the tuned comparison puts beside its table.
final class StandardScaleTests: XCTestCase {
    // MARK: The settings of each scale

    func testPennTreebankStandardScaleIsTheWholeSplitAtTheMeasuredSize() {
        let s = PennTreebankSetting.at(.standard)
        XCTAssertNil(s.trainTokens, "the standard scale trains on the whole training split")
        XCTAssertNil(s.evalTokens)
        XCTAssertEqual(s.hidden, 128)
        XCTAssertEqual(s.epochs, 3)
        XCTAssertEqual(s.learningRates, [1, 10, 40])
        XCTAssertEqual(s.seeds, 3, "at least three seeds per configuration")
        XCTAssertEqual(s.clipGrid, [0.1, 0.25, 1, 5])
        XCTAssertEqual(s.deltaGrid, [0.1, 0.5])
        // The quick and paper settings are what chapter 5 used before the standard scale existed.
        let q = PennTreebankSetting.at(.quick), p = PennTreebankSetting.at(.paper)
        XCTAssertEqual([q.hidden, q.trainTokens, q.evalTokens, q.epochs, q.seeds], [128, 60_000, 10_000, 2, 5])
        XCTAssertEqual(q.learningRates, [40])
        XCTAssertEqual([p.hidden, p.epochs, p.seeds], [650, 75, 1])
        XCTAssertNil(p.trainTokens)
        XCTAssertEqual(p.methods, [.sgd, .clip, .project, .clipAndProject])
    }

    func testNottinghamStandardScaleIsTheWholeDataSet() {
        let s = NottinghamSetting.at(.standard), q = NottinghamSetting.at(.quick)
        XCTAssertNil(s.trainTunes)
        XCTAssertNil(s.evalTunes)
        XCTAssertEqual(s.seeds, 3)
        XCTAssertEqual([s.hidden, s.epochs], [200, 10])
        XCTAssertEqual(s.assumptionRates, [1, 3, 10])
        XCTAssertEqual([q.hidden, q.trainTunes, q.evalTunes, q.epochs, q.seeds], [64, 300, 60, 2, 5])
        XCTAssertEqual(q.assumptionRates, [1, 6])
        XCTAssertEqual(q.rawRates, [6])
    }

    func testTheProbeRateTrainsTheKnobsTunedAtTheGridsLargestRate() throws {
        let ptb = try XCTUnwrap(PennTreebankSetting.at(.standard).probe), music = try XCTUnwrap(NottinghamSetting.at(.standard).probe)
        // Above every rate of the grid, at the knobs the grid picked at its largest rate (40 and 10).
        XCTAssertEqual([ptb.learningRate, ptb.clip, ptb.delta], [100, 0.25, 0.5])
        XCTAssertEqual([music.learningRate, music.clip, music.delta], [30, 0.25, 0.1])
        XCTAssertNil(PennTreebankSetting.at(.quick).probe)
        XCTAssertEqual(ptb.methods, [.sgd, .clip(maxNorm: 0.25), .project(delta: 0.5)])
        // The grid's evidence expects the probe's runs after the grid's, under --tune's names.
        let sweep = GridEvidence.tunedSweep(hidden: 8, batch: 20, steps: 35, dropout: 0, epochs: 1, clips: [0.1, 0.25], deltas: [0.5],
                                            rates: [1, 40], seeds: 2, probe: ptb)
        XCTAssertEqual(sweep.configurations.count, 2 * 4 * 2 + 3 * 2)
        XCTAssertEqual(sweep.configurations.suffix(6).map(\.name),
                       ["sgd-lr100-s1", "sgd-lr100-s2", "clip0.25-lr100-s1", "clip0.25-lr100-s2", "project0.5-lr100-s1", "project0.5-lr100-s2"])
        // The script that trains it passes the same flags to --tune as the settings hold.
        let script = try String(contentsOf: DataFixtures.repositoryRoot().appendingPathComponent("scripts/standard-grid.sh"), encoding: .utf8)
        for (name, probe) in [("ptb", ptb), ("nottingham", music)] {
            let line = script.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("\(name))") }
            XCTAssertTrue(line?.contains("probe=(" + probe.tuneArguments.joined(separator: " ") + ")") ?? false,
                          "scripts/standard-grid.sh: the \(name) line should set probe=(\(probe.tuneArguments.joined(separator: " "))): \(line ?? "none")")
        }
    }

    func testChaptersWithoutAStandardSettingRefuseIt() throws {
        let options = try ChapterOptions.parse(["--scale", "standard"])
        XCTAssertThrowsError(try options.requireScale()) { error in
            XCTAssertTrue("\(error)".contains("--scale standard"), "\(error)")
        }
        XCTAssertNoThrow(try options.requireScale([.quick, .standard, .paper]))
        XCTAssertNoThrow(try ChapterOptions.parse(["--scale", "paper"]).requireScale())
    }

    // MARK: The tuning grids and the selection

    func testTuneGridsFromFlagsOrTheScale() throws {
        let setting = PennTreebankSetting.at(.standard)
        func select(_ args: [String]) throws -> (methods: [TrainingMethod], rates: [Double], seeds: [UInt64]) {
            let o = try TrainingOptions.parse(args)
            try o.validate()
            return try o.selection(seed: 1, clip: 5, delta: 0.2, methods: setting.methods, rates: setting.learningRates,
                                   seedCount: setting.seeds, clipGrid: setting.clipGrid, deltaGrid: setting.deltaGrid)
        }
        let tuned = try select(["--tune"])
        XCTAssertEqual(tuned.methods, [.sgd, .clip(maxNorm: 0.1), .clip(maxNorm: 0.25), .clip(maxNorm: 1), .clip(maxNorm: 5),
                                       .project(delta: 0.1), .project(delta: 0.5)])
        XCTAssertEqual(tuned.rates, [1, 10, 40])
        XCTAssertEqual(tuned.seeds, [1, 2, 3])
        let narrowed = try select(["--tune", "--clips", "0.05,2", "--deltas", "0.3", "--lrs", "10"])
        XCTAssertEqual(narrowed.methods, [.sgd, .clip(maxNorm: 0.05), .clip(maxNorm: 2), .project(delta: 0.3)])
        XCTAssertEqual(narrowed.rates, [10])
        // A single run takes --seed alone.
        XCTAssertEqual(try select(["--method", "project", "--lr", "10"]).seeds, [1])
    }

    func testBadTuneGridsNameTheFlag() {
        for (args, fragment) in [(["--tune", "--clips", "0.1,-1"], "--clips: \"-1\""),
                                 (["--tune", "--deltas", "0.1,2.5"], "--deltas: δ = 2.5"),
                                 (["--tune", "--clips", "1,1.0"], "listed twice"),
                                 (["--clips", "1"], "--clips and --deltas are the grids of --tune"),
                                 (["--jobs", "0"], "--jobs must be from 1 to 64")] {
            XCTAssertThrowsError(try TrainingOptions.parse(args).validate(), "\(args)") { error in
                XCTAssertTrue("\(error)".contains(fragment), "\(args): \(error)")
            }
        }
    }

    // MARK: --jobs

    func testJobsChildArgumentsAndThreads() {
        XCTAssertEqual(SweepJobs.childArguments(["--scale", "standard", "--jobs", "2", "--tune"], task: 3),
                       ["--scale", "standard", "--tune", "--job-task", "3"])
        XCTAssertEqual(SweepJobs.childArguments(["--jobs=4", "--seeds", "3"], task: 0), ["--seeds", "3", "--job-task", "0"])
        XCTAssertEqual(SweepJobs.threadsPerJob(jobs: 2, environment: [:], cores: 2), 1)
        XCTAssertEqual(SweepJobs.threadsPerJob(jobs: 2, environment: [:], cores: 8), 4)
        XCTAssertEqual(SweepJobs.threadsPerJob(jobs: 3, environment: ["OPENBLAS_NUM_THREADS": "6"], cores: 2), 2)
        XCTAssertEqual(SweepJobs.threadsPerJob(jobs: 4, environment: ["OPENBLAS_NUM_THREADS": "junk"], cores: 2), 1)
    }

    /// `--jobs 2` trains each configuration in a child process with one BLAS thread; its log must be
    /// the log of the same configuration trained in-process with one BLAS thread (all but the clock).
    func testJobsWritesTheLogsOfTheSameRunsTrainedAlone() throws {
        let dir = try Executables.temporaryDirectory(self)
        let data = dir.appendingPathComponent("data")
        try TrainingFixtures.writePTB(in: data)
        let alone = dir.appendingPathComponent("alone"), jobs = dir.appendingPathComponent("jobs")
        let grid = ["--sweep", "--methods", "none,clip,project", "--lrs", "2,50"]
        let one = ["OPENBLAS_NUM_THREADS": "1"]
        let a = try Executables.run("ch05-penn-treebank", Chapter05Tests.tiny(data, alone) + grid + ["--jobs", "1"], environment: one)
        XCTAssertEqual(a.status, 0, a.stderr)
        let b = try Executables.run("ch05-penn-treebank", Chapter05Tests.tiny(data, jobs) + grid + ["--jobs", "2"], environment: ["OPENBLAS_NUM_THREADS": "2"])
        XCTAssertEqual(b.status, 0, b.stderr)
        XCTAssertTrue(b.stderr.contains("Training 6 configurations, 2 at a time, 1 BLAS thread each"), b.stderr)
        for name in ["sgd-lr2", "clip5-lr2", "project0.2-lr2", "sgd-lr50", "clip5-lr50", "project0.2-lr50"] {
            let x = try TrainingFixtures.log(alone, name).map(TrainingFixtures.withoutSeconds)
            let y = try TrainingFixtures.log(jobs, name).map(TrainingFixtures.withoutSeconds)
            XCTAssertEqual(x.count, y.count, name)
            for (r, t) in zip(x, y) { XCTAssertEqual(r, t, "\(name)\n\(r.json)\n\(t.json)") }
            XCTAssertTrue(FileManager.default.fileExists(atPath: jobs.appendingPathComponent("runs/\(name).out").path), name)
        }
        // The table read back from the children's logs is the table of the in-process sweep.
        XCTAssertEqual(try String(contentsOf: alone.appendingPathComponent("results.md"), encoding: .utf8),
                       try String(contentsOf: jobs.appendingPathComponent("results.md"), encoding: .utf8))
    }

    /// A task of a sweep (a child of --jobs, a Slurm array task) trains its configuration only: the
    /// sections drawn from committed logs are left to the parent, which draws them once.
    func testATaskOfASweepDropsTheSectionsDrawnFromLogs() throws {
        var five = try Chapter05.Options.parse(["--standard-logs", "a", "--from-logs", "b", "--job-task", "1"])
        try five.validate()
        XCTAssertNil(five.standardLogs)
        XCTAssertNil(five.fromLogs)
        var parent = try Chapter05.Options.parse(["--standard-logs", "a", "--from-logs", "b", "--jobs", "2"])
        try parent.validate()
        XCTAssertEqual(parent.standardLogs, "a")
        XCTAssertEqual(parent.fromLogs, "b")
        var six = try Chapter06.Options.parse(["--standard-logs", "a", "--model", "assumptions", "--array-task", "0"])
        try six.validate()
        XCTAssertNil(six.standardLogs)
    }

    func testJobTaskIsExclusiveWithTheOtherModes() throws {
        XCTAssertEqual(try SlurmOptions.parse(["--job-task", "2"]).mode, .jobTask(2))
        XCTAssertThrowsError(try SlurmOptions.parse(["--job-task", "2", "--collect"]).validate())
        XCTAssertThrowsError(try SlurmOptions.parse(["--job-task", "-1"]).validate())
    }

    // MARK: Edge of grid, and a grid read back from a folder that holds part of it

    func group(_ method: TrainingMethod, lr: Double = 10, finals: [Double?]) -> SeedGroup {
        let runs = finals.enumerated().map { k, f -> RunResult in
            let c = RunConfiguration(name: RunConfiguration.name(method: method, learningRate: lr) + "-s\(k + 1)", method: method,
                                     schedule: .paper(initial: lr), epochs: 1, seed: UInt64(k + 1), hiddenSize: 4, batchSize: 2, steps: 3)
            let status: RunStatus = f == nil ? .diverged(epoch: 1, iteration: 5, reason: "x") : .completed
            return RunResult(configuration: c, status: status, metricName: "perplexity", trainLosses: [], validLosses: [],
                             validMetrics: f.map { [$0] } ?? [], testLoss: nil, testMetric: nil, iterations: 10, seconds: 1)
        }
        return SeedSummary(results: runs, title: "t", baseline: .init(name: "u", metric: 500)).groups[0]
    }

    func testAKnobPickedAtTheEdgeOfItsGridIsFlagged() {
        let clips = [0.1, 0.25, 1, 5].map { self.group(.clip(maxNorm: $0), finals: [300, 310, 305]) }
        // Equal counts: the lowest mean wins; make c = 0.1 the best, then c = 1.
        var best = clips[0]
        XCTAssertTrue(TunedComparison.atEdge(best, of: clips), "the smallest threshold tried")
        XCTAssertTrue(TunedComparison.atEdge(clips[3], of: clips), "the largest threshold tried")
        best = clips[2]
        XCTAssertFalse(TunedComparison.atEdge(best, of: clips), "an inner threshold")
        let two = [0.1, 0.5].map { self.group(.project(delta: $0), finals: [300]) }
        XCTAssertFalse(TunedComparison.atEdge(two[0], of: two), "two values have no inside: nothing to flag")
        // In the table: a tuning sweep whose best clip is c = 0.1 says so.
        let results = [self.group(.clip(maxNorm: 0.1), finals: [300, 301, 302]), self.group(.clip(maxNorm: 1), finals: [320, 321, 322]),
                       self.group(.clip(maxNorm: 5), finals: [nil, nil, 330]), self.group(.project(delta: 0.1), finals: [310, 311, 312])]
            .flatMap(\.runs)
        let tuned = TunedComparison(summary: SeedSummary(results: results, title: "t", baseline: .init(name: "u", metric: 500)), title: "t")
        XCTAssertTrue(tuned.markdown.contains("c = 0.1 ⚠ edge of grid"), tuned.markdown)
        guard let test = tuned.tests.first else { return XCTFail("no test of clip against projection") }
        XCTAssertEqual(test.fisherP, 1, "3/3 against 3/3")
        XCTAssertNotNil(test.welch)
        XCTAssertTrue(test.sentence.contains("Fisher's exact test p = 1"), test.sentence)
    }

    /// Claim C5 either way round, from each family's best-tuned configuration at one rate (Nottingham's
    /// rate 10 is the second case: clipping at 0.25 trained 3/3 while the projection diverged 3/3).
    func testOutcomesOfTheTunedMethodsAtOneRate() {
        let sgd = group(.sgd, finals: [nil, 300, 310])
        let clipAll = group(.clip(maxNorm: 0.25), finals: [300, 301, 302]), clipSome = group(.clip(maxNorm: 0.25), finals: [nil, 301, 302])
        let projAll = group(.project(delta: 0.1), finals: [310, 311, 312]), projNone = group(.project(delta: 0.1), finals: [nil, nil, nil])
        var o = GridEvidence.outcomes(sgd: sgd, clip: clipSome, projection: projAll)
        XCTAssertTrue(o.sgdDivergesProjectionTrains && o.projectionTrainsClipDiverges && !o.clipTrainsProjectionDiverges)
        o = GridEvidence.outcomes(sgd: sgd, clip: clipAll, projection: projNone)
        XCTAssertTrue(!o.sgdDivergesProjectionTrains && !o.projectionTrainsClipDiverges && o.clipTrainsProjectionDiverges)
        o = GridEvidence.outcomes(sgd: group(.sgd, finals: [300, 300, 300]), clip: clipAll, projection: projAll)
        XCTAssertTrue(!o.sgdDivergesProjectionTrains && !o.projectionTrainsClipDiverges && !o.clipTrainsProjectionDiverges, "all train")
        // A run that did not diverge but did not beat the trivial predictor (500) is not "trained".
        let projWeak = group(.project(delta: 0.1), finals: [310, 311, 900])
        o = GridEvidence.outcomes(sgd: sgd, clip: clipSome, projection: projWeak)
        XCTAssertFalse(o.sgdDivergesProjectionTrains || o.projectionTrainsClipDiverges)
        o = GridEvidence.outcomes(sgd: nil, clip: nil, projection: projAll)
        XCTAssertFalse(o.sgdDivergesProjectionTrains || o.projectionTrainsClipDiverges || o.clipTrainsProjectionDiverges)
    }

    func testGridEvidenceFromAFolderThatHoldsPartOfTheGrid() throws {
        let dir = try Executables.temporaryDirectory(self)
        let data = dir.appendingPathComponent("data"), out = dir.appendingPathComponent("out")
        try TrainingFixtures.writePTB(in: data)
        let r = try Executables.run("ch05-penn-treebank", ["--data", data.path, "--out", out.path, "--no-render", "--hidden", "8",
                                                           "--epochs", "1", "--limit-windows", "3", "--tune", "--clips", "0.5,1,2",
                                                           "--deltas", "0.1", "--lrs", "2", "--seeds", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        // The committed folder holds only logs, and not all of them: two runs are missing.
        let logs = dir.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let runs = out.appendingPathComponent("runs")
        for name in try FileManager.default.contentsOfDirectory(atPath: runs.path) where name.hasSuffix(".jsonl")
            && !["clip2-lr2-s2.jsonl", "project0.1-lr2-s1.jsonl"].contains(name) {
            try FileManager.default.copyItem(at: runs.appendingPathComponent(name), to: logs.appendingPathComponent(name))
        }
        let base = RunConfiguration(name: "run", method: .sgd, schedule: .paper(initial: 1), epochs: 1, seed: 1,
                                    hiddenSize: 8, batchSize: 20, steps: 35, dropout: 0.5)
        let sweep = Sweep.grid(base: base, methods: TunedComparison.methods(clips: [0.5, 1, 2], deltas: [0.1]), learningRates: [2], seeds: [1, 2])
        let before = try FileManager.default.contentsOfDirectory(atPath: logs.path).sorted()
        let evidence = try GridEvidence(sweep: sweep, directory: logs, baseline: .init(name: "u", metric: 1e9), title: "t")
        XCTAssertEqual(evidence.missing.sorted(), ["clip2-lr2-s2", "project0.1-lr2-s1"])
        XCTAssertEqual(evidence.collection.results.count, 8)
        XCTAssertEqual(evidence.summary.groups.map(\.count), [2, 2, 2, 1, 1], "a configuration with one seed logged keeps its row")
        XCTAssertEqual(evidence.usableRange.map(\.family), ["plain SGD", "clipping", "projection"])
        XCTAssertTrue(evidence.completeRates.isEmpty, "rate 2 has runs missing: it decides no comparison yet")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: logs.path).sorted(), before, "nothing is written into the logs' folder")
        // Every run beats a baseline of 10⁹ without diverging: the grid learns by criterion (b).
        XCTAssertTrue(evidence.criteria(requiredRatio: 0.6).learns)
        // Drawn, it records the tuned comparison at rate 2 for the prose, and the criteria line names (a)–(c).
        var values = RecordedValues()
        let printed = Printed()
        let output = try ChapterOutput(options: try ChapterOptions.parse(["--out", dir.appendingPathComponent("drawn").path, "--no-render"]), slug: "05-x")
        _ = try evidence.draw(output: output, report: printed.report, values: &values,
                              prefix: "standard", dataName: "PTB", requiredRatio: 0.6)
        let clip = try XCTUnwrap(evidence.tuned.tests.first).clip
        XCTAssertEqual(values["standard.tuned.lr2.clip.knob"], clip.method.knob)
        XCTAssertEqual(values["standard.tuned.lr2.clip.trained"], "\(clip.trained.count)/\(clip.count)")
        XCTAssertEqual(values["standard.tuned.lr2.projection.trained"], "1/1")
        XCTAssertEqual(values["standard.tuned.lr2.welch_p"], "—", "one projected seed: no t-test")
        XCTAssertNotNil(values["standard.tuned.lr2.fisher_p"])
        XCTAssertNotEqual(values["standard.best.test"], "—", "the best configuration's runs were tested")
        let criteria = try XCTUnwrap(printed.text.components(separatedBy: "\n").first { $0.hasPrefix("Criteria:") })
        XCTAssertTrue(criteria.contains("(a) a run took") && criteria.contains("(b) the best configuration") && criteria.contains("(c) "), criteria)
        // With every log in, rate 2 is complete and decides, unless it is the probe rate, which never decides.
        for name in ["clip2-lr2-s2.jsonl", "project0.1-lr2-s1.jsonl"] {
            try FileManager.default.copyItem(at: runs.appendingPathComponent(name), to: logs.appendingPathComponent(name))
        }
        let complete = try GridEvidence(sweep: sweep, directory: logs, baseline: .init(name: "u", metric: 1e9), title: "t")
        XCTAssertEqual(complete.decidingRates, [2])
        let probed = try GridEvidence(sweep: sweep, directory: logs, baseline: .init(name: "u", metric: 1e9), title: "t",
                                      probe: ProbeRate(learningRate: 2, clip: 1, delta: 0.1))
        XCTAssertEqual(probed.completeRates, [2])
        XCTAssertTrue(probed.decidingRates.isEmpty)
        XCTAssertTrue(probed.criteria(requiredRatio: 0.6).sgdDivergesProjectionTrains.isEmpty)
        // An empty folder is refused with its path.
        let empty = dir.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        XCTAssertThrowsError(try GridEvidence(sweep: sweep, directory: empty, baseline: .init(name: "u", metric: 1), title: "t")) { error in
            XCTAssertTrue("\(error)".contains(empty.path) && "\(error)".contains("no training log of this grid"), "\(error)")
        }
    }

    // MARK: Significance, against scipy.stats (1.17) on the same numbers

    func testFisherExactAgainstHandCountsAndScipy() {
        // 3 of 3 against 0 of 3: the two most extreme tables, each 1/C(6,3) = 1/20 → p = 0.1, the
        // smallest p that three seeds against three can give.
        XCTAssertEqual(SignificanceTests.fisherExact(3, 0, 0, 3), 0.1, accuracy: 1e-12)
        XCTAssertEqual(SignificanceTests.fisherExact(0, 3, 3, 0), 0.1, accuracy: 1e-12)
        XCTAssertEqual(SignificanceTests.fisherExact(2, 1, 0, 3), 0.4, accuracy: 1e-12)
        XCTAssertEqual(SignificanceTests.fisherExact(5, 0, 1, 4), 0.047619047619047616, accuracy: 1e-12)
        XCTAssertEqual(SignificanceTests.fisherExact(8, 2, 1, 5), 0.034965034965034975, accuracy: 1e-12)
        XCTAssertEqual(SignificanceTests.fisherExact(3, 0, 3, 0), 1)
    }

    func testWelchAgainstScipy() throws {
        let r = try XCTUnwrap(SignificanceTests.welch([383.2, 391.7, 377.9], [402.5, 398.1, 410.3]))
        XCTAssertEqual(r.t, -3.6038328341015973, accuracy: 1e-10)
        XCTAssertEqual(r.degreesOfFreedom, 3.944357889541764, accuracy: 1e-10)
        XCTAssertEqual(r.p, 0.023226450351059528, accuracy: 1e-10)
        let s = try XCTUnwrap(SignificanceTests.welch([1, 2, 3, 4, 5], [2, 4, 6, 8, 10, 12]))
        XCTAssertEqual(s.t, -2.3763541031440183, accuracy: 1e-10)
        XCTAssertEqual(s.p, 0.04928433820673053, accuracy: 1e-10)
        XCTAssertNil(SignificanceTests.welch([1], [2, 3]), "one value has no spread to test")
        XCTAssertNil(SignificanceTests.welch([1, 1], [1, 1]))
        XCTAssertEqual(SignificanceTests.regularizedIncompleteBeta(0.3, a: 2.5, b: 0.5), 0.018927124071945658, accuracy: 1e-13)
        XCTAssertEqual(SignificanceTests.regularizedIncompleteBeta(0.9, a: 10, b: 3), 0.889130022255, accuracy: 1e-11)
        XCTAssertEqual(SignificanceTests.regularizedIncompleteBeta(0.5, a: 0.5, b: 0.5), 0.5, accuracy: 1e-13)
    }
}
