import Foundation
import XCTest
@testable import GRUKit
import GRUKitChapterSupport
@testable import GRUKitPresentation

/// The gnuplot-iostream layer under the figures: data files written by `file1d` hold exactly the
/// table's text, a live session draws a figure, inline data goes through `send1d`, and a gnuplot
/// that fails or stops early reaches the caller as an error naming the script.
final class GnuplotSessionTests: XCTestCase {
    private func gnuplot() throws -> URL {
        try XCTUnwrap(Gnuplot.executable)
    }

    /// `file1d` lays the cells out as `DataTable.text` does: comments, index blocks two blank lines
    /// apart, scans one blank line apart, NaN and ±Inf as words.
    func testFile1dWritesExactlyTheTableText() throws {
        let dir = try Executables.temporaryDirectory(self)
        var t = DataTable(columns: ["x", "y"], comments: ["two blocks", "units: none"])
        t.append(0.1, 1.0 / 3)
        t.endScan()
        t.append(2, -2.5e-300)
        t.newBlock(title: "non-finite")
        t.append([.nan, .infinity])
        t.append([-.infinity, 0])
        let url = dir.appendingPathComponent("table.dat")
        try t.write(to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), t.text)
        let files = try FigureTests.single().write(to: dir)
        XCTAssertEqual(try String(contentsOf: try XCTUnwrap(files.data), encoding: .utf8), FigureTests.single().dataText)
        XCTAssertEqual(try String(contentsOf: files.script, encoding: .utf8), FigureTests.single().script)
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        XCTAssertEqual(left, ["square.dat", "square.gp", "table.dat"], "temporary files left behind")
    }

    /// One figure drawn through a live session, the gnuplot-iostream idiom: the data file written by
    /// the session's `file1d`, then the script streamed to gnuplot, which draws the PNG.
    func testFigureRendersThroughALiveSession() throws {
        try XCTSkipUnless(Gnuplot.isInstalled, "gnuplot is not installed")
        let dir = try Executables.temporaryDirectory(self)
        let figure = FigureTests.single()
        let session = try GnuplotSession(gnuplot: try gnuplot(), in: dir)
        try GnuplotSession.file1d(try XCTUnwrap(figure.dataTable), to: dir.appendingPathComponent(figure.dataFileName),
                                  session: session)
        XCTAssertTrue(session.send(figure.script))
        let closing = session.close()
        XCTAssertEqual(closing.status, 0, closing.stderr)
        FigureTests.assertPNG(dir.appendingPathComponent("square.png"))
    }

    /// `send1d` streams inline data to a `plot '-'`; gnuplot reads back the exact values (the library
    /// writes 18 digits) and draws them.
    func testSend1dStreamsInlineData() throws {
        try XCTSkipUnless(Gnuplot.isInstalled, "gnuplot is not installed")
        let dir = try Executables.temporaryDirectory(self)
        let session = try GnuplotSession(gnuplot: try gnuplot(), in: dir)
        session.send("set terminal pngcairo size 400,300\nset output \"inline.png\"\nset print \"-\"\n")
        session.send("plot '-' using 1:2 with linespoints title \"inline\"\n")
        XCTAssertTrue(session.send1d([[0, 0.1], [1, 1.0 / 3], [2, 3.25]]))
        session.send("set output\nprint GPVAL_DATA_Y_MIN, GPVAL_DATA_Y_MAX\n")
        let closing = session.close()
        XCTAssertEqual(closing.status, 0, closing.stderr)
        let numbers = closing.stdout.split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
        XCTAssertEqual(numbers.count, 2, closing.stdout)
        XCTAssertEqual(numbers.first ?? 0, 0.1, accuracy: 1e-15)
        XCTAssertEqual(numbers.last ?? 0, 3.25, accuracy: 1e-15)
        FigureTests.assertPNG(dir.appendingPathComponent("inline.png"))
    }

    /// A gnuplot error while a chapter renders reaches it as a Swift error naming the script, with
    /// gnuplot's own message; the .gp and .dat are written all the same.
    func testGnuplotErrorReachesTheChapterNamingTheScript() throws {
        try XCTSkipUnless(Gnuplot.isInstalled, "gnuplot is not installed")
        let dir = try Executables.temporaryDirectory(self)
        let output = try ChapterOutput(options: try ChapterOptions.parse(["--out", dir.path]), slug: "01-x")
        var figure = FigureTests.single()
        figure.panels[0].command("set nonsense 42")
        XCTAssertThrowsError(try output.write(figure)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(dir.appendingPathComponent("square.gp").path), text)
            XCTAssertTrue(text.contains("unrecognized option"), "gnuplot's message is missing: \(text)")
            XCTAssertTrue(text.contains("line"), "gnuplot's message should name the line: \(text)")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("square.gp").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("square.dat").path))
    }

    /// A gnuplot that exits while it is still being fed closes the pipe: the writes fail quietly
    /// (no SIGPIPE kills the test process) and its own exit status is what is reported.
    func testGnuplotExitingEarlyReportsItsStatus() throws {
        try XCTSkipUnless(Gnuplot.isInstalled, "gnuplot is not installed")
        let dir = try Executables.temporaryDirectory(self)
        var gp = Gnuplot()
        gp.send("exit status 3")
        for i in 0..<50_000 { gp.send("# filler line \(i) that gnuplot never reads, long enough to fill the pipe") }
        XCTAssertThrowsError(try gp.run(in: dir)) { error in
            guard case FigureError.gnuplotFailed(let script, let status, _) = error else {
                return XCTFail("unexpected error \(error)")
            }
            XCTAssertEqual(script, "<stdin>")
            XCTAssertEqual(status, 3)
        }
    }

    /// A script that cannot be written names itself (the figure has no data file to fail first).
    func testScriptWriteErrorNamesTheScript() {
        var figure = Figure("only-function", formats: [.png])
        figure.addPanel { $0.plot(.function("sin(x)", title: "sin")) }
        let missing = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("no-such-folder-\(UUID().uuidString)")
        XCTAssertThrowsError(try figure.write(to: missing)) { error in
            guard case FigureError.cannotWrite(let path, let reason) = error else { return XCTFail("unexpected error \(error)") }
            XCTAssertTrue(path.hasSuffix("only-function.gp"), path)
            XCTAssertTrue(reason.contains("No such file or directory"), reason)
        }
    }
}
