/// What one optimiser step did.
public struct UpdateResult: Sendable, Equatable {
    /// The global gradient norm before clipping (PyTorch's `clip_grad_norm_` return value).
    public var gradientNorm: Double
    /// True when clipping scaled the gradients.
    public var clipped: Bool
    /// True when the projection (or, for ``TrainingMethod/rescale(delta:)``, the rescaling)
    /// changed the candidate recurrent matrix.
    public var projected: Bool
    /// σ_1 of the candidate block after the SGD step and before the projection (nil when the
    /// method does not project, or when the projection was skipped by a certified bound).
    public var singularValueBeforeProjection: Double?
    /// False when the step was refused because the gradient norm was non-finite (then no
    /// parameter changed), or the projection met a non-finite matrix.
    public var isFinite: Bool
    /// What the projection did (skip, unchanged or projected, its method and time), nil when
    /// the method does not project.
    public var projection: ProjectionReport? = nil
}

/// Plain stochastic gradient descent θ ← θ − η ∇θ, with optional global-norm clipping before
/// the step and the projection P_δ of a GRU's candidate recurrent matrix after it (the-paper §3).
/// Holds the projection's buffers, so one instance per model avoids allocation per step.
///
/// The projection is ``SpectralProjector`` (Float and Double): exact P_δ, skipped for free when
/// Weyl's inequality certifies σ_1 ≤ c from the bound of the previous step plus the Frobenius
/// norm of the step actually applied to the block. That certificate is only valid while the
/// block changes by nothing but these steps, so the optimiser checks the block's write counter
/// (``Parameter/valueVersion``) and forgets the bound when anyone else wrote the weights.
public final class SGD<Scalar: BLASScalar> {
    /// How the projection decomposes when it cannot skip (``ProjectionMethod/automatic``: the
    /// certified skip, else the leading eigenpairs of WᵀW; ``ProjectionMethod/fullSVD``: the
    /// reference, never skipping).
    public var projectionMethod: ProjectionMethod = .automatic
    /// The projector, kept across steps (its buffers and its certified bound).
    var spectral: SpectralProjector<Scalar>?
    /// weightHH's identity and write count right after this optimiser's last projection.
    var projectedState: (layer: ObjectIdentifier, version: UInt64)?

    /// Forgets the projection's history (``SpectralProjector/resetHistory()``: certified bound, warm
    /// start, cold-start generator), so that the next steps compute what a new optimiser would. The
    /// training tasks call it at every epoch start, which makes a resumed run repeat an uninterrupted
    /// one bit for bit.
    public func resetProjectionHistory() {
        spectral?.resetHistory()
        projectedState = nil
    }

    /// An optimiser with no projection state yet: the first projecting step decomposes the
    /// block (or skips by the cheap norm bounds), later ones may skip by the carried bound.
    public init() {}

