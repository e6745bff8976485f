import GRUKit

/// Where a panel's legend (gnuplot's *key*) goes; each case becomes one `set key …` command.
public enum KeyPlacement: Sendable, Equatable {
    /// Inside the plot area, in the named corner: `topLeft` → `set key top left`, `topRight` →
    /// `set key top right` (the default of ``Panel``), `bottomLeft` → `set key bottom left`,
    /// `bottomRight` → `set key bottom right`.
    case topLeft, topRight, bottomLeft, bottomRight
    /// Outside the plot area, to the right, entries stacked from the top
    /// (`set key outside right top vertical`): for many entries that would cover the data.
    case outsideRight
    /// Below the plot area, entries side by side (`set key below horizontal`).
    case below
    /// No legend (`unset key`); series titles are then not shown at all.
    case off
    /// Any `set key …` arguments, verbatim, e.g. `.custom("at graph 0.5, 0.9 center")`. Not checked:
    /// a typo surfaces as a gnuplot error when the script is drawn.
    case custom(String)

    var command: String {
        switch self {
        case .topLeft: return "set key top left"
        case .topRight: return "set key top right"
        case .bottomLeft: return "set key bottom left"
        case .bottomRight: return "set key bottom right"
        case .outsideRight: return "set key outside right top vertical"
        case .below: return "set key below horizontal"
        case .off: return "unset key"
        case .custom(let s): return "set key " + s
        }
    }
}

/// An axis of a panel; the raw value is gnuplot's axis name (`set logscale x`).
public enum Axis: String, Sendable, Equatable, CaseIterable {
    /// `x`: the horizontal axis; `y`: the vertical axis; `z`: the height axis, used by 3-D
    /// (``Panel/is3D``) panels only.
    case x, y, z
}

/// One plot of a figure: axis labels and ranges, legend placement, and its series.
/// In a multiplot, settings a panel leaves unset are reset to gnuplot's defaults when an earlier
/// panel set them, so panels do not inherit each other's labels or ranges; raw ``commands`` are
/// the exception (they persist, as in gnuplot itself).
public struct Panel: Sendable, Equatable {
    /// The title above the panel (`set title`), gnuplot enhanced text; nil: none.
    public var title: String?
    /// The x-axis label (`set xlabel`), gnuplot enhanced text (`w_{hh}`, `h^*`); nil: none.
    public var xLabel: String?
    /// The y-axis label (`set ylabel`), gnuplot enhanced text; nil: none.
    public var yLabel: String?
    /// The z-axis label (`set zlabel`); only drawn on 3-D panels (``is3D``).
    public var zLabel: String?
    /// The shown x interval [lower, upper] (`set xrange`); nil: gnuplot autoscales to the data.
    public var xRange: ClosedRange<Double>?
    /// The shown y interval [lower, upper] (`set yrange`); nil: autoscaled.
    public var yRange: ClosedRange<Double>?
    /// The shown z interval (`set zrange`), 3-D panels only; nil: autoscaled.
    public var zRange: ClosedRange<Double>?
    /// Axes drawn on a logarithmic (base 10) scale (`set logscale …`). gnuplot treats data ≤ 0
    /// on such an axis as undefined and skips it.
    public var logScale: Set<Axis>
    /// Where the legend goes (default ``KeyPlacement/topRight``).
    public var key: KeyPlacement
    /// Equal unit length on x and y (`set size ratio -1`), e.g. for return maps.
    public var equalAxes: Bool
    /// A 3-D panel (`splot`) instead of `plot`.
    public var is3D: Bool
    /// Raw gnuplot commands emitted before the plot command (the escape hatch).
    public var commands: [String]
    /// The series drawn, in order: the first is drawn first (underneath) and listed first in the
    /// legend. A panel without series emits no plot command, so it draws nothing.
    public var series: [Series]

    /// A panel with the given settings; every argument has a neutral default, so
    /// `Panel(title: "…", xLabel: "t")` is enough. The z label and range are set afterwards.
    public init(title: String? = nil, xLabel: String? = nil, yLabel: String? = nil,
                xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil,
                logScale: Set<Axis> = [], key: KeyPlacement = .topRight, equalAxes: Bool = false,
                is3D: Bool = false, commands: [String] = [], series: [Series] = []) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xRange = xRange
        self.yRange = yRange
        self.logScale = logScale
        self.key = key
        self.equalAxes = equalAxes
        self.is3D = is3D
        self.commands = commands
        self.series = series
    }

    /// Appends a series to the panel (drawn above, and listed after, the earlier ones).
    public mutating func plot(_ series: Series) { self.series.append(series) }

    /// Appends a raw gnuplot command to ``commands``, emitted before the plot command.
    public mutating func command(_ text: String) { commands.append(text) }
}
