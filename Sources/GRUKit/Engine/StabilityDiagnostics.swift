/// Quantities a training loop logs to relate gradient explosions to the dynamics (the-paper §2):
/// the spectral norm of the candidate recurrent matrix and the spectral radius of the
/// Jacobian of the input-free GRU at h* = 0.
///
/// J = ½I + ¼W_hh is the Jacobian of the input-free GRU *without biases* (then h* = 0 is a
/// fixed point and both gates are ½ there), the same for both forms. For a model with biases
/// or inputs it is the linearisation the paper's argument is about, not the Jacobian along the
/// actual trajectory.
public struct StabilityDiagnostics: Sendable, Equatable {
    /// ‖W_hh‖₂ = σ_1 of the candidate block, exactly (xGESDD in Double).
    public var spectralNorm: Double
    /// ρ(J) for J = ½I + ¼W_hh (xGEEV in Double); h* = 0 is stable iff ρ(J) < 1.
    public var spectralRadius: Double
}

extension GRULayer {
    /// ‖W_hh‖₂ and ρ(½I + ¼W_hh) of the candidate block, computed in Double (O(H³); call it
    /// when logging, not every step of a large model). Both are accurate to LAPACK's backward
    /// error, ≈ H·ε·‖W_hh‖₂ with ε = 2⁻⁵² (the Float weights convert to Double exactly).
    /// - Throws: ``LinearAlgebraError/nonFiniteInput(routine:)`` when the block holds ±∞ or NaN
    ///   (after a divergence), or LAPACK's convergence failure.
    public func stabilityDiagnostics() throws -> StabilityDiagnostics {
        let w = candidateBlock.converted(to: Double.self)
        return StabilityDiagnostics(spectralNorm: try w.spectralNorm(),
                                    spectralRadius: try FixedPointStability.spectralRadiusAtOrigin(w))
    }
}
