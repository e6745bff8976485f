import Foundation
import XCTest
import GRUKit

/// Outputs never destroy what is not theirs: a device, FIFO or folder at an output path is refused
/// and left as it was, a symbolic link is followed to its target, and a replaced file keeps its
/// mode and owner (issue: reliability).
final class ReliabilityOutputTests: XCTestCase {
    func mode(_ path: String) -> mode_t {
        var st = stat()
        XCTAssertEqual(lstat(path, &st), 0, path)
        return st.st_mode
    }

    func fifo(_ name: String, in dir: URL) throws -> String {
        let path = dir.appendingPathComponent(name).path
        XCTAssertEqual(mkfifo(path, 0o644), 0, "mkfifo \(path)")
        return path
    }

    func testNonRegularFilesAreRefusedAndLeftAlone() throws {
        let dir = try Executables.temporaryDirectory(self)
        let pipe = try fifo("pipe", in: dir)
        let devnull = dir.appendingPathComponent("null-link").path
        try FileManager.default.createSymbolicLink(atPath: devnull, withDestinationPath: "/dev/null")
        let folder = dir.appendingPathComponent("folder")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        for (path, kind) in [(pipe, "a FIFO (named pipe)"), (devnull, "a character device"), (folder.path, "a folder")] {
            XCTAssertThrowsError(try AtomicFile.write(Array("new".utf8), to: URL(fileURLWithPath: path))) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains(kind) && text.contains("not a regular file") && text.contains(path), text)
            }
        }
        XCTAssertEqual(mode(pipe) & S_IFMT, S_IFIFO)
        XCTAssertEqual(mode(devnull) & S_IFMT, S_IFLNK)
        XCTAssertEqual(mode("/dev/null") & S_IFMT, S_IFCHR)
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)), ["pipe", "null-link", "folder"],
                       "no temporary file is left behind")
    }

    func testASymlinkIsFollowedAndModeAndOwnerAreKept() throws {
        let dir = try Executables.temporaryDirectory(self)
        let real = dir.appendingPathComponent("real.txt"), link = dir.appendingPathComponent("link.txt")
        try Data("old".utf8).write(to: real)
        XCTAssertEqual(chmod(real.path, 0o600), 0)
        // As root the owner can be anyone's: give the file another one and check that it stays.
        let owner: uid_t = geteuid() == 0 ? 4321 : geteuid()
        if geteuid() == 0 { XCTAssertEqual(chown(real.path, owner, 4321), 0) }
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "real.txt")
        try AtomicFile.write("new", to: link)
        XCTAssertEqual(mode(link.path) & S_IFMT, S_IFLNK, "the link stays a link")
        XCTAssertEqual(try String(contentsOf: real, encoding: .utf8), "new")
        XCTAssertEqual(mode(real.path) & 0o7777, 0o600)
        var st = stat()
        XCTAssertEqual(lstat(real.path, &st), 0)
        XCTAssertEqual(st.st_uid, owner)
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)), ["real.txt", "link.txt"])
    }

    func testGruProjectRefusesDevicesAndFIFOsAsOutput() throws {
        let dir = try Executables.temporaryDirectory(self)
        try FileManager.default.copyItem(at: SafetensorsFixtures.url("gru_large.safetensors"), to: dir.appendingPathComponent("m.safetensors"))
        _ = try fifo("pipe", in: dir)
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("full").path, withDestinationPath: "/dev/full")
        for (out, says) in [("pipe", "is a FIFO (named pipe), not a regular file"),
                            ("full", "full: it is a symbolic link to /dev/full, which is a character device, not a regular file")] {
            let r = try Executables.run("gru", ["project", "m.safetensors", "-o", out], in: dir)
            XCTAssertEqual(r.status, 1, r.stderr)
            XCTAssertTrue(r.stderr.contains(says), r.stderr)
        }
        XCTAssertEqual(mode(dir.appendingPathComponent("pipe").path) & S_IFMT, S_IFIFO)
        XCTAssertEqual(mode("/dev/full") & S_IFMT, S_IFCHR)
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)), ["m.safetensors", "pipe", "full"])
    }

    func testGruProjectInPlaceThroughASymlinkProjectsTheRealModel() throws {
        let dir = try Executables.temporaryDirectory(self)
        let real = dir.appendingPathComponent("real.safetensors"), link = dir.appendingPathComponent("link.safetensors")
        try FileManager.default.copyItem(at: SafetensorsFixtures.url("gru_large.safetensors"), to: real)
        XCTAssertEqual(chmod(real.path, 0o600), 0)
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "real.safetensors")
        let r = try Executables.run("gru", ["project", "link.safetensors", "--in-place", "--delta", "0.5"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(mode(link.path) & S_IFMT, S_IFLNK)
        XCTAssertEqual(mode(real.path) & 0o7777, 0o600)
        let s = try SafetensorsFile(contentsOf: real).tensor("weight_hh_l0").rows(8 ..< 12, as: Double.self).singularValues()
        XCTAssertLessThanOrEqual(s.max()!, 1.5 + 1e-6, "the real model is projected")
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)), ["real.safetensors", "link.safetensors"])
    }

    func testTrainingRefusesAFIFOInPlaceOfItsLog() throws {
        let dir = try Executables.temporaryDirectory(self)
        let data = dir.appendingPathComponent("data"), out = dir.appendingPathComponent("out")
        try TrainingFixtures.writePTB(in: data)
        try FileManager.default.createDirectory(at: out.appendingPathComponent("runs"), withIntermediateDirectories: true)
        let pipe = try fifo("sgd-lr1.jsonl", in: out.appendingPathComponent("runs"))
        let r = try Executables.run("ch05-penn-treebank", Chapter05Tests.tiny(data, out) + ["--lr", "1"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("\(pipe)") && r.stderr.contains("is a FIFO (named pipe), not a regular file"), r.stderr)
        XCTAssertEqual(mode(pipe) & S_IFMT, S_IFIFO)
    }
}
