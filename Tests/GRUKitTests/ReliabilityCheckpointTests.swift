import Foundation
import XCTest
import GRUKit

/// Checkpoints are verified before a run resumes from them: a damaged tensor, edited metadata,
/// NaN in a parameter, a log that is not the checkpoint's or an old unchecked format is refused
/// with a message naming the file (and the tensor), and nothing on disk changes.
final class ReliabilityCheckpointTests: XCTestCase {
    /// A run stopped after epoch 1 in `dir`: its log `run.jsonl` and checkpoint.
    func stoppedRun(in dir: URL) throws -> (checkpoint: URL, log: URL) {
        let trainer = Trainer(configuration: TrainingFixtures.tinyConfiguration(), task: try TrainingFixtures.tinyTask(), directory: dir)
        trainer.stopAfterEpochs = 1
        XCTAssertEqual(try trainer.run().status, .stopped(epoch: 1))
        return (trainer.checkpointURL, trainer.logURL)
    }

    /// Resumes the run in `dir` and returns the refusal's message (failing when it trains).
    func refusal(_ dir: URL, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            let r = try Trainer(configuration: TrainingFixtures.tinyConfiguration(), task: TrainingFixtures.tinyTask(seed: 9), directory: dir).run(resume: true)
            XCTFail("the damaged checkpoint was resumed: \(r.status)", file: file, line: line)
            return ""
        } catch {
            XCTAssertTrue(error is TrainingError, "\(error)", file: file, line: line)
            return "\(error)"
        }
    }

    func testAFlippedBitInAParameterIsRefusedNamingTheFileAndTheTensor() throws {
        let dir = try Executables.temporaryDirectory(self)
        let (checkpoint, _) = try stoppedRun(in: dir)
        var bytes = [UInt8](try Data(contentsOf: checkpoint))
        let (n, entries) = try SafetensorsFixtures.header(of: bytes)
        let name = "weight_hh_l0"
        let offsets = try XCTUnwrap((entries[name] as? [String: Any])?["data_offsets"] as? [Int])
        bytes[8 + n + offsets[0] + 4] ^= 0x01   // the lowest mantissa bit of one weight: a tiny, silent change
        try Data(bytes).write(to: checkpoint)
        let before = DiskSnapshot(dir)
        let message = refusal(dir)
        XCTAssertTrue(message.contains(checkpoint.path) && message.contains("tensor \"\(name)\" does not match its checksum"), message)
        before.assertUnchanged(dir, "a refused resume")
    }

    func testNaNInAParameterIsRefusedNotReportedAsADivergence() throws {
        let dir = try Executables.temporaryDirectory(self)
        let (checkpoint, _) = try stoppedRun(in: dir)
        // Rewritten through the checkpoint's own writer, so every checksum matches the NaN.
        var saved = try Checkpoint(contentsOf: checkpoint)
        saved.parameters["weight_hh_l0"]!.elements[7] = .nan   // row 1, column 2 of the 15×5 matrix
        try saved.write(to: checkpoint)
        let before = DiskSnapshot(dir)
        let message = refusal(dir)
        XCTAssertTrue(message.contains(checkpoint.path) && message.contains("tensor \"weight_hh_l0\" holds nan at row 1, column 2"), message)
        XCTAssertFalse(message.contains("diverged"), message)
        before.assertUnchanged(dir, "a refused resume")
    }

    func testEditedMetadataAreRefused() throws {
        let dir = try Executables.temporaryDirectory(self)
        let (checkpoint, _) = try stoppedRun(in: dir)
        var file = try SafetensorsFile(contentsOf: checkpoint)
        file.metadata!["iteration"] = "999"
        try file.write(to: checkpoint)
        let before = DiskSnapshot(dir)
        let message = refusal(dir)
        XCTAssertTrue(message.contains(checkpoint.path) && message.contains("its metadata do not match their checksum"), message)
        before.assertUnchanged(dir, "a refused resume")
    }

    func testABadLogOffsetOrAnotherLogIsRefusedBeforeTheLogIsTouched() throws {
        let dir = try Executables.temporaryDirectory(self)
        let (checkpoint, log) = try stoppedRun(in: dir)
        let original = try Checkpoint(contentsOf: checkpoint)
        // An offset inside the log (checksums rewritten): cutting there would destroy the log.
        var wrong = original
        wrong.logOffset -= 17
        try wrong.write(to: checkpoint)
        var before = DiskSnapshot(dir)
        var message = refusal(dir)
        XCTAssertTrue(message.contains(checkpoint.path) && message.contains("its log \(log.path) does not match it"), message)
        before.assertUnchanged(dir, "a refused resume")
        // The right offset, but a log edited before it.
        try original.write(to: checkpoint)
        var text = try Data(contentsOf: log)
        text[40] = text[40] == 0x31 ? 0x32 : 0x31
        try text.write(to: log)
        before = DiskSnapshot(dir)
        message = refusal(dir)
        XCTAssertTrue(message.contains("does not match it: the first \(original.logOffset) bytes have the CRC-32"), message)
        before.assertUnchanged(dir, "a refused resume")
        // An offset beyond the end of the log.
        wrong = original
        wrong.logOffset += 1_000_000
        try wrong.write(to: checkpoint)
        before = DiskSnapshot(dir)
        message = refusal(dir)
        XCTAssertTrue(message.contains("it is not this checkpoint's log"), message)
        before.assertUnchanged(dir, "a refused resume")
    }

    func testAnUncheckedFirstFormatCheckpointIsRefusedClearly() throws {
        let dir = try Executables.temporaryDirectory(self)
        let (checkpoint, _) = try stoppedRun(in: dir)
        var file = try SafetensorsFile(contentsOf: checkpoint)
        file.metadata = (file.metadata ?? [:]).filter { !$0.key.contains("crc32") }
        file.metadata!["format"] = Checkpoint.uncheckedFormat
        try file.write(to: checkpoint)
        let before = DiskSnapshot(dir)
        let message = refusal(dir)
        XCTAssertTrue(message.contains(checkpoint.path) && message.contains("which has no checksums, so it cannot be verified"), message)
        before.assertUnchanged(dir, "a refused resume")
    }

    func testAnIntactCheckpointStillResumesToTheUninterruptedNumbers() throws {
        let dir = try Executables.temporaryDirectory(self)
        let straight = try Trainer(configuration: TrainingFixtures.tinyConfiguration(), task: TrainingFixtures.tinyTask(), directory: dir.appendingPathComponent("a")).run()
        let b = dir.appendingPathComponent("b")
        _ = try stoppedRun(in: b)
        let resumed = try Trainer(configuration: TrainingFixtures.tinyConfiguration(), task: TrainingFixtures.tinyTask(seed: 9), directory: b).run(resume: true)
        XCTAssertEqual(resumed.validLosses, straight.validLosses)
        XCTAssertEqual(resumed.testLoss, straight.testLoss)
        // The log checksum the final checkpoint records is that of the log up to its offset.
        let final = try Checkpoint(contentsOf: b.appendingPathComponent("run.checkpoint.safetensors"))
        let log = try Data(contentsOf: b.appendingPathComponent("run.jsonl"))
        XCTAssertEqual(final.logChecksum, Checksum.crc32(log.prefix(Int(final.logOffset))))
        XCTAssertEqual(Checksum.crc32(Array("123456789".utf8)), 0xCBF4_3926, "the standard CRC-32 check value")
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: b.path)), ["run.jsonl", "run.checkpoint.safetensors"],
                       "no lock file is left behind")
    }
}
