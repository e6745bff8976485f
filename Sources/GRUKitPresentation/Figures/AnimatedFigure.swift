import Foundation
import GRUKit

/// An animated figure: a sequence of frames, each a grid of panels like a ``Figure``, drawn one after
/// another into an animated GIF by gnuplot's `gif` terminal (`set terminal gif animate delay D loop 0`).
/// Written as `NAME.gp` plus `NAME.dat`, so that `gnuplot NAME.gp`, run in the folder, redraws
/// `NAME.gif` with no Swift at all, as a ``Figure``'s script redraws its pictures.
///
///     var sweep = AnimatedFigure("cobweb-sweep", layout: .init(rows: 1, columns: 2), delay: 15)
///     for w in stride(from: 1.5, through: 2.5, by: 0.05) {
///         sweep.addFrame(title: "w_{hh} = \(w)", panels: [returnMap(w), distance(w)])
///     }
///     try sweep.write(to: folder)                     // NAME.gp, NAME.dat
///     try Gnuplot.render(script: folder.appendingPathComponent(sweep.scriptFileName))   // NAME.gif
///
/// `NAME.dat` holds every frame's data, one index block per series, frame after frame; the script
/// sets the paper style once, then draws each frame (one `plot`, or one multiplot, per frame: the
/// `gif` terminal writes a frame at each). Give every frame fixed axis ranges: autoscaled axes would
/// jump from frame to frame and hide the motion the animation is for.
///
/// The `gif` terminal draws with libgd and TrueType fonts found by fontconfig (`Sans`, DejaVu Sans on
/// Debian), not cairo: lines are not antialiased, and the picture is a GIF of at most 256 colours.
public struct AnimatedFigure: Sendable, Equatable {
    /// One picture of the animation: an optional title over it and its panels (row by row in ``layout``).
    public struct Frame: Sendable, Equatable {
        /// The title over the frame (a multiplot title), gnuplot enhanced text; nil: none.
        public var title: String?
        /// The panels, filling the animation's ``AnimatedFigure/layout`` row by row.
        public var panels: [Panel]

        /// A frame with the given title and panels.
        public init(title: String? = nil, panels: [Panel]) {
            self.title = title
            self.panels = panels
        }
    }

    /// The file stem: `NAME.gp`, `NAME.dat`, `NAME.gif`. Letters, digits, `-`, `_`.
    public var name: String
    /// The grid of panels of every frame (default ``Figure/Layout/single``).
    public var layout: Figure.Layout
    /// Size of one panel in pixels (the GIF is columns·width by rows·height); default 600 × 450.
    public var panelSize: (width: Int, height: Int)
    /// Font size in points of the text (the GIF terminal's TrueType font `Sans`).
    public var fontSize: Double
    /// Time between frames in hundredths of a second (the GIF's frame delay), ≥ 1.
    public var delay: Int
    /// How many times the first and the last frame are repeated, so that the animation rests on its
    /// two ends before it moves on (0: no rest). The repeats are drawn from the same data blocks.
    public var restFrames: Int
    /// Raw gnuplot commands after the paper style and before the first frame (the escape hatch).
    public var preamble: [String]
    /// The frames, in the order they are shown; the GIF loops back to the first after the last.
    public var frames: [Frame]

    /// Equal when every stored property is equal (written out because ``panelSize`` is a tuple).
    public static func == (a: AnimatedFigure, b: AnimatedFigure) -> Bool {
        a.name == b.name && a.layout == b.layout && a.panelSize == b.panelSize && a.fontSize == b.fontSize
            && a.delay == b.delay && a.restFrames == b.restFrames && a.preamble == b.preamble && a.frames == b.frames
    }

    /// An animation named `name` (the stem of all its files), with no frames until ``addFrame(title:panels:)``.
    ///
    /// - Precondition: `name` is non-empty and made of letters, digits, `-` and `_`; `delay ≥ 1`;
    ///   `restFrames ≥ 0`. They trap otherwise: they are fixed in the chapter's code, not user input.
    public init(_ name: String, layout: Figure.Layout = .single, panelSize: (width: Int, height: Int) = (600, 450),
                fontSize: Double = 11, delay: Int = 10, restFrames: Int = 0, preamble: [String] = [], frames: [Frame] = []) {
        precondition(!name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" },
                     "AnimatedFigure: the name \(name) must be letters, digits, - or _ (it names files)")
        precondition(delay >= 1, "AnimatedFigure: the delay between frames is at least 1 hundredth of a second")
        precondition(restFrames >= 0, "AnimatedFigure: restFrames is not negative")
        self.name = name
        self.layout = layout
        self.panelSize = panelSize
        self.fontSize = fontSize
        self.delay = delay
        self.restFrames = restFrames
        self.preamble = preamble
        self.frames = frames
    }

