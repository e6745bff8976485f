/// What one optimiser step did.
public struct UpdateResult: Sendable, Equatable {
    /// The global gradient norm before clipping (PyTorch's `clip_grad_norm_` return value).
    public var gradientNorm: Double
    /// True when clipping scaled the gradients.
    public var clipped: Bool
    /// True when the projection changed the candidate recurrent matrix.
    public var projected: Bool
    /// σ_1 of the candidate block after the SGD step and before the projection (nil when the
    /// method does not project).
    public var singularValueBeforeProjection: Double?
    /// False when the step was refused because the gradient norm was non-finite (then no
    /// parameter changed), or the projection met a non-finite matrix.
    public var isFinite: Bool
}

/// Plain stochastic gradient descent θ ← θ − η ∇θ, with optional global-norm clipping before
/// the step and the projection P_δ of a GRU's candidate recurrent matrix after it (NOTES §3).
/// Holds the projection's buffers, so one instance per model avoids allocation per step.
public final class SGD<Scalar: BLASScalar> {
    var projector: CandidateProjector<Scalar>?

    public init() {}

    /// One step over `parameters` (each with its gradient set by a backward pass).
    ///
    /// 1. ‖g‖ = global gradient norm. If it is not finite, nothing changes and the result has
    ///    `isFinite == false` (the caller decides whether to stop).
    /// 2. `.clip`/`.clipAndProject`: gradients scaled by maxNorm/(‖g‖ + 1e-6) when that is < 1.
    /// 3. θ ← θ − η g for every parameter (xAXPY).
    /// 4. `.project`/`.clipAndProject`: rows 2H..<3H of `recurrent.weightHH` ← P_δ(…).
    ///
    /// - Precondition: a projecting method needs `recurrent`.
    @discardableResult
    public func step(_ parameters: [Parameter<Scalar>], learningRate: Double, method: TrainingMethod = .none,
                     recurrent: GRULayer<Scalar>? = nil) -> UpdateResult {
        var result = UpdateResult(gradientNorm: 0, clipped: false, projected: false, singularValueBeforeProjection: nil, isFinite: true)
        if let maxNorm = method.maxNorm {
            precondition(maxNorm > 0, "SGD: clipping threshold must be positive, got \(maxNorm)")
            result.gradientNorm = Parameters.gradientNorm(parameters)
            let coefficient = maxNorm / (result.gradientNorm + 1e-6)
            if result.gradientNorm.isFinite, coefficient < 1 {
                // The same rule as GradientClipping.clipGlobalNorm, without a second norm pass.
                Parameters.scaleGradients(parameters, by: Scalar(coefficient))
                result.clipped = true
            }
        } else {
            result.gradientNorm = Parameters.gradientNorm(parameters)
        }
        guard result.gradientNorm.isFinite else { result.isFinite = false; return result }
        let alpha = Scalar(-learningRate)
        for p in parameters where p.value.count > 0 {
            p.gradient.elements.withUnsafeBufferPointer { g in
                p.value.elements.withUnsafeMutableBufferPointer { v in
                    Scalar.axpy(n: v.count, alpha: alpha, x: g.baseAddress!, incx: 1, y: v.baseAddress!, incy: 1)
                }
            }
        }
        if let delta = method.delta {
            guard let layer = recurrent else { preconditionFailure("SGD: method \(method) projects but no recurrent layer was given") }
            if projector?.size != layer.hiddenSize { projector = CandidateProjector(size: layer.hiddenSize) }
            do {
                let outcome = try layer.projectCandidate(delta: delta, using: projector)
                result.projected = outcome.changed
                result.singularValueBeforeProjection = outcome.largestSingularValue
            } catch {
                result.isFinite = false
            }
        }
        return result
    }
}
