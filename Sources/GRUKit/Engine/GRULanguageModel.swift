/// The word-level language model of the paper's PTB experiment (the-paper §4):
///
///     tokens → embedding E (V×E, no bias) → ×s (0.01) → dropout → GRU (H) → dropout
///            → linear (V×H + bias) → softmax cross-entropy (mean over tokens)
///
/// Inputs are windows of token ids, time-major: T·B ids with id[t·B + b] the token of stream b
/// at step t; targets likewise (normally the next tokens). The hidden state is carried from
/// one training window to the next without gradient (truncated BPTT); evaluation carries its
/// own state, separately. If a window's batch size differs from the carried state's, the
/// state restarts from zero.
///
/// Initialisation [choice, documented]: one `SeededGenerator(seed:)` draws, in this order,
/// the embedding from N(0, 1) (PyTorch's `nn.Embedding` default; `.uniform(a)` available),
/// the GRU from U(−1/√H, 1/√H) (PyTorch's `nn.GRU` default; weightIH, weightHH, biases), and
/// the output layer from U(−1/√H, 1/√H) (PyTorch's `nn.Linear` default, weight then bias).
/// The two dropout masks use generators seeded with seed + 1 and seed + 2.
public final class GRULanguageModel<Scalar: BLASScalar> {
    /// The sizes and settings of a language model; the defaults are the paper's PTB model
    /// except V, which is the corpus's (see ``paper(cell:)``).
    public struct Configuration: Sendable, Equatable {
        /// V, the number of words (rows of the embedding, outputs of the softmax); 10,000 for PTB.
        public var vocabularySize: Int
        /// E, the length of a word vector (650 in the paper).
        public var embeddingSize: Int
        /// H, the GRU's hidden units (650 in the paper).
        public var hiddenSize: Int
        /// The GRU form: ``GRUCell/resetAfter`` (PyTorch/cuDNN, the default, as in the reference
        /// run of the-paper §6) or ``GRUCell/resetBefore`` (the paper's equations).
        public var cell: GRUCell
        /// Whether the GRU has biases (the §6 reference run used none).
        public var gruBias: Bool
        /// Dropout probability on the embedding output and on the GRU output (not recurrent).
        public var dropout: Double
        /// The embedding's output scale (0.01 in the paper).
        public var embeddingScale: Double
        /// How the embedding matrix is drawn (N(0, 1) by default, as PyTorch's `nn.Embedding`).
        public var embeddingInitialization: Embedding<Scalar>.Initialization

        /// A configuration; every argument but V defaults to the paper's PTB setting (the-paper §4)
        /// with the project's choices where the paper is silent (reset-after form, no GRU biases,
        /// N(0, 1) embedding). Nothing is checked here; ``GRULanguageModel/init(configuration:seed:)``
        /// requires positive sizes and ``Dropout`` requires 0 ≤ dropout < 1.
        public init(vocabularySize: Int, embeddingSize: Int = 650, hiddenSize: Int = 650, cell: GRUCell = .resetAfter,
                    gruBias: Bool = false, dropout: Double = 0.5, embeddingScale: Double = 0.01,
                    embeddingInitialization: Embedding<Scalar>.Initialization = .standardNormal) {
            self.vocabularySize = vocabularySize; self.embeddingSize = embeddingSize; self.hiddenSize = hiddenSize
            self.cell = cell; self.gruBias = gruBias; self.dropout = dropout; self.embeddingScale = embeddingScale
            self.embeddingInitialization = embeddingInitialization
        }

        /// The paper's PTB model: V = 10,000, E = H = 650, dropout 0.5, embedding × 0.01.
        public static func paper(cell: GRUCell = .resetAfter) -> Configuration {
            Configuration(vocabularySize: 10_000, cell: cell)
        }
    }

    /// The sizes and settings the model was built with.
    public let configuration: Configuration
    /// Layer 1: the V×E embedding `encoder.weight`, output scaled by ``Configuration/embeddingScale``.
    public let embedding: Embedding<Scalar>
    /// Layer 2: the GRU, input size E, H units, parameters `weight_ih_l0` … `bias_hh_l0`.
    public let gru: GRULayer<Scalar>
    /// The output layer: V×H `decoder.weight` and `decoder.bias`, giving the softmax's logits.
    public let output: Linear<Scalar>
    /// Dropout on the embedding's output (the GRU's input), drawn from seed + 1.
    public let inputDropout: Dropout<Scalar>
    /// Dropout on the GRU's output (the output layer's input), drawn from seed + 2.
    public let outputDropout: Dropout<Scalar>
    /// The optimiser ``trainStep(inputs:targets:batchSize:learningRate:method:)`` uses; kept
    /// with the model because it holds the projection's buffers and certified bound across steps.
    public let optimizer = SGD<Scalar>()

