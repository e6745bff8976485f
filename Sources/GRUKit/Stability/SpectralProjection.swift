/// The projection P_δ of Kanai et al. (2017), eq. 12–14: clip the singular values of the
/// candidate recurrent matrix at the threshold c = 2 − δ,
///
///     W = U Σ Vᵀ  ↦  P_δ(W) = U diag(min(σ_i, c)) Vᵀ.
///
/// It is the Frobenius-nearest matrix with ‖W‖₂ ≤ c (so SGD followed by P_δ is projected SGD),
/// it leaves a matrix with σ_1 ≤ c unchanged, and it is idempotent. Equivalently
/// P_δ(W) = W − Σ_{σ_i > c} (σ_i − c) u_i v_iᵀ: only the clipped singular triplets change W.
public enum SpectralProjection {
    /// The threshold c = 2 − δ of the paper (δ > 0 keeps ‖W_hh‖₂ strictly below the bifurcation
    /// value 2; δ = 0 is allowed for experiments).
    /// - Precondition: 0 ≤ δ < 2.
    public static func threshold(delta: Double) -> Double {
        precondition(delta >= 0 && delta < 2, "SpectralProjection: δ must lie in [0, 2), got \(delta)")
        return 2 - delta
    }

    /// The one rule for a δ that comes from a user (every chapter's `--delta`, `gru project
    /// --delta`, `GRUCandidateAnalysis/project(_:delta:)`): 0 < δ < 2. δ = 0 is refused because it
    /// allows ‖W‖₂ = 2, the bifurcation point itself, which the projection is there to avoid.
    /// - Returns: nil for a valid δ, otherwise the reason, to follow the flag's name
    ///   (`--delta must lie in (0, 2) …`).
    public static func deltaProblem(_ delta: Double) -> String? {
        guard !(delta > 0 && delta < 2) else { return nil }
        return "must lie in (0, 2): the threshold 2 − δ must stay below the bifurcation at 2 (got \(delta))"
    }

    /// What one projection did.
    public struct Outcome: Sendable {
        /// σ_1 before the projection.
        public var largestSingularValue: Double
        /// How many singular values exceeded the threshold and were clipped.
        public var clippedCount: Int
        /// True when the matrix changed (clippedCount > 0).
        public var changed: Bool { clippedCount > 0 }
    }

    // book: projection-full-svd
    /// P_c(W) by a full SVD (LAPACK xGESDD): the reference method, exact to LAPACK accuracy
    /// (‖P(W) − P_exact(W)‖ ≤ c·ε·‖W‖). W is replaced in place only when some σ_i > c.
    ///
    /// - Throws: ``LinearAlgebraError`` when W holds Inf/NaN (no SVD exists) or LAPACK fails.
    @discardableResult
    public static func projectByFullSVD<T: BLASScalar>(_ w: inout Matrix<T>, threshold c: T) throws -> Outcome {
        let svd = try w.svd()
        let s = svd.singularValues
        let clipped = s.filter { $0 > c }.count
        if clipped > 0 {
            w = svd.reconstructed(with: s.map { Swift.min($0, c) })
        }
        return Outcome(largestSingularValue: Double(s.first ?? 0), clippedCount: clipped)
    }
    // book: end
}

/// Stability of the input-free GRU at its fixed point h* = 0 (the-paper §2).
///
/// With x = 0 and no biases both gates equal σ(0) = ½ at h = 0 and the Jacobian of the map
/// h ↦ F(h) there is J = ½I + ¼W_hh (the same for the reset-before and reset-after forms).
/// h* = 0 is asymptotically stable iff ρ(J) < 1; ‖W_hh‖₂ < 2 is sufficient, since
/// ρ(J) ≤ ‖J‖₂ ≤ ½ + ‖W_hh‖₂/4.
public enum FixedPointStability {
    /// J = ½I + ¼W for a square W: the off-diagonal entries w_ij/4 are exact (barring underflow),
    /// the diagonal ½ + w_ii/4 is rounded once.
    /// - Precondition: W is square.
    public static func jacobianAtOrigin<T: BLASScalar>(_ w: Matrix<T>) -> Matrix<T> {
        precondition(w.isSquare, "jacobianAtOrigin: W_hh must be square, got \(w.rows)×\(w.cols)")
        var j = Matrix<T>(rows: w.rows, cols: w.cols)
        for i in 0..<w.count { j.elements[i] = w.elements[i] / 4 }
        for i in 0..<w.rows { j[i, i] += T(1) / 2 }
        return j
    }

    /// ρ(J) = max_i |½ + λ_i(W)/4| by xGEEV on J. xGEEV is backward stable, but eigenvalues of a
    /// non-normal W can be ill-conditioned, so near a defective eigenvalue ρ may be off by far
    /// more than ε (by ~ε^(1/k) for a k×k Jordan block).
    /// - Precondition: W is square.
    /// - Throws: ``LinearAlgebraError/nonFiniteInput(routine:)`` when W holds ±∞ or NaN, or
    ///   ``LinearAlgebraError/didNotConverge(routine:info:)`` when xGEEV fails.
    public static func spectralRadiusAtOrigin<T: BLASScalar>(_ w: Matrix<T>) throws -> T {
        try jacobianAtOrigin(w).spectralRadius()
    }
}
