import Foundation
import GRUKit

/// One block of a gnuplot data file: a `# col1 col2 …` header naming the columns, then rows of
/// whitespace-separated numbers. A block may hold several *scans* (rows separated by one blank
/// line), which is how gnuplot reads a 2-D grid for `splot`/`pm3d`; a 1-D series has one scan.
/// Blocks of one file are separated by two blank lines, so gnuplot addresses them with `index i`.
public struct DataBlock: Sendable, Equatable {
    /// A comment written above the header (`# title`), e.g. which series the block holds.
    public var title: String?
    /// Column names, written as the header line `# name1 name2 …`. Names should contain no spaces.
    public var columns: [String]
    /// The scans of the block; each scan is a list of rows with `columns.count` values.
    public private(set) var scans: [[[Double]]]

    /// An empty block with the given column names.
    public init(columns: [String], title: String? = nil) {
        precondition(!columns.isEmpty, "DataBlock: at least one column is needed")
        self.columns = columns
        self.title = title
        self.scans = [[]]
    }

    /// A block of one scan holding `rows`. Precondition: every row has `columns.count` values.
    public init(columns: [String], rows: [[Double]], title: String? = nil) {
        self.init(columns: columns, title: title)
        for row in rows { append(row) }
    }

    /// A block holding the columns `values[0]`, `values[1]`, … side by side (all of one length).
    public init(columns: [String], values: [[Double]], title: String? = nil) {
        precondition(columns.count == values.count, "DataBlock: \(columns.count) column names for \(values.count) columns")
        let n = values.first?.count ?? 0
        precondition(values.allSatisfy { $0.count == n }, "DataBlock: columns of different lengths \(values.map(\.count))")
        self.init(columns: columns, rows: (0..<n).map { i in values.map { $0[i] } }, title: title)
    }

    /// A 2-D grid z(x_i, y_j) as gnuplot reads it for `splot` (columns `x y z`): one scan per x_i,
    /// each listing y_j in order. `z[i][j]` is the value at (x[i], y[j]).
    public init(gridX x: [Double], y: [Double], z: [[Double]], columns: [String] = ["x", "y", "z"], title: String? = nil) {
        precondition(columns.count == 3, "DataBlock(grid): three column names (x y z) are needed")
        precondition(z.count == x.count && z.allSatisfy { $0.count == y.count },
                     "DataBlock(grid): z must be \(x.count)×\(y.count)")
        self.init(columns: columns, title: title)
        for i in x.indices {
            if i > 0 { endScan() }
            for j in y.indices { append([x[i], y[j], z[i][j]]) }
        }
    }

    /// Appends one row to the current scan. Precondition: `row.count == columns.count`
    /// (a mismatch is a programming error in the caller, not a user error).
    public mutating func append(_ row: [Double]) {
        precondition(row.count == columns.count,
                     "DataBlock: row of \(row.count) values for the \(columns.count) columns \(columns.joined(separator: " "))")
        scans[scans.count - 1].append(row)
    }

    /// Appends one row given as separate values.
    public mutating func append(_ values: Double...) { append(values) }

    /// Ends the current scan: the next row starts a new one (a single blank line in the file).
    public mutating func endScan() {
        if !(scans.last?.isEmpty ?? true) { scans.append([]) }
    }

    /// The number of rows over all scans.
    public var rowCount: Int { scans.reduce(0) { $0 + $1.count } }

    /// The block's text: optional `# title`, the `# columns` header, rows, a blank line between scans.
    public var text: String { DataTable.lines(cellRows) }

    /// The same lines as cells (see ``DataTable/cellRows``): the title and header one cell each, a
    /// number per cell, an empty row between scans.
    var cellRows: [[String]] {
        var rows: [[String]] = []
        if let title { rows.append(["# " + Gnuplot.commentText(title)]) }
        rows.append(["# " + Gnuplot.commentText(columns.joined(separator: " "))])
        for (k, scan) in scans.filter({ !$0.isEmpty }).enumerated() {
            if k > 0 { rows.append([]) }
            rows += scan.map { $0.map(DataTable.format) }
        }
        return rows
    }
}

