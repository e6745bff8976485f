import Foundation
import XCTest
import GRUKit

/// Chapter 6 run as a user runs it, on generated piano rolls in the text format, plus one run
/// on the real Nottingham data that skips when it is absent.
final class Chapter06Tests: XCTestCase {
    static func tiny(_ data: URL, _ out: URL) -> [String] {
        ["--data", data.path, "--out", out.path, "--no-render", "--format", "text", "--hidden", "8", "--epochs", "2",
         "--limit-windows", "3", "--log-every", "2", "--seeds", "1"]
    }

    func testSweepWritesLogsTableAndRecordsADivergence() throws {
        let dir = try Executables.temporaryDirectory(self)
        let data = dir.appendingPathComponent("data"), out = dir.appendingPathComponent("out")
        try TrainingFixtures.writeMusic(in: data)
        let r = try Executables.run("ch06-nottingham", Self.tiny(data, out) + ["--sweep", "--methods", "none,clip", "--lrs", "1e9,0.5"])
        XCTAssertEqual(r.status, 0, r.stderr)
        for name in ["sgd-lr1000000000", "clip5-lr1000000000", "sgd-lr0.5", "clip5-lr0.5"] {
            TrainingFixtures.assertWellFormed(try TrainingFixtures.log(out, name), metric: "nll")
        }
        XCTAssertEqual(try TrainingFixtures.log(out, "sgd-lr1000000000").last?.type, "diverged")
        let trained = try TrainingFixtures.log(out, "sgd-lr0.5")
        XCTAssertEqual(trained.last?.type, "test")
        // NLL per frame of random rolls (keys on with p = 0.1): near 88·H(0.1) ≈ 28.6 nats once the
        // biases learn the rate, and below the uniform guess 88·ln 2 ≈ 61 in any case.
        let nll = try XCTUnwrap(trained.last?.double("test_nll"))
        XCTAssertGreaterThan(nll, 20)
        XCTAssertLessThan(nll, 61)
        let md = try String(contentsOf: out.appendingPathComponent("results.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("diverged (epoch 1") && md.contains("| clip5-lr0.5 |"), md)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("valid-nll.gp").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("gradient-dynamics.gp").path))
    }

    func testResumedRunEqualsUninterruptedRun() throws {
        let dir = try Executables.temporaryDirectory(self)
        let data = dir.appendingPathComponent("data")
        try TrainingFixtures.writeMusic(in: data)
        let straight = dir.appendingPathComponent("a"), resumed = dir.appendingPathComponent("b")
        // Epochs of different shuffles: the shuffling generator must be restored exactly.
        let run = ["--method", "project", "--lr", "0.5"]
        XCTAssertEqual(try Executables.run("ch06-nottingham", Self.tiny(data, straight) + run).status, 0)
        XCTAssertEqual(try Executables.run("ch06-nottingham", Self.tiny(data, resumed) + run + ["--stop-after", "1"]).status, 0)
        let r = try Executables.run("ch06-nottingham", Self.tiny(data, resumed) + run + ["--resume"])
        XCTAssertEqual(r.status, 0, r.stderr)
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
        let r = try Executables.run("ch06-nottingham", Self.tiny(data, dir.appendingPathComponent("out")) + ["--method", "none"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains(valid.path + ":2"), r.stderr)
        let missing = try Executables.run("ch06-nottingham", ["--data", dir.appendingPathComponent("nowhere").path, "--no-render",
                                                              "--out", dir.appendingPathComponent("out").path])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("Nottingham.mat"), missing.stderr)
    }

    func testRealNottinghamRunsWhenTheDataIsPresent() throws {
        let data = try DataFixtures.realData(["nottingham/Nottingham.mat"])
        let out = try Executables.temporaryDirectory(self)
        let r = try Executables.run("ch06-nottingham", ["--data", data.path, "--out", out.path, "--no-render", "--hidden", "8",
                                                       "--epochs", "1", "--limit-windows", "2", "--train-tunes", "40",
                                                       "--eval-tunes", "10", "--method", "project"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let records = try TrainingFixtures.log(out, "project0.2-lr1")
        TrainingFixtures.assertWellFormed(records, metric: "nll")
        let nll = try XCTUnwrap(records.last?.double("test_nll"))
        XCTAssertGreaterThan(nll, 2)
        XCTAssertLessThan(nll, 88 * log(2.0) + 1)
    }
}
