import RealModule

/// The PTB language-modelling task for the ``Trainer``: a ``GRULanguageModel`` trained on the
/// training tokens cut into B streams (PyTorch's word-language-model `batchify`), windows of T
/// steps in order, the hidden state carried from window to window and reset to zero at the start
/// of every epoch. Evaluation cuts valid/test into `evaluationBatchSize` streams (10, as PyTorch's
/// example) and averages the loss over all tokens; the metric is the perplexity e^loss.
///
/// Random state: the two dropout generators (`dropout.input`, `dropout.output`); the windows
/// themselves are deterministic.
package final class LanguageModelTask: TrainingTask {
    /// The model being trained (Float, the training precision).
    package let model: GRULanguageModel<Float>
    /// The training split as B parallel streams.
    package let train: TokenStreams
    /// The validation split as `evaluationBatchSize` streams.
    package let valid: TokenStreams
    /// The test split as `evaluationBatchSize` streams.
    package let test: TokenStreams
    /// T, the truncated-BPTT window length (35 in the paper); the last window of a split may
    /// be shorter.
    package let steps: Int
    var inputs: [Int32], targets: [Int32]

    /// The task over three token-id arrays (e.g. ``PennTreebank``'s splits).
    /// - Parameters:
    ///   - model: the model to train; its vocabulary must cover every id (checked per window,
    ///     as a thrown ``ModelInputError``).
    ///   - train: the training ids, cut into `batchSize` streams.
    ///   - valid: the validation ids.
    ///   - test: the test ids.
    ///   - batchSize: B, the number of training streams (20 in the paper).
    ///   - steps: T ≥ 1.
    ///   - evaluationBatchSize: the number of streams for valid and test.
    /// - Throws: ``DataError/invalidBatching(reason:)`` when T < 1, a batch size is < 1, or a
    ///   split is too short to give every stream two tokens.
    package init(model: GRULanguageModel<Float>, train: [Int32], valid: [Int32], test: [Int32], batchSize: Int, steps: Int,
                evaluationBatchSize: Int = 10) throws {
        try TokenStreams.validateWindow(steps: steps)
        self.model = model
        self.train = try TokenStreams(train, batchSize: batchSize)
        self.valid = try TokenStreams(valid, batchSize: evaluationBatchSize)
        self.test = try TokenStreams(test, batchSize: evaluationBatchSize)
        self.steps = steps
        inputs = [Int32](repeating: 0, count: steps * max(batchSize, evaluationBatchSize))
        targets = inputs
    }

    package var metricName: String { "perplexity" }
    package func metric(_ meanLoss: Double) -> Double { .exp(meanLoss) }
    package var recurrentLayer: GRULayer<Float> { model.gru }
    package var parameters: [Parameter<Float>] { model.parameters }

    package func beginEpoch(_ epoch: Int) throws -> Int {
        model.trainingState = nil
        // A resumed run starts its epoch with a new optimiser: forget the projection's history here too.
        model.optimizer.resetProjectionHistory()
        return train.windowCount(steps: steps)
    }

    package func trainWindow(_ index: Int, learningRate: Double, method: TrainingMethod) throws -> (step: StepResult, items: Int) {
        let s = train.copyWindow(index, steps: steps, inputs: &inputs, targets: &targets)
        let n = s * train.batchSize
        let step = try model.trainStep(inputs: n == inputs.count ? inputs : Array(inputs[0 ..< n]),
                                       targets: n == targets.count ? targets : Array(targets[0 ..< n]),
                                       batchSize: train.batchSize, learningRate: learningRate, method: method)
        return (step, n)
    }

    package func evaluate(_ split: Split) throws -> Double {
        let streams = split == .test ? test : split == .valid ? valid : train
        model.evaluationState = nil
        var total = 0.0, count = 0
        for w in 0 ..< streams.windowCount(steps: steps) {
            let s = streams.copyWindow(w, steps: steps, inputs: &inputs, targets: &targets)
            let n = s * streams.batchSize
            let loss = try model.evaluate(inputs: Array(inputs[0 ..< n]), targets: Array(targets[0 ..< n]), batchSize: streams.batchSize)
            total += loss * Double(n)
            count += n
        }
        model.evaluationState = nil
        return total / Double(count)
    }

    package var randomStates: [String: SeededGenerator] {
        get { ["dropout.input": model.inputDropout.rng, "dropout.output": model.outputDropout.rng] }
        set {
            if let g = newValue["dropout.input"] { model.inputDropout.rng = g }
            if let g = newValue["dropout.output"] { model.outputDropout.rng = g }
        }
    }
}