    /// The state carried between training windows (B×H), nil = zeros.
    public var trainingState: Matrix<Scalar>?
    /// The state carried between evaluation windows (B×H), nil = zeros.
    public var evaluationState: Matrix<Scalar>?

    var work: (steps: Int, batch: Int, y: RawBuffer<Scalar>, logits: RawBuffer<Scalar>, dy: RawBuffer<Scalar>)?
    /// The counter that hands out the blocks of the output layer's ∂W when it runs side by side.
    let weightGradientCounter = SideBySide.Blocks()

    /// Whether a step may run two of its parts at once, one per core, when BLAS has two threads or
    /// more (`Engine/SideBySide.swift`: the GRU's backward sweep beside the output layer's ∂W below 768 hidden
    /// units; the two halves of the logits and their loss below 512, Float). `false` runs everything one
    /// after the other, every product on BLAS's own threads: the step as it was before, for measuring
    /// what running side by side gains (`gru-bench --one-after-the-other`). The results agree to
    /// rounding (OpenBLAS's sums may depend on its thread count).
    public var runsSideBySide = true

    /// When set, every training step adds its phases' wall time here (``StepProfile``); nil (the
    /// default) reads no clock.
    public var profile: StepProfile?

    /// A freshly initialised model: all parameters drawn from `SeededGenerator(seed: seed)` in
    /// the order stated above, so the same configuration and seed give the same model bit for bit.
    /// - Precondition: V, E, H > 0 and 0 ≤ ``Configuration/dropout`` < 1.
    public init(configuration c: Configuration, seed: UInt64) {
        precondition(c.vocabularySize > 0 && c.embeddingSize > 0 && c.hiddenSize > 0, "GRULanguageModel: sizes must be positive")
        configuration = c
        var rng = SeededGenerator(seed: seed)
        embedding = Embedding(vocabularySize: c.vocabularySize, embeddingSize: c.embeddingSize, scale: Scalar(c.embeddingScale),
                              initialization: c.embeddingInitialization, rng: &rng)
        gru = GRULayer(inputSize: c.embeddingSize, hiddenSize: c.hiddenSize, cell: c.cell, bias: c.gruBias, rng: &rng)
        output = Linear(inputSize: c.hiddenSize, outputSize: c.vocabularySize, rng: &rng)
        inputDropout = Dropout(probability: c.dropout, seed: seed &+ 1)
        outputDropout = Dropout(probability: c.dropout, seed: seed &+ 2)
    }

    /// All parameters: embedding, GRU (PyTorch order), output weight and bias.
    public var parameters: [Parameter<Scalar>] { embedding.parameters + gru.parameters + output.parameters }

    /// Forgets both carried states (start of an epoch or of an evaluation pass).
    public func resetState() { trainingState = nil; evaluationState = nil }

    /// One step of truncated BPTT: forward and backward over the window from the carried
    /// training state (dropout on), then `method`'s SGD step with learning rate η
    /// (``SGD/step(_:learningRate:method:recurrent:)`` with ``gru`` as the recurrent layer), then
    /// the state advances to h_T.
    ///
    /// A non-finite loss or gradient norm changes no parameter and does not advance the state;
    /// the result says so (``StepResult/isFinite`` false) and the caller decides whether to stop.
    /// - Parameters:
    ///   - inputs: T·B token ids, time-major (id[t·B + b] is stream b at step t).
    ///   - targets: the T·B ids to predict, same layout (normally the inputs shifted by one).
    ///   - batchSize: B, the number of parallel streams.
    ///   - learningRate: η.
    ///   - method: plain SGD, clipping, projection or both (``TrainingMethod``).
    /// - Returns: the window's mean loss (before the update), the pre-clip gradient norm, and
    ///   what clipping and projection did.
    /// - Precondition: `method`'s clipping threshold > 0 and its δ in [0, 2) (see ``SGD``).
    /// - Throws: ``ModelInputError/tokenOutOfRange(what:position:token:vocabularySize:)`` for an
    ///   id outside 0..<V, ``ModelInputError/shape(_:)`` when the id count is not a positive
    ///   multiple of B or inputs and targets differ in length; nothing changes then.
    public func trainStep(inputs: [Int32], targets: [Int32], batchSize: Int, learningRate: Double,
                          method: TrainingMethod = .sgd) throws -> StepResult {
        let (loss, hT) = try run(inputs: inputs, targets: targets, batchSize: batchSize, initial: trainingState,
                                 training: true, backward: true)
        var mark = profile == nil ? 0 : MonotonicClock.seconds()
        let result = optimizer.trainingStep(loss: loss, parameters: parameters, learningRate: learningRate,
                                            method: method, recurrent: gru)
        if profile != nil { profile!.lap(.update, since: &mark); profile!.countStep() }
        if result.isFinite { trainingState = hT }
        return result
    }

