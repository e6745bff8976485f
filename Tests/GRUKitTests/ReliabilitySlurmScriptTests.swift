import Foundation
import XCTest
import GRUKit
import GRUKitChapterSupport

/// The job-array script is safe for any folder: a space, quotes, `%` and `#` in the run folder reach
/// Slurm and bash as the same path, and a line break, which nothing can quote in an `#SBATCH` line,
/// is refused naming the character and the path, with nothing written.
final class ReliabilitySlurmScriptTests: XCTestCase {
    /// The arguments sbatch reads from one `#SBATCH` line, split as sbatch splits them (its
    /// `_get_argument`: a backslash escapes the next character, `"` and `'` group, an unquoted blank
    /// ends an argument, an unquoted `#` starts a comment). An independent reading of the line.
    static func sbatchArguments(_ line: String) -> [String] {
        var args: [String] = [], current = "", inArgument = false
        var quote: Character?, escape = false
        for c in line.dropFirst("#SBATCH".count) {
            if escape { current.append(c); escape = false; inArgument = true; continue }
            if c == "\\" { escape = true; inArgument = true; continue }
            if let q = quote {
                if c == q { quote = nil } else { current.append(c) }
                continue
            }
            if c == "\"" || c == "'" { quote = c; inArgument = true; continue }
            if c == "#" { break }
            if c == " " || c == "\t" {
                if inArgument { args.append(current); current = ""; inArgument = false }
                continue
            }
            current.append(c); inArgument = true
        }
        if inArgument { args.append(current) }
        return args
    }

    /// Slurm's file-name pattern read back: `%%` is `%` (any other `%x` would be replaced).
    static func unpattern(_ s: String) -> String? {
        var out = "", chars = Array(s), k = 0
        while k < chars.count {
            if chars[k] == "%" {
                guard k + 1 < chars.count, chars[k + 1] == "%" else { return nil }
                out.append("%"); k += 2
            } else { out.append(chars[k]); k += 1 }
        }
        return out
    }

    func testAFolderWithASpaceQuotesAPercentAndAHashReachesSlurmAndBashAsItIs() throws {
        let base = try Executables.temporaryDirectory(self)
        let folder = base.appendingPathComponent("my runs 'q' \"d\" pct%j #x $HOME `id`")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // A stand-in for the chapter binary: records its folder and arguments, one per line.
        let program = folder.appendingPathComponent("ch05 stand-in")
        try "#!/bin/bash\n{ pwd; printf '%s\\n' \"$@\"; } > \"$(dirname \"$0\")/called.txt\"\n".write(to: program, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: program.path)
        let logs = folder.appendingPathComponent("slurm")
        let array = SlurmArray(jobName: "ch05-penn-treebank", runNames: ["sgd-lr1", "clip5-lr1"],
                               command: [program.path, "--out", folder.path], workingDirectory: folder.path,
                               logDirectory: logs.path, options: try SlurmOptions.parse([]))
        let url = logs.appendingPathComponent("ch05-penn-treebank.sbatch")
        try array.write(to: url)
        let script = try String(contentsOf: url, encoding: .utf8)

        // What sbatch reads: every #SBATCH line is still one option, the folder as it is.
        let options = script.split(separator: "\n").filter { $0.hasPrefix("#SBATCH") }.map { Self.sbatchArguments(String($0)) }
        XCTAssertTrue(options.allSatisfy { $0.count == 1 }, "\(options)")
        let values = Dictionary(options.map { $0[0] }.map { a -> (String, String) in
            let parts = a.split(separator: "=", maxSplits: 1)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(values["--chdir"], folder.path)
        XCTAssertEqual(values["--output"].flatMap { Self.unpattern($0.replacingOccurrences(of: "/%x-%A_%a.out", with: "")) }, logs.path,
                       values["--output"] ?? "no --output")
        XCTAssertEqual(values["--signal"], "B:USR1@120", "a later #SBATCH line was lost")

        // What bash runs: the program, in the folder, with its arguments intact.
        let r = try Executables.run(url: URL(fileURLWithPath: "/bin/bash"), [url.path], in: folder,
                                    environment: ["SLURM_ARRAY_TASK_ID": "1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let called = try String(contentsOf: folder.appendingPathComponent("called.txt"), encoding: .utf8)
        XCTAssertEqual(called, [folder.path, "--out", folder.path, "--array-task", "1", "--resume"].joined(separator: "\n") + "\n")
    }

    func testALineBreakInTheFolderIsRefusedNamingTheCharacterAndThePath() throws {
        let base = try Executables.temporaryDirectory(self)
        for (name, character) in [("runs\nrm -rf x", "U+000A LINE FEED"), ("runs\rx", "U+000D CARRIAGE RETURN"),
                                  ("runs\u{2028}x", "U+2028 LINE SEPARATOR")] {
            let folder = base.appendingPathComponent(name)
            let before = DiskSnapshot(base)
            let array = SlurmArray(jobName: "ch05-penn-treebank", runNames: ["sgd-lr1"], command: ["/bin/ch05", "--out", "o"],
                                   workingDirectory: folder.path, logDirectory: base.appendingPathComponent("slurm").path,
                                   options: try SlurmOptions.parse([]))
            XCTAssertThrowsError(try array.write(to: base.appendingPathComponent("slurm/a.sbatch"))) { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains(character), message)
                XCTAssertTrue(message.contains(folder.path.debugDescription), message)
                XCTAssertTrue(message.contains("run folder"), message)
            }
            before.assertUnchanged(base, "a refused job script")
        }
        // An argument too (an --out path with a line break).
        let array = SlurmArray(jobName: "j", runNames: ["a"], command: ["/bin/ch05", "--out", "a\nb"], workingDirectory: base.path,
                               logDirectory: base.appendingPathComponent("slurm").path, options: try SlurmOptions.parse([]))
        XCTAssertThrowsError(try array.checkLineBreaks()) { XCTAssertTrue("\($0)".contains("the argument 2"), "\($0)") }
    }
}
