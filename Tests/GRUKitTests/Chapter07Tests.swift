import Foundation
import XCTest
import GRUKitChapterSupport
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
        let out = dir.appendingPathComponent("tmp")
        let r = try Executables.run("ch07-cost", [
            "--out", out.path, "--no-render", "--random-tokens", "--vocabulary", "50", "--hidden", "16", "--iterations", "2",
            "--activity-hidden", "16", "--activity-iterations", "3", "--lr", "1", "--sizes", "16", "--repeats", "1", "--from-logs", logs.path,
        ], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("project0.2-lr1 (paper-scale log): the projection changed W_hh in 30.0 % of 10 iterations"), r.stdout)
        let values = try RecordedValues(contentsOf: out.appendingPathComponent("values.tsv"))
        let range = try XCTUnwrap(values["paper.project0.2-lr1.share"])
        let bounds = range.dropLast(2).split(separator: "–").compactMap { Double($0) }
        XCTAssertEqual(bounds.count, 2, range)
        XCTAssertTrue(bounds.count == 2 && 0 < bounds[0] && bounds[0] <= bounds[1] && bounds[1] < 100, range)
        XCTAssertNil(values["paper.sgd-lr1.share"])
        // A folder that is not there stops the chapter before it times anything.
        let bad = try Executables.run("ch07-cost", ["--out", out.path, "--no-render", "--from-logs", dir.appendingPathComponent("none").path], in: dir)
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("none") && bad.stderr.contains("cannot read the folder"), bad.stderr)
    }

    func testBadFlagsAreNamed() throws {
        let dir = try Executables.temporaryDirectory(self)
        let out = dir.appendingPathComponent("tmp").path
        for (args, flag) in [(["--iterations", "0"], "--iterations"), (["--lr", "1,abc"], "--lr"), (["--lr", "-3"], "--lr"),
                             (["--sizes", "64,1.5"], "--sizes"), (["--hidden", "1"], "--hidden"),
                             (["--vocabulary", "10"], "--vocabulary"), (["--delta", "2"], "--delta"), (["--bogus"], "--bogus")] {
            let r = try Executables.run("ch07-cost", ["--out", out, "--no-render"] + args, in: dir)
            XCTAssertNotEqual(r.status, 0, "\(args)")
            XCTAssertTrue(r.stderr.contains(flag), "\(args): \(r.stderr)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/iteration-time.dat"), "nothing written after a bad flag")
    }
}
