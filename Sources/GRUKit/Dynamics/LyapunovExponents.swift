#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Finite-time Lyapunov exponents of a product of Jacobians, by the QR method (Benettin et al.
/// 1980; the standard algorithm, also used by Miller & Hardt, ICLR 2019, to relate a recurrent
/// network's stability to its gradients).
///
/// For J_1, …, J_T (n×n) and k ≤ n orthonormal starting vectors Q_0:
///
///     J_t Q_{t−1} = Q_t R_t   (thin QR, t = 1…T),      λ_i = (1/T) Σ_t log |R_t[i, i]|,  i = 1…k.
///
/// λ_1 is the growth rate of ‖J_T ⋯ J_1 v‖ for a generic v: over T steps a perturbation of the
/// initial state (or, transposed, a gradient flowing back) is multiplied by about e^{Tλ_1}, so
/// λ_1 > 0 means exponential sensitivity and exploding gradients, λ_1 < 0 contraction.
/// λ_1 + … + λ_k is the growth rate of k-dimensional volumes, so with k = n the sum is
/// (1/T) log |det(J_T ⋯ J_1)| exactly (up to rounding), one of the tests.
///
/// Finite T: for a constant J, λ_1 = log ρ(J) + O(1/T) (the O(1/T) term is the log of how far Q_0
/// is from the leading invariant subspace); the QR re-orthonormalisation at every step keeps
/// the computation free of overflow however large T is.
public enum LyapunovExponents {
    /// The k finite-time exponents λ_1 ≥ … ≥ λ_k (in the order the QR method produces them, which
    /// is descending once the vectors have aligned) of the product J_T ⋯ J_1.
    ///
    /// Q_0 is k orthonormal columns drawn from `SeededGenerator(seed:)` (a generic start). The QR
    /// step is modified Gram–Schmidt applied twice ("twice is enough", Giraud et al. 2005), which
    /// keeps Q orthonormal to working precision for the small n of an analysis. A column whose
    /// image vanishes (R_ii = 0) gives λ_i = −∞.
    /// - Parameters:
    ///   - jacobians: J_1 … J_T, each n×n (T ≥ 1).
    ///   - k: the number of exponents (argument label `count`), 1…n (1: the maximal exponent only).
    ///   - seed: the seed of Q_0.
    /// - Returns: k exponents, each (1/T) Σ log |R_t[i, i]| in nats per step.
    /// - Precondition: T ≥ 1, all J_t square of one size n, 1 ≤ k ≤ n.
    public static func finiteTime(_ jacobians: [Matrix<Double>], count k: Int = 1, seed: UInt64 = 1) -> [Double] {
        precondition(!jacobians.isEmpty, "LyapunovExponents: no Jacobians")
        let n = jacobians[0].rows
        precondition(jacobians.allSatisfy { $0.rows == n && $0.cols == n }, "LyapunovExponents: the Jacobians must all be \(n)×\(n)")
        precondition(k >= 1 && k <= n, "LyapunovExponents: count must lie in 1…\(n), got \(k)")
        var rng = SeededGenerator(seed: seed)
        // Columns of Q as k arrays of n entries.
        var q = (0..<k).map { _ in (0..<n).map { _ in rng.nextNormal() } }
        _ = orthonormalize(&q)
        var sums = [Double](repeating: 0, count: k)
        for j in jacobians {
            var images = q.map { j.multiplied(by: $0) }
            let r = orthonormalize(&images)
            for i in 0..<k { sums[i] += log(r[i]) }
            q = images
        }
        return sums.map { $0 / Double(jacobians.count) }
    }

    /// Modified Gram–Schmidt, twice, on the columns `v` in order: afterwards they are orthonormal
    /// and the returned values are the diagonal |R_ii| of the thin QR factorisation.
    static func orthonormalize(_ v: inout [[Double]]) -> [Double] {
        var diag = [Double](repeating: 0, count: v.count)
        for i in 0..<v.count {
            for _ in 0..<2 {
                for p in 0..<i {
                    let d = zip(v[p], v[i]).reduce(0) { $0 + $1.0 * $1.1 }
                    for m in 0..<v[i].count { v[i][m] -= d * v[p][m] }
                }
            }
            let norm = v[i].reduce(0) { $0 + $1 * $1 }.squareRoot()
            diag[i] = norm
            if norm > 0 { for m in 0..<v[i].count { v[i][m] /= norm } }
        }
        return diag
    }
}

extension InputFreeGRU {
    /// The finite-time Lyapunov exponents of the orbit h_0, F(h_0), …: the QR method
    /// (``LyapunovExponents/finiteTime(_:count:seed:)``) on J_t = ∂F/∂h(h_{t−1}), t = 1…`steps`.
    /// At a fixed point h_0 = h* the Jacobian is constant and λ_1 → log ρ(∂F/∂h(h*)) as steps grow
    /// (with an O(1/steps) error).
    /// - Precondition: `h0.count == hiddenSize`, steps ≥ 1, 1 ≤ count ≤ H.
    public func lyapunovExponents(from h0: [Double], steps: Int, count: Int = 1, seed: UInt64 = 1) -> [Double] {
        precondition(steps >= 1, "lyapunovExponents: steps must be at least 1")
        var h = h0, js: [Matrix<Double>] = []
        js.reserveCapacity(steps)
        for _ in 0..<steps { js.append(jacobian(at: h)); h = self(h) }
        return LyapunovExponents.finiteTime(js, count: count, seed: seed)
    }
}
