/// Spectral rescaling, the alternative stabiliser to the projection P_δ: when σ_1(W) exceeds the
/// threshold c = 2 − δ, multiply the whole matrix by c/σ_1,
///
///     R_c(W) = W · min(1, c/σ_1(W)),
///
/// as spectral normalisation does (Miyato et al. 2018, who divide by σ_1 always; here only above
/// c, so that a matrix already inside the ball is left alone, as P_δ leaves it).
///
/// Both maps give ‖W‖₂ ≤ c and keep the leading singular vectors. They differ below the top:
/// R_c shrinks every singular value by the same factor c/σ_1, P_δ only clips those above c,
/// P_δ(W) = W − Σ_{σ_i > c} (σ_i − c) u_i v_iᵀ. So ‖R_c(W) − W‖_F = (1 − c/σ_1)‖W‖_F ≥
/// ‖P_δ(W) − W‖_F (P_δ is the Frobenius-nearest matrix in the ball), with equality exactly
/// when every non-zero singular value of W equals σ_1 (for instance when W has rank one), and then
/// R_c(W) = P_δ(W); with one singular value above c the two agree on σ_1 (both c) and on u_1, v_1,
/// and R_c additionally scales σ_2, …, σ_n by c/σ_1.
public enum SpectralRescaling {
    /// What one rescaling did.
    public struct Outcome: Sendable, Equatable {
        /// σ_1 before (LAPACK xGESDD, singular values only, in the matrix's own precision).
        public var largestSingularValue: Double
        /// The factor applied, c/σ_1, or 1 when σ_1 ≤ c (the matrix is then untouched).
        public var factor: Double
        /// True when the matrix changed (σ_1 > c).
        public var changed: Bool { factor < 1 }
    }

    /// R_c(W) in place: W ← (c/σ_1)·W when σ_1 > c; otherwise W is not touched.
    ///
    /// σ_1 comes from xGESDD in the matrix's own precision (relative error ≈ n·ε), and the
    /// product is rounded once per entry, so in Float ‖R_c(W)‖₂ = c up to a relative ≈ 1e-6.
    /// - Throws: ``LinearAlgebraError`` when W holds Inf/NaN or LAPACK fails (W is unchanged).
    @discardableResult
    public static func rescale<T: BLASScalar>(_ w: inout Matrix<T>, threshold c: T) throws -> Outcome {
        let sigma = try w.spectralNorm()
        guard sigma > c else { return Outcome(largestSingularValue: Double(sigma), factor: 1) }
        let f = c / sigma
        for i in 0..<w.count { w.elements[i] *= f }
        return Outcome(largestSingularValue: Double(sigma), factor: Double(f))
    }
}
