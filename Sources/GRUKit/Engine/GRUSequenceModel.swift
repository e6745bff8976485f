/// A next-frame model for binary sequences (polyphonic music: 88 piano keys, the-paper §4), in
/// one of two forms.
///
/// Without an input layer (the default, the form every earlier run used):
///
///     frame x_t (K values in {0, 1}) → GRU (H) → dropout → linear (K×H + bias)
///            → sigmoid binary cross-entropy against the next frame, masked for padding
///
/// With an input layer (``InputLayer``, E units and scale s), the form of the paper's PTB model
/// and of its theory (small inputs; with `bias: false` also a bias-free GRU):
///
///     x_t → u_t = s · W_in x_t (W_in E×K, no bias) → dropout → GRU (H) → dropout → linear (K×H + bias)
///
/// Windows are time-major (T·B)×K matrices, row t·B + b = stream b at step t; `mask` has T·B
/// entries (1 = a real frame, 0 = padding). The loss is summed over keys and averaged over
/// unmasked frames (the negative log-likelihood per time step). The training state is carried
/// across windows (truncated BPTT); call ``resetState()`` between tunes.
///
/// Initialisation [choice, documented]: `SeededGenerator(seed:)` draws, in PyTorch's parameter
/// order, the input weight W_in from N(0, 1) (only with an input layer; see ``InputLayer`` for
/// why), the GRU from U(−1/√H, 1/√H) (PyTorch default, biases optional), then the output layer
/// from U(−1/√H, 1/√H). Output dropout masks use seed + 1, input dropout masks seed + 2. Without
/// an input layer nothing is drawn for it, so that form is the same model, bit for bit, as before
/// the input layer existed.
public final class GRUSequenceModel<Scalar: BLASScalar> {
    /// The optional input layer: a bias-free linear map W_in (E×K) whose output is multiplied by
    /// a constant s before the GRU, u_t = s · W_in x_t, with dropout p (the model's) on u_t.
    ///
    /// Why: the paper's theory (the-paper §3) is about a GRU without biases and with small inputs,
    /// and its PTB model meets that assumption with an embedding scaled by 0.01 (the-paper §4).
    /// Raw piano-roll frames are 0/1 vectors with several keys down, so without this layer the
    /// GRU's input is not small. A frame is multi-hot: W_in x_t is the sum of the columns of W_in
    /// for the keys down, i.e. an embedding of each key, summed, exactly as the PTB model embeds a
    /// one-hot word. W_in is therefore drawn like that embedding, N(0, 1) [choice], so that with
    /// s = 0.01 each key down contributes what a word contributes in PTB: entries of u_t of size
    /// about s·√(keys down) (≈ 0.02 for four keys). (PyTorch's `nn.Linear` default,
    /// U(−1/√K, 1/√K), would make u_t another 1/√(3K) ≈ 0.06 times smaller.)
    public struct InputLayer: Sendable, Equatable {
        /// E, the GRU's input size (rows of W_in).
        public var size: Int
        /// s, the constant factor on W_in x_t (0.01 as the PTB model's embedding scale).
        public var scale: Double

        /// An input layer of E units with output scale s (default 0.01, the paper's PTB value).
        /// Nothing is checked here; the model requires E > 0 and a finite s.
        public init(size: Int, scale: Double = 0.01) {
            self.size = size
            self.scale = scale
        }
    }

    /// K, the values per frame (88 piano keys, MIDI 21–108): the model's input size and the number
    /// of sigmoid outputs.
    public let keys: Int
    /// The input layer's settings, nil when frames go straight into the GRU.
    public let inputLayer: InputLayer?
    /// W_in, E×K, the parameter `encoder.weight` (PyTorch's name for the first layer of its
    /// word-language-model example); nil without an input layer.
    public let inputWeight: Parameter<Scalar>?
    /// The GRU, input size E (with an input layer) or K, H units, PyTorch parameter names.
    public let gru: GRULayer<Scalar>
    /// The output layer: K×H `decoder.weight` and `decoder.bias`, one logit per key.
    public let output: Linear<Scalar>
    /// Dropout on the input layer's output s·W_in x_t, drawn from seed + 2; nil without an input
    /// layer (no dropout on raw frames).
    public let inputDropout: Dropout<Scalar>?
    /// Dropout on the GRU's output, drawn from seed + 1.
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