    /// The mean loss of a window without dropout and without gradients, from the carried
    /// evaluation state, which then advances to h_T (the training state is untouched).
    /// Over a data set, perplexity = exp(token-weighted mean of these losses).
    /// - Throws: ``ModelInputError`` as ``trainStep(inputs:targets:batchSize:learningRate:method:)``.
    public func evaluate(inputs: [Int32], targets: [Int32], batchSize: Int) throws -> Double {
        let (loss, hT) = try run(inputs: inputs, targets: targets, batchSize: batchSize, initial: evaluationState,
                                 training: false, backward: false)
        evaluationState = hT
        return loss
    }

    /// The loss of a window from the carried training state and, in every parameter's
    /// `gradient`, its gradient; no update and no state advance (only the dropout generators
    /// move on when masks are drawn). With `training`, dropout is applied (fixed masks, if set,
    /// make this deterministic): the entry point of the finite-difference gradient checks.
    /// - Throws: ``ModelInputError`` as ``trainStep(inputs:targets:batchSize:learningRate:method:)``.
    public func lossAndGradients(inputs: [Int32], targets: [Int32], batchSize: Int, training: Bool = true) throws -> Double {
        try run(inputs: inputs, targets: targets, batchSize: batchSize, initial: trainingState, training: training, backward: true).loss
    }

    func buffers(steps: Int, batch: Int) -> (y: RawBuffer<Scalar>, logits: RawBuffer<Scalar>, dy: RawBuffer<Scalar>) {
        if let w = work, w.steps == steps, w.batch == batch { return (w.y, w.logits, w.dy) }
        let n = steps * batch, h = configuration.hiddenSize
        let y = RawBuffer<Scalar>(n * h), logits = RawBuffer<Scalar>(n * configuration.vocabularySize), dy = RawBuffer<Scalar>(n * h)
        work = (steps, batch, y, logits, dy)
        return (y, logits, dy)
    }

