/// Where a panel's legend goes.
public enum KeyPlacement: Sendable, Equatable {
    case topLeft, topRight, bottomLeft, bottomRight
    /// Outside the plot area, to the right (for many entries that would cover the data).
    case outsideRight
    /// Below the plot area, entries side by side.
    case below
    /// No legend.
    case off
    /// Any `set key …` arguments, verbatim.
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

/// An axis of a panel.
public enum Axis: String, Sendable, Equatable, CaseIterable {
    case x, y, z
}

/// One plot of a figure: axis labels and ranges, legend placement, and its series.
/// In a multiplot, settings a panel leaves unset are reset to gnuplot's defaults when an earlier
/// panel set them, so panels do not inherit each other's labels or ranges; raw ``commands`` are
/// the exception (they persist, as in gnuplot itself).
public struct Panel: Sendable, Equatable {
    public var title: String?
    public var xLabel: String?
    public var yLabel: String?
    /// Only for 3-D panels.
    public var zLabel: String?
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?
    public var zRange: ClosedRange<Double>?
    /// Axes drawn on a logarithmic (base 10) scale.
    public var logScale: Set<Axis>
    public var key: KeyPlacement
    /// Equal unit length on x and y (`set size ratio -1`), e.g. for return maps.
    public var equalAxes: Bool
    /// A 3-D panel (`splot`) instead of `plot`.
    public var is3D: Bool
    /// Raw gnuplot commands emitted before the plot command (the escape hatch).
    public var commands: [String]
    public var series: [Series]

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

    /// Adds a series to the panel.
    public mutating func plot(_ series: Series) { self.series.append(series) }

    /// Adds a raw gnuplot command, emitted before the plot command.
    public mutating func command(_ text: String) { commands.append(text) }
}
