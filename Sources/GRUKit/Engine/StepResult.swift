/// What one training step of a model did.
public struct StepResult: Sendable, Equatable {
    /// The mean loss of the window (before the update).
    public var loss: Double
    /// The global gradient norm √(Σ_p ‖∂loss/∂p‖_F²) before clipping (non-finite when the
    /// gradient is).
    public var gradientNorm: Double
    /// True when clipping scaled the gradients.
    public var clipped: Bool
    /// True when the projection changed the candidate recurrent matrix.
    public var projected: Bool
    /// σ_1 of the candidate block after the SGD step and before the projection, when the
    /// projection decomposed the block; nil when the method does not project and when the
    /// projection was skipped by a certified bound (only the bound is known then, in
    /// ``projection``).
    public var singularValueBeforeProjection: Double?
    /// False when the loss or the gradient norm was not finite: then no parameter changed
    /// (and the carried hidden state was not advanced); the caller decides what to do.
    public var isFinite: Bool
    /// What the projection did (see ``ProjectionReport``), nil when the method does not project.
    public var projection: ProjectionReport? = nil
}

extension SGD {
    /// The update half of a model's training step, shared by ``GRULanguageModel`` and
    /// ``GRUSequenceModel``: after a forward and backward pass that gave `loss`, either report a
    /// non-finite loss (nothing changes) or take the SGD step (with `method`'s clipping and
    /// projection of `recurrent`'s candidate block) and report what it did. The caller carries
    /// its hidden state forward only when the result ``StepResult/isFinite``.
    func trainingStep(loss: Double, parameters: [Parameter<Scalar>], learningRate: Double,
                      method: TrainingMethod, recurrent: GRULayer<Scalar>) -> StepResult {
        guard loss.isFinite else {
            return StepResult(loss: loss, gradientNorm: Parameters.gradientNorm(parameters), clipped: false, projected: false,
                              singularValueBeforeProjection: nil, isFinite: false)
        }
        let u = step(parameters, learningRate: learningRate, method: method, recurrent: recurrent)
        return StepResult(loss: loss, gradientNorm: u.gradientNorm, clipped: u.clipped, projected: u.projected,
                          singularValueBeforeProjection: u.singularValueBeforeProjection, isFinite: u.isFinite,
                          projection: u.projection)
    }
}
