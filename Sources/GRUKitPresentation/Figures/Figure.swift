import Foundation
import GRUKit

/// A figure: one panel or a grid of panels (gnuplot multiplot), each with its series, written as a
/// gnuplot script `NAME.gp` plus its data `NAME.dat` so that `gnuplot NAME.gp`, run in the folder,
/// redraws `NAME.png` (pngcairo), `NAME.svg` and `NAME.pdf` (pdfcairo) with no Swift at all.
///
///     var fig = Figure("trajectories", layout: .init(rows: 1, columns: 2))
///     fig.addPanel(Panel(title: "w_{hh} = 1.5", xLabel: "t", yLabel: "h_t")) { p in
///         p.plot(.xy(t, h, columns: ("t", "h"), title: "h_0 = 0.5"))
///     }
///     let files = try fig.write(to: folder)          // NAME.gp, NAME.dat
///     try Gnuplot.render(script: files.script)        // NAME.png, NAME.svg, NAME.pdf
///
/// The script sets the paper style once (palette, grid, tics, key), then loops over the output
/// formats: each pass sets the terminal and output and draws every panel.
public struct Figure: Sendable, Equatable {
    /// The grid of panels, rows × columns (gnuplot's `set multiplot layout rows,columns`); panels
    /// fill it row by row. More panels than cells is a gnuplot error at drawing time.
    public struct Layout: Sendable, Equatable {
        /// The number of panel rows, ≥ 1.
        public var rows: Int
        /// The number of panel columns, ≥ 1.
        public var columns: Int
        /// A rows × columns grid.
        ///
        /// - Precondition: `rows ≥ 1` and `columns ≥ 1` (traps otherwise).
        public init(rows: Int, columns: Int) {
            precondition(rows >= 1 && columns >= 1, "Figure.Layout: at least one row and one column")
            self.rows = rows
            self.columns = columns
        }
        /// One panel, 1 × 1 (the default).
        public static let single = Layout(rows: 1, columns: 1)
    }

    /// An output format the script renders; the raw value is the file extension.
    public enum Format: String, Sendable, Equatable, CaseIterable {
        /// `png`: a bitmap by gnuplot's `pngcairo` terminal (for the book and quick looks);
        /// `svg`: a vector picture by the `svg` terminal, white background (for the web);
        /// `pdf`: a vector PDF by the `pdfcairo` terminal, sized for a paper's column (for papers:
        /// see ``pdfSize(width:height:)``).
        case png, svg, pdf
    }

    /// Where the figure's own data goes.
    public enum DataPlacement: Sendable, Equatable {
        /// In `NAME.dat` beside the script, one index block per series (the default).
        case file
        /// Inside the script as a named datablock `$NAME << EOD … EOD` (one self-contained file).
        case inline
    }

    /// The file stem: `NAME.gp`, `NAME.dat`, `NAME.png`, `NAME.svg`, `NAME.pdf`. Letters, digits, `-`, `_`.
    public var name: String
    /// A title over the whole figure (multiplot title); nil: none.
    public var title: String?
    /// The grid of panels (default ``Layout/single``).
    public var layout: Layout
    /// Size of one panel in pixels (the picture is columns·width by rows·height); default 600 × 450.
    public var panelSize: (width: Int, height: Int)
    /// Font size in points of tick labels and legends (labels and titles use the same face).
    public var fontSize: Double
    /// The pictures the script draws, in order (default PNG and SVG); never empty.
    public var formats: [Format]
    /// Where the figure's own data goes (default ``DataPlacement/file``, `NAME.dat`).
    public var dataPlacement: DataPlacement
    /// Raw gnuplot commands after the paper style and before any panel (the escape hatch).
    public var preamble: [String]
    /// The panels, filling ``layout`` row by row.
    public var panels: [Panel]

