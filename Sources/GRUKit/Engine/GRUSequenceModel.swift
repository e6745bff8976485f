/// A next-frame model for binary sequences (polyphonic music: 88 piano keys, the-paper §4):
///
///     frame x_t (K values in {0, 1}) → GRU (H) → dropout → linear (K×H + bias)
///            → sigmoid binary cross-entropy against the next frame, masked for padding
///
/// Windows are time-major (T·B)×K matrices, row t·B + b = stream b at step t; `mask` has T·B
/// entries (1 = a real frame, 0 = padding). The loss is summed over keys and averaged over
/// unmasked frames (the negative log-likelihood per time step). The training state is carried
/// across windows (truncated BPTT); call ``resetState()`` between tunes.
///
/// Initialisation [choice, documented]: `SeededGenerator(seed:)` draws the GRU from
/// U(−1/√H, 1/√H) (PyTorch default, with biases), then the output layer from U(−1/√H, 1/√H);
/// dropout masks use seed + 1.
public final class GRUSequenceModel<Scalar: BLASScalar> {
    /// K, the values per frame (88 piano keys, MIDI 21–108): the GRU's input size and the number
    /// of sigmoid outputs.
    public let keys: Int
    /// The GRU, input size K, H units, PyTorch parameter names.
    public let gru: GRULayer<Scalar>
    /// The output layer: K×H `decoder.weight` and `decoder.bias`, one logit per key.
    public let output: Linear<Scalar>
    /// Dropout on the GRU's output (no dropout on the input frames), drawn from seed + 1.
    public let outputDropout: Dropout<Scalar>
    /// The optimiser of ``trainStep(inputs:targets:mask:batchSize:learningRate:method:)``, kept with
    /// the model for its projection buffers and certified bound.
    public let optimizer = SGD<Scalar>()
    /// The state carried between training windows (B×H), nil = zeros; a state of another batch
    /// size is ignored (the window starts from zeros).
    public var trainingState: Matrix<Scalar>?
    /// The state carried between evaluation windows (B×H), nil = zeros.
    public var evaluationState: Matrix<Scalar>?
    var work: (n: Int, y: RawBuffer<Scalar>, logits: RawBuffer<Scalar>, dy: RawBuffer<Scalar>)?

    /// A freshly initialised model (GRU with biases by default, PyTorch's `nn.GRU` default), all
    /// parameters drawn from `SeededGenerator(seed: seed)` as stated above.
    /// - Precondition: K > 0, H > 0, 0 ≤ dropout < 1.
    public init(keys: Int = 88, hiddenSize: Int, cell: GRUCell = .resetAfter, bias: Bool = true, dropout: Double = 0, seed: UInt64) {
        precondition(keys > 0 && hiddenSize > 0, "GRUSequenceModel: sizes must be positive")
        self.keys = keys
        var rng = SeededGenerator(seed: seed)
        gru = GRULayer(inputSize: keys, hiddenSize: hiddenSize, cell: cell, bias: bias, rng: &rng)
        output = Linear(inputSize: hiddenSize, outputSize: keys, rng: &rng)
        outputDropout = Dropout(probability: dropout, seed: seed &+ 1)
    }

    /// All parameters: the GRU's (PyTorch order), then the output weight and bias.
    public var parameters: [Parameter<Scalar>] { gru.parameters + output.parameters }

    /// Forgets both carried states (start of a batch of tunes, of an epoch or of an evaluation).
    public func resetState() { trainingState = nil; evaluationState = nil }

    /// One truncated-BPTT step: forward and backward over the window from the carried training
    /// state (dropout on), `method`'s SGD step with learning rate η, then the state advances to
    /// h_T. As in ``GRULanguageModel/trainStep(inputs:targets:batchSize:learningRate:method:)``,
    /// a non-finite loss or gradient norm changes nothing and is reported in the result.
    ///
    /// - Parameters:
    ///   - inputs: (T·B)×K frames x_t, time-major.
    ///   - targets: (T·B)×K frames to predict (x_{t+1}), values in [0, 1].
    ///   - mask: T·B weights, 1 for a real frame, 0 for padding; nil = every frame counts.
    ///   - batchSize: B.
    ///   - learningRate: η.
    ///   - method: plain SGD, clipping, projection or both.
    /// - Returns: the masked mean NLL per frame (before the update) and what the step did.
    /// - Precondition: `method`'s clipping threshold > 0 and its δ in [0, 2).
    /// - Throws: ``ModelInputError/shape(_:)`` when frames do not have K columns, the row count is
    ///   not a positive multiple of B, inputs and targets differ, or the mask has the wrong length.
    public func trainStep(inputs: Matrix<Scalar>, targets: Matrix<Scalar>, mask: [Scalar]? = nil, batchSize: Int,
                          learningRate: Double, method: TrainingMethod = .none) throws -> StepResult {
        let (loss, hT) = try run(inputs: inputs, targets: targets, mask: mask, batchSize: batchSize, initial: trainingState,
                                 training: true, backward: true)
        let result = optimizer.trainingStep(loss: loss, parameters: parameters, learningRate: learningRate,
                                            method: method, recurrent: gru)
        if result.isFinite { trainingState = hT }
        return result
    }

