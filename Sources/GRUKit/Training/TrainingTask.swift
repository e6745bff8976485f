/// What the ``Trainer`` needs from a model and its data: one epoch's windows, a training step
/// per window, an evaluation per split, and every random state (for exact resumption).
///
/// Contract for exact resumption: given the same parameters and the same ``randomStates`` at
/// the start of an epoch, ``beginEpoch(_:)`` followed by the epoch's steps must produce the same
/// numbers. In particular the carried hidden state is reset at every epoch start.
package protocol TrainingTask: AnyObject {
    /// The metric reported to people: `"perplexity"` (exp of the mean loss) or `"nll"`.
    var metricName: String { get }
    /// The metric of a mean loss (perplexity = e^loss; the NLL is the loss itself).
    func metric(_ meanLoss: Double) -> Double
    /// The GRU layer whose ‖W_hh‖₂ and ρ(J) are logged.
    var recurrentLayer: GRULayer<Float> { get }
    /// Every trainable parameter (names must be unique: they key the checkpoint's tensors).
    var parameters: [Parameter<Float>] { get }
    /// Prepares epoch `epoch` (1-based): resets the carried state, shuffles if the task shuffles,
    /// and returns the number of training windows of the epoch.
    func beginEpoch(_ epoch: Int) throws -> Int
    /// One training step on window `index` of the current epoch; returns the step and the number
    /// of items (tokens or frames) it trained on.
    func trainWindow(_ index: Int, learningRate: Double, method: TrainingMethod) throws -> (step: StepResult, items: Int)
    /// The item-weighted mean loss over a split, without dropout, from a zero state.
    func evaluate(_ split: Split) throws -> Double
    /// Every random generator that training advances, by a stable name.
    var randomStates: [String: SeededGenerator] { get set }
}
