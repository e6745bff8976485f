import Foundation
import XCTest
import GRUKit

/// Chapter 5 run as a user runs it, on a small generated corpus (no real data needed), plus one
/// run on the real PTB that skips when it is absent.
final class Chapter05Tests: XCTestCase {
    /// Options of a run that takes a second or two in a debug build.
    static func tiny(_ data: URL, _ out: URL) -> [String] {
        ["--data", data.path, "--out", out.path, "--no-render", "--hidden", "8", "--epochs", "2", "--limit-windows", "4", "--log-every", "2", "--seeds", "1"]
    }

    func testSweepWritesLogsTableAndRecordsADivergenceWithoutStopping() throws {
        let dir = try Executables.temporaryDirectory(self)
        try TrainingFixtures.writePTB(in: dir.appendingPathComponent("data"))
        let out = dir.appendingPathComponent("out")
        // The huge rate comes first: the sweep must go on to the ordinary one after it diverges.
        let r = try Executables.run("ch05-penn-treebank", Self.tiny(dir.appendingPathComponent("data"), out)
                                    + ["--sweep", "--methods", "none,project", "--lrs", "1e9,1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let names = ["sgd-lr1000000000", "project0.2-lr1000000000", "sgd-lr1", "project0.2-lr1"]
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
        let md = try String(contentsOf: out.appendingPathComponent("results.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("| sgd-lr1000000000 |") && md.contains("diverged (epoch 1"), md)
        // Four windows of a tiny model do not beat the unigram model of the training text: the table says so.
        XCTAssertTrue(md.contains("| sgd-lr1 |") && md.contains("failed to learn (not better than the unigram model)"), md)
        XCTAssertTrue(r.stdout.contains("Trivial predictor: the unigram model of the training tokens scores a validation perplexity of"), r.stdout)
        XCTAssertTrue(md.contains("ours"), "the table must say the numbers are ours")
        let dat = try String(contentsOf: out.appendingPathComponent("results.dat"), encoding: .utf8)
        XCTAssertEqual(dat.split(separator: "\n").filter { !$0.hasPrefix("#") }.count, 4, dat)
        for fig in ["valid-perplexity", "gradient-dynamics"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("\(fig).gp").path), fig)
        }
        XCTAssertTrue(r.stdout.contains("diverged at epoch 1"), r.stdout)
    }

    func testResumedRunEqualsUninterruptedRun() throws {
        let dir = try Executables.temporaryDirectory(self)
        let data = dir.appendingPathComponent("data")
        try TrainingFixtures.writePTB(in: data)
        let straight = dir.appendingPathComponent("straight"), resumed = dir.appendingPathComponent("resumed")
        let run = ["--method", "clip+project", "--lr", "2"]
        let a = try Executables.run("ch05-penn-treebank", Self.tiny(data, straight) + run)
        XCTAssertEqual(a.status, 0, a.stderr)
        let b1 = try Executables.run("ch05-penn-treebank", Self.tiny(data, resumed) + run + ["--stop-after", "1"])
        XCTAssertEqual(b1.status, 0, b1.stderr)
        XCTAssertTrue(b1.stdout.contains("stopped after epoch 1"), b1.stdout)
        XCTAssertEqual(try TrainingFixtures.log(resumed, "clip5+project0.2-lr2").last?.type, "epoch")
        let b2 = try Executables.run("ch05-penn-treebank", Self.tiny(data, resumed) + run + ["--resume"])
        XCTAssertEqual(b2.status, 0, b2.stderr)
        XCTAssertTrue(b2.stdout.contains("resuming after epoch 1"), b2.stdout)
        let logA = try TrainingFixtures.log(straight, "clip5+project0.2-lr2").map(TrainingFixtures.withoutSeconds)
        let logB = try TrainingFixtures.log(resumed, "clip5+project0.2-lr2").map(TrainingFixtures.withoutSeconds)
        XCTAssertEqual(logA.count, logB.count)
        for (x, y) in zip(logA, logB) { XCTAssertEqual(x, y, "\(x.json)\n\(y.json)") }
        XCTAssertEqual(try String(contentsOf: straight.appendingPathComponent("results.md"), encoding: .utf8),
                       try String(contentsOf: resumed.appendingPathComponent("results.md"), encoding: .utf8))
        // The final parameters agree bit for bit.
        let ca = try Checkpoint(contentsOf: straight.appendingPathComponent("runs/clip5+project0.2-lr2.checkpoint.safetensors"))
        let cb = try Checkpoint(contentsOf: resumed.appendingPathComponent("runs/clip5+project0.2-lr2.checkpoint.safetensors"))
        XCTAssertEqual(ca.parameters, cb.parameters)
        XCTAssertEqual(ca.testLoss, cb.testLoss)
        XCTAssertEqual(ca.status, "completed")
        // A resumed completed run is reported, not retrained.
        let again = try Executables.run("ch05-penn-treebank", Self.tiny(data, resumed) + run + ["--resume"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("already completed"), again.stdout)
    }

    func testBadCheckpointAndDataFileGiveClearErrors() throws {
        let dir = try Executables.temporaryDirectory(self)
        let data = dir.appendingPathComponent("data")
        try TrainingFixtures.writePTB(in: data)
        let out = dir.appendingPathComponent("out")
        let run = ["--method", "project", "--lr", "1"]
        let first = try Executables.run("ch05-penn-treebank", Self.tiny(data, out) + run + ["--stop-after", "1"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let checkpoint = out.appendingPathComponent("runs/project0.2-lr1.checkpoint.safetensors")

        // Another configuration: the differing setting is named.
        let other = try Executables.run("ch05-penn-treebank", Self.tiny(data, out) + ["--hidden", "9"] + run + ["--resume"])
        XCTAssertEqual(other.status, 1, other.stderr)
        XCTAssertTrue(other.stderr.contains(checkpoint.path) && other.stderr.contains("hiddenSize"), other.stderr)

        // A truncated checkpoint.
        let bytes = try Data(contentsOf: checkpoint)
        try bytes.prefix(bytes.count / 2).write(to: checkpoint)
        let truncated = try Executables.run("ch05-penn-treebank", Self.tiny(data, out) + run + ["--resume"])
        XCTAssertEqual(truncated.status, 1, truncated.stderr)
        XCTAssertTrue(truncated.stderr.contains(checkpoint.path), truncated.stderr)

        // Garbage.
        try Data("not a checkpoint".utf8).write(to: checkpoint)
        let garbage = try Executables.run("ch05-penn-treebank", Self.tiny(data, out) + run + ["--resume"])
        XCTAssertEqual(garbage.status, 1, garbage.stderr)
        XCTAssertTrue(garbage.stderr.contains(checkpoint.path), garbage.stderr)

        // A binary training file.
        let train = data.appendingPathComponent(PennTreebank.trainFile)
        try Data([0x77, 0x30, 0x00, 0xFF, 0x0A]).write(to: train)
        let bad = try Executables.run("ch05-penn-treebank", Self.tiny(data, out) + run)
        XCTAssertEqual(bad.status, 1, bad.stderr)
        XCTAssertTrue(bad.stderr.contains(train.path), bad.stderr)

        // A bad flag.
        let flag = try Executables.run("ch05-penn-treebank", Self.tiny(data, out) + ["--delta", "3"])
        XCTAssertNotEqual(flag.status, 0)
        XCTAssertTrue(flag.stderr.contains("--delta"), flag.stderr)
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