    /// One step over `parameters` (each with its gradient set by a backward pass), modifying
    /// their values in place (and, when clipping acts, their gradients).
    ///
    /// 1. ‖g‖ = global gradient norm. If it is not finite, nothing changes and the result has
    ///    `isFinite == false` (the caller decides whether to stop).
    /// 2. `.clip`/`.clipAndProject`: gradients scaled by maxNorm/(‖g‖ + 1e-6) when that is < 1
    ///    (``GradientClipping/coefficient(norm:maxNorm:)``).
    /// 3. θ ← θ − η g for every parameter (xAXPY; a row-sparse gradient only in its rows).
    /// 4. `.project`/`.clipAndProject`: rows 2H..<3H of `recurrent.weightHH` ← P_δ(…) by
    ///    ``SpectralProjector`` with ``projectionMethod``, given |fl(−η)|·‖∇W_hn‖_F of the
    ///    (clipped) gradient as the step size; the result's `projection` says whether it was
    ///    skipped (certified σ_1 ≤ 2 − δ), unchanged or projected, and how long it took.
    ///    `singularValueBeforeProjection` is nil after a skip (only a bound is known then).
    /// 5. `.rescale`: rows 2H..<3H of `recurrent.weightHH` ← (2 − δ)/σ_1 times themselves when
    ///    σ_1 > 2 − δ (``SpectralRescaling``; σ_1 by xGESDD every step, no certified skip);
    ///    `projected` says whether it acted and `singularValueBeforeProjection` is σ_1.
    ///
    /// - Precondition: a projecting method needs `recurrent`; a clipping threshold must be > 0
    ///   and δ must lie in [0, 2).
    @discardableResult
    public func step(_ parameters: [Parameter<Scalar>], learningRate: Double, method: TrainingMethod = .sgd,
                     recurrent: GRULayer<Scalar>? = nil) -> UpdateResult {
        var result = UpdateResult(gradientNorm: 0, clipped: false, projected: false, singularValueBeforeProjection: nil, isFinite: true)
        if let maxNorm = method.maxNorm {
            precondition(maxNorm > 0, "SGD: clipping threshold must be positive, got \(maxNorm)")
            result.gradientNorm = Parameters.gradientNorm(parameters)
            if result.gradientNorm.isFinite,
               let coefficient = GradientClipping.coefficient(norm: result.gradientNorm, maxNorm: maxNorm) {
                // GradientClipping.clipGlobalNorm's rule, without a second norm pass.
                Parameters.scaleGradients(parameters, by: Scalar(coefficient))
                result.clipped = true
            }
        } else {
            result.gradientNorm = Parameters.gradientNorm(parameters)
        }
        guard result.gradientNorm.isFinite else { result.isFinite = false; return result }
        // The projection's step size: η‖∇W_hn‖_F of the (clipped) gradient actually applied,
        // and whether the block is still the one this optimiser returned last time.
        var stepNorm: Double? = nil
        if method.projects, let layer = recurrent {
            let untouched = projectedState.map { $0.layer == ObjectIdentifier(layer.weightHH) && $0.version == layer.weightHH.valueVersion } ?? false
            if untouched { stepNorm = Self.candidateStepNorm(layer, learningRate: learningRate) }
        }
        let alpha = Scalar(-learningRate)
        for p in parameters where p.value.count > 0 {
            let rows = p.gradientRows, c = p.value.cols
            p.gradient.elements.withUnsafeBufferPointer { g in
                p.value.elements.withUnsafeMutableBufferPointer { v in
                    if let rows {
                        // Row-sparse: the other rows have zero gradient and would not change.
                        for r in rows { Scalar.axpy(n: c, alpha: alpha, x: g.baseAddress! + r * c, incx: 1, y: v.baseAddress! + r * c, incy: 1) }
                    } else {
                        Scalar.axpy(n: v.count, alpha: alpha, x: g.baseAddress!, incx: 1, y: v.baseAddress!, incy: 1)
                    }
                }
            }
        }
        if case .rescale(let delta) = method {
            guard let layer = recurrent else { preconditionFailure("SGD: method \(method) rescales but no recurrent layer was given") }
            var block = layer.candidateBlock
            do {
                let outcome = try SpectralRescaling.rescale(&block, threshold: Scalar(SpectralProjection.threshold(delta: delta)))
                if outcome.changed { layer.candidateBlock = block }
                result.projected = outcome.changed
                result.singularValueBeforeProjection = outcome.largestSingularValue
            } catch {
                result.isFinite = false
            }
        } else if let delta = method.delta {
            guard let layer = recurrent else { preconditionFailure("SGD: method \(method) projects but no recurrent layer was given") }
            do {
                let report = try project(layer, delta: delta, stepNorm: stepNorm)
                result.projection = report
                result.projected = report.clippedCount > 0
                result.singularValueBeforeProjection = report.largestSingularValue
                projectedState = (ObjectIdentifier(layer.weightHH), layer.weightHH.valueVersion)
            } catch {
                projectedState = nil
                result.isFinite = false
            }
        }
        return result
    }

    /// |fl(−η)|·‖∇W_hn‖_F (‖·‖_F summed in Double, inflated by 1 + 2⁻²⁰ for that sum's
    /// rounding): an upper bound on the Frobenius norm of the step the block takes, up to the
    /// rounding of the update itself, which ``SpectralNormTracker`` accounts for.
    static func candidateStepNorm(_ layer: GRULayer<Scalar>, learningRate: Double) -> Double {
        let h = layer.hiddenSize
        let sq = layer.weightHH.gradient.elements.withUnsafeBufferPointer { g in
            var s = 0.0
            for i in GateBlock.candidate.elements(hiddenSize: h, columns: h) { let x = Double(g[i]); s += x * x }
            return s
        }
        return abs(Double(Scalar(-learningRate))) * sq.squareRoot() * (1 + 0x1p-20)
    }

    /// P_δ of the candidate block of `layer.weightHH` (``GateBlock/candidate``, rows 2H..<3H) by the
    /// kept ``SpectralProjector``, in place.
    private func project(_ layer: GRULayer<Scalar>, delta: Double, stepNorm: Double?) throws -> ProjectionReport {
        let h = layer.hiddenSize
        let c = Scalar(SpectralProjection.threshold(delta: delta))
        let proj: SpectralProjector<Scalar>
        if let p = spectral, p.n == h, p.threshold == c, p.method == projectionMethod {
            proj = p
        } else {
            proj = try SpectralProjector<Scalar>(n: h, threshold: c, method: projectionMethod)
            spectral = proj
        }
        if stepNorm == nil { proj.resetBound() }
        return try layer.weightHH.value.elements.withUnsafeMutableBufferPointer { w in
            let block = GateBlock.candidate.elements(hiddenSize: h, columns: h)
            return try proj.project(block: w.baseAddress! + block.lowerBound, rowStride: h, stepFrobeniusNorm: stepNorm.map { Scalar($0).nextUp })
        }
    }
}
