#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Rigorous upper bounds on the spectral norm σ_1(W) = ‖W‖₂, used to certify that the
/// projection P_c is the identity (σ_1 ≤ c) without decomposing W.
///
/// A power iteration is **not** among them: ‖Wx‖ for a unit x is a lower bound of σ_1, and
/// no residual test turns it into an upper bound in general. Every bound below is returned in
/// `Double` and inflated by a stated allowance for its own rounding, so that it is ≥ the exact
/// σ_1 of the stored matrix.
public enum SpectralNormBound {
    /// ‖W‖_F = √(Σ w_ij²) ≥ σ_1, since ‖W‖_F² = Σ σ_i². Cost n² (one pass). Tight only when W
    /// is close to rank one; for an n×n matrix with a flat spectrum it is ≈ √n·σ_1.
    /// Summed in Double: the sum of N = n² non-negative squares has relative rounding ≤ N·2⁻⁵³
    /// (each Float square is exact in Double), which the factor (1 + 2⁻³⁰) covers for N ≤ 2²³
    /// (the square root halves it, so in fact up to 2²⁴ entries, H ≤ 4096).
    @inlinable
    public static func frobenius<T: BLASScalar>(_ w: Matrix<T>) -> Double {
        var s = 0.0
        for x in w.elements { let d = Double(x); s += d * d }
        return s.squareRoot() * (1 + 0x1p-30)
    }

    /// √(‖W‖₁·‖W‖_∞) ≥ σ_1 (Schur / Hölder: σ_1² = ρ(WᵀW) ≤ ‖WᵀW‖₁ ≤ ‖Wᵀ‖₁‖W‖₁ = ‖W‖_∞‖W‖₁).
    /// Cost n² (one pass). Exact for diagonal and for permutation-scaled matrices; for dense
    /// random matrices it is ≈ √n·σ_1/2. Rounding allowance as for ``frobenius(_:)``.
    @inlinable
    public static func holder<T: BLASScalar>(_ w: Matrix<T>) -> Double {
        var rowMax = 0.0
        var colSums = [Double](repeating: 0, count: w.cols)
        for i in 0..<w.rows {
            var r = 0.0
            for j in 0..<w.cols { let a = abs(Double(w[i, j])); r += a; colSums[j] += a }
            rowMax = Swift.max(rowMax, r)
        }
        return (rowMax * (colSums.max() ?? 0)).squareRoot() * (1 + 0x1p-30)
    }

    /// ‖M^(2^j)‖_F^(1/2^(j+1)) ≥ σ_1 with M = WᵀW, after j repeated squarings.
    ///
    /// Theorem: M is symmetric positive semi-definite with largest eigenvalue σ_1², so
    /// σ_1^(2^(j+1)) = λ_max(M^(2^j)) ≤ ‖M^(2^j)‖_F. The bound overestimates by at most the factor
    /// r^(1/2^(j+1)), r the number of σ_i close to σ_1, so it tightens quickly with j when σ_1 is
    /// isolated and slowly when many singular values sit near the top (e.g. after a projection,
    /// where all clipped values equal c). Each squaring is rescaled to unit Frobenius norm so
    /// nothing overflows; the scales are accumulated in logarithms.
    /// Cost: one xGEMM of 2n³ flops per squaring plus the Gram product, computed in Double.
    /// The result is inflated by (1 + 64·n·2⁻⁵³) per squaring to cover the rounding of the
    /// Double products (a standard γ_n bound on each GEMM's relative Frobenius error).
    /// - Throws: ``LinearAlgebraError/nonFiniteInput(routine:)`` for Inf/NaN entries.
    public static func repeatedSquaring<T: BLASScalar>(_ w: Matrix<T>, squarings: Int) throws -> Double {
        guard w.isFinite else { throw LinearAlgebraError.nonFiniteInput(routine: "repeatedSquaring") }
        let wd: Matrix<Double> = w.converted()
        var m = wd.multiplied(by: wd, transposeSelf: true)
        let n = m.rows
        if n == 0 { return 0 }
        let allowance = 1 + 64 * Double(n) * 0x1p-53
        var f = m.frobeniusNorm
        if f == 0 { return 0 }
        // log ‖M^(2^j)‖_F ≤ logScale; A_j = M^(2^j)/exp(logScale) has unit Frobenius norm.
        var logScale = log(f * allowance)
        for i in 0..<m.count { m.elements[i] /= f }
        var power = 1.0
        for _ in 0..<Swift.max(0, squarings) {
            m = m.multiplied(by: m)
            f = m.frobeniusNorm
            if f == 0 { return 0 }
            logScale = 2 * logScale + log(f * allowance)
            for i in 0..<m.count { m.elements[i] /= f }
            power *= 2
        }
        // σ_1^(2·power) ≤ exp(logScale).
        return exp(logScale / (2 * power))
    }
}


/// A certified upper bound b ≥ σ_1(W) carried across SGD steps by Weyl's inequality.
///
/// Theorem (Weyl, for singular values): σ_1(W + E) ≤ σ_1(W) + σ_1(E) ≤ σ_1(W) + ‖E‖_F.
/// For an SGD step W ← W − η∇ the change is E = −η∇, so b ← b + η‖∇‖_F stays a bound. The
/// step itself is rounded: fl(w − ηg) = (w − ηg)(1 + θ), |θ| ≤ u (unit round-off), adding at
/// most u·(‖W‖_F + η‖∇‖_F) ≤ u·(√n·b + η‖∇‖_F) in Frobenius norm; ``advance(by:n:unitRoundoff:)``
/// adds twice that. The bound is held in Double.
public struct SpectralNormTracker: Sendable, Equatable {
    /// The current certified bound, or nil when nothing is known (start, or after `reset()`).
    public private(set) var bound: Double?

    /// A tracker starting from `bound` (nil: nothing known). The caller vouches that `bound` is
    /// a rigorous upper bound of σ_1 of the current matrix; it is not checked.
    public init(bound: Double? = nil) { self.bound = bound }

    /// Starts from a known bound (e.g. σ_1 from a decomposition, or c after clipping, each with
    /// the decomposition's rounding allowance).
    public mutating func establish(_ b: Double) { bound = b.isFinite ? b : nil }

    /// Forget the bound (W was changed by something other than a step of known size).
    public mutating func reset() { bound = nil }

    /// Accounts for W ← W + E with ‖E‖_F ≤ stepNorm, for an n×n matrix stored with unit
    /// round-off `unitRoundoff`. A nil, negative or non-finite step norm voids the bound.
    public mutating func advance(by stepNorm: Double?, n: Int, unitRoundoff: Double) {
        guard let b = bound, let s = stepNorm, s.isFinite, s >= 0 else { bound = nil; return }
        bound = b + s + 2 * unitRoundoff * (Double(n).squareRoot() * b + s)
    }
}
