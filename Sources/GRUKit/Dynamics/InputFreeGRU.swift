#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// The input-free GRU map h ↦ F(h) in Double (x = 0), for analysis, with or without biases.
///
/// Weights are held in PyTorch's `weight_hh_l0` layout: one 3H×H matrix whose row blocks are
/// W_hr (rows 0..<H), W_hz (rows H..<2H) and W_hh = W_hn (rows 2H..<3H). The biases, when given,
/// are PyTorch's `bias_ih_l0` = (b_ir, b_iz, b_in) and `bias_hh_l0` = (b_hr, b_hz, b_hn); with
/// x = 0 the input weights drop out but the input biases stay:
///
///     z = σ(W_hz h + b_iz + b_hz),  r = σ(W_hr h + b_ir + b_hr)
///     reset-before:  c = tanh(W_hh (r ⊙ h) + b_in + b_hn),     F = z ⊙ h + (1 − z) ⊙ c
///     reset-after:   c = tanh(b_in + r ⊙ (W_hn h + b_hn)),     F = (1 − z) ⊙ c + z ⊙ h
///
/// Without biases, at h = 0 both gates are ½ and c = 0, so F(0) = 0 and ∂F/∂h(0) = ½I + ¼W_hh for
/// both forms: the paper's analysis. With biases F(0) = (1 − z₀) ⊙ tanh(b_in + r₀ ⊙ b_hn) (reset-after),
/// in general not 0: the origin is then not a fixed point and ½I + ¼W_hh is not the Jacobian at any
/// point in particular; ``fixedPoints(starts:seed:tolerance:)`` finds the fixed points there are.
public struct InputFreeGRU: Sendable {
    /// The state size H ≥ 1; states are arrays of H Doubles.
    public let hiddenSize: Int
    /// Where the reset gate is applied (``GRUCell/resetBefore`` is the paper's form).
    public let form: GRUCell
    /// 3H×H, row blocks r, z, n (PyTorch's order).
    public private(set) var weightHH: Matrix<Double>
    /// (b_ir, b_iz, b_in), 3H entries (PyTorch's `bias_ih_l0`); zeros for a bias-free GRU.
    public let inputBias: [Double]
    /// (b_hr, b_hz, b_hn), 3H entries (PyTorch's `bias_hh_l0`); zeros for a bias-free GRU.
    public let recurrentBias: [Double]

    /// True when a bias entry is non-zero: then F(0) ≠ 0 in general and the origin's analysis
    /// (J = ½I + ¼W_hh) does not apply.
    public var hasBiases: Bool { inputBias.contains { $0 != 0 } || recurrentBias.contains { $0 != 0 } }

    /// The map with PyTorch's `weight_hh_l0` (blocks r, z, n stacked) as its recurrent weights and,
    /// optionally, PyTorch's two bias vectors (nil: zeros).
    ///
    /// - Precondition: `weightHH` is 3H×H with H ≥ 1 and each bias, when given, has 3H entries
    ///   (traps otherwise, naming the shape).
    public init(weightHH: Matrix<Double>, form: GRUCell = .resetBefore, inputBias: [Double]? = nil,
                recurrentBias: [Double]? = nil) {
        precondition(weightHH.cols >= 1 && weightHH.rows == 3 * weightHH.cols,
                     "InputFreeGRU: weight_hh must be 3H×H, got \(weightHH.rows)×\(weightHH.cols)")
        for b in [inputBias, recurrentBias] {
            precondition(b == nil || b!.count == weightHH.rows, "InputFreeGRU: a bias must have 3H = \(weightHH.rows) entries")
        }
        self.hiddenSize = weightHH.cols
        self.form = form
        self.weightHH = weightHH
        self.inputBias = inputBias ?? [Double](repeating: 0, count: weightHH.rows)
        self.recurrentBias = recurrentBias ?? [Double](repeating: 0, count: weightHH.rows)
    }

