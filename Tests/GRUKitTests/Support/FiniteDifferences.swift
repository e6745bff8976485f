import XCTest
import GRUKit

/// Central finite differences in Double: ∂f/∂v_i ≈ (f(v + h e_i) − f(v − h e_i)) / 2h, with
/// truncation error O(h²·f‴) ≈ 1e-12 and round-off O(ε·|f|/h) ≈ 1e-10 for h = 1e-6, so a
/// correct analytic gradient agrees to about 1e-8 relative (tolerances below are 1e-6).
///
/// `loss` may have side effects (a model's `lossAndGradients` rewrites every parameter's
/// gradient at the point it evaluates). Each sweep therefore ends with one more evaluation at
/// the restored point, so that whatever `loss` leaves behind describes the unperturbed
/// parameters again. Callers must still read the analytic gradients *before* any sweep.
enum FiniteDifferences {
    static let step = 1e-6

    /// The numerical gradient of `loss` with respect to the array reached by `get`/`set`.
    static func gradient(count: Int, step: Double = FiniteDifferences.step, get: (Int) -> Double,
                         set: (Int, Double) -> Void, loss: () -> Double) -> [Double] {
        var g = [Double](repeating: 0, count: count)
        for i in 0..<count {
            let v = get(i)
            set(i, v + step); let fp = loss()
            set(i, v - step); let fm = loss()
            set(i, v)
            g[i] = (fp - fm) / (2 * step)
        }
        if count > 0 { _ = loss() }
        return g
    }

    /// The numerical gradient with respect to a parameter's value.
    static func gradient(of p: Parameter<Double>, step: Double = FiniteDifferences.step, loss: () -> Double) -> [Double] {
        gradient(count: p.value.count, step: step, get: { p.value.elements[$0] }, set: { p.value.elements[$0] = $1 }, loss: loss)
    }

    /// The numerical gradient with respect to a matrix held in a variable.
    static func gradient(of m: inout Matrix<Double>, loss: (Matrix<Double>) -> Double) -> [Double] {
        var copy = m
        return gradient(count: m.count, get: { copy.elements[$0] }, set: { copy.elements[$0] = $1 }, loss: { loss(copy) })
    }

    /// What ``compare(_:with:step:floor:loss:)`` measured for one parameter.
    struct Comparison {
        /// max_i |a_i − D_h,i|: the analytic gradient against central differences with step h.
        var coarse: Double
        /// max_i |a_i − D_{h/2},i|.
        var fine: Double
        /// max_i |a_i − R_i| / max(|R_i|, floor) for the Richardson extrapolation
        /// R = (4 D_{h/2} − D_h) / 3, whose truncation error is O(h⁴).
        var extrapolated: Double
        /// coarse / fine: 4 when the discrepancy is the O(h²) truncation error of central
        /// differences, i.e. when the analytic gradient is the derivative at the point.
        var ratio: Double { coarse / fine }
    }

    /// Compares `analytic` (read before this call) with central differences of `loss` in
    /// `p` at steps h and h/2.
    ///
    /// For a smooth loss, D_h = f′ + c h² + O(h⁴): the discrepancy of a correct analytic
    /// gradient falls by 4 when h halves, and Richardson's R removes the h² term. A stale or
    /// otherwise slightly wrong analytic gradient (off by a constant d) gives a discrepancy
    /// that does not fall (ratio → 1) and shows up in R at full size.
    static func compare(_ analytic: [Double], with p: Parameter<Double>, step h: Double = 1e-3, floor: Double,
                        loss: () -> Double) -> Comparison {
        let coarse = gradient(of: p, step: h, loss: loss)
        let fine = gradient(of: p, step: h / 2, loss: loss)
        let richardson = zip(fine, coarse).map { (4 * $0 - $1) / 3 }
        func maxAbs(_ b: [Double]) -> Double { zip(analytic, b).map { abs($0 - $1) }.max() ?? 0 }
        return Comparison(coarse: maxAbs(coarse), fine: maxAbs(fine),
                          extrapolated: Oracle.maxRelativeDifference(analytic, richardson, floor: floor))
    }

    /// Checks a model's analytic gradients against finite differences, parameter by parameter.
    ///
    /// Evaluates `loss` once at the current point and snapshots every parameter's gradient
    /// *before* perturbing anything (each perturbed evaluation rewrites the gradients), then
    /// asserts for each parameter, with h = 1e-3:
    /// - Richardson's estimate agrees to `tolerance` relative to max(|R_i|, `floor`). Its
    ///   truncation error is O(h⁴) ≈ 1e-12; its round-off is about (5/3)·δf/h with δf the
    ///   error of one loss evaluation (a few ε|f|, |f| ≈ 2 for the small test models), a few
    ///   1e-12 absolute. Measured on the models of EngineModelTests: ≤ 1.3e-12 absolute,
    ///   i.e. ≤ 1.3e-10 with floor 1e-2. The tolerance 1e-9 (1e-11 absolute for gradients below
    ///   the floor) leaves a factor ~8; it is 10⁵ times tighter than the former check (1e-6 with
    ///   floor 1) and far below the O(h) offset of a stale gradient (≥ 1e-5 at h = 1e-3).
    /// - the discrepancy of D_h falls like h²: when it is large enough to be measured
    ///   (max |a − D_h| ≥ 1e-9, 10³ times the round-off of D_h), halving h divides it by 4 ± 10 %.
    static func checkModel(_ label: String, parameters: [Parameter<Double>], tolerance: Double = 1e-9, floor: Double = 1e-2,
                           loss: () -> Double, file: StaticString = #filePath, line: UInt = #line) {
        _ = loss()
        let analytic = parameters.map(\.gradient.elements)
        for (k, p) in parameters.enumerated() {
            let c = compare(analytic[k], with: p, floor: floor, loss: loss)
            Oracle.check("\(label) ∂\(p.name) (Richardson, h = 1e-3)", [c.extrapolated], [0.0], tolerance: tolerance,
                         file: file, line: line)
            if c.coarse >= 1e-9 {
                let ok = abs(c.ratio - 4) <= 0.4
                print("\(ok ? "OK    " : "NOT OK") \(label) ∂\(p.name): discrepancy \(c.coarse) at h, \(c.fine) at h/2, ratio \(c.ratio) (expected 4)")
                XCTAssertTrue(ok, "\(label) ∂\(p.name): finite-difference discrepancy does not fall like h² (ratio \(c.ratio))",
                              file: file, line: line)
            }
        }
    }
}

/// Σ_ij a_ij b_ij.
func frobeniusInner(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Double {
    zip(a.elements, b.elements).reduce(0) { $0 + $1.0 * $1.1 }
}
