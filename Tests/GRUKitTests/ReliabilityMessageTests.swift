import ArgumentParser
import Foundation
import XCTest
import GRUKit
import GRUKitChapterSupport

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

    // MARK: negative numbers reach validate()

    func testNegativeNumbersAreReadAsValuesEverywhere() throws {
        let dir = try Executables.temporaryDirectory(self)
        for (args, says) in [(["inspect", "m.safetensors", "--top", "-1"], "--top must be at least 1, got -1"),
                             (["inspect", "m.safetensors", "--starts", "-2"], "--starts must be at least 0, got -2"),
                             (["vjp", "m.safetensors", "i.safetensors", "-o", "o.safetensors", "--layer", "-1"], "--layer must be at least 0, got -1")] {
            let r = try Executables.run("gru", args, in: dir)
            XCTAssertEqual(r.status, 64, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(says), "\(args): \(r.stderr)")
            XCTAssertFalse(r.stderr.contains("Missing value"), r.stderr)
        }
        for (args, says) in [(["--cpus-per-task", "-2"], "--cpus-per-task must be at least 1 (got -2)"),
                             (["--max-running", "-1"], "--max-running must be at least 1 (got -1)"),
                             (["--warn-seconds", "-5"], "--warn-seconds must be at least 1 (got -5)"),
                             (["--array-task", "-1"], "--array-task must be at least 0 (got -1)")] {
            do {
                _ = try SlurmOptions.parse(args)
                XCTFail("\(args) accepted")
            } catch {
                XCTAssertTrue(SlurmOptions.message(for: error).contains(says), SlurmOptions.message(for: error))
            }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
    }

    func testChapter7BoundsItsIterationCounts() throws {
        let dir = try Executables.temporaryDirectory(self)
        let out = dir.appendingPathComponent("out")
        for flag in ["--activity-iterations", "--iterations"] {
            let r = try Executables.run("ch07-cost", ["--out", out.path, "--no-render", flag, "9223372036854775807"], in: dir)
            XCTAssertEqual(r.status, 64, r.stderr)
            XCTAssertTrue(r.stderr.contains("\(flag) must be at most 100000 (got 9223372036854775807)"), r.stderr)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
    }

    // MARK: gru inspect

    func write(_ tensors: [(String, [Int], [Double])], to url: URL) throws {
        var file = SafetensorsFile()
        for (name, shape, values) in tensors { file[name] = try SafetensorsTensor(values: values, shape: shape, dtype: .f32) }
        try file.write(to: url)
    }

    func testAnEmptyWeightIsCalledEmptyAndAFileWithoutAGRUFails() throws {
        let dir = try Executables.temporaryDirectory(self)
        try write([("weight_hh_l0", [0, 0], []), ("weight_ih_l0", [0, 3], [])], to: dir.appendingPathComponent("empty.safetensors"))
        try write([("lstm.weight_hh_l0", [8, 2], Array(repeating: 0.1, count: 16))], to: dir.appendingPathComponent("lstm.safetensors"))
        let before = DiskSnapshot(dir)
        let empty = try Executables.run("gru", ["inspect", "empty.safetensors"], in: dir)
        XCTAssertEqual(empty.status, 1, empty.stderr)
        XCTAssertTrue(empty.stderr.contains("empty.safetensors: no GRU layer found"), empty.stderr)
        XCTAssertTrue(empty.stderr.contains("skipped \"weight_hh_l0\": shape 0×0 is empty"), empty.stderr)
        XCTAssertFalse(empty.stderr.contains("LSTM"), empty.stderr)
        let lstm = try Executables.run("gru", ["inspect", "lstm.safetensors", "--json"], in: dir)
        XCTAssertEqual(lstm.status, 1, lstm.stderr)
        XCTAssertTrue(lstm.stderr.contains("no GRU layer found") && lstm.stderr.contains("4H×H: an LSTM layer"), lstm.stderr)
        XCTAssertEqual(lstm.stdout, "")
        before.assertUnchanged(dir, "gru inspect")
    }

    func testTensorNamesAreEscapedNotSentToTheTerminal() throws {
        let dir = try Executables.temporaryDirectory(self)
        let prefix = "\u{1B}]0;owned\u{07}\u{1B}[2J."
        var g = SeededGenerator(seed: 4)
        func values(_ n: Int) -> [Double] { (0 ..< n).map { _ in g.nextUniform() - 0.5 } }
        try write([(prefix + "weight_hh_l0", [6, 2], values(12)), (prefix + "weight_ih_l0", [6, 3], values(18)),
                   ("\u{1B}[31mred.weight_hh_l0", [8, 2], values(16))], to: dir.appendingPathComponent("m.safetensors"))
        let r = try Executables.run("gru", ["inspect", "m.safetensors"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(r.stdout.contains("\u{1B}") || r.stdout.contains("\u{07}"), r.stdout)
        XCTAssertTrue(r.stdout.contains("layer \\u{1B}]0;owned\\u{7}\\u{1B}[2J.l0"), r.stdout)
        XCTAssertTrue(r.stdout.contains("skipped \\u{1B}[31mred.weight_hh_l0: shape 8×2 is not 3H×H"), r.stdout)
        // In error messages too.
        let e = SafetensorsError(file: "m", problem: .missingTensor("a\u{1B}[2Jb\nc"))
        XCTAssertEqual(e.description, "m: no tensor named \"a\\u{1B}[2Jb\\nc\"")
        XCTAssertEqual("plain é name".escapingControlCharacters, "plain é name")
    }

    // MARK: Nottingham splits with nothing to predict

    func testASplitWithoutUsableFramesIsRefusedUpFront() throws {
        let dir = try Executables.temporaryDirectory(self)
        let data = dir.appendingPathComponent("data"), out = dir.appendingPathComponent("out")
        try TrainingFixtures.writeMusic(in: data)
        var g = SeededGenerator(seed: 5)
        let single = (0 ..< 3).map { _ in DataFixtures.randomRoll(steps: 1, using: &g) }
        try MusicText.write(single, to: data.appendingPathComponent("nottingham/valid.txt").path)
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let before = DiskSnapshot(dir)
        let r = try Executables.run("ch06-nottingham", Chapter06Tests.tiny(data, out) + ["--lr", "1"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("the valid split has no usable frames: each of its 3 tunes is at most one frame long"), r.stderr)
        XCTAssertFalse(r.stdout.contains("diverged") || r.stdout.contains("Trained"), r.stdout)
        before.assertUnchanged(dir, "a refused chapter run")
        // The training split, in-process.
        let music = PolyphonicMusic(train: single, valid: [DataFixtures.randomRoll(steps: 5, using: &g)],
                                    test: [DataFixtures.randomRoll(steps: 5, using: &g)])
        let model = GRUSequenceModel<Float>(keys: PianoRoll.keys, hiddenSize: 4, cell: .resetAfter, bias: true, dropout: 0, seed: 1)
        XCTAssertThrowsError(try MusicTask(model: model, music: music, batchSize: 2, steps: 5, shuffleSeed: 1)) { error in
            XCTAssertTrue("\(error)".contains("the train split has no usable frames"), "\(error)")
            XCTAssertTrue("\(error)".contains("nothing to train on"), "\(error)")
        }
    }
}
