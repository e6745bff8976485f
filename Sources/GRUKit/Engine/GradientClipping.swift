/// Global-norm gradient clipping with the semantics of PyTorch's `torch.nn.utils.clip_grad_norm_`.
public enum GradientClipping {
    /// Computes the global norm ‖g‖ = √(Σ_p ‖g_p‖_F²) over all gradients and, when the
    /// ``coefficient(norm:maxNorm:)`` c = maxNorm / (‖g‖ + 1e-6) is below 1, multiplies every
    /// gradient by c (so a gradient above the threshold ends with norm maxNorm·‖g‖/(‖g‖ + 1e-6)).
    ///
    /// The norm is summed in Double (``Parameters/gradientNorm(_:)``).
    ///
    /// - Returns: the norm *before* clipping. A non-finite norm (a gradient holds ±∞ or NaN)
    ///   is returned as such and the gradients are left untouched; the caller decides.
    /// - Precondition: maxNorm > 0.
    @discardableResult
    public static func clipGlobalNorm<S: BLASScalar>(_ parameters: [Parameter<S>], maxNorm: Double) -> Double {
        precondition(maxNorm > 0, "clipGlobalNorm: maxNorm must be positive, got \(maxNorm)")
        let norm = Parameters.gradientNorm(parameters)
        guard norm.isFinite else { return norm }
        if let c = Self.coefficient(norm: norm, maxNorm: maxNorm) { Parameters.scaleGradients(parameters, by: S(c)) }
        return norm
    }

    /// The clipping rule itself, the one place it is written: the factor c = maxNorm / (‖g‖ + 1e-6)
    /// that global-norm clipping multiplies every gradient by when c < 1, or nil when c ≥ 1 (the
    /// gradient is left alone). This is PyTorch's `clip_grad_norm_` (`clip_coef = max_norm /
    /// (total_norm + 1e-6)`, applied when below 1), so clipped gradients agree with PyTorch's to rounding.
    ///
    /// ``clipGlobalNorm(_:maxNorm:)``, ``SGD/step(_:learningRate:method:recurrent:)`` and
    /// ``TrainingMethod/clipScale(gradientNorm:)`` all use it.
    /// - Parameters:
    ///   - norm: ‖g‖, the global gradient norm before clipping. A NaN norm gives nil and an infinite
    ///     one gives 0; callers that leave non-finite gradients untouched check the norm first.
    ///   - maxNorm: the threshold, > 0 (not checked here; the callers check it).
    /// - Returns: c when c < 1, else nil.
    public static func coefficient(norm: Double, maxNorm: Double) -> Double? {
        let c = maxNorm / (norm + 1e-6)
        return c < 1 ? c : nil
    }
}
