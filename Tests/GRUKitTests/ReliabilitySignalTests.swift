import Foundation
import XCTest
import GRUKit

/// SIGTERM to a chapter training outside an array task is handled as SIGINT: the process ends with
/// the signal (the partial epoch is lost), its `.lock` is removed, and `--resume` continues from the
/// last epoch checkpoint.
final class ReliabilitySignalTests: XCTestCase {
    func testSIGTERMLeavesNoLockAndTheRunResumes() throws {
        let dir = try Executables.temporaryDirectory(self)
        let data = dir.appendingPathComponent("data")
        try TrainingFixtures.writePTB(in: data)
        let out = dir.appendingPathComponent("out")
        let runs = out.appendingPathComponent("runs")
        var args = Chapter05Tests.tiny(data, out) + ["--lr", "1"]
        args[try XCTUnwrap(args.firstIndex(of: "--epochs")) + 1] = "1000"  // far more than it will train
        let process = Process()
        process.executableURL = Executables.productsDirectory.appendingPathComponent("ch05-penn-treebank")
        process.arguments = args
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait for the lock and a first epoch (a checkpoint to resume from).
        let log = runs.appendingPathComponent("sgd-lr1.jsonl"), lock = runs.appendingPathComponent("sgd-lr1.lock")
        var ready = false
        for _ in 0 ..< 1200 where process.isRunning {
            if FileManager.default.fileExists(atPath: lock.path),
               let text = try? String(contentsOf: log, encoding: .utf8), text.contains(#""type":"epoch""#) { ready = true; break }
            usleep(50_000)
        }
        XCTAssertTrue(ready, "the run did not reach its first epoch")
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)
        XCTAssertEqual(process.terminationStatus, SIGTERM)
        XCTAssertFalse(FileManager.default.fileExists(atPath: lock.path), "SIGTERM left \(lock.lastPathComponent) behind")
        let saved = try Checkpoint(contentsOf: runs.appendingPathComponent("sgd-lr1.checkpoint.safetensors"))
        XCTAssertGreaterThanOrEqual(saved.epoch, 1)
        let resumed = try Executables.run("ch05-penn-treebank", args + ["--resume", "--stop-after", "\(saved.epoch + 1)"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("resuming after epoch \(saved.epoch)"), resumed.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: lock.path))
    }

    /// SIGTERM to the parent of `--jobs 2` reaches its children: every child ends and removes its
    /// `.lock`, the parent ends with the signal, and each run keeps an epoch checkpoint for `--resume`.
    func testSIGTERMToTheParentOfJobsStopsItsChildren() throws {
        let dir = try Executables.temporaryDirectory(self)
        let data = dir.appendingPathComponent("data")
        try TrainingFixtures.writePTB(in: data)
        let out = dir.appendingPathComponent("out")
        let runs = out.appendingPathComponent("runs")
        var args = Chapter05Tests.tiny(data, out) + ["--sweep", "--lrs", "1", "--methods", "sgd,project", "--jobs", "2"]
        args[try XCTUnwrap(args.firstIndex(of: "--epochs")) + 1] = "1000"
        let process = Process()
        process.executableURL = Executables.productsDirectory.appendingPathComponent("ch05-penn-treebank")
        process.arguments = args
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let names = ["sgd-lr1", "project0.2-lr1"]
        func lock(_ n: String) -> URL { runs.appendingPathComponent(n + ".lock") }
        var ready = false
        for _ in 0 ..< 2400 where process.isRunning {
            ready = names.allSatisfy { n in
                FileManager.default.fileExists(atPath: lock(n).path)
                    && ((try? String(contentsOf: runs.appendingPathComponent(n + ".jsonl"), encoding: .utf8))?.contains(#""type":"epoch""#) ?? false)
            }
            if ready { break }
            usleep(50_000)
        }
        XCTAssertTrue(ready, "the two runs did not both reach a first epoch")
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)
        XCTAssertEqual(process.terminationStatus, SIGTERM)
        // The children got the signal too: within a few seconds no lock is left.
        for _ in 0 ..< 200 where names.contains(where: { FileManager.default.fileExists(atPath: lock($0).path) }) { usleep(50_000) }
        for n in names { XCTAssertFalse(FileManager.default.fileExists(atPath: lock(n).path), "\(n): SIGTERM to the parent left its lock") }
        for n in names {
            let saved = try Checkpoint(contentsOf: runs.appendingPathComponent(n + ".checkpoint.safetensors"))
            XCTAssertGreaterThanOrEqual(saved.epoch, 1, "\(n): no epoch checkpoint to resume from")
        }
    }
}
