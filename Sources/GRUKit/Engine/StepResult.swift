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