    func run(inputs: [Int32], targets: [Int32], batchSize b: Int, initial: Matrix<Scalar>?, training: Bool,
             backward: Bool) throws -> (loss: Double, finalState: Matrix<Scalar>) {
        guard b > 0, !inputs.isEmpty, inputs.count % b == 0 else {
            throw ModelInputError.shape("GRULanguageModel: \(inputs.count) input ids are not T·B for batch size \(b)")
        }
        guard targets.count == inputs.count else {
            throw ModelInputError.shape("GRULanguageModel: \(targets.count) targets for \(inputs.count) inputs")
        }
        try embedding.validate(inputs, what: "input token")
        try embedding.validate(targets, what: "target token")
        let t = inputs.count / b, n = t * b, e = configuration.embeddingSize, h = configuration.hiddenSize
        let v = configuration.vocabularySize
        let ws = gru.workspace(steps: t, batch: b)
        let (y, logits, dy) = buffers(steps: t, batch: b)
        if let s = initial, s.rows == b, s.cols == h { ws.hs.copy(from: s.elements, count: b * h) } else { ws.hs.p.update(repeating: 0, count: b * h) }

        // Forward (with a profile, each phase's time is added as it ends; only training steps count).
        let profiling = profile != nil && backward
        var mark = profiling ? MonotonicClock.seconds() : 0
        func lap(_ phase: StepProfile.Phase) { if profiling { profile!.lap(phase, since: &mark) } }
        inputs.withUnsafeBufferPointer { embedding.forward(ids: $0.baseAddress!, count: n, into: ws.x.p) }
        inputDropout.apply(ws.x.p, count: n * e, training: training)
        lap(.embedding)
        gru.forwardWindow(ws)
        lap(.gruForward)
        y.p.update(from: ws.hs.p + b * h, count: n * h)
        outputDropout.apply(y.p, count: n * h, training: training)
        // The logits without the bias: the loss adds it as it reads each row.
        let loss: Double
        if Scalar.self == Float.self, h < Self.halvedLogitsMaximumHidden, runsSideBySide, SideBySide.available,
           let half = SoftmaxCrossEntropy.floatHalf(rows: n, classes: v) {
            // Float with two cores and a small decoder: each core forms the logits of one half of the
            // rows and then its loss, while they are still in its cache. The halves are the loss's own
            // split, so the loss is summed as when the two steps run one after the other.
            var first = 0.0, second = 0.0
            let floatLogits = UnsafeMutableRawPointer(logits.p).assumingMemoryBound(to: Float.self)
            output.bias.value.elements.withUnsafeBufferPointer { bias in
                targets.withUnsafeBufferPointer { ids in
                    let floatBias = UnsafeRawPointer(bias.baseAddress!).assumingMemoryBound(to: Float.self)
                    func rows(_ range: Range<Int>, lapping: Bool) -> Double {
                        output.forwardWithoutBias(y.p + range.lowerBound * h, rows: range.count, into: logits.p + range.lowerBound * v)
                        if lapping { lap(.outputForward) }
                        return SoftmaxCrossEntropy.floatPartialLoss(floatLogits, rows: range, of: n, classes: v, bias: floatBias,
                                                                    targets: ids.baseAddress!, gradient: backward)
                    }
                    SideBySide.run({ first = rows(0..<half, lapping: true) }, { second = rows(half..<n, lapping: false) })
                }
            }
            loss = (first + second) * (1 / Double(n))
        } else {
            output.forwardWithoutBias(y.p, rows: n, into: logits.p)
            lap(.outputForward)
            loss = output.bias.value.elements.withUnsafeBufferPointer { bias in
                targets.withUnsafeBufferPointer {
                    SoftmaxCrossEntropy.lossAndGradient(logits.p, rows: n, classes: v, bias: bias.baseAddress!, targets: $0.baseAddress!,
                                                        gradient: backward)
                }
            }
        }
        let finalState = Matrix(rows: b, cols: h, elements: Array(UnsafeBufferPointer(start: ws.hs.p + t * b * h, count: b * h)))
        lap(.loss)
        guard backward else { return (loss, finalState) }

        // Backward. First what the GRU waits for: ∂y = G·W (and ∂b).
        output.inputAndBiasGradient(outputGradient: logits.p, rows: n, inputGradient: dy.p)
        lap(.outputBackward)
        // Then the GRU's sweep and the output layer's ∂W = Gᵀ·y, which do not depend on each other:
        // with two cores and fewer than 768 units, side by side (the sweep on one core, blocks of ∂W
        // on the other, and the sweep's core joins in on ∂W when it is done); otherwise one after the
        // other, ∂W as one GEMM. Each block is one GEMM over fixed rows whichever thread runs it, so
        // the numbers do not depend on the timing.
        func sweep() {
            outputDropout.backward(dy.p, count: n * h)
            ws.dOut.p.update(from: dy.p, count: n * h)
            ws.carry.zero()
            gru.backwardWindow(ws, accumulate: false, inputGradient: true)
            lap(.gruBackward)
            inputDropout.backward(ws.dX.p, count: n * e)
            inputs.withUnsafeBufferPointer { embedding.backward(ids: $0.baseAddress!, count: n, outputGradient: ws.dX.p) }
            lap(.embeddingBackward)
        }
        if runsSideBySide, SideBySide.available, h < Self.sideBySideBackwardMaximumHidden {
            let count = (v + Self.weightGradientBlock - 1) / Self.weightGradientBlock
            weightGradientCounter.reset()
            func weightGradientBlocks() {
                while let i = weightGradientCounter.take(below: count) {
                    let lower = i * Self.weightGradientBlock
                    output.weightGradient(outputs: lower..<Swift.min(v, lower + Self.weightGradientBlock), input: y.p,
                                          outputGradient: logits.p, rows: n)
                }
            }
            gru.packedProductsSplit = false
            defer { gru.packedProductsSplit = true }
            SideBySide.run({ sweep(); weightGradientBlocks() }, weightGradientBlocks)
        } else {
            sweep()
            output.weightGradient(outputs: 0..<v, input: y.p, outputGradient: logits.p, rows: n)
        }
        // What ∂W still took after the sweep's thread was done counts to the output layer.
        lap(.outputBackward)
        return (loss, finalState)
    }

    /// Below this many hidden units a Float model forms the logits and their loss in two halves, one
    /// per core (``SideBySide``). Each half's GEMM packs all of the V×H decoder weight again, which
    /// pays while it is small: measured against the two-thread GEMM and loss, fastest steps at H = 256
    /// 0.0789 against 0.0807 s and at 128 0.0471 against 0.0482, but at 650 0.2522 against 0.2385.
    static var halvedLogitsMaximumHidden: Int { 512 }

    /// Below this many hidden units the GRU's backward sweep runs beside the output layer's ∂W
    /// (``SideBySide``). From 768 on the sweep's recurrent products go through the packed W_hh on two
    /// threads (``GRULayer``), which the sweep on one core would give up: at H = 1024 the step was
    /// measured slower side by side in three comparisons (fastest steps 0.4424 against 0.4287 s,
    /// 0.4459 against 0.4296, 0.4972 against 0.4736). Tests lower the packed threshold instead to run
    /// the packed products side by side too.
    static var sideBySideBackwardMaximumHidden: Int { 768 }

    /// Output units per block of the output layer's ∂W (a block is one GEMM; see ``SideBySide``).
    static var weightGradientBlock: Int { 512 }
}
