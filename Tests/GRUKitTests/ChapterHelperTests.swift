import Foundation
import XCTest
import GRUKit
import GRUKitChapterSupport
import GRUKitPresentation

/// The chapter conventions: aligned tables, the progress bar, the output folder.
final class ChapterHelperTests: XCTestCase {
    func testTableAlignsNumbersRight() {
        var t = TextTable(title: "Fixed points", columns: ["w_hh", "origin", "h*"], formats: ["%.1f", "", "%.4f"])
        t.add([1.5, "stable", .empty])
        t.add([2.5, "unstable", .number(0.7104117834878702)])
        t.add([10, "unstable", .number(.nan)])
        XCTAssertEqual(t.render(), """
            Fixed points
              w_hh  origin        h*
              ──────────────────────
               1.5  stable         —
               2.5  unstable  0.7104
                10  unstable     NaN
            """)
    }

    /// Which streams are terminals decides where progress goes: the bar on standard error when that
    /// is a terminal (also when standard output is a pipe, as under `make`), the plain lines on
    /// standard output unless both are terminals (the bar says it there).
    func testProgressOutputFollowsWhichStreamsAreTerminals() {
        for (stdoutIsTerminal, stderrIsTerminal, drawsBar, printsLines) in [
            (true, true, true, false),     // a terminal: the bar alone
            (false, true, true, true),     // make: stdout piped through tee, the bar on the terminal
            (false, false, false, true),   // a log or CI: lines only
            (true, false, false, true),    // stderr redirected: lines on the terminal
        ] {
            var asked: [Int32] = []
            let output = ProgressOutput(isTerminal: { fd in
                asked.append(fd)
                return fd == STDOUT_FILENO ? stdoutIsTerminal : fd == STDERR_FILENO ? stderrIsTerminal : false
            }, bar: { _ in }, lines: { _ in })
            let what = "stdout \(stdoutIsTerminal ? "terminal" : "not"), stderr \(stderrIsTerminal ? "terminal" : "not")"
            XCTAssertEqual(output.drawsBar, drawsBar, what)
            XCTAssertEqual(output.printsLines, printsLines, what)
            XCTAssertTrue(asked.allSatisfy { $0 == STDOUT_FILENO || $0 == STDERR_FILENO }, "\(asked)")
        }
        // The default asks the process's own streams (the test runner's are pipes or a terminal).
        let real = ProgressOutput()
        XCTAssertEqual(real.drawsBar, isatty(STDERR_FILENO) == 1)
        XCTAssertEqual(real.printsLines, !(isatty(STDERR_FILENO) == 1 && isatty(STDOUT_FILENO) == 1))
    }

    /// A bar run with both streams on `isTerminal`, recording what each stream receives.
    private func runBar(stdout: Bool, stderr: Bool, summary: Bool = true) -> (bar: [String], lines: [String]) {
        var now = 0.0
        var bar: [String] = [], lines: [String] = []
        let output = ProgressOutput(isTerminal: { $0 == STDOUT_FILENO ? stdout : stderr },
                                    bar: { bar.append($0) }, lines: { lines.append($0) })
        let p = ProgressBar(total: 1000, label: "training", unit: "tok", summary: summary, output: output, clock: { now })
        now = 2
        p.advance(by: 500)
        now = 2.05
        p.advance(by: 1)   // within 0.1 s of the last drawing: not redrawn
        now = 4
        p.advance(by: 499)
        p.finish()
        p.finish()
        return (bar, lines)
    }

    func testProgressLineOnATerminal() {
        let (bar, lines) = runBar(stdout: true, stderr: true)
        XCTAssertEqual(bar, ["\rtraining  [██████████░░░░░░░░░░]   500/1000  250 tok/s  ETA 0:02\u{1B}[K",
                             "\rtraining  [████████████████████]  1000/1000  250 tok/s  done 0:04\u{1B}[K",
                             "\rtraining  [████████████████████]  1000/1000  250 tok/s  done 0:04\u{1B}[K\n"])
        XCTAssertEqual(lines, [])
    }

    /// Standard output piped (as `make` pipes a chapter through `tee`), standard error a terminal:
    /// the bar is drawn on standard error, cleared at the end, and standard output receives exactly
    /// what it receives without any terminal.
    func testProgressOnStandardErrorUnderMakeLeavesStandardOutputAsInALog() {
        let make = runBar(stdout: false, stderr: true), log = runBar(stdout: false, stderr: false)
        XCTAssertEqual(make.bar.count, 3)
        XCTAssertTrue(make.bar[0].hasPrefix("\rtraining  [██████████░░░░░░░░░░]   500/1000"), make.bar[0])
        XCTAssertEqual(make.bar.last, "\r\u{1B}[K")
        XCTAssertEqual(make.lines, ["training: 1000 tok in 4.00 s (250 tok/s)\n"])
        XCTAssertEqual(make.lines, log.lines)
        XCTAssertEqual(log.bar, [])
        // Without a summary the finished bar stays on its line and standard output gets nothing.
        let quiet = runBar(stdout: false, stderr: true, summary: false)
        XCTAssertEqual(quiet.lines, [])
        XCTAssertEqual(quiet.bar.last, "\rtraining  [████████████████████]  1000/1000  250 tok/s  done 0:04\u{1B}[K\n")
    }

    func testProgressIsQuietWithoutATerminal() {
        var now = 0.0
        var written: [String] = []
        let output = ProgressOutput(isTerminal: { _ in false }, bar: { written.append("bar: " + $0) }, lines: { written.append($0) })
        let p = ProgressBar(total: 10, label: "epochs", unit: "epoch", output: output, clock: { now })
        for _ in 0..<10 { now += 0.5; p.advance() }
        XCTAssertTrue(written.isEmpty)
        p.finish()
        XCTAssertEqual(written, ["epochs: 10 epoch in 5.00 s (2.00 epoch/s)\n"])
    }

    func testHumanRates() {
        XCTAssertEqual(ProgressBar.line(label: "x", count: 0, total: 4, unit: "it", elapsed: 0),
                       "x  [░░░░░░░░░░░░░░░░░░░░]  0/4  0.00 it/s  ETA --:--")
        XCTAssertEqual(ProgressBar.summaryLine(label: "x", count: 3_410_000, unit: "tok", elapsed: 1),
                       "x: 3410000 tok in 1.00 s (3.41M tok/s)")
    }

    /// An --out that is a file is refused with a message naming the flag.
    func testOutputFolderThatIsAFile() throws {
        let dir = try Executables.temporaryDirectory(self)
        let file = dir.appendingPathComponent("taken")
        try Data("x".utf8).write(to: file)
        let options = try ChapterOptions.parse(["--out", file.path])
        XCTAssertThrowsError(try ChapterOutput(options: options, slug: "00-test")) { error in
            XCTAssertTrue("\(error)".contains("--out"), "\(error)")
            XCTAssertTrue("\(error)".contains("not a folder"), "\(error)")
        }
    }

    /// ChapterOutput creates the folder, writes tables and figures, and lists what it wrote.
    func testOutputWritesAndLists() throws {
        let dir = try Executables.temporaryDirectory(self)
        let out = dir.appendingPathComponent("nested/01-x")
        let output = try ChapterOutput(options: try ChapterOptions.parse(["--out", out.path, "--no-render"]), slug: "01-x")
        var t = DataTable(columns: ["a"])
        t.append(1)
        try output.write(t, name: "t.dat")
        try output.write(FigureTests.single())
        XCTAssertEqual(output.written.map(\.lastPathComponent), ["t.dat", "square.gp", "square.dat"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("square.png").path))
    }
}
