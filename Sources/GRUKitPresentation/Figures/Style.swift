import GRUKit

/// How one series is drawn: gnuplot's `with <kind>` plus line type, colour, width, dash and
/// points. Start from a preset (`.lines`, `.points`, `.linesPoints`, …) and refine it with the
/// chaining modifiers, e.g. `.lines.lineType(2).dashed`, `.points.pointType(7).pointSize(0.6)`.
public struct Style: Sendable, Equatable {
    /// gnuplot's plotting style (`with …`).
    public enum Kind: Sendable, Equatable {
        /// The gnuplot styles of the same name: `lines` (connected, `with lines`), `points`
        /// (markers only), `linesPoints` (`linespoints`), `steps` (a staircase, horizontal first),
        /// `impulses` (vertical lines from y = 0), `dots` (one pixel per point), `vectors`
        /// (arrows, `using x:y:dx:dy`), `filledCurves` (`filledcurves`, e.g. bands between
        /// `using x:ylow:yhigh`), `pm3d` (a coloured surface or map from a grid ``DataBlock``).
        case lines, points, linesPoints, steps, impulses, dots, vectors, filledCurves, pm3d
        /// Any other `with` text, verbatim (e.g. `"yerrorbars"`).
        case custom(String)

        var gnuplot: String {
            switch self {
            case .lines: return "lines"
            case .points: return "points"
            case .linesPoints: return "linespoints"
            case .steps: return "steps"
            case .impulses: return "impulses"
            case .dots: return "dots"
            case .vectors: return "vectors"
            case .filledCurves: return "filledcurves"
            case .pm3d: return "pm3d"
            case .custom(let s): return s
            }
        }
    }

    /// gnuplot's dash types (`dt 1` … `dt 4`).
    public enum Dash: Int, Sendable, Equatable {
        /// `solid` (dt 1), `dashed` (dt 2), `dotted` (dt 3), `dashDot` (dt 4); the raw value is the
        /// gnuplot dash type.
        case solid = 1, dashed = 2, dotted = 3, dashDot = 4
    }

    /// The plotting style, `with <kind>`.
    public var kind: Kind
    /// Index into the paper palette (`lt N`; see ``Figure/palette``). nil: gnuplot's automatic cycle.
    public var lineType: Int?
    /// An explicit colour, `"#rrggbb"` or a gnuplot colour name; overrides the line type's colour.
    public var color: String?
    /// Line width in multiples of the figure's base width (`lw`).
    public var width: Double?
    /// The dash pattern (`dt`); nil: the line type's own (solid in the paper style).
    public var dash: Dash?
    /// gnuplot point type (`pt`: 7 filled circle, 5 filled square, 9 filled triangle, 6 open circle).
    public var pointType: Int?
    /// Point size (`ps`).
    public var pointSize: Double?
    /// Anything else appended verbatim after the style clause, e.g. `"fs transparent solid 0.3"`
    /// for filled curves or the arrow head of ``vectors``. Not checked; a typo surfaces as a
    /// gnuplot error when the script is drawn.
    public var extra: String?

    /// A style with every attribute given explicitly; nil leaves an attribute to gnuplot (or to
    /// the palette entry of the line type). Usually a preset plus modifiers reads better.
    public init(kind: Kind, lineType: Int? = nil, color: String? = nil, width: Double? = nil, dash: Dash? = nil,
                pointType: Int? = nil, pointSize: Double? = nil, extra: String? = nil) {
        self.kind = kind
        self.lineType = lineType
        self.color = color
        self.width = width
        self.dash = dash
        self.pointType = pointType
        self.pointSize = pointSize
        self.extra = extra
    }

    /// `with lines`, every other attribute automatic: the default of a ``Series``.
    public static var lines: Style { Style(kind: .lines) }
    /// `with points`, markers only.
    public static var points: Style { Style(kind: .points) }
    /// `with linespoints`, a line with a marker at every point.
    public static var linesPoints: Style { Style(kind: .linesPoints) }
    /// `with steps`, a staircase through the points (for piecewise-constant data).
    public static var steps: Style { Style(kind: .steps) }
    /// `with impulses`, a vertical line from y = 0 to each point.
    public static var impulses: Style { Style(kind: .impulses) }
    /// `with vectors` with small filled arrow heads (`head filled size screen 0.008,20`); the
    /// series needs four columns, `using x:y:dx:dy` (e.g. a vector field of h_{t+1} − h_t).
    public static var vectors: Style { Style(kind: .vectors, extra: "head filled size screen 0.008,20") }
    /// `with pm3d`, a coloured surface; pair it with a grid block (``DataBlock/init(gridX:y:z:columns:title:)``)
    /// and, for a flat heat map, `set view map` in the panel's commands.
    public static var pm3d: Style { Style(kind: .pm3d) }

    /// The same style with palette line type `n` (colour, width and point of `set linetype n`).
    public func lineType(_ n: Int) -> Style { var s = self; s.lineType = n; return s }
    /// The same style with an explicit colour (`"#rrggbb"` or a gnuplot colour name).
    public func color(_ c: String) -> Style { var s = self; s.color = c; return s }
    /// The same style with line width `w` (`lw`, a multiple of the terminal's base width).
    public func width(_ w: Double) -> Style { var s = self; s.width = w; return s }
    /// The same style with dash type `d` (`dt`).
    public func dash(_ d: Dash) -> Style { var s = self; s.dash = d; return s }
    /// The same style, dashed.
    public var dashed: Style { dash(.dashed) }
    /// The same style, dotted.
    public var dotted: Style { dash(.dotted) }
    /// The same style with gnuplot point type `pt` (7 filled circle, 5 filled square, …).
    public func pointType(_ pt: Int) -> Style { var s = self; s.pointType = pt; return s }
    /// The same style with point size `ps` (a multiple of the default marker size).
    public func pointSize(_ ps: Double) -> Style { var s = self; s.pointSize = ps; return s }
    /// The same style with verbatim gnuplot text appended.
    public func extra(_ text: String) -> Style { var s = self; s.extra = text; return s }

    /// The `with …` clause, e.g. `with lines lt 2 dt 2 lw 1.5`.
    var clause: String {
        var parts = ["with", kind.gnuplot]
        if let lineType { parts.append("lt \(lineType)") }
        if let color { parts.append("lc rgb \(Gnuplot.quoted(color))") }
        if let width { parts.append("lw \(Gnuplot.number(width))") }
        if let dash { parts.append("dt \(dash.rawValue)") }
        if let pointType { parts.append("pt \(pointType)") }
        if let pointSize { parts.append("ps \(Gnuplot.number(pointSize))") }
        if let extra { parts.append(extra) }
        return parts.joined(separator: " ")
    }
}
