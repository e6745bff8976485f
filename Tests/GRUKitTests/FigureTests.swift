import Foundation
import XCTest
import GRUKit
import GRUKitPresentation

/// The figure layer: exact script and data text for small figures (golden text), rendering by
/// gnuplot from the written files alone, non-finite values, and error reporting.
final class FigureTests: XCTestCase {
    /// One panel: a data series and the identity line, PNG only.
    static func single() -> Figure {
        var fig = Figure("square", panelSize: (400, 300), fontSize: 12, formats: [.png])
        fig.addPanel(Panel(title: "y = x^2", xLabel: "x", yLabel: "y", xRange: 0...2, key: .topLeft)) { p in
            p.plot(.xy([0, 0.5, 1, 1.5, 2], [0, 0.25, 1, 2.25, 4], columns: ("x", "y"), title: "x^2",
                       style: .linesPoints.lineType(2)))
            p.plot(.function("x", title: "identity", style: .lines.color("#555555").width(1).dashed))
        }
        return fig
    }

    /// A 1×2 multiplot: several series and a log axis on the left, a titled figure, PNG and SVG.
    static func multi() -> Figure {
        var fig = Figure("decay", title: "Two views", layout: .init(rows: 1, columns: 2), panelSize: (400, 300), fontSize: 12)
        fig.addPanel(Panel(xLabel: "t", yLabel: "|h_t|", logScale: [.y], key: .off)) { p in
            p.plot(.data([[0, 1], [1, 0.5], [2, 0.25]], columns: ["t", "h"], title: "rate 1/2"))
            p.plot(.data([[0, 1], [1, 0.1], [2, 0.01]], columns: ["t", "h"], title: "rate 1/10", style: .lines.dashed))
        }
        fig.addPanel(Panel(xLabel: "t", yLabel: "h_t")) { p in
            p.plot(.file("table.dat", index: 1, using: "1:3", title: "from a table", style: .points.pointType(7)))
        }
        return fig
    }

    // MARK: - Golden text