    /// The map from its three H×H gate blocks W_hr (reset), W_hz (update) and W_hn (candidate, the
    /// paper's W_hh), stacked into the 3H×H matrix in that order (``GateBlock``).
    ///
    /// - Precondition: all three are H×H with the same H ≥ 1 (traps otherwise).
    public init(reset: Matrix<Double>, update: Matrix<Double>, candidate: Matrix<Double>, form: GRUCell = .resetBefore) {
        let h = candidate.rows
        precondition([reset, update, candidate].allSatisfy { $0.rows == h && $0.cols == h },
                     "InputFreeGRU: the three blocks must be H×H with the same H")
        var stacked = Matrix<Double>(rows: GateBlock.count * h, cols: h)
        stacked[block: .reset] = reset
        stacked[block: .update] = update
        stacked[block: .candidate] = candidate
        self.init(weightHH: stacked, form: form)
    }

    /// The former spelling of ``init(reset:update:candidate:form:)``.
    @available(*, deprecated, renamed: "init(reset:update:candidate:form:)")
    public init(wHR: Matrix<Double>, wHZ: Matrix<Double>, wHH: Matrix<Double>, form: GRUCell = .resetBefore) {
        self.init(reset: wHR, update: wHZ, candidate: wHH, form: form)
    }

    /// A gate's H×H block of ``weightHH`` as a new matrix: W_hr, W_hz or W_hn (``GateBlock``).
    public func block(_ gate: GateBlock) -> Matrix<Double> { weightHH[block: gate] }

    /// The candidate block W_hn (rows 2H..<3H): the paper's W_hh, the matrix the paper constrains.
    public var candidateBlock: Matrix<Double> { block(.candidate) }

    /// The former name of ``candidateBlock``.
    @available(*, deprecated, renamed: "candidateBlock")
    public var wHH: Matrix<Double> { candidateBlock }

    @inline(__always) static func sigmoid(_ x: Double) -> Double {
        x >= 0 ? 1 / (1 + exp(-x)) : { let e = exp(x); return e / (1 + e) }()
    }

    /// The intermediate quantities of one step at h (all length H).
    struct Step {
        var z: [Double], r: [Double], c: [Double]
        /// reset-before: u = r ⊙ h (the candidate's input); reset-after: u = W_hn h + b_hn (pre-reset).
        var u: [Double]
    }

    func step(_ h: [Double]) -> Step {
        let n = hiddenSize
        precondition(h.count == n, "InputFreeGRU: state has \(h.count) entries, expected \(n)")
        let a = weightHH.multiplied(by: h)             // 3H: [W_hr h; W_hz h; W_hn h]
        let bi = inputBias, bh = recurrentBias
        var z = [Double](repeating: 0, count: n), r = z, c = z, u = z
        for i in 0..<n {
            r[i] = Self.sigmoid(a[i] + bi[i] + bh[i])
            z[i] = Self.sigmoid(a[n + i] + bi[n + i] + bh[n + i])
        }
        switch form {
        case .resetBefore:
            for i in 0..<n { u[i] = r[i] * h[i] }
            let an = block(.candidate).multiplied(by: u)
            for i in 0..<n { c[i] = tanh(an[i] + bi[2 * n + i] + bh[2 * n + i]) }
        case .resetAfter:
            for i in 0..<n { u[i] = a[2 * n + i] + bh[2 * n + i]; c[i] = tanh(bi[2 * n + i] + r[i] * u[i]) }
        }
        return Step(z: z, r: r, c: c, u: u)
    }

    /// One step of the map, F(h) = z ⊙ h + (1 − z) ⊙ c (see the type's formulas), with
    /// overflow-free sigmoids. Costs two GEMVs for reset-before, one for reset-after.
    ///
    /// - Precondition: `h.count == hiddenSize` (traps otherwise, naming both).
    public func callAsFunction(_ h: [Double]) -> [Double] {
        let s = step(h)
        return (0..<hiddenSize).map { i in s.z[i] * h[i] + (1 - s.z[i]) * s.c[i] }
    }

