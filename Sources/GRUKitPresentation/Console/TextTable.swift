import Foundation
import GRUKit

/// One cell of a ``TextTable``: a number (right-aligned, formatted by its column) or text.
public enum TableCell: Sendable, Equatable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
    /// A Double, formatted by its column's printf format (non-finite values as `NaN`, `Inf`, `-Inf`).
    case number(Double)
    /// An integer, printed in full with no format (counts, epochs, sizes).
    case integer(Int)
    /// Text, printed as is; a column of text cells only is left-aligned.
    case text(String)
    /// Nothing to show (printed as `—`).
    case empty

    /// A float literal `0.875` is ``number(_:)``.
    public init(floatLiteral value: Double) { self = .number(value) }
    /// An integer literal `40` is ``integer(_:)`` (write `40.0` for a formatted number).
    public init(integerLiteral value: Int) { self = .integer(value) }
    /// A string literal is ``text(_:)``.
    public init(stringLiteral value: String) { self = .text(value) }

    /// A Double cell, or `—` when nil.
    public static func optional(_ x: Double?) -> TableCell { x.map { .number($0) } ?? .empty }
}

/// An aligned plain-text table for the terminal: a title, column headers, numbers right-aligned
/// and formatted per column (`%.4f` by default), text left-aligned.
///
///     var t = TextTable(title: "Fixed points", columns: ["w_hh", "f'(0)", "h*"], format: "%.4f")
///     t.add([1.5, 0.875, .empty])
///     print(t.render())
public struct TextTable: Sendable, Equatable {
    /// A line printed above the header; nil: none.
    public var title: String?
    /// The column headers, in order; every row has one cell per column.
    public var columns: [String]
    /// printf formats of Double cells, one per column (integers always print as integers).
    public var formats: [String]
    /// The rows added so far with ``add(_:)``, each with `columns.count` cells.
    public private(set) var rows: [[TableCell]] = []

    /// A table whose Double cells use `format` in every column.
    public init(title: String? = nil, columns: [String], format: String = "%.4f") {
        self.init(title: title, columns: columns, formats: Array(repeating: format, count: columns.count))
    }

    /// A table with a printf format per column, e.g. `["%.2f", "%.6f", "%.3e"]`; each must take one
    /// Double (it is passed to `String(format:)`).
    ///
    /// - Precondition: `formats.count == columns.count` (traps otherwise, naming both).
    public init(title: String? = nil, columns: [String], formats: [String]) {
        precondition(formats.count == columns.count, "TextTable: \(formats.count) formats for \(columns.count) columns")
        self.title = title
        self.columns = columns
        self.formats = formats
    }

    /// Appends a row.
    ///
    /// - Precondition: one cell per column (traps otherwise, naming both counts).
    public mutating func add(_ row: [TableCell]) {
        precondition(row.count == columns.count, "TextTable: row of \(row.count) cells for \(columns.count) columns")
        rows.append(row)
    }

    private func text(_ cell: TableCell, column: Int) -> String {
        switch cell {
        case .number(let x):
            if x.isNaN { return "NaN" }
            if x.isInfinite { return x > 0 ? "Inf" : "-Inf" }
            return String(format: formats[column], x)
        case .integer(let n): return String(n)
        case .text(let s): return s
        case .empty: return "—"
        }
    }

    private static func isLeftAligned(_ cell: TableCell) -> Bool {
        if case .text = cell { return true }
        return false
    }

    /// The table as lines: title, header, a rule, rows. Columns are two spaces apart; a column
    /// whose cells are all text is left-aligned, otherwise everything in it is right-aligned.
    public func render() -> String {
        let cells = rows.map { row in row.enumerated().map { text($1, column: $0) } }
        let widths = columns.indices.map { j in
            max(columns[j].count, cells.map { $0[j].count }.max() ?? 0)
        }
        let leftAligned = columns.indices.map { j in !rows.isEmpty && rows.allSatisfy { Self.isLeftAligned($0[j]) } }
        func pad(_ s: String, _ j: Int) -> String {
            let fill = String(repeating: " ", count: widths[j] - s.count)
            return leftAligned[j] ? s + fill : fill + s
        }
        func line(_ items: [String]) -> String {
            var l = items.enumerated().map { pad($1, $0) }.joined(separator: "  ")
            while l.hasSuffix(" ") { l.removeLast() }
            return "  " + l
        }
        var out: [String] = []
        if let title { out.append(title) }
        out.append(line(columns))
        out.append("  " + String(repeating: "─", count: widths.reduce(0, +) + 2 * (widths.count - 1)))
        for row in cells { out.append(line(row)) }
        return out.joined(separator: "\n")
    }
}
