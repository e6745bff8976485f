import XCTest
import GRUKit

/// Central finite differences in Double: ∂f/∂v_i ≈ (f(v + h e_i) − f(v − h e_i)) / 2h, with
/// truncation error O(h²·f‴) ≈ 1e-12 and round-off O(ε·|f|/h) ≈ 1e-10 for h = 1e-6, so a
/// correct analytic gradient agrees to about 1e-8 relative (tolerances below are 1e-6).
enum FiniteDifferences {
    static let step = 1e-6

    /// The numerical gradient of `loss` with respect to the array reached by `get`/`set`.
    static func gradient(count: Int, get: (Int) -> Double, set: (Int, Double) -> Void, loss: () -> Double) -> [Double] {
        var g = [Double](repeating: 0, count: count)
        for i in 0..<count {
            let v = get(i)
            set(i, v + step); let fp = loss()
            set(i, v - step); let fm = loss()
            set(i, v)
            g[i] = (fp - fm) / (2 * step)
        }
        return g
    }

    /// The numerical gradient with respect to a parameter's value.
    static func gradient(of p: Parameter<Double>, loss: () -> Double) -> [Double] {
        gradient(count: p.value.count, get: { p.value.elements[$0] }, set: { p.value.elements[$0] = $1 }, loss: loss)
    }

    /// The numerical gradient with respect to a matrix held in a variable.
    static func gradient(of m: inout Matrix<Double>, loss: (Matrix<Double>) -> Double) -> [Double] {
        var copy = m
        return gradient(count: m.count, get: { copy.elements[$0] }, set: { copy.elements[$0] = $1 }, loss: { loss(copy) })
    }
}

/// Σ_ij a_ij b_ij.
func frobeniusInner(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Double {
    zip(a.elements, b.elements).reduce(0) { $0 + $1.0 * $1.1 }
}
