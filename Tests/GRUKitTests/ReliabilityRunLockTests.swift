import Foundation
import XCTest
import GRUKit

/// Two processes training the same run into the same folder: the second is refused at once,
/// naming the holder; a stale lock file is taken over; different runs lock independently.
final class ReliabilityRunLockTests: XCTestCase {
    func testASecondTrainerOfTheSameRunIsRefusedNamingTheHolder() throws {
        let dir = try Executables.temporaryDirectory(self)
        let lock = try RunLock(directory: dir, name: "run")
        let before = DiskSnapshot(dir)
        XCTAssertThrowsError(try Trainer(configuration: TrainingFixtures.tinyConfiguration(), task: TrainingFixtures.tinyTask(),
                                         directory: dir).run()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(dir.appendingPathComponent("run.lock").path), text)
            XCTAssertTrue(text.contains("is being trained by process \(getpid()) on "), text)
        }
        before.assertUnchanged(dir, "a refused run")
        // Another run in the same folder is not held up (a Slurm array's tasks share runs/).
        let other = try Trainer(configuration: TrainingFixtures.tinyConfiguration("other"),
                                task: TrainingFixtures.tinyTask(), directory: dir).run()
        XCTAssertEqual(other.status, .completed)
        lock.release()
        XCTAssertFalse(FileManager.default.fileExists(atPath: lock.url.path), "release removes the lock file")
        XCTAssertEqual(try Trainer(configuration: TrainingFixtures.tinyConfiguration(), task: TrainingFixtures.tinyTask(),
                                   directory: dir).run().status, .completed)
    }

    func testAStaleLockOfADeadProcessIsTakenOver() throws {
        let dir = try Executables.temporaryDirectory(self)
        // A lock file left by a process killed with SIGKILL: its pid written, no flock held.
        try Data("2147483646 gone-host\n".utf8).write(to: dir.appendingPathComponent("run.lock"))
        let r = try Trainer(configuration: TrainingFixtures.tinyConfiguration(), task: TrainingFixtures.tinyTask(),
                            directory: dir).run()
        XCTAssertEqual(r.status, .completed)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("run.lock").path))
    }

    func testTheLockFileMustBeARegularFile() throws {
        let dir = try Executables.temporaryDirectory(self)
        XCTAssertEqual(mkfifo(dir.appendingPathComponent("run.lock").path, 0o644), 0)
        let before = DiskSnapshot(dir)
        XCTAssertThrowsError(try RunLock(directory: dir, name: "run")) { error in
            XCTAssertTrue("\(error)".contains("run.lock: it is a FIFO (named pipe), not a regular file"), "\(error)")
        }
        before.assertUnchanged(dir, "a refused lock")
        // A symbolic link is not followed: its target would be truncated to hold the process id.
        try Data("keep me".utf8).write(to: dir.appendingPathComponent("precious.txt"))
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("other.lock").path, withDestinationPath: "precious.txt")
        let withLink = DiskSnapshot(dir)
        XCTAssertThrowsError(try RunLock(directory: dir, name: "other")) { error in
            XCTAssertTrue("\(error)".contains("other.lock: it is a symbolic link"), "\(error)")
        }
        withLink.assertUnchanged(dir, "a refused lock")
    }

    /// Runs chapter 5 with `arguments` (after the tiny options) while this process holds the lock of
    /// run `sgd-lr1` in its output folder; checks the refusal names the holder and that nothing on disk
    /// changed (for an array task: no `runs/sgd-lr1.failed` for `--collect`, the run has not failed).
    func assertRefusedWhileLocked(_ arguments: [String], _ what: String) throws {
        let dir = try Executables.temporaryDirectory(self)
        let data = dir.appendingPathComponent("data"), out = dir.appendingPathComponent("out")
        try TrainingFixtures.writePTB(in: data)
        let runs = out.appendingPathComponent("runs")
        try FileManager.default.createDirectory(at: runs, withIntermediateDirectories: true)
        let lock = try RunLock(directory: runs, name: "sgd-lr1")
        defer { lock.release() }
        let before = DiskSnapshot(out)
        let r = try Executables.run("ch05-penn-treebank", Chapter05Tests.tiny(data, out) + arguments)
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains(lock.url.path) && r.stderr.contains("is being trained by process \(getpid())"), r.stderr)
        before.assertUnchanged(out, what)
    }

    func testChapter5RefusesToTrainARunAnotherProcessIsTraining() throws {
        try assertRefusedWhileLocked(["--lr", "1"], "a refused chapter run")
    }

    func testASlurmArrayTaskRefusedByTheLockRecordsNoFailure() throws {
        try assertRefusedWhileLocked(["--sweep", "--methods", "none", "--lrs", "1", "--array-task", "0", "--resume"],
                                     "a refused array task")
    }
}
