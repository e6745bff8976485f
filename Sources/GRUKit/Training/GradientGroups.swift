import Foundation

/// The gradient norm of each parameter group of a model, so that a log shows *where* a gradient
/// grows: the input layer (embedding), W_ih, each of W_hh's three gate blocks (reset r, update z,
/// candidate n — PyTorch's row order), the output layer. The groups partition the parameters, so
/// Σ_g ‖g_g‖² = ‖g‖², the global norm of `clip_grad_norm_`.
///
/// The paper's mechanism is a recurrent one: the gradient explodes through ∂h_t/∂h_{t−1}, whose
/// Jacobian at h* = 0 is ½I + ¼W_hn (the-paper §2), so a divergence that starts in the recurrent
/// blocks (above all W_hn) is the paper's; one that starts in the output layer is not.
public struct GradientGroups {
    /// The group names, in order: every parameter's name, with the recurrent matrix's replaced by
    /// `NAME[r]`, `NAME[z]`, `NAME[n]`.
    public let names: [String]
    /// For each parameter: its index in ``names`` (or, for the split matrix, the first of three).
    let slots: [(parameter: Int, group: Int, split: Bool)]

    /// The groups of `parameters`; the parameter named `recurrentName` (a 3H × H `weight_hh`) is
    /// split into its three gate blocks of H rows each.
    public init<S: BLASScalar>(parameters: [Parameter<S>], recurrentName: String?) {
        var names: [String] = [], slots: [(Int, Int, Bool)] = []
        for (k, p) in parameters.enumerated() {
            if p.name == recurrentName, p.value.rows % GateBlock.count == 0, p.value.rows > 0 {
                slots.append((k, names.count, true))
                names += GateBlock.allCases.map { "\(p.name)[\($0.letter)]" }
            } else {
                slots.append((k, names.count, false))
                names.append(p.name)
            }
        }
        self.names = names
        self.slots = slots
    }

    /// Writes the groups' gradient norms ‖g_g‖_F into `norms` (``names``.count values; no
    /// allocation). Each comes from xNRM2 over the group's rows (a row-sparse gradient over its
    /// listed rows only, as ``Parameters/gradientNorm(_:)``), so the squares sum to the square of
    /// that global norm up to rounding (relative 10⁻⁶ in Float).
    public func measure<S: BLASScalar>(_ parameters: [Parameter<S>], into norms: inout [Double]) {
        precondition(norms.count == names.count, "GradientGroups: \(names.count) norms expected, got \(norms.count)")
        for s in slots {
            let p = parameters[s.parameter]
            let c = p.gradient.cols
            p.gradient.elements.withUnsafeBufferPointer { g in
                func rowsNorm(_ rows: Range<Int>) -> Double {
                    guard let base = g.baseAddress, !rows.isEmpty else { return 0 }
                    if let sparse = p.gradientRows {
                        var sum = 0.0
                        for r in sparse where rows.contains(r) {
                            let n = Double(S.nrm2(n: c, x: base + r * c, incx: 1))
                            sum += n * n
                        }
                        return sum.squareRoot()
                    }
                    return Double(S.nrm2(n: rows.count * c, x: base + rows.lowerBound * c, incx: 1))
                }
                let rows = p.gradient.rows
                if s.split {
                    for gate in GateBlock.allCases {
                        norms[s.group + gate.rawValue] = rowsNorm(gate.rows(hiddenSize: rows / GateBlock.count))
                    }
                } else {
                    norms[s.group] = rowsNorm(0 ..< rows)
                }
            }
        }
    }

    /// The log keys, `gradient_norm[NAME]`.
    public var keys: [String] { names.map { "gradient_norm[\($0)]" } }
}

/// The last `capacity` iterations of a run, kept in memory at no allocation per step and written to
/// the log only when the run diverges: the approach to a blow-up, iteration by iteration, which the
/// every-`logEvery` records would squeeze into one segment. Each entry: iteration, epoch, loss,
/// global gradient norm (before clipping), the group norms (``GradientGroups``), clipped, projected.
public struct IterationTrace {
    /// How many iterations are kept (100 by default).
    public let capacity: Int
    let width: Int
    var values: [Double]
    var flags: [UInt8]
    var next = 0, filled = 0

    /// An empty trace of `capacity` iterations with `groups` group norms each.
    public init(capacity: Int = 100, groups: Int) {
        precondition(capacity >= 1, "IterationTrace: capacity must be at least 1")
        self.capacity = capacity
        width = 4 + groups
        values = Array(repeating: .nan, count: capacity * width)
        flags = Array(repeating: 0, count: capacity)
    }

    /// Records one iteration, replacing the oldest when full.
    public mutating func record(iteration: Int, epoch: Int, loss: Double, gradientNorm: Double, groupNorms: [Double],
                                clipped: Bool, projected: Bool) {
        precondition(groupNorms.count == width - 4, "IterationTrace: \(width - 4) group norms expected")
        let base = next * width
        values[base] = Double(iteration); values[base + 1] = Double(epoch)
        values[base + 2] = loss; values[base + 3] = gradientNorm
        for k in 0 ..< groupNorms.count { values[base + 4 + k] = groupNorms[k] }
        flags[next] = (clipped ? 1 : 0) | (projected ? 2 : 0)
        next = (next + 1) % capacity
        filled = min(filled + 1, capacity)
    }

    /// The number of iterations held.
    public var count: Int { filled }

    /// The held iterations, oldest first, as log records of type `trace` with the keys of
    /// ``GradientGroups/keys``.
    public func records(keys: [String]) -> [LogRecord] {
        precondition(keys.count == width - 4, "IterationTrace: \(width - 4) keys expected")
        var out: [LogRecord] = []
        for j in 0 ..< filled {
            let slot = (next - filled + j + capacity) % capacity, base = slot * width
            var fields: [(String, JSONValue)] = [
                ("type", LogRecordType.trace.value), ("iteration", .integer(Int(values[base]))), ("epoch", .integer(Int(values[base + 1]))),
                ("loss", .number(values[base + 2])), ("gradient_norm", .number(values[base + 3])),
                ("clipped", .bool(flags[slot] & 1 != 0)), ("projected", .bool(flags[slot] & 2 != 0))]
            for (k, key) in keys.enumerated() { fields.append((key, .number(values[base + 4 + k]))) }
            out.append(LogRecord(fields))
        }
        return out
    }
}
