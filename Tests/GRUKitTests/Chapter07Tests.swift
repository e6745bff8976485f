import Foundation
import XCTest
import GRUKitChapterSupport
import GRUKitChapters
import GRUKitPresentation
import GRUKit

/// Chapter 7 run as a user runs it, in a tiny setting on random tokens: every data file with
/// exactly its named columns, shares in [0, 1], the projector's action counts adding up and
/// agreeing with the per-iteration record, and flags refused by name.
final class Chapter07Tests: XCTestCase {
    static let iterations = 3, activityIterations = 30
    /// At H = 16 on 50 random words, rate 400 drives W_hh onto the constraint within the run
    /// (rate 1 never reaches it), so both regimes of the projector appear.
    static let rates = ["1", "400"]
    static let sizes = ["8", "16"]

    /// The data lines of a file (split on white space) in index blocks (two blank lines apart),
    /// each with its comment lines.
    func blocks(_ url: URL) throws -> [(comments: [String], rows: [[String]])] {
        try Chapter04Tests.blocks(url)
    }

    func testTinyRun() throws {
        let dir = try Executables.temporaryDirectory(self)
        let out = dir.appendingPathComponent("tmp")
        let r = try Executables.run("ch07-cost", [
            "--out", out.path, "--no-render", "--random-tokens", "--vocabulary", "50", "--hidden", "16",
            "--iterations", String(Self.iterations), "--activity-hidden", "16", "--activity-iterations", String(Self.activityIterations),
            "--lr", Self.rates.joined(separator: ","), "--sizes", Self.sizes.joined(separator: ","), "--repeats", "1",
        ], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("random tokens"), "the screen must say the windows are not PTB")
        for name in ["iteration-time.dat", "projection-vs-n.dat", "projection-activity.dat", "projection-activity-summary.dat",
                     "iteration-time.gp", "projection-vs-n.gp", "projection-activity.gp"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), name)
        }

        // iteration-time.dat: one row per method and one estimate per rate, shares in [0, 1] and
        // equal to projection / iteration; no projection time for the methods that do not project.
        let time = try blocks(out.appendingPathComponent("iteration-time.dat"))
        XCTAssertEqual(time.count, 1)
        XCTAssertEqual(time[0].comments.last,
                       "# method seconds_per_iteration projection_seconds share median_seconds slowest_seconds median_projection_seconds")
        let names = time[0].rows.map { $0[0] }
        XCTAssertEqual(names, ["sgd", "clip", "project-svd", "project-leading", "project-active", "project-automatic"]
                       + Self.rates.map { "estimate-lr\($0)" })
        for row in time[0].rows {
            XCTAssertEqual(row.count, 7, "\(row)")
            let v = row.dropFirst().map { Double($0) ?? .nan }
            // The figure's median and spread: fastest ≤ median ≤ slowest for a measured row, no
            // slowest for an estimate; the median projection is part of the median iteration.
            XCTAssertLessThanOrEqual(v[0], v[3], row[0])
            if row[0].hasPrefix("estimate-") { XCTAssertTrue(v[4].isNaN, row[0]) }
            else { XCTAssertLessThanOrEqual(v[3], v[4], row[0]) }
            XCTAssertLessThanOrEqual(v[5], v[3], row[0])
            XCTAssertGreaterThan(v[0], 0, row[0])
            XCTAssertGreaterThanOrEqual(v[1], 0, row[0])
            XCTAssertLessThanOrEqual(v[1], v[0], "the projection is part of the iteration: \(row)")
            XCTAssertTrue((0...1).contains(v[2]), "share of \(row[0]) = \(v[2])")
            XCTAssertEqual(v[2], v[1] / v[0], accuracy: 1e-12, row[0])
            if row[0] == "sgd" || row[0] == "clip" { XCTAssertEqual(v[1], 0, row[0]) }
            else { XCTAssertGreaterThan(v[1], 0, row[0]) }
        }

        // projection-vs-n.dat: one block per method, `n method milliseconds`, every size.
        let cost = try blocks(out.appendingPathComponent("projection-vs-n.dat"))
        XCTAssertEqual(cost.map { $0.rows.first?[1] }, ["fullSVD", "eigen", "selectiveEigen", "automatic", "certifiedSkip"])
        for block in cost {
            XCTAssertEqual(block.comments.last, "# n method milliseconds")
            XCTAssertEqual(block.rows.map { $0[0] }, Self.sizes)
            for row in block.rows {
                XCTAssertEqual(row.count, 3)
                XCTAssertGreaterThan(Double(row[2]) ?? -1, 0, "\(row)")
            }
        }

        // projection-activity.dat: one block per rate, one row per iteration, actions consistent
        // with the clipped counts.
        let activity = try blocks(out.appendingPathComponent("projection-activity.dat"))
        XCTAssertEqual(activity.count, Self.rates.count)
        var counted: [[Int]] = []
        for (block, rate) in zip(activity, Self.rates) {
            XCTAssertEqual(block.comments.last, "# iteration lr action clipped seconds")
            XCTAssertEqual(block.rows.map { $0[0] }, (1...Self.activityIterations).map(String.init), "every iteration, in order")
            var counts = [0, 0, 0]
            for row in block.rows {
                XCTAssertEqual(row.count, 5, "\(row)")
                XCTAssertEqual(row[1], rate)
                let k = Int(row[3]) ?? -1
                switch row[2] {
                case "skipped": counts[0] += 1; XCTAssertEqual(k, 0)
                case "unchanged": counts[1] += 1; XCTAssertEqual(k, 0)
                case "clipped": counts[2] += 1; XCTAssertTrue((1...16).contains(k), "\(row)")
                default: XCTFail("unknown action \(row[2])")
                }
                XCTAssertGreaterThanOrEqual(Double(row[4]) ?? -1, 0)
            }
            counted.append(counts)
        }
        XCTAssertEqual(counted[0][2], 0, "at rate 1 the constraint is never reached in \(Self.activityIterations) iterations")
        XCTAssertGreaterThan(counted[1][2], 0, "at rate 400 the projector clips")
        XCTAssertGreaterThan(counted[0][0], 0, "at rate 1 the certificate skips")

        // The summary: counts add up to the iterations and agree with the per-iteration file.
        let summary = try blocks(out.appendingPathComponent("projection-activity-summary.dat"))
        XCTAssertEqual(summary[0].comments.last, "# lr iterations skipped unchanged clipped mean_clipped share_measured share_estimated")
        XCTAssertEqual(summary[0].rows.map { $0[0] }, Self.rates)
        for (row, counts) in zip(summary[0].rows, counted) {
            XCTAssertEqual(row.count, 8)
            let n = row.dropFirst().map { Double($0) ?? .nan }
            XCTAssertEqual(Int(n[0]), Self.activityIterations)
            XCTAssertEqual([Int(n[1]), Int(n[2]), Int(n[3])], counts)
            XCTAssertEqual(Int(n[1]) + Int(n[2]) + Int(n[3]), Int(n[0]), "skipped + unchanged + clipped = iterations")
            XCTAssertTrue((0...1).contains(n[5]) && (0...1).contains(n[6]), "shares \(row)")
        }
    }

    /// `--from-logs`: a paper-scale log's share of the projection in real training, from how often it
    /// changed W_hh (here 3 of 10 iterations) weighted by the measured per-action costs; a range, since the
    /// logs do not say whether the other iterations skipped or checked. Logs without a projection are left out.
    func testShareFromLogs() throws {
        let dir = try Executables.temporaryDirectory(self)
        let logs = dir.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        func log(_ name: String, _ method: String) -> String {
            ["{\"type\":\"run\",\"name\":\"\(name)\",\"method\":\"\(method)\",\"learning_rate\":1,\"epochs\":1,\"metric\":\"perplexity\"}",
             "{\"type\":\"iteration\",\"iteration\":5,\"epoch\":1,\"learning_rate\":1,\"loss\":5,\"gradient_norm\":0.1,\"projected_count\":1,\"seconds\":1}",
             "{\"type\":\"iteration\",\"iteration\":10,\"epoch\":1,\"learning_rate\":1,\"loss\":5,\"gradient_norm\":0.1,\"projected_count\":2,\"seconds\":2}"]
                .joined(separator: "\n") + "\n"
        }
        try log("project0.2-lr1", "project(δ=0.2)").write(to: logs.appendingPathComponent("project0.2-lr1.jsonl"), atomically: true, encoding: .utf8)
        try log("sgd-lr1", "sgd").write(to: logs.appendingPathComponent("sgd-lr1.jsonl"), atomically: true, encoding: .utf8)
        let runs = try LoggedRun.load(directory: logs)
        // Per-action costs: step 1 s, check 10 ms, clip 20 ms; the skip is a synthetic certified step's.
        let (rows, timed) = Self.syntheticTimings(step: 1, check: 0.01, clip: 0.02, skip: 0.001)
        let estimates = try Chapter07.Estimates(rows: rows, timed: timed, runs: [], hidden: 16, threshold: 1.8, seed: 1)
        var values = RecordedValues()
        let notes = Chapter07.paperShares(runs, estimates: estimates, into: &values)
        XCTAssertEqual(notes.count, 1)
        XCTAssertTrue(notes[0].hasPrefix("project0.2-lr1 (paper-scale log): the projection changed W_hh in 30.0 % of 10 iterations"), notes[0])
        // f = 0.3: low = 0.3·clip + 0.7·skip, high = 0.3·clip + 0.7·check, each over 1 s + itself.
        let low = 0.3 * 0.02 + 0.7 * estimates.skipSeconds, high = 0.3 * 0.02 + 0.7 * 0.01
        XCTAssertEqual(values["paper.project0.2-lr1.share"], String(format: "%.1f–%.1f %%", 100 * low / (1 + low), 100 * high / (1 + high)))
        XCTAssertNil(values["paper.sgd-lr1.share"])
        // A folder that is not there is refused, naming it.
        XCTAssertThrowsError(try LoggedRun.load(directory: dir.appendingPathComponent("none"))) { error in
            XCTAssertTrue("\(error)".contains("none") && "\(error)".contains("cannot read the folder"), "\(error)")
        }
    }

    /// Timed rows and samples with the given seconds: plain SGD's iteration, the leading-eigenpairs
    /// row's projection (a check), the active row's (a clip) and the automatic row's (without a report:
    /// no timed iteration skipped).
    static func syntheticTimings(step: Double, check: Double, clip: Double, skip: Double)
        -> ([Chapter07.IterationTime], [Chapter07.Treatment: [Chapter07.IterationSample]]) {
        var timed: [Chapter07.Treatment: [Chapter07.IterationSample]] = [:]
        for t in Chapter07.Treatment.allCases {
            let p: Double = switch t { case .projectLeading: check; case .projectActive: clip; case .projectAutomatic: skip; default: 0 }
            timed[t] = [Chapter07.IterationSample(total: step + p, projection: p, report: nil)]
        }
        return (Chapter07.iterationRows(timed), timed)
    }

    /// The iteration rows from timed samples: fastest, median and slowest, the projection's part, the share.
    func testIterationRowsAndEstimates() throws {
        let (rows, timed) = Self.syntheticTimings(step: 1, check: 0.01, clip: 0.02, skip: 0.001)
        XCTAssertEqual(rows.map(\.name), ["sgd", "clip", "project-svd", "project-leading", "project-active", "project-automatic"])
        XCTAssertEqual(rows[0].projection, 0)
        XCTAssertEqual(rows[3].share, 0.01 / 1.01, accuracy: 1e-15)
        // An activity run half skipped, a quarter checked, a quarter clipped: 0.5·skip + 0.25·10 + 0.25·20 ms.
        let actions: [ProjectionReport.Action] = [.skipped, .skipped, .unchanged, .projected(clipped: 2)]
        let run = Chapter07.ActivityRun(learningRate: 40, records: actions.enumerated().map { i, a in
            Chapter07.ActivityRecord(iteration: i + 1, action: a, projection: 0.001, total: 0.1)
        }, largestCheckedSigma: 1.8, checks: 4, stoppedAt: nil)
        let estimates = try Chapter07.Estimates(rows: rows, timed: timed, runs: [run], hidden: 16, threshold: 1.8, seed: 1)
        let p = 0.5 * estimates.skipSeconds + 0.25 * 0.01 + 0.25 * 0.02
        XCTAssertGreaterThan(estimates.skipSeconds, 0)
        XCTAssertEqual(estimates.runs[0].projection, p, accuracy: 1e-15)
        XCTAssertEqual(estimates.rows.map(\.name), ["estimate-lr40"])
        XCTAssertEqual(estimates.rows[0].seconds, 1 + p, accuracy: 1e-15)
        XCTAssertNotNil(estimates.note, "no timed iteration was skipped: the note says the skip cost is a synthetic step's")
        let files = Chapter07.activityFiles(estimates, threshold: 1.8, realData: false, runHidden: 16, runIterations: 4, hidden: 16)
        let summary = Chapter04Tests.blocks(files.summary)
        XCTAssertEqual(summary[0].rows.first, ["40", "4", "2", "1", "1", "2", "0.01", DataTable.format(p / (1 + p))])
        XCTAssertEqual(Chapter04Tests.blocks(files.data)[0].rows.map { $0[2] }, ["skipped", "skipped", "unchanged", "clipped"])
        XCTAssertEqual(Chapter07.timingNotes(timed)[1],
                       "project-automatic, as trained: 0 of 0 timed iterations skipped by the Weyl certificate, 0 checked and unchanged, 0 clipped.")
    }

    func testBadFlagsAreNamed() throws {
        for (args, flag) in [(["--iterations", "0"], "--iterations"), (["--lr", "1,abc"], "--lr"), (["--lr", "-3"], "--lr"),
                             (["--sizes", "64,1.5"], "--sizes"), (["--hidden", "1"], "--hidden"),
                             (["--vocabulary", "10"], "--vocabulary"), (["--delta", "2"], "--delta"), (["--bogus"], "--bogus"),
                             (["--activity-iterations", "100001"], "--activity-iterations")] {
            XCTAssertThrowsError(try Chapter07.Options.parse(args), "\(args)") { error in
                let message = Chapter07.Options.message(for: error)
                XCTAssertTrue(message.contains(flag), "\(args): \(message)")
            }
        }
        XCTAssertThrowsError(try Chapter07.Options.parse(["--hidden", "4096", "--random-tokens", "--vocabulary", "1000000"]).checkMemory(paper: false))
        let defaults = try Chapter07.Options.parse([])
        XCTAssertEqual(defaults.projectionSizes(paper: false), [64, 128, 256, 512, 650])
        XCTAssertEqual(defaults.learningRates, [1, 40])
        XCTAssertEqual(defaults.timedIterations(paper: true), 30)
    }

    /// The figures' keys sit below the axes, where they cover no bar, label or point.
    func testFigureKeysSitBelow() {
        let (rows, _) = Self.syntheticTimings(step: 1, check: 0.01, clip: 0.02, skip: 0.001)
        let time = Chapter07.iterationTimeFigure(rows, hidden: 16, vocabulary: 50, measuredCount: rows.count, realData: false)
        let vsN = Chapter07.projectionFigure(sizes: [8, 16], names: Chapter07.ProjectionAgainstN.names, stepMilliseconds: 3, hidden: 16,
                                             smallest: 2e-5)
        for figure in [time, vsN] {
            guard case .custom(let key) = figure.panels[0].key else { return XCTFail("\(figure.panels[0].key)") }
            XCTAssertTrue(key.hasPrefix("below"), key)
        }
        XCTAssertEqual(vsN.panels[0].yRange?.lowerBound, 1e-5, "the range reaches the fastest time drawn")
    }
}
