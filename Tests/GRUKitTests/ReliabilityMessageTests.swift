import ArgumentParser
import Foundation
import XCTest
import GRUKit

/// Hostile files and flags that used to get misleading messages: each now gets one that says what
/// is wrong with which file or flag, exits non-zero, and changes nothing on disk.
final class ReliabilityMessageTests: XCTestCase {
    func fifo(_ path: URL) {
        try? FileManager.default.removeItem(at: path)
        XCTAssertEqual(mkfifo(path.path, 0o644), 0, "mkfifo \(path.path)")
    }

    // MARK: inputs that are not regular files

    func testAFIFOOrADeviceAsADataFileIsCalledWhatItIs() throws {
        let dir = try Executables.temporaryDirectory(self)
        let data = dir.appendingPathComponent("data"), out = dir.appendingPathComponent("out")
        try TrainingFixtures.writePTB(in: data)
        let valid = data.appendingPathComponent(PennTreebank.validFile)
        fifo(valid)
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let before = DiskSnapshot(dir)
        let r = try Executables.run("ch05-penn-treebank", Chapter05Tests.tiny(data, out) + ["--lr", "1"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("Cannot read \(valid.path): it is a FIFO (named pipe), not a regular file"), r.stderr)
        XCTAssertFalse(r.stderr.lowercased().contains("permission"), r.stderr)
        before.assertUnchanged(dir, "a refused chapter run")
        // A device behind a symbolic link, read in-process.
        try FileManager.default.removeItem(at: valid)
        try FileManager.default.createSymbolicLink(at: valid, withDestinationURL: URL(fileURLWithPath: "/dev/zero"))
        DataFixtures.assertDataError(try PennTreebank(directory: DataDirectory(path: data.path, source: .option)),
                                     contains: [valid.path, "it is a character device, not a regular file"])
    }

    func testGruRefusesAFIFOAndADeviceAsItsModel() throws {
        let dir = try Executables.temporaryDirectory(self)
        fifo(dir.appendingPathComponent("pipe.safetensors"))
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("zero.safetensors").path, withDestinationPath: "/dev/zero")
        let before = DiskSnapshot(dir)
        for (name, says) in [("pipe.safetensors", "pipe.safetensors: it is a FIFO (named pipe), not a regular file"),
                             ("zero.safetensors", "zero.safetensors: it is a character device, not a regular file")] {
            let r = try Executables.run("gru", ["inspect", name], in: dir)
            XCTAssertEqual(r.status, 1, r.stderr)
            XCTAssertTrue(r.stderr.contains(says), r.stderr)
        }
        before.assertUnchanged(dir, "gru inspect")
    }

    func testAFolderNamedLikeADataFileIsCalledAFolder() throws {
        let dir = try Executables.temporaryDirectory(self)
        let data = dir.appendingPathComponent("data"), out = dir.appendingPathComponent("out")
        try TrainingFixtures.writePTB(in: data)
        let train = data.appendingPathComponent(PennTreebank.trainFile)
        try FileManager.default.removeItem(at: train)
        try FileManager.default.createDirectory(at: train, withIntermediateDirectories: false)
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let before = DiskSnapshot(dir)
        let r = try Executables.run("ch05-penn-treebank", Chapter05Tests.tiny(data, out) + ["--lr", "1"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("Cannot read \(train.path): it is a folder, not a file"), r.stderr)
        XCTAssertFalse(r.stderr.contains("Missing data file"), r.stderr)
        before.assertUnchanged(dir, "a refused chapter run")
    }

    // MARK: Foundation's bare error codes

    func testAFileInPlaceOfTheRunsFolderIsNamedNotACocoaCode() throws {
        let dir = try Executables.temporaryDirectory(self)
        let blocker = dir.appendingPathComponent("runs")
        try Data("not a folder".utf8).write(to: blocker)
        let before = DiskSnapshot(dir)
        XCTAssertThrowsError(try Trainer(configuration: TrainingFixtures.tinyConfiguration(), task: TrainingFixtures.tinyTask(),
                                         directory: blocker).run()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("Cannot write \(blocker.path): it is a file, not a folder"), text)
            XCTAssertFalse(text.contains("NSCocoaErrorDomain"), text)
        }
        XCTAssertThrowsError(try Trainer(configuration: TrainingFixtures.tinyConfiguration(), task: TrainingFixtures.tinyTask(),
                                         directory: blocker.appendingPathComponent("deeper")).run()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("\(blocker.path) is a file, not a folder"), text)
            XCTAssertFalse(text.contains("NSCocoaErrorDomain"), text)
        }
        before.assertUnchanged(dir, "a refused run")
        // A bare code without a path to look at is still put in words.
        XCTAssertEqual(AtomicFile.reason(CocoaError(.fileWriteUnknown)), "the file could not be written (the system gave no reason)")
        XCTAssertEqual(AtomicFile.reason(CocoaError(.fileReadUnknown)), "the file could not be read (the system gave no reason)")
    }
}