    /// Equal when every stored property is equal (written out because ``panelSize`` is a tuple,
    /// which cannot conform to `Equatable`).
    public static func == (a: Figure, b: Figure) -> Bool {
        a.name == b.name && a.title == b.title && a.layout == b.layout && a.panelSize == b.panelSize
            && a.fontSize == b.fontSize && a.formats == b.formats && a.dataPlacement == b.dataPlacement
            && a.preamble == b.preamble && a.panels == b.panels
    }

    /// The paper palette: colour-blind-safe colours (Okabe & Ito 2008), line type n is `palette[n-1]`.
    public static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999"]
    /// Point types matching the palette entries (filled circle, square, triangle, diamond, …).
    public static let palettePointTypes = [7, 5, 9, 13, 11, 6, 4, 8]

    /// A figure named `name` (the stem of all its files), with no panels unless given.
    ///
    /// - Precondition: `name` is non-empty and made of letters, digits, `-` and `_` (it names
    ///   files and a gnuplot datablock); `formats` is not empty. Both trap otherwise: they are
    ///   fixed in the chapter's code, not user input.
    public init(_ name: String, title: String? = nil, layout: Layout = .single,
                panelSize: (width: Int, height: Int) = (600, 450), fontSize: Double = 13,
                formats: [Format] = [.png, .svg, .pdf], dataPlacement: DataPlacement = .file,
                preamble: [String] = [], panels: [Panel] = []) {
        precondition(!name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" },
                     "Figure: the name \(name) must be letters, digits, - or _ (it names files)")
        precondition(!formats.isEmpty, "Figure: at least one output format")
        self.name = name
        self.title = title
        self.layout = layout
        self.panelSize = panelSize
        self.fontSize = fontSize
        self.formats = formats
        self.dataPlacement = dataPlacement
        self.preamble = preamble
        self.panels = panels
    }

    /// Adds a panel, letting `build` fill in its series: `fig.addPanel(Panel(title: …)) { $0.plot(…) }`.
    public mutating func addPanel(_ panel: Panel = Panel(), _ build: (inout Panel) -> Void = { _ in }) {
        var p = panel
        build(&p)
        panels.append(p)
    }

    // MARK: - Emitted text

    /// The data file's name, `NAME.dat`.
    public var dataFileName: String { name + ".dat" }
    /// The script's name, `NAME.gp`.
    public var scriptFileName: String { name + ".gp" }

    /// Every series that carries its own data, in order, with its panel number (1-based).
    private var dataSeries: [(panel: Int, series: Series, block: DataBlock)] {
        var out: [(Int, Series, DataBlock)] = []
        for (p, panel) in panels.enumerated() {
            for s in panel.series {
                if case .data(let block) = s.source { out.append((p + 1, s, block)) }
            }
        }
        return out
    }

    /// The datablock's name in inline mode (`$` + the name with `-` made `_`).
    private var datablockName: String { "$" + name.replacingOccurrences(of: "-", with: "_") }

    /// The data as a ``DataTable``: one index block per data-carrying series, each headed by
    /// `# index k: panel p, <series title>` and its `# column names` line. nil when no series carries data.
    public var dataTable: DataTable? {
        let blocks = dataSeries.enumerated().map { k, entry -> DataBlock in
            var b = entry.block
            let what = b.title ?? entry.series.title.map { "series \"\($0)\"" } ?? "untitled series"
            b.title = "index \(k): panel \(entry.panel), \(what)"
            return b
        }
        guard !blocks.isEmpty else { return nil }
        return DataTable(blocks: blocks, comments: [
            "\(dataFileName): the data of \(scriptFileName), one gnuplot index block per series (two blank lines apart).",
        ])
    }

    /// The text of `NAME.dat`, or nil when no series carries data (or data is inline).
    public var dataText: String? { dataPlacement == .file ? dataTable?.text : nil }