    /// A freshly initialised model, all parameters drawn from `SeededGenerator(seed: seed)` as
    /// stated above.
    /// - Parameters:
    ///   - keys: K.
    ///   - hiddenSize: H.
    ///   - cell: the GRU form.
    ///   - bias: whether the GRU has biases (PyTorch's `nn.GRU` default, true; the theory's GRU
    ///     has none). The output layer always has its bias.
    ///   - dropout: p on the GRU's output and, with an input layer, on its output too.
    ///   - seed: the seed of the initialisation (and, + 1 and + 2, of the dropout masks).
    ///   - inputLayer: nil (default) feeds the frames to the GRU; ``InputLayer`` puts
    ///     u_t = s · W_in x_t in front of it.
    /// - Precondition: K > 0, H > 0, 0 ≤ dropout < 1, and with an input layer E > 0 and s finite.
    public init(keys: Int = 88, hiddenSize: Int, cell: GRUCell = .resetAfter, bias: Bool = true, dropout: Double = 0,
                seed: UInt64, inputLayer: InputLayer? = nil) {
        precondition(keys > 0 && hiddenSize > 0, "GRUSequenceModel: sizes must be positive")
        if let inputLayer {
            precondition(inputLayer.size > 0 && inputLayer.scale.isFinite,
                         "GRUSequenceModel: the input layer needs E > 0 and a finite scale, got E = \(inputLayer.size), s = \(inputLayer.scale)")
        }
        self.keys = keys
        self.inputLayer = inputLayer
        var rng = SeededGenerator(seed: seed)
        if let inputLayer {
            inputWeight = Parameter(name: "encoder.weight", value: .randomNormal(rows: inputLayer.size, cols: keys, using: &rng))
            inputDropout = Dropout(probability: dropout, seed: seed &+ 2)
        } else {
            inputWeight = nil
            inputDropout = nil
        }
        gru = GRULayer(inputSize: inputLayer?.size ?? keys, hiddenSize: hiddenSize, cell: cell, bias: bias, rng: &rng)
        output = Linear(inputSize: hiddenSize, outputSize: keys, rng: &rng)
        outputDropout = Dropout(probability: dropout, seed: seed &+ 1)
    }

    /// All parameters in PyTorch's state-dict order: the input weight (with an input layer), the
    /// GRU's, then the output weight and bias. The names are distinct (`encoder.weight`,
    /// `weight_ih_l0`, …, `decoder.bias`), so a checkpoint of one form does not fit the other
    /// (``Checkpoint/restore(into:path:)`` refuses it by name).
    public var parameters: [Parameter<Scalar>] { (inputWeight.map { [$0] } ?? []) + gru.parameters + output.parameters }

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
                          learningRate: Double, method: TrainingMethod = .sgd) throws -> StepResult {
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
    /// With `training`, dropout is applied (its generators move on unless fixed masks are set).
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
        let n = inputs.rows, t = n / b, h = gru.hiddenSize, e = gru.inputSize
        let ws = gru.workspace(steps: t, batch: b)
        if work?.n != n { work = (n, RawBuffer(n * h), RawBuffer(n * keys), RawBuffer(n * h)) }
        let (y, logits, dy) = (work!.y, work!.logits, work!.dy)
        if let s = initial, s.rows == b, s.cols == h { ws.hs.copy(from: s.elements, count: b * h) } else { ws.hs.p.update(repeating: 0, count: b * h) }
        if let w = inputWeight, let drop = inputDropout, let layer = inputLayer {
            // U = s · X W_inᵀ, (T·B)×E, one GEMM straight into the GRU's input buffer.
            inputs.elements.withUnsafeBufferPointer { px in
                w.value.elements.withUnsafeBufferPointer { pw in
                    Scalar.gemm(transA: false, transB: true, m: n, n: e, k: keys, alpha: Scalar(layer.scale), a: px.baseAddress!, lda: keys,
                                b: pw.baseAddress!, ldb: keys, beta: 0, c: ws.x.p, ldc: e)
                }
            }
            drop.apply(ws.x.p, count: n * e, training: training)
        } else {
            ws.x.copy(from: inputs.elements)
        }
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
        gru.backwardWindow(ws, accumulate: false, inputGradient: inputWeight != nil)
        if let w = inputWeight, let drop = inputDropout, let layer = inputLayer {
            // ∂loss/∂W_in = s · Σ_t dU_tᵀ x_t = s · dUᵀ X (E×K), one GEMM; dU is ∂loss/∂u after dropout's mask.
            drop.backward(ws.dX.p, count: n * e)
            inputs.elements.withUnsafeBufferPointer { px in
                w.gradient.elements.withUnsafeMutableBufferPointer { gw in
                    Scalar.gemm(transA: true, transB: false, m: e, n: keys, k: n, alpha: Scalar(layer.scale), a: ws.dX.p, lda: e,
                                b: px.baseAddress!, ldb: keys, beta: 0, c: gw.baseAddress!, ldc: keys)
                }
            }
        }
        return (loss, finalState)
    }
}
