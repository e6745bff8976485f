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

    func testProgressLineOnATerminal() {
        var now = 0.0
        var written: [String] = []
        let p = ProgressBar(total: 1000, label: "training", unit: "tok", isTerminal: true,
                         clock: { now }, write: { written.append($0) })
        now = 2
        p.advance(by: 500)
        XCTAssertEqual(written.last, "\rtraining  [██████████░░░░░░░░░░]   500/1000  250 tok/s  ETA 0:02\u{1B}[K")
        now = 2.05
        p.advance(by: 1)   // within 0.1 s of the last drawing: not redrawn
        XCTAssertEqual(written.count, 1)
        now = 4
        p.advance(by: 499)
        p.finish()
        XCTAssertEqual(written.last, "\rtraining  [████████████████████]  1000/1000  250 tok/s  done 0:04\u{1B}[K\n")
        p.finish()
        XCTAssertEqual(written.count, 3)
    }

    func testProgressIsQuietWithoutATerminal() {
        var now = 0.0
        var written: [String] = []
        let p = ProgressBar(total: 10, label: "epochs", unit: "epoch", isTerminal: false,
                         clock: { now }, write: { written.append($0) })
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