    /// The text of `NAME.gp`: the paper style (palette, grid, outward tics, key), the ``preamble``,
    /// the inline datablock if any, then one pass per format that sets the terminal and output
    /// and draws every panel (a multiplot when there is more than one panel or a title).
    public var script: String {
        var lines: [String] = []
        lines.append("# \(scriptFileName): redraw with  gnuplot \(scriptFileName)  in this folder.")
        let pictures = formats.map { "\(name).\($0.rawValue)" }
        lines.append("# Writes \(pictures.count > 1 ? pictures.dropLast().joined(separator: ", ") + " and " + pictures.last! : pictures.joined())"
                     + (dataText != nil ? " from \(dataFileName) (one index block per series)." : "."))
        lines.append(contentsOf: Self.paperStyle)
        if !preamble.isEmpty {
            lines.append("")
            lines.append(contentsOf: preamble)
        }
        if dataPlacement == .inline, let table = dataTable {
            lines.append("")
            lines.append("\(datablockName) << EOD")
            lines.append(contentsOf: table.text.split(separator: "\n", omittingEmptySubsequences: false)
                            .dropLast().map(String.init))
            lines.append("EOD")
        }
        lines.append("")
        let width = layout.columns * panelSize.width, height = layout.rows * panelSize.height
        let font = "\"Helvetica,\(Gnuplot.number(fontSize))\""
        let list = formats.map(\.rawValue).joined(separator: " ")
        lines.append("do for [format in \"\(list)\"] {")
        for f in formats {
            let terminal: String
            switch f {
            case .png: terminal = "set terminal pngcairo enhanced size \(width),\(height) font \(font) linewidth 1.2"
            case .svg: terminal = "set terminal svg enhanced size \(width),\(height) font \(font) linewidth 1.2 background \"white\""
            case .pdf:
                let (w, h) = Self.pdfSize(width: width, height: height)
                terminal = "set terminal pdfcairo enhanced size \(Gnuplot.number(w))in,\(Gnuplot.number(h))in font \"Helvetica,7\" linewidth 0.6"
            }
            // One `if` per format: gnuplot 5.4 has no `else if`.
            lines.append("    if (format eq \"\(f.rawValue)\") {")
            lines.append("        " + terminal)
            lines.append("    }")
        }
        lines.append("    set output \(Gnuplot.quoted(name + ".")).format")
        var dataIndex = 0
        lines.append(contentsOf: drawing(dataIndex: &dataIndex).map { "    " + $0 })
        lines.append("    set output")
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The commands that draw every panel once on the current terminal (a multiplot when there is
    /// more than one panel or a title), reading this figure's data blocks from `dataIndex` on and
    /// leaving `dataIndex` past the last one read. ``script`` draws this once per format;
    /// ``AnimatedFigure`` draws one per frame.
    func drawing(dataIndex: inout Int) -> [String] {
        var lines: [String] = []
        let multiplot = panels.count > 1 || title != nil
        if multiplot {
            var m = "set multiplot layout \(layout.rows),\(layout.columns)"
            if let title { m += " title \(Gnuplot.quoted(title)) font \",\(Gnuplot.number(fontSize + 2))\"" }
            lines.append(m)
        }
        for (p, panel) in panels.enumerated() {
            if panels.count > 1 { lines.append("# Panel \(p + 1) of \(panels.count)") }
            lines.append(contentsOf: panelSettings(p))
            lines.append(contentsOf: plotCommand(panel, dataIndex: &dataIndex))
        }
        if multiplot { lines.append("unset multiplot") }
        return lines
    }

    /// The paper style every script sets first: UTF-8, the colour-blind-safe palette as line types
    /// 1–8 (Okabe & Ito), a light grid, outward tics, the key's spacing, translucent fills, 500 samples.
    static let paperStyle: [String] = {
        var lines = ["set encoding utf8", "", "# Paper style: colour-blind-safe palette (Okabe & Ito), light grid, outward tics."]
        for (i, colour) in palette.enumerated() {
            lines.append("set linetype \(i + 1) lc rgb \"\(colour)\" lw 2 pt \(palettePointTypes[i]) ps 1 dt 1")
        }
        lines.append("set linetype cycle \(palette.count)")
        lines.append("set border 3 lw 1")
        lines.append("set tics out nomirror")
        lines.append("set grid lc rgb \"#dddddd\" lw 1 dt 1")
        lines.append("set key noopaque spacing 1.15 samplen 2.5")
        lines.append("set style fill transparent solid 0.25 noborder")
        lines.append("set samples 500")
        return lines
    }()

    /// The settings of panel p. A setting the panel leaves unset is reset when another panel sets it
    /// (the script draws the panels once per format, so "another" includes later panels).
    private func panelSettings(_ p: Int) -> [String] {
        let panel = panels[p]
        let others = panels.indices.filter { $0 != p }.map { panels[$0] }
        var out: [String] = []
        func text(_ value: String?, _ command: String, _ other: (Panel) -> String?) {
            if let value { out.append("set \(command) \(Gnuplot.quoted(value))") }
            else if others.contains(where: { other($0) != nil }) { out.append("unset \(command)") }
        }
        func range(_ value: ClosedRange<Double>?, _ axis: String, _ other: (Panel) -> ClosedRange<Double>?) {
            if let value { out.append("set \(axis)range [\(Gnuplot.number(value.lowerBound)):\(Gnuplot.number(value.upperBound))]") }
            else if others.contains(where: { other($0) != nil }) { out.append("set \(axis)range [*:*]") }
        }
        text(panel.title, "title", \.title)
        text(panel.xLabel, "xlabel", \.xLabel)
        text(panel.yLabel, "ylabel", \.yLabel)
        if panel.is3D || others.contains(where: \.is3D) { text(panel.zLabel, "zlabel", \.zLabel) }
        range(panel.xRange, "x", \.xRange)
        range(panel.yRange, "y", \.yRange)
        if panel.is3D || others.contains(where: \.is3D) { range(panel.zRange, "z", \.zRange) }
        for axis in Axis.allCases {
            if panel.logScale.contains(axis) { out.append("set logscale \(axis.rawValue)") }
            else if others.contains(where: { $0.logScale.contains(axis) }) { out.append("unset logscale \(axis.rawValue)") }
        }
        if panel.equalAxes { out.append("set size ratio -1") }
        else if others.contains(where: \.equalAxes) { out.append("set size noratio") }
        out.append(panel.key.command)
        out.append(contentsOf: panel.commands)
        return out
    }

    /// The dash patterns that keep identical curves apart: a line series with no dash of its own whose
    /// points coincide with those of an earlier line series of the panel (the same y, to a relative
    /// 10⁻⁹, at nine in ten of the x values the two share, and at least two of them) would hide it, so
    /// it is drawn dashed — dotted, dash-dotted for a third and fourth — and the one beneath shows
    /// through the gaps. Keyed by the series' index in the panel.
    package static func coincidingDashes(_ series: [Series]) -> [Int: Style.Dash] {
        func points(_ s: Series) -> [Double: Double]? {
            // Lines of y against x: `with lines`, `linespoints`, `steps` or a `…lines` style such as
            // `yerrorlines`, reading x and y from the first two columns.
            let drawsLines: Bool
            switch s.style.kind {
            case .lines, .linesPoints, .steps: drawsLines = true
            case .custom(let kind): drawsLines = kind.hasSuffix("lines")
            default: drawsLines = false
            }
            guard case .data(let block) = s.source, s.using.map({ $0 == "1:2" || $0.hasPrefix("1:2:") }) ?? true,
                  block.columns.count >= 2, drawsLines else { return nil }
            var p: [Double: Double] = [:]
            for scan in block.scans { for row in scan where row.count >= 2 && row[0].isFinite && row[1].isFinite { p[row[0]] = row[1] } }
            return p
        }
        func coincide(_ a: [Double: Double], _ b: [Double: Double]) -> Bool {
            let shared = a.keys.filter { b[$0] != nil }
            guard shared.count >= 2 else { return false }
            let same = shared.filter { x in abs(a[x]! - b[x]!) <= 1e-9 * max(abs(a[x]!), abs(b[x]!)) }.count
            return 10 * same >= 9 * shared.count
        }
        let all = series.map(points)
        var dashes: [Int: Style.Dash] = [:]
        for (i, s) in series.enumerated() where s.style.dash == nil {
            guard let p = all[i] else { continue }
            let below = (0 ..< i).filter { j in all[j].map { coincide(p, $0) } ?? false }.count
            if below > 0 { dashes[i] = [Style.Dash.dashed, .dotted, .dashDot][min(below, 3) - 1] }
        }
        return dashes
    }

    /// `plot a, \` … one line per series.
    private func plotCommand(_ panel: Panel, dataIndex: inout Int) -> [String] {
        guard !panel.series.isEmpty else { return ["# (no series)"] }
        var items: [String] = []
        let dashes = Self.coincidingDashes(panel.series)
        for (k, s) in panel.series.enumerated() {
            var item: String
            switch s.source {
            case .data:
                let source = dataPlacement == .file ? Gnuplot.quoted(dataFileName) : datablockName
                item = "\(source) index \(dataIndex)"
                dataIndex += 1
            case .file(let file, let index):
                item = Gnuplot.quoted(file) + (index.map { " index \($0)" } ?? "")
            case .function(let expression):
                item = expression
            }
            if let using = s.using { item += " using \(using)" }
            var style = s.style
            if let dash = dashes[k] { style.dash = dash }
            item += " " + style.clause
            item += s.title.map { " title \(Gnuplot.quoted($0))" } ?? " notitle"
            items.append(item)
        }
        let verb = panel.is3D ? "splot" : "plot"
        var out: [String] = []
        for (k, item) in items.enumerated() {
            let head = k == 0 ? "\(verb) " : "     "
            out.append(head + item + (k < items.count - 1 ? ", \\" : ""))
        }
        return out
    }

    // MARK: - Files

    /// The files one ``write(to:)`` produced.
    public struct WrittenFiles: Sendable, Equatable {
        /// `NAME.gp`.
        public var script: URL
        /// `NAME.dat`, when the figure carries data in a file.
        public var data: URL?
        /// The pictures the script draws (not yet rendered): `NAME.png`, `NAME.svg`, `NAME.pdf`.
        public var pictures: [URL]
        /// The files written: the script, then the data file if there is one (the pictures are not
        /// included; they exist only after rendering).
        public var all: [URL] { [script] + (data.map { [$0] } ?? []) }
    }

    /// The PDF's size in inches for a picture of `width` × `height` pixels: one column of a two-column
    /// paper (3.4 in, as in NeurIPS' and IEEE's templates) when the picture is at most 1000 px wide,
    /// the full text width (7 in) otherwise, with the picture's aspect ratio; rounded to 0.01 in.
    public static func pdfSize(width: Int, height: Int) -> (width: Double, height: Double) {
        let w = width <= 1000 ? 3.4 : 7.0
        return (w, (w * Double(height) / Double(max(width, 1)) * 100).rounded() / 100)
    }

    /// Writes `NAME.dat` (when the figure carries data in a file) and `NAME.gp` into `directory`
    /// (which must exist), each atomically, and returns their URLs. Does not run gnuplot. Both go
    /// through gnuplot-iostream: the data by `file1d`, the script by a session on `>NAME.gp`.
    ///
    /// - Throws: ``FigureError/cannotWrite(path:reason:)`` naming the file.
    @discardableResult
    public func write(to directory: URL) throws -> WrittenFiles {
        var data: URL?
        if dataPlacement == .file, let table = dataTable {
            let url = directory.appendingPathComponent(dataFileName)
            try GnuplotSession.file1d(table, to: url)
            data = url
        }
        let script = directory.appendingPathComponent(scriptFileName)
        try AtomicFile.replaceFigureFile(script) { temporary in
            let session = try GnuplotSession(scriptFile: temporary, name: script)
            session.send(self.script)
            let closing = session.close()
            if closing.status != 0 { throw FigureError.cannotWrite(path: script.path, reason: closing.stderr) }
        }
        return WrittenFiles(script: script, data: data,
                            pictures: formats.map { directory.appendingPathComponent("\(name).\($0.rawValue)") })
    }
}
