import Foundation
import XCTest
import GRUKit

/// `--resume` continues a run only on the data it was trained on (the fingerprint holds a CRC-32 of
/// each split, not only their sizes), and a checkpoint's counts near `Int.max` are refused instead
/// of trapping when the run adds to them.
final class ReliabilityResumeDataTests: XCTestCase {
    func testResumingWithAnotherCorpusOfTheSameSizesIsRefusedAndChangesNothing() throws {
        let dir = try Executables.temporaryDirectory(self)
        let a = dir.appendingPathComponent("a"), b = dir.appendingPathComponent("b")
        try TrainingFixtures.writePTB(in: a)
        try TrainingFixtures.writePTB(in: b)
        // Corpus b: lines 2 and 3 of the training text swapped: same words, same sizes, other content.
        let train = b.appendingPathComponent(PennTreebank.trainFile)
        var lines = try String(contentsOf: train, encoding: .utf8).components(separatedBy: "\n")
        XCTAssertNotEqual(lines[1], lines[2])
        lines.swapAt(1, 2)
        try lines.joined(separator: "\n").write(to: train, atomically: true, encoding: .utf8)

        let out = dir.appendingPathComponent("out")
        let first = try Executables.run("ch05-penn-treebank", Chapter05Tests.tiny(a, out) + ["--lr", "1", "--stop-after", "1"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let before = DiskSnapshot(out)
        let other = try Executables.run("ch05-penn-treebank", Chapter05Tests.tiny(b, out) + ["--lr", "1", "--resume"])
        XCTAssertEqual(other.status, 1, other.stdout)
        XCTAssertTrue(other.stderr.contains("train_crc32: checkpoint "), other.stderr)
        XCTAssertFalse(other.stderr.contains("valid_crc32"), other.stderr)
        before.assertUnchanged(out, "a resume refused for other data")
        // The same corpus resumes.
        let same = try Executables.run("ch05-penn-treebank", Chapter05Tests.tiny(a, out) + ["--lr", "1", "--resume"])
        XCTAssertEqual(same.status, 0, same.stderr)
        XCTAssertTrue(same.stderr.contains("resuming after epoch 1"), same.stderr)
    }

    func testCountsNearIntMaxInAVerifiedCheckpointAreRefused() throws {
        let dir = try Executables.temporaryDirectory(self)
        let trainer = Trainer(configuration: TrainingFixtures.tinyConfiguration(), task: try TrainingFixtures.tinyTask(), directory: dir)
        trainer.stopAfterEpochs = 1
        _ = try trainer.run()
        for (key, value) in [("iteration", Int.max), ("iteration", Int.max - 1), ("epoch", Int.max)] {
            var saved = try Checkpoint(contentsOf: trainer.checkpointURL)
            if key == "iteration" { saved.iteration = value } else { saved.epoch = value }
            let copy = dir.appendingPathComponent("absurd.checkpoint.safetensors")
            try saved.write(to: copy)  // checksums recomputed: the file verifies, only the count is absurd
            XCTAssertThrowsError(try Checkpoint(contentsOf: copy)) { error in
                XCTAssertEqual("\(error)", "\(copy.path): unusable checkpoint: the metadata entry \"\(key)\" is \(value), more than 2^53: "
                               + "not a count a run can reach (delete it to start the run afresh)")
            }
        }
    }
}