    /// The masked mean NLL per frame of a window without dropout and without gradients, from
    /// the carried evaluation state, which then advances to h_T.
    /// - Throws: ``ModelInputError/shape(_:)`` as ``trainStep(inputs:targets:mask:batchSize:learningRate:method:)``.
    public func evaluate(inputs: Matrix<Scalar>, targets: Matrix<Scalar>, mask: [Scalar]? = nil, batchSize: Int) throws -> Double {
        let (loss, hT) = try run(inputs: inputs, targets: targets, mask: mask, batchSize: batchSize, initial: evaluationState,
                                 training: false, backward: false)
        evaluationState = hT
        return loss
    }

    /// The loss of a window from the carried training state and, in every parameter's `gradient`,
    /// its gradient; no update and no state advance (the entry point of the gradient checks).
    /// With `training`, output dropout is applied (its generator moves on unless a fixed mask is set).
    /// - Throws: ``ModelInputError/shape(_:)`` as ``trainStep(inputs:targets:mask:batchSize:learningRate:method:)``.
    public func lossAndGradients(inputs: Matrix<Scalar>, targets: Matrix<Scalar>, mask: [Scalar]? = nil, batchSize: Int,
                                 training: Bool = true) throws -> Double {
        try run(inputs: inputs, targets: targets, mask: mask, batchSize: batchSize, initial: trainingState, training: training, backward: true).loss
    }

    func run(inputs: Matrix<Scalar>, targets: Matrix<Scalar>, mask: [Scalar]?, batchSize b: Int, initial: Matrix<Scalar>?,
             training: Bool, backward: Bool) throws -> (loss: Double, finalState: Matrix<Scalar>) {
        guard inputs.cols == keys, targets.cols == keys else {
            throw ModelInputError.shape("GRUSequenceModel: frames must have \(keys) columns, got inputs \(inputs.cols), targets \(targets.cols)")
        }
        guard b > 0, inputs.rows > 0, inputs.rows % b == 0, targets.rows == inputs.rows else {
            throw ModelInputError.shape("GRUSequenceModel: \(inputs.rows) input and \(targets.rows) target rows for batch size \(b)")
        }
        if let mask, mask.count != inputs.rows {
            throw ModelInputError.shape("GRUSequenceModel: mask of \(mask.count) entries for \(inputs.rows) frames")
        }
        let n = inputs.rows, t = n / b, h = gru.hiddenSize
        let ws = gru.workspace(steps: t, batch: b)
        if work?.n != n { work = (n, RawBuffer(n * h), RawBuffer(n * keys), RawBuffer(n * h)) }
        let (y, logits, dy) = (work!.y, work!.logits, work!.dy)
        if let s = initial, s.rows == b, s.cols == h { ws.hs.copy(from: s.elements, count: b * h) } else { ws.hs.p.update(repeating: 0, count: b * h) }
        ws.x.copy(from: inputs.elements)
        gru.forwardWindow(ws)
        y.p.update(from: ws.hs.p + b * h, count: n * h)
        outputDropout.apply(y.p, count: n * h, training: training)
        output.forward(y.p, rows: n, into: logits.p)
        let m = mask ?? [Scalar](repeating: 1, count: n)
        let loss = targets.elements.withUnsafeBufferPointer { pt in
            m.withUnsafeBufferPointer { pm in
                SigmoidBinaryCrossEntropy.lossAndGradient(logits.p, targets: pt.baseAddress!, mask: pm.baseAddress!, frames: n, keys: keys,
                                                          gradient: backward)
            }
        }
        let finalState = Matrix(rows: b, cols: h, elements: Array(UnsafeBufferPointer(start: ws.hs.p + t * b * h, count: b * h)))
        guard backward else { return (loss, finalState) }
        output.backward(input: y.p, outputGradient: logits.p, rows: n, inputGradient: dy.p)
        outputDropout.backward(dy.p, count: n * h)
        ws.dOut.p.update(from: dy.p, count: n * h)
        ws.carry.zero()
        gru.backwardWindow(ws, accumulate: false, inputGradient: false)
        return (loss, finalState)
    }
}