    func testSinglePanelScriptIsExact() {
        XCTAssertEqual(Self.single().script, #"""
# square.gp: redraw with  gnuplot square.gp  in this folder.
# Writes square.png from square.dat (one index block per series).
set encoding utf8

# Paper style: colour-blind-safe palette (Okabe & Ito), light grid, outward tics.
set linetype 1 lc rgb "#0072B2" lw 2 pt 7 ps 1 dt 1
set linetype 2 lc rgb "#D55E00" lw 2 pt 5 ps 1 dt 1
set linetype 3 lc rgb "#009E73" lw 2 pt 9 ps 1 dt 1
set linetype 4 lc rgb "#CC79A7" lw 2 pt 13 ps 1 dt 1
set linetype 5 lc rgb "#E69F00" lw 2 pt 11 ps 1 dt 1
set linetype 6 lc rgb "#56B4E9" lw 2 pt 6 ps 1 dt 1
set linetype 7 lc rgb "#000000" lw 2 pt 4 ps 1 dt 1
set linetype 8 lc rgb "#999999" lw 2 pt 8 ps 1 dt 1
set linetype cycle 8
set border 3 lw 1
set tics out nomirror
set grid lc rgb "#dddddd" lw 1 dt 1
set key noopaque spacing 1.15 samplen 2.5
set style fill transparent solid 0.25 noborder
set samples 500

do for [format in "png"] {
    if (format eq "png") {
        set terminal pngcairo enhanced size 400,300 font "Helvetica,12" linewidth 1.2
    }
    set output "square.".format
    set title "y = x^2"
    set xlabel "x"
    set ylabel "y"
    set xrange [0:2]
    set key top left
    plot "square.dat" index 0 with linespoints lt 2 title "x^2", \
         x with lines lc rgb "#555555" lw 1 dt 2 title "identity"
    set output
}

"""#)
    }

    func testSinglePanelDataIsExact() {
        XCTAssertEqual(Self.single().dataText, #"""
# square.dat: the data of square.gp, one gnuplot index block per series (two blank lines apart).
# index 0: panel 1, series "x^2"
# x y
0 0
0.5 0.25
1 1
1.5 2.25
2 4

"""#)
    }

    func testMultiplotWithLogAxisScriptIsExact() {
        XCTAssertEqual(Self.multi().script, #"""
# decay.gp: redraw with  gnuplot decay.gp  in this folder.
# Writes decay.png, decay.svg and decay.pdf from decay.dat (one index block per series).
set encoding utf8

# Paper style: colour-blind-safe palette (Okabe & Ito), light grid, outward tics.
set linetype 1 lc rgb "#0072B2" lw 2 pt 7 ps 1 dt 1
set linetype 2 lc rgb "#D55E00" lw 2 pt 5 ps 1 dt 1
set linetype 3 lc rgb "#009E73" lw 2 pt 9 ps 1 dt 1
set linetype 4 lc rgb "#CC79A7" lw 2 pt 13 ps 1 dt 1
set linetype 5 lc rgb "#E69F00" lw 2 pt 11 ps 1 dt 1
set linetype 6 lc rgb "#56B4E9" lw 2 pt 6 ps 1 dt 1
set linetype 7 lc rgb "#000000" lw 2 pt 4 ps 1 dt 1
set linetype 8 lc rgb "#999999" lw 2 pt 8 ps 1 dt 1
set linetype cycle 8
set border 3 lw 1
set tics out nomirror
set grid lc rgb "#dddddd" lw 1 dt 1
set key noopaque spacing 1.15 samplen 2.5
set style fill transparent solid 0.25 noborder
set samples 500

do for [format in "png svg pdf"] {
    if (format eq "png") {
        set terminal pngcairo enhanced size 800,300 font "Helvetica,12" linewidth 1.2
    }
    if (format eq "svg") {
        set terminal svg enhanced size 800,300 font "Helvetica,12" linewidth 1.2 background "white"
    }
    if (format eq "pdf") {
        set terminal pdfcairo enhanced size 3.4in,1.27in font "Helvetica,7" linewidth 0.6
    }
    set output "decay.".format
    set multiplot layout 1,2 title "Two views" font ",14"
    # Panel 1 of 2
    set xlabel "t"
    set ylabel "|h_t|"
    set logscale y
    unset key
    plot "decay.dat" index 0 with lines title "rate 1/2", \
         "decay.dat" index 1 with lines dt 2 title "rate 1/10"
    # Panel 2 of 2
    set xlabel "t"
    set ylabel "h_t"
    unset logscale y
    set key top right
    plot "table.dat" index 1 using 1:3 with points pt 7 title "from a table"
    unset multiplot
    set output
}

"""#)
    }

    func testSeveralSeriesDataIsExact() {
        XCTAssertEqual(Self.multi().dataText, #"""
# decay.dat: the data of decay.gp, one gnuplot index block per series (two blank lines apart).
# index 0: panel 1, series "rate 1/2"
# t h
0 1
1 0.5
2 0.25


# index 1: panel 1, series "rate 1/10"
# t h
0 1
1 0.1
2 0.01

"""#)
    }
}

// MARK: - Data files, rendering, errors

extension FigureTests {
    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    static func assertPNG(_ url: URL, file: StaticString = #filePath, line: UInt = #line) {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            return XCTFail("no picture at \(url.lastPathComponent)", file: file, line: line)
        }
        XCTAssertEqual(Array(data.prefix(8)), pngSignature, "\(url.lastPathComponent) is not a PNG", file: file, line: line)
        XCTAssertGreaterThan(data.count, 1000, "\(url.lastPathComponent) is suspiciously small", file: file, line: line)
    }

    /// An animated GIF: the GIF89a signature, the NETSCAPE2.0 loop extension gnuplot's `gif animate`
    /// writes, and more than a few bytes.
    static func assertGIF(_ url: URL, file: StaticString = #filePath, line: UInt = #line) {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            return XCTFail("no picture at \(url.lastPathComponent)", file: file, line: line)
        }
        XCTAssertEqual(String(decoding: data.prefix(6), as: UTF8.self), "GIF89a", "\(url.lastPathComponent) is not a GIF", file: file, line: line)
        XCTAssertNotNil(data.range(of: Data("NETSCAPE2.0".utf8)), "\(url.lastPathComponent) is not animated", file: file, line: line)
        XCTAssertGreaterThan(data.count, 1000, "\(url.lastPathComponent) is suspiciously small", file: file, line: line)
    }

    /// An animation's script draws one frame per plot from consecutive index blocks of NAME.dat,
    /// repeats the first and last frames `restFrames` times, and keeps a multi-line title on its
    /// comment line; rendered, it is an animated GIF with one image per frame drawn.
    func testAnimatedFigureScriptDataAndPicture() throws {
        var animation = AnimatedFigure("sweep", layout: .init(rows: 1, columns: 2), panelSize: (200, 150), delay: 7, restFrames: 2)
        for (k, a) in [1.0, 2.0, 3.0].enumerated() {
            var left = Panel(xRange: 0...1, yRange: 0...3)
            left.plot(.xy([0, 1], [0, a], columns: ("x", "y"), title: "a = \(a)"))
            var right = Panel(xRange: 0...1, yRange: 0...9)
            right.plot(.xy([0, 0.5, 1], [0, a * a / 4, a * a], columns: ("x", "y")))
            right.plot(.function("x"))
            animation.addFrame(title: k == 1 ? "two lines\nof title" : "frame \(k + 1)", panels: [left, right])
        }
        let script = animation.script
        XCTAssertTrue(script.contains("set terminal gif animate delay 7 loop 0 size 400,150"), script)
        XCTAssertTrue(script.contains("set output \"sweep.gif\""))
        for index in 0..<6 { XCTAssertTrue(script.contains("\"sweep.dat\" index \(index) "), "index \(index)") }
        XCTAssertFalse(script.contains("index 6 "))
        XCTAssertEqual(script.components(separatedBy: "set multiplot layout 1,2").count - 1, 3)
        XCTAssertTrue(script.contains("# Frame 2 of 3: two lines / of title\n"), script)
        XCTAssertEqual(script.components(separatedBy: "do for [repeat = 1:3] {").count - 1, 2, "first and last frame rest")
        XCTAssertEqual(animation.dataTable?.blocks.count, 6)
        XCTAssertTrue(animation.dataTable?.text.contains("# index 5: frame 3, panel 2") ?? false)

        try XCTSkipUnless(Gnuplot.isInstalled, "gnuplot is not installed")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("grukit-animation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try animation.write(to: dir)
        XCTAssertEqual(files.pictures.map(\.lastPathComponent), ["sweep.gif"])
        try Gnuplot.render(script: files.script)
        Self.assertGIF(dir.appendingPathComponent("sweep.gif"))
        // Images in the GIF: 3 frames + 2 rests at each end = 7 (an image descriptor follows each
        // graphic control extension, 0x21 0xF9).
        let gif = try Data(contentsOf: dir.appendingPathComponent("sweep.gif"))
        let controls = zip(gif, gif.dropFirst()).filter { $0 == 0x21 && $1 == 0xF9 }.count
        XCTAssertGreaterThanOrEqual(controls, 7, "a graphic control block per frame drawn")
    }

    /// Every number is written so that it reads back to the same Double; integers without `.0`.
    func testNumbersRoundTripAtFullPrecision() {
        var rng = SeededGenerator(seed: 7)
        let values = (0..<200).map { _ in rng.nextNormal() * pow(10, Double(Int(rng.nextUniform() * 40) - 20)) }
            + [0.1, 1.0 / 3, -2.5e-300, 1e300, .leastNonzeroMagnitude, 3, -7, 0, 9.007_199_254_740_993e15]
        for x in values {
            let text = DataTable.format(x)
            XCTAssertEqual(Double(text), x, "\(x) written as \(text)")
        }
        XCTAssertEqual(DataTable.format(3), "3")
        XCTAssertEqual(DataTable.format(-0.5), "-0.5")
        XCTAssertEqual(DataTable.format(1e-5), "1e-05")
    }

    /// A plain table: comments, header, two index blocks, a grid with scans; NaN and ±Inf as words.
    func testDataTableText() {
        var t = DataTable(columns: ["w_hh", "h_star", "stable"], comments: ["fixed points"])
        t.append(2.5, 0.7104117834878702, 1)
        t.append(2.5, 0, 0)
        t.newBlock(title: "diverged")
        t.append([1, .nan, .infinity])
        t.append([2, -.infinity, 0])
        XCTAssertEqual(t.text, """
            # fixed points
            # w_hh h_star stable
            2.5 0.7104117834878702 1
            2.5 0 0


            # diverged
            # w_hh h_star stable
            1 NaN Inf
            2 -Inf 0

            """)
        let grid = DataBlock(gridX: [0, 1], y: [0, 0.5], z: [[1, 2], [3, 4]])
        XCTAssertEqual(grid.text, "# x y z\n0 0 1\n0 0.5 2\n\n1 0 3\n1 0.5 4\n")
        XCTAssertEqual(grid.rowCount, 4)
    }

    /// gnuplot reads NaN, Inf and -Inf without complaint and treats them as undefined points: the
    /// data range it reports is that of the finite values only.
    func testNonFiniteValuesAreUndefinedPointsForGnuplot() throws {
        try XCTSkipUnless(Gnuplot.isInstalled, "gnuplot is not installed")
        let dir = try Executables.temporaryDirectory(self)
        var t = DataTable(columns: ["x", "y"])
        for (x, y) in [(0.0, 1.0), (1, .nan), (2, 3), (3, .infinity), (4, -.infinity), (5, 2)] { t.append(x, y) }
        try t.write(to: dir.appendingPathComponent("nonfinite.dat"))
        var gp = Gnuplot()
        gp.send("set terminal unknown")
        gp.send("set print \"-\"")
        gp.send("plot \"nonfinite.dat\" using 1:2 with lines")
        gp.send("print GPVAL_DATA_Y_MIN, GPVAL_DATA_Y_MAX")
        gp.send("stats \"nonfinite.dat\" using 2 nooutput")
        gp.send("print STATS_invalid")
        let out = try gp.run(in: dir)
        let numbers = out.stdout.split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
        XCTAssertEqual(numbers, [1, 3, 1], "gnuplot said: \(out.stdout) \(out.stderr)")
    }

    /// The written script, run by gnuplot in its folder, draws a PNG and an SVG from the files alone.
    func testWrittenScriptRendersPNGSVGAndPDF() throws {
        try XCTSkipUnless(Gnuplot.isInstalled, "gnuplot is not installed")
        let dir = try Executables.temporaryDirectory(self)
        var table = DataTable(columns: ["t", "unused", "y"])
        table.append(0, 0, 0)
        table.newBlock()
        for i in 0..<5 { table.append(Double(i), 0, Double(i * i)) }
        try table.write(to: dir.appendingPathComponent("table.dat"))
        let files = try Self.multi().write(to: dir)
        XCTAssertEqual(files.all.map(\.lastPathComponent), ["decay.gp", "decay.dat"])
        try Gnuplot.render(script: files.script)
        Self.assertPNG(dir.appendingPathComponent("decay.png"))
        let svg = try String(contentsOf: dir.appendingPathComponent("decay.svg"), encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<?xml"), "decay.svg does not start like an SVG file")
        XCTAssertTrue(svg.contains("</svg>"), "decay.svg is incomplete")
        // The PDF, sized for a paper's column: 3.4 in × 1.27 in (3.4 × 300/800 = 1.275 in Double is just below 1.275).
        let pdf = try Data(contentsOf: dir.appendingPathComponent("decay.pdf"))
        XCTAssertEqual(String(decoding: pdf.prefix(5), as: UTF8.self), "%PDF-", "decay.pdf does not start like a PDF file")
        XCTAssertTrue(String(decoding: pdf, as: UTF8.self).contains("%%EOF"), "decay.pdf is incomplete")
        XCTAssertEqual(Figure.pdfSize(width: 800, height: 300).height, 1.27)
        XCTAssertEqual(Figure.pdfSize(width: 1640, height: 480).width, 7)
    }

    /// A figure with its data inline (a datablock) is one self-contained script; streamed to gnuplot's
    /// standard input it draws the same picture.
    func testInlineDatablockFigureStreamsToGnuplot() throws {
        try XCTSkipUnless(Gnuplot.isInstalled, "gnuplot is not installed")
        var fig = Self.single()
        fig.dataPlacement = .inline
        XCTAssertNil(fig.dataText)
        XCTAssertTrue(fig.script.contains("$square << EOD\n# square.dat: the data of square.gp"))
        XCTAssertTrue(fig.script.contains("plot $square index 0 with linespoints lt 2 title \"x^2\""))
        let dir = try Executables.temporaryDirectory(self)
        var gp = Gnuplot()
        gp.send(fig.script)
        try gp.run(in: dir)
        Self.assertPNG(dir.appendingPathComponent("square.png"))
    }

    /// A failing script is reported with gnuplot's own message (file and line), not a crash.
    func testGnuplotFailureIsReportedWithItsMessage() throws {
        try XCTSkipUnless(Gnuplot.isInstalled, "gnuplot is not installed")
        let dir = try Executables.temporaryDirectory(self)
        var fig = Self.single()
        fig.panels[0].command("set nonsense 42")
        let files = try fig.write(to: dir)
        XCTAssertThrowsError(try Gnuplot.render(script: files.script)) { error in
            guard case FigureError.gnuplotFailed(let script, let status, let stderr) = error else {
                return XCTFail("unexpected error \(error)")
            }
            XCTAssertTrue(script.hasSuffix("square.gp"))
            XCTAssertNotEqual(status, 0)
            XCTAssertTrue(stderr.contains("line"), "gnuplot's message should name the line: \(stderr)")
            XCTAssertTrue("\(error)".hasPrefix("gnuplot failed on "))
        }
    }

    /// Writing into a missing folder names the file.
    func testWriteErrorNamesTheFile() {
        let missing = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("no-such-folder-\(UUID().uuidString)")
        XCTAssertThrowsError(try Self.single().write(to: missing)) { error in
            XCTAssertTrue("\(error)".contains("square.dat"), "\(error)")
        }
    }

    /// Titles are gnuplot string literals: quotes and backslashes escaped.
    func testQuoting() {
        XCTAssertEqual(Gnuplot.quoted(#"say "hi" \ bye"#), #""say \"hi\" \\ bye""#)
        XCTAssertEqual(Gnuplot.quoted("two\nlines"), #""two\nlines""#)
    }

    /// `columns(...)` turns column names into the `using` numbers.
    func testUsingByColumnName() {
        let s = Series.data([[1, 2, 3]], columns: ["w_hh", "h_star", "stable"]).columns("w_hh", "stable")
        XCTAssertEqual(s.using, "1:3")
    }
}
