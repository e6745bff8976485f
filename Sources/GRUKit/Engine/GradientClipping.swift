/// Global-norm gradient clipping with the semantics of PyTorch's `torch.nn.utils.clip_grad_norm_`.
public enum GradientClipping {
    /// Computes the global norm ‖g‖ = √(Σ_p ‖g_p‖_F²) over all gradients and, when the
    /// coefficient c = maxNorm / (‖g‖ + 1e-6) is below 1, multiplies every gradient by c
    /// (so a gradient above the threshold ends with norm maxNorm·‖g‖/(‖g‖ + 1e-6)).
    ///
    /// The 1e-6 in the denominator is PyTorch's, kept so that clipped gradients agree with
    /// PyTorch's to rounding; the norm is summed in Double (``Parameters/gradientNorm(_:)``).
    ///
    /// - Returns: the norm *before* clipping. A non-finite norm (a gradient holds ±∞ or NaN)
    ///   is returned as such and the gradients are left untouched; the caller decides.
    /// - Precondition: maxNorm > 0.
    @discardableResult
    public static func clipGlobalNorm<S: BLASScalar>(_ parameters: [Parameter<S>], maxNorm: Double) -> Double {
        precondition(maxNorm > 0, "clipGlobalNorm: maxNorm must be positive, got \(maxNorm)")
        let norm = Parameters.gradientNorm(parameters)
        guard norm.isFinite else { return norm }
        let coefficient = maxNorm / (norm + 1e-6)
        if coefficient < 1 { Parameters.scaleGradients(parameters, by: S(coefficient)) }
        return norm
    }
}
