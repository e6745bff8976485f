/// One of the three gate blocks of a GRU's stacked weights, biases and their gradients.
///
/// PyTorch's `nn.GRU` (and GRUKit, which stores parameters exactly as PyTorch does) stacks the
/// three gates' weights row-wise, in the order r, z, n:
///
///     weight_hh_l0 (3H×H) = [W_hr; W_hz; W_hn]     rows 0..<H, H..<2H, 2H..<3H
///     weight_ih_l0 (3H×I) = [W_ir; W_iz; W_in]
///     bias_hh_l0   (3H)   = (b_hr, b_hz, b_hn)      bias_ih_l0 likewise
///
/// ``candidate`` is the block the paper is about: W_hn, the candidate's recurrent matrix, which the
/// paper writes W_hh and whose spectral norm the projection P_δ bounds (`book/notation.md` maps the
/// names). Every place that cuts a block out of a stacked matrix goes through this type
/// (``rows(hiddenSize:)``, ``elements(hiddenSize:columns:)``, `Matrix[block:]`), so the block
/// order is written down once.
public enum GateBlock: Int, CaseIterable, Sendable, CustomStringConvertible {
    /// The reset gate r: rows 0..<H (W_hr, W_ir, b_hr, b_ir).
    case reset = 0
    /// The update gate z: rows H..<2H (W_hz, W_iz, b_hz, b_iz).
    case update = 1
    /// The candidate n: rows 2H..<3H (W_hn — the paper's W_hh —, W_in, b_hn, b_in).
    case candidate = 2

    /// The number of blocks stacked in a GRU matrix: 3.
    public static let count = 3

    /// PyTorch's letter for the gate: `r`, `z` or `n`.
    public var letter: String {
        switch self {
        case .reset: return "r"
        case .update: return "z"
        case .candidate: return "n"
        }
    }

    /// The gate's letter (`r`, `z`, `n`).
    public var description: String { letter }

    /// The block's rows in a stacked 3H-row matrix (or its entries in a 3H-entry bias vector):
    /// `k·H ..< (k+1)·H` for block k = 0 (r), 1 (z), 2 (n).
    /// - Precondition: `hiddenSize ≥ 0`.
    @inlinable public func rows(hiddenSize: Int) -> Range<Int> {
        precondition(hiddenSize >= 0, "GateBlock: negative hidden size \(hiddenSize)")
        return (rawValue * hiddenSize) ..< ((rawValue + 1) * hiddenSize)
    }

    /// The block's entries in the row-major storage of a stacked 3H×C matrix: its rows times C,
    /// one contiguous range (the block is whole rows).
    /// - Precondition: `hiddenSize ≥ 0`, `columns ≥ 0`.
    @inlinable public func elements(hiddenSize: Int, columns: Int) -> Range<Int> {
        precondition(columns >= 0, "GateBlock: negative column count \(columns)")
        let r = rows(hiddenSize: hiddenSize)
        return (r.lowerBound * columns) ..< (r.upperBound * columns)
    }

    /// The number of entries of a stacked matrix of all three blocks, 3·H·C (a parameter count).
    @inlinable public static func stackedCount(hiddenSize: Int, columns: Int) -> Int {
        count * hiddenSize * columns
    }

    /// The gate whose block holds row `row` of a stacked 3H-row matrix, with the row's index inside
    /// that block; nil when `row` is outside 0..<3H.
    public static func locate(row: Int, hiddenSize: Int) -> (gate: GateBlock, row: Int)? {
        guard hiddenSize > 0, row >= 0, row < count * hiddenSize else { return nil }
        return (GateBlock(rawValue: row / hiddenSize)!, row % hiddenSize)
    }
}

extension Matrix {
    /// The H×C block of a gate in this stacked 3H×C matrix (H = rows / 3), as a new matrix; setting
    /// it writes an H×C matrix back into those rows. `weightHH[block: .candidate]` is W_hn.
    /// - Precondition: `rows` is a multiple of 3; a new value is H×C.
    public subscript(block gate: GateBlock) -> Matrix {
        get {
            precondition(rows % GateBlock.count == 0, "Matrix[block:]: \(rows) rows are not three stacked gate blocks")
            let h = rows / GateBlock.count
            return Matrix(rows: h, cols: cols, elements: Array(elements[gate.elements(hiddenSize: h, columns: cols)]))
        }
        set {
            precondition(rows % GateBlock.count == 0, "Matrix[block:]: \(rows) rows are not three stacked gate blocks")
            let h = rows / GateBlock.count
            precondition(newValue.rows == h && newValue.cols == cols,
                         "Matrix[block:]: the \(gate) block is \(h)×\(cols), got \(newValue.rows)×\(newValue.cols)")
            elements.replaceSubrange(gate.elements(hiddenSize: h, columns: cols), with: newValue.elements)
        }
    }
}