/// A plain gnuplot/whitespace data file (`.dat`): comment lines, then one or more ``DataBlock``s
/// separated by two blank lines (gnuplot's `index` blocks). Numbers are written at full precision
/// (the shortest text that reads back to the same Double), so the file is also an exact record.
///
/// Non-finite values are written as `NaN`, `Inf` and `-Inf`: gnuplot reads all three, and `plot`
/// skips them as undefined points (they do not stretch the autoscaled range), while the file still
/// says what happened. (gnuplot's `stats` counts only `NaN` as invalid.)
public struct DataTable: Sendable, Equatable {
    /// Lines written first, each as `# line` (what the file holds, units, how it was made).
    public var comments: [String]
    /// The blocks, in file order; block i is gnuplot's `index i`.
    public var blocks: [DataBlock]

    /// A table of one (so far empty) block with the given column names.
    public init(columns: [String], comments: [String] = []) {
        self.comments = comments
        self.blocks = [DataBlock(columns: columns)]
    }

    /// A table made of the given blocks.
    public init(blocks: [DataBlock], comments: [String] = []) {
        self.comments = comments
        self.blocks = blocks
    }

    /// Appends a row to the last block. Precondition: the row has one value per column.
    public mutating func append(_ row: [Double]) { blocks[blocks.count - 1].append(row) }

    /// Appends a row given as separate values.
    public mutating func append(_ values: Double...) { append(values) }

    /// Starts a new index block with the same columns as the last one (or the given ones).
    public mutating func newBlock(title: String? = nil, columns: [String]? = nil) {
        blocks.append(DataBlock(columns: columns ?? blocks.last?.columns ?? ["x"], title: title))
    }

    /// Ends the current scan of the last block (a single blank line: grids for `splot`).
    public mutating func endScan() { blocks[blocks.count - 1].endScan() }

    /// The whole file's text.
    public var text: String { Self.lines(cellRows) }

    /// The file as rows of cells, the form gnuplot-iostream's `file1d` writes (cells joined by single
    /// spaces, one row per line, an empty row a blank line): comments, then the blocks two empty rows
    /// apart. ``text`` is made from it too, so the file written and the text in memory cannot differ.
    var cellRows: [[String]] {
        var rows: [[String]] = comments.map { ["# " + Gnuplot.commentText($0)] }
        for (k, block) in blocks.enumerated() {
            if k > 0 { rows += [[], []] }
            rows += block.cellRows
        }
        return rows
    }

    /// Rows of cells laid out as `file1d` lays them out.
    static func lines(_ rows: [[String]]) -> String {
        rows.map { $0.joined(separator: " ") + "\n" }.joined()
    }

    /// Writes the file atomically (a temporary file in the same folder, then a rename), so an
    /// existing file is replaced only by a complete new one. The file is written by gnuplot-iostream's
    /// `file1d`; its text is exactly ``text``.
    ///
    /// - Throws: ``FigureError/cannotWrite(path:reason:)`` naming the file when writing fails.
    public func write(to url: URL) throws {
        try GnuplotSession.file1d(self, to: url)
    }

    /// The text of one number as written in a data file: the shortest decimal that reads back to
    /// the same Double (`0.1`, `1e-05`, `0.7103871766467554`); integral values below 2^53 without a
    /// fraction (`3`, not `3.0`); `NaN`, `Inf`, `-Inf` for non-finite values.
    public static func format(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x > 0 ? "Inf" : "-Inf" }
        if x == x.rounded(), abs(x) < 9.007_199_254_740_992e15 { return String(Int64(x)) }
        return "\(x)"
    }
}

extension AtomicFile {
    /// ``replace(_:fill:)`` for the figure layer: the file is written by `fill` (gnuplot-iostream's
    /// `file1d`, a `>NAME.gp` session) and a refusal or failed rename is a
    /// ``FigureError/cannotWrite(path:reason:)`` naming the file.
    static func replaceFigureFile(_ url: URL, fill: (URL) throws -> Void) throws {
        do { try replace(url, fill: fill) } catch let e as OutputFileError {
            throw FigureError.cannotWrite(path: url.path, reason: e.reason)
        }
    }
}
