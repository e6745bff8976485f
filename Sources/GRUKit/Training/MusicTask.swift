/// The polyphonic-music task for the ``Trainer``: a ``GRUSequenceModel`` predicting frame t + 1
/// from frames ≤ t. Each epoch shuffles the training tunes (a ``SeededGenerator`` saved in
/// checkpoints), groups them into batches of B tunes padded to the longest (``MusicBatches``) and
/// cuts each batch into windows of T frames: truncated BPTT within a batch, the state carried
/// from window to window and reset to zero at the start of each batch (a new set of tunes).
/// The loss is the NLL per frame: BCE summed over the 88 keys, averaged over real frames
/// (padding excluded). Evaluation runs the tunes in order, in batches of B, from a zero state,
/// and averages over all real frames; the metric is the NLL itself.
///
/// Random state: the output-dropout generator (`dropout.output`), the input-dropout generator
/// (`dropout.input`, only when the model has an input layer, ``GRUSequenceModel/InputLayer``) and
/// the shuffle (`shuffle`).
package final class MusicTask: TrainingTask {
    /// The model being trained (K = 88 keys, Float).
    package let model: GRUSequenceModel<Float>
    /// The tunes of the three splits.
    package let music: PolyphonicMusic
    /// B, tunes per batch.
    package let batchSize: Int
    /// T, frames per truncated-BPTT window; the last window of a batch may be shorter.
    package let steps: Int
    /// The generator that shuffles the training tunes each epoch.
    package var shuffle: SeededGenerator
    var plan: [(batch: Int, start: Int, length: Int)] = []
    var batches: MusicBatches?
    var current: (index: Int, batch: MusicBatches.Batch)?

    /// The task over a data set of tunes (e.g. Nottingham from ``PolyphonicMusic``).
    /// - Parameters:
    ///   - model: the model to train; its ``GRUSequenceModel/keys`` must be ``PianoRoll/keys`` (88),
    ///     or every window throws ``ModelInputError/shape(_:)``.
    ///   - music: the three splits of tunes.
    ///   - batchSize: B ≥ 1, tunes per batch.
    ///   - steps: T ≥ 1, frames per window.
    ///   - shuffleSeed: seeds the generator that shuffles the training tunes each epoch.
    /// - Throws: ``DataError/invalidBatching(reason:)`` when T < 1, B < 1, or a split has no tunes
    ///   or no usable frames: a tune of F frames gives F − 1 next-frame predictions, so a split whose
    ///   tunes are all one frame long (or empty) has nothing to train on or to score. Without this
    ///   check such a training split trained zero windows and was reported as trained, and such a
    ///   validation split scored NaN and was reported as a divergence.
    package init(model: GRUSequenceModel<Float>, music: PolyphonicMusic, batchSize: Int, steps: Int, shuffleSeed: UInt64) throws {
        try TokenStreams.validateWindow(steps: steps)
        for split in Split.allCases {
            let tunes = music.split(split)
            if tunes.isEmpty { throw DataError.invalidBatching(reason: "the \(split.rawValue) split has no tunes") }
            if !tunes.contains(where: { $0.steps >= 2 }) {
                throw DataError.invalidBatching(reason: "the \(split.rawValue) split has no usable frames: each of its \(tunes.count) "
                    + "tune\(tunes.count == 1 ? " is" : "s is") at most one frame long, and a tune of F frames gives F − 1 "
                    + "next-frame predictions, so there is nothing to \(split == .train ? "train on" : "score")")
            }
        }
        guard batchSize >= 1 else { throw DataError.invalidBatching(reason: "the batch size must be at least 1, not \(batchSize)") }
        self.model = model
        self.music = music
        self.batchSize = batchSize
        self.steps = steps
        shuffle = SeededGenerator(seed: shuffleSeed)
    }

    package var metricName: String { "nll" }
    package func metric(_ meanLoss: Double) -> Double { meanLoss }
    package var recurrentLayer: GRULayer<Float> { model.gru }
    package var parameters: [Parameter<Float>] { model.parameters }

    /// The windows (batch, first step, length) of batches of tunes.
    static func windows(_ b: MusicBatches, steps: Int) -> [(batch: Int, start: Int, length: Int)] {
        var out: [(Int, Int, Int)] = []
        for i in 0 ..< b.count {
            let members = b.order[(i * b.batchSize) ..< min((i + 1) * b.batchSize, b.order.count)]
            let s = members.map { max(0, b.tunes[$0].steps - 1) }.max() ?? 0
            var start = 0
            while start < s { out.append((i, start, min(steps, s - start))); start += steps }
        }
        return out
    }

    package func beginEpoch(_ epoch: Int) throws -> Int {
        let b = try MusicBatches(music.train, batchSize: batchSize, shuffledWith: &shuffle)
        batches = b
        plan = Self.windows(b, steps: steps)
        current = nil
        model.trainingState = nil
        // A resumed run starts its epoch with a new optimiser: forget the projection's history here too.
        model.optimizer.resetProjectionHistory()
        return plan.count
    }

    /// Rows `start ..< start + length` (time steps) of a batch as model inputs.
    static func slice(_ batch: MusicBatches.Batch, start: Int, length: Int) -> (Matrix<Float>, Matrix<Float>, [Float], Int) {
        let b = batch.batchSize, k = PianoRoll.keys
        let rows = length * b
        let lo = start * b * k, hi = (start + length) * b * k
        let x = Matrix(rows: rows, cols: k, elements: Array(batch.inputs[lo ..< hi]))
        let y = Matrix(rows: rows, cols: k, elements: Array(batch.targets[lo ..< hi]))
        let mask = Array(batch.mask[(start * b) ..< ((start + length) * b)])
        var frames = 0
        for m in mask where m != 0 { frames += 1 }
        return (x, y, mask, frames)
    }

    package func trainWindow(_ index: Int, learningRate: Double, method: TrainingMethod) throws -> (step: StepResult, items: Int) {
        guard let batches else { preconditionFailure("MusicTask.trainWindow before beginEpoch") }
        let w = plan[index]
        if current?.index != w.batch { current = (w.batch, batches.batch(w.batch)) }
        let batch = current!.batch
        if w.start == 0 { model.trainingState = nil }
        let (x, y, mask, frames) = Self.slice(batch, start: w.start, length: w.length)
        let step = try model.trainStep(inputs: x, targets: y, mask: mask, batchSize: batch.batchSize,
                                       learningRate: learningRate, method: method)
        return (step, frames)
    }

    package func evaluate(_ split: Split) throws -> Double {
        let b = try MusicBatches(music.split(split), batchSize: batchSize)
        var total = 0.0, count = 0
        for i in 0 ..< b.count {
            let batch = b.batch(i)
            model.evaluationState = nil
            var start = 0
            while start < batch.steps {
                let length = min(steps, batch.steps - start)
                let (x, y, mask, frames) = Self.slice(batch, start: start, length: length)
                if frames > 0 {
                    let loss = try model.evaluate(inputs: x, targets: y, mask: mask, batchSize: batch.batchSize)
                    total += loss * Double(frames)
                    count += frames
                } else {
                    _ = try model.evaluate(inputs: x, targets: y, mask: mask, batchSize: batch.batchSize)
                }
                start += length
            }
        }
        model.evaluationState = nil
        return count > 0 ? total / Double(count) : .nan
    }

    package var randomStates: [String: SeededGenerator] {
        get {
            var states = ["dropout.output": model.outputDropout.rng, "shuffle": shuffle]
            if let d = model.inputDropout { states["dropout.input"] = d.rng }
            return states
        }
        set {
            if let g = newValue["dropout.output"] { model.outputDropout.rng = g }
            if let g = newValue["dropout.input"], let d = model.inputDropout { d.rng = g }
            if let g = newValue["shuffle"] { shuffle = g }
        }
    }
}
