import GRUKit

/// One thing drawn in a panel: data carried by the figure (written to the figure's `NAME.dat` as
/// its own index block), a block of an existing data file, or a gnuplot function of x.
public struct Series: Sendable, Equatable {
    /// Where the series' points come from.
    public enum Source: Sendable, Equatable {
        /// Data written with the figure (one index block of `NAME.dat`, or a datablock).
        case data(DataBlock)
        /// An existing file in the figure's folder (e.g. a table written with ``DataTable``),
        /// optionally one of its index blocks.
        case file(String, index: Int?)
        /// A gnuplot expression in x (or x and y for `splot`), e.g. `"x"` for the identity line.
        case function(String)
    }

    /// Where the points come from: data carried by the figure, an existing file, or a function.
    public var source: Source
    /// gnuplot's `using` text (e.g. `"1:2"`, `"1:($2*100)"`); nil lets gnuplot take columns 1:2.
    public var using: String?
    /// The legend entry (gnuplot enhanced text: `h_0`, `w_{hh}`, `{/:Italic x}`); nil: no entry.
    public var title: String?
    /// How the series is drawn (default ``Style/lines``).
    public var style: Style

    /// A series from any source. The static constructors (``data(_:columns:using:title:style:)``,
    /// ``xy(_:_:columns:title:style:)``, ``file(_:index:using:title:style:)``,
    /// ``function(_:title:style:)``) are usually shorter.
    public init(source: Source, using: String? = nil, title: String? = nil, style: Style = .lines) {
        self.source = source
        self.using = using
        self.title = title
        self.style = style
    }

    /// Rows of numbers with named columns, drawn with `using` (default: the first two columns).
    ///
    /// - Precondition: every row has `columns.count` values and `columns` is not empty
    ///   (see ``DataBlock/init(columns:rows:title:)``).
    public static func data(_ rows: [[Double]], columns: [String], using: String? = nil,
                            title: String? = nil, style: Style = .lines) -> Series {
        Series(source: .data(DataBlock(columns: columns, rows: rows)), using: using, title: title, style: style)
    }

    /// A prepared block (1-D rows, or a grid made with ``DataBlock/init(gridX:y:z:columns:title:)``).
    public static func data(_ block: DataBlock, using: String? = nil, title: String? = nil,
                            style: Style = .lines) -> Series {
        Series(source: .data(block), using: using, title: title, style: style)
    }

    /// y against x, the points (x[i], y[i]), written as two columns named `columns`.
    ///
    /// - Precondition: `x.count == y.count` (traps otherwise, naming both counts).
    public static func xy(_ x: [Double], _ y: [Double], columns: (String, String) = ("x", "y"),
                          title: String? = nil, style: Style = .lines) -> Series {
        precondition(x.count == y.count, "Series.xy: \(x.count) x values for \(y.count) y values")
        return data(DataBlock(columns: [columns.0, columns.1], values: [x, y]), title: title, style: style)
    }

    /// A block of an existing data file in the figure's folder, e.g. `file("fixed-points.dat", using: "1:2")`.
    public static func file(_ name: String, index: Int? = nil, using: String? = nil,
                            title: String? = nil, style: Style = .lines) -> Series {
        Series(source: .file(name, index: index), using: using, title: title, style: style)
    }

    /// A gnuplot function, e.g. `function("x", title: "identity")`.
    public static func function(_ expression: String, title: String? = nil, style: Style = .lines) -> Series {
        Series(source: .function(expression), title: title, style: style)
    }

    /// `using` given by column names of the series' own data, e.g. `columns("w_hh", "h_star")` → `1:2`.
    ///
    /// - Precondition: the series carries its own data (``Source/data(_:)``) and every name is one
    ///   of its columns; traps otherwise, listing the columns there are.
    public func columns(_ names: String...) -> Series {
        guard case .data(let block) = source else {
            preconditionFailure("Series.columns: only series that carry their own data know column names")
        }
        let numbers = names.map { name -> String in
            guard let i = block.columns.firstIndex(of: name) else {
                preconditionFailure("Series.columns: no column \(name) in \(block.columns.joined(separator: " "))")
            }
            return String(i + 1)
        }
        var s = self
        s.using = numbers.joined(separator: ":")
        return s
    }
}