    /// Appends a frame.
    public mutating func addFrame(title: String? = nil, panels: [Panel]) {
        frames.append(Frame(title: title, panels: panels))
    }

    /// The data file's name, `NAME.dat`.
    public var dataFileName: String { name + ".dat" }
    /// The script's name, `NAME.gp`.
    public var scriptFileName: String { name + ".gp" }
    /// The picture's name, `NAME.gif`.
    public var pictureFileName: String { name + ".gif" }

    /// Frame k as a ``Figure`` named like the animation, so that its series read `NAME.dat`.
    private func figure(_ k: Int) -> Figure {
        Figure(name, title: frames[k].title, layout: layout, panelSize: panelSize, fontSize: fontSize,
               formats: [.png], dataPlacement: .file, panels: frames[k].panels)
    }

    /// The data of every frame as one ``DataTable``: one index block per data-carrying series, frame
    /// after frame, each headed `# index k: frame f, panel p, <series>`. nil when no series carries data.
    public var dataTable: DataTable? {
        var blocks: [DataBlock] = []
        for (f, frame) in frames.enumerated() {
            for (p, panel) in frame.panels.enumerated() {
                for s in panel.series {
                    guard case .data(var block) = s.source else { continue }
                    let what = block.title ?? s.title.map { "series \"\($0)\"" } ?? "untitled series"
                    block.title = "index \(blocks.count): frame \(f + 1), panel \(p + 1), \(what)"
                    blocks.append(block)
                }
            }
        }
        guard !blocks.isEmpty else { return nil }
        return DataTable(blocks: blocks, comments: [
            "\(dataFileName): the data of \(scriptFileName), \(frames.count) frames, one gnuplot index block per series (two blank lines apart).",
        ])
    }

    /// The text of `NAME.gp`: the paper style, the ``preamble``, the `gif animate` terminal and
    /// `NAME.gif` as output, then each frame's drawing (the first and last repeated ``restFrames`` times).
    public var script: String {
        var lines: [String] = []
        lines.append("# \(scriptFileName): redraw with  gnuplot \(scriptFileName)  in this folder.")
        lines.append("# Writes \(pictureFileName), an animated GIF of \(frames.count) frames, from \(dataFileName) (one index block per series).")
        lines.append(contentsOf: Figure.paperStyle)
        if !preamble.isEmpty {
            lines.append("")
            lines.append(contentsOf: preamble)
        }
        lines.append("")
        let width = layout.columns * panelSize.width, height = layout.rows * panelSize.height
        lines.append("# One frame per plot (per multiplot), \(delay) hundredths of a second apart, looping forever.")
        lines.append("set terminal gif animate delay \(delay) loop 0 size \(width),\(height) enhanced "
                     + "font \"Sans,\(Gnuplot.number(fontSize))\" linewidth 1.2")
        lines.append("set output \(Gnuplot.quoted(pictureFileName))")
        var dataIndex = 0
        for k in frames.indices {
            let drawing = figure(k).drawing(dataIndex: &dataIndex)
            let repeats = (k == 0 || k == frames.count - 1) ? 1 + restFrames : 1
            lines.append("")
            // The title on one comment line: a newline in it would end the comment and start a command.
            let comment = frames[k].title.map { ": " + $0.replacingOccurrences(of: "\n", with: " / ") } ?? ""
            lines.append("# Frame \(k + 1) of \(frames.count)" + comment
                         + (repeats > 1 ? " (shown \(repeats) times)" : ""))
            if repeats > 1 {
                lines.append("do for [repeat = 1:\(repeats)] {")
                lines.append(contentsOf: drawing.map { "    " + $0 })
                lines.append("}")
            } else {
                lines.append(contentsOf: drawing)
            }
        }
        lines.append("set output")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `NAME.dat` (when any series carries data) and `NAME.gp` into `directory` (which must
    /// exist), each atomically, as ``Figure/write(to:)`` does; returns them with `NAME.gif` as the
    /// picture the script draws. Does not run gnuplot.
    ///
    /// - Throws: ``FigureError/cannotWrite(path:reason:)`` naming the file.
    @discardableResult
    public func write(to directory: URL) throws -> Figure.WrittenFiles {
        var data: URL?
        if let table = dataTable {
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
        return Figure.WrittenFiles(script: script, data: data, pictures: [directory.appendingPathComponent(pictureFileName)])
    }
}
