/// Where the wall time of training steps goes, phase by phase.
///
/// Set ``GRULanguageModel/profile`` to `StepProfile()` and every later
/// ``GRULanguageModel/trainStep(inputs:targets:batchSize:learningRate:method:)`` adds the seconds
/// of each phase (read from ``MonotonicClock``, nine readings a step, each well under a
/// microsecond) and counts the step; `nil`, the default, reads no clock. `gru-bench --phases`
/// prints it: this breakdown is what the engine's speed work was guided by.
package struct StepProfile: Sendable, Equatable {
    /// The parts of a training step, in the order they run.
    package enum Phase: Int, CaseIterable, Sendable {
        /// Embedding lookup and input dropout.
        case embedding
        /// The GRU's forward sweep: one input GEMM for the window, then T recurrent GEMMs and the gates.
        case gruForward
        /// Output dropout and the output layer's GEMM (its bias is added by the loss). With two BLAS
        /// threads or more (Float, H < 512, large blocks) each core forms half the logits and then their loss
        /// (`SideBySide` in the engine): this phase then ends when the first half's logits are done.
        case outputForward
        /// Softmax cross-entropy and its gradient, in place over the logits.
        case loss
        /// The output layer's two gradient GEMMs and its bias gradient. With two BLAS threads or more and H < 768,
        /// ∂W = Gᵀ·y runs beside the GRU's backward sweep (`SideBySide` in the engine): this phase then holds ∂y = G·W
        /// and ∂b, plus whatever ∂W still takes once the sweep is done.
        case outputBackward
        /// The GRU's backward sweep: T recurrent GEMMs and the gates, then three GEMMs for the gradients
        /// (with two BLAS threads or more and H < 768, on one core while the other computes the output layer's ∂W).
        case gruBackward
        /// Dropout's and the embedding's backward (row-sparse).
        case embeddingBackward
        /// The SGD update: gradient norm, clipping or projection, and the parameter updates.
        case update

        /// A short label for tables.
        package var label: String {
            switch self {
            case .embedding: "embedding + dropout"
            case .gruForward: "GRU forward"
            case .outputForward: "output layer forward"
            case .loss: "softmax cross-entropy"
            case .outputBackward: "output layer backward"
            case .gruBackward: "GRU backward"
            case .embeddingBackward: "embedding backward"
            case .update: "SGD update"
            }
        }
    }

    /// Seconds spent in each phase, summed over ``steps`` (indexed by the phase's raw value).
    package private(set) var seconds = [Double](repeating: 0, count: Phase.allCases.count)
    /// The number of training steps recorded.
    package private(set) var steps = 0

    /// An empty profile.
    package init() {}

    /// The mean seconds per step of `phase` (0 before any step).
    package func secondsPerStep(_ phase: Phase) -> Double {
        steps == 0 ? 0 : seconds[phase.rawValue] / Double(steps)
    }

    /// Adds the time since `mark` to `phase` and moves `mark` to now.
    mutating func lap(_ phase: Phase, since mark: inout Double) {
        let now = MonotonicClock.seconds()
        seconds[phase.rawValue] += now - mark
        mark = now
    }

    mutating func countStep() { steps += 1 }
}