    // book: gru-jacobian
    /// The analytic Jacobian ∂F/∂h at h (H×H):
    ///
    ///     reset-before: diag(z) + diag((h − c) z(1−z)) W_hz
    ///                   + diag((1−z)(1−c²)) W_hh [diag(r) + diag(h r(1−r)) W_hr]
    ///     reset-after:  diag(z) + diag((h − c) z(1−z)) W_hz
    ///                   + diag((1−z)(1−c²)) [diag(u r(1−r)) W_hr + diag(r) W_hn],  u = W_hn h + b_hn
    ///
    /// (the biases enter through z, r, c and u only).
    ///
    /// Exact up to rounding; the tests compare it with ``finiteDifferenceJacobian(at:eps:)``. Its
    /// eigenvalues at a fixed point decide linear stability (``GRUFixedPoint/spectralRadius``).
    ///
    /// - Precondition: `h.count == hiddenSize` (traps otherwise).
    public func jacobian(at h: [Double]) -> Matrix<Double> {
        let n = hiddenSize, s = step(h)
        let wr = block(.reset), wz = block(.update), wn = block(.candidate)
        var j = Matrix<Double>(rows: n, cols: n)
        for i in 0..<n {
            let gz = (h[i] - s.c[i]) * s.z[i] * (1 - s.z[i])
            let gc = (1 - s.z[i]) * (1 - s.c[i] * s.c[i])
            j[i, i] += s.z[i]
            for k in 0..<n { j[i, k] += gz * wz[i, k] }
            switch form {
            case .resetBefore:
                // ∂(W_hh (r⊙h))_i/∂h_k = W_hh[i,k] r_k + Σ_m W_hh[i,m] h_m r_m(1−r_m) W_hr[m,k]
                for m in 0..<n {
                    let wim = wn[i, m]
                    if wim == 0 { continue }
                    j[i, m] += gc * wim * s.r[m]
                    let t = gc * wim * h[m] * s.r[m] * (1 - s.r[m])
                    if t != 0 { for k in 0..<n { j[i, k] += t * wr[m, k] } }
                }
            case .resetAfter:
                let gr = gc * s.u[i] * s.r[i] * (1 - s.r[i])
                for k in 0..<n { j[i, k] += gr * wr[i, k] + gc * s.r[i] * wn[i, k] }
            }
        }
        return j
    }
    // book: end

    /// The orbit h_0, F(h_0), …, F^steps(h_0): steps + 1 states, starting with `h0` itself; a
    /// negative `steps` is treated as 0.
    ///
    /// - Precondition: `h0.count == hiddenSize` when `steps > 0`.
    public func trajectory(from h0: [Double], steps: Int) -> [[Double]] {
        var out = [h0], h = h0
        for _ in 0..<max(0, steps) { h = self(h); out.append(h) }
        return out
    }

    /// The Jacobian of F by central differences with step `eps` (default 1e-6: truncation error
    /// O(eps²·F‴) ≈ 1e-12, rounding O(ε_machine/eps) ≈ 1e-10). For tests and the chapters' checks.
    /// Column k is (F(h + eps·e_k) − F(h − eps·e_k)) / (2·eps); costs 2H evaluations of F.
    ///
    /// - Precondition: `h.count == hiddenSize`, `eps > 0`.
    public func finiteDifferenceJacobian(at h: [Double], eps: Double = 1e-6) -> Matrix<Double> {
        let n = hiddenSize
        var j = Matrix<Double>(rows: n, cols: n)
        for k in 0..<n {
            var hp = h, hm = h
            hp[k] += eps; hm[k] -= eps
            let fp = self(hp), fm = self(hm)
            for i in 0..<n { j[i, k] = (fp[i] - fm[i]) / (2 * eps) }
        }
        return j
    }
}
