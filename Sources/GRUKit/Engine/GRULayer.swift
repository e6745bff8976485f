/// One GRU layer run over B independent streams for a window of T steps, in either form
/// (``GRUCell``), generic over the scalar (Float for training, Double for gradient checks —
/// the same code).
///
/// Parameters are stored exactly as PyTorch's `nn.GRU` stores them: `weightIH` 3H×I and
/// `weightHH` 3H×H with row blocks r, z, n, and optional `biasIH`, `biasHH` (1×3H). The n block
/// of `weightHH` (rows 2H..<3H) is the candidate's recurrent matrix, the paper's W_hh (W_hn in
/// PyTorch's naming), the one the projection P_δ acts on.
///
/// Data are time-major: a window of inputs is a (T·B)×I matrix whose row t·B + b is stream b
/// at step t; states are B×H. ``forward(_:initialState:)`` keeps what ``backward(outputGradient:finalStateGradient:accumulate:)``
/// needs in a workspace allocated once per (T, B) shape. Truncated BPTT: pass ``finalState``
/// of one window as the initial state of the next (it is a value, so no gradient flows back).
///
/// Cost per window: the input projections of all T·B rows are one GEMM; the recurrent
/// products are one (reset-after) or two (reset-before) small GEMMs per step; the weight
/// gradients are GEMMs over the whole window after the backward sweep.
///
/// Not thread-safe: the workspace is shared by every call on the layer.
public final class GRULayer<Scalar: BLASScalar> {
    /// The form of the update: reset gate after (PyTorch) or before (the paper) the recurrent product.
    public let cell: GRUCell
    /// I, the length of each input vector x_t (columns of `weightIH`).
    public let inputSize: Int
    /// H, the number of hidden units (length of h_t; `weightHH` is 3H×H).
    public let hiddenSize: Int
    /// W_ih, 3H×I, rows [W_ir; W_iz; W_in] (`weight_ih_l0`).
    public let weightIH: Parameter<Scalar>
    /// W_hh, 3H×H, rows [W_hr; W_hz; W_hn] (`weight_hh_l0`); W_hn is the paper's W_hh.
    public let weightHH: Parameter<Scalar>
    /// b_ih, 1×3H (`bias_ih_l0`), or nil for a layer without biases.
    public let biasIH: Parameter<Scalar>?
    /// b_hh, 1×3H (`bias_hh_l0`), or nil for a layer without biases.
    public let biasHH: Parameter<Scalar>?

    var workspace: GRUWorkspace<Scalar>?
    /// W_hh packed for the recurrent products of the reset-after form (h·W_hhᵀ forward, ∂a·W_hh
    /// backward, one buffer of about 3H² values for both), repacked when the weights' version or the
    /// direction changes; used from ``packedMinimumHidden`` units.
    var packedWeights: PackedProduct<Scalar>?
    /// From this many hidden units on, the reset-after recurrence multiplies by the packed W_hh
    /// instead of calling BLAS. Measured per product on two threads: at H = 1024 about 1.1 ms against
    /// BLAS's 1.9; at 650, 0.52 against 0.55, a gain within the noise that would cost the paper's
    /// model 5 MB more memory; below that BLAS is faster. Tests lower it to exercise the packed path.
    var packedMinimumHidden = 768
    /// Whether the packed products may use a second thread: false while the backward sweep runs beside
    /// other work on the other core (``SideBySide``).
    var packedProductsSplit = true
    /// Zeros standing in for absent biases, so the kernels need no branch.
    let zeroBias: RawBuffer<Scalar>

    /// All trainable parameters, in PyTorch's state-dict order.
    public var parameters: [Parameter<Scalar>] {
        [weightIH, weightHH] + [biasIH, biasHH].compactMap { $0 }
    }

    /// A layer with PyTorch's default initialisation: every weight and bias drawn from
    /// U(−1/√H, 1/√H), in the order weightIH, weightHH, biasIH, biasHH (each row-major), from
    /// `rng`, which advances by 3H·(I + H) draws, plus 6H with biases. The distribution is
    /// PyTorch's; the numbers are not (PyTorch's generator is another one).
    /// - Parameters:
    ///   - inputSize: I.
    ///   - hiddenSize: H; also sets the bound 1/√H of the uniform draws.
    ///   - cell: the form of the update.
    ///   - bias: whether the layer has b_ih and b_hh (PyTorch's `bias=True`).
    ///   - rng: the generator drawn from; it advances, so the next layer drawn from it differs.
    /// - Precondition: I > 0 and H > 0.
    public convenience init(inputSize: Int, hiddenSize: Int, cell: GRUCell = .resetAfter, bias: Bool = true,
                rng: inout SeededGenerator) {
        precondition(inputSize > 0 && hiddenSize > 0, "GRULayer: sizes must be positive, got I = \(inputSize), H = \(hiddenSize)")
        let k = Scalar(1 / Double(hiddenSize).squareRoot())
        let wih = Matrix<Scalar>.randomUniform(rows: 3 * hiddenSize, cols: inputSize, bound: k, using: &rng)
        let whh = Matrix<Scalar>.randomUniform(rows: 3 * hiddenSize, cols: hiddenSize, bound: k, using: &rng)
        var bih: Matrix<Scalar>?, bhh: Matrix<Scalar>?
        if bias {
            bih = .randomUniform(rows: 1, cols: 3 * hiddenSize, bound: k, using: &rng)
            bhh = .randomUniform(rows: 1, cols: 3 * hiddenSize, bound: k, using: &rng)
        }
        self.init(weightIH: wih, weightHH: whh, biasIH: bih, biasHH: bhh, cell: cell)
    }

    /// A layer with PyTorch's default initialisation (as ``init(inputSize:hiddenSize:cell:bias:rng:)``)
    /// from a fresh `SeededGenerator(seed: seed)`.
    /// - Precondition: I > 0 and H > 0.
    public convenience init(inputSize: Int, hiddenSize: Int, cell: GRUCell = .resetAfter, bias: Bool = true, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        self.init(inputSize: inputSize, hiddenSize: hiddenSize, cell: cell, bias: bias, rng: &rng)
    }

    /// A layer with the given parameters (e.g. a PyTorch state dict, see ``GRUStateDict``), copied
    /// into ``Parameter``s named as PyTorch names them (`weight_ih_l0`, …).
    /// - Precondition: weightIH is 3H×I with I ≥ 1, weightHH is 3H×H with H ≥ 1, each bias holds
    ///   3H values (1×3H or 3H×1; stored as 1×3H), and both biases are given or neither. A state
    ///   dict read from a file should be checked first (``GRUStateDict`` reports shapes as errors).
    public init(weightIH: Matrix<Scalar>, weightHH: Matrix<Scalar>, biasIH: Matrix<Scalar>? = nil,
                biasHH: Matrix<Scalar>? = nil, cell: GRUCell) {
        let h = weightHH.cols
        precondition(h > 0 && weightHH.rows == 3 * h, "GRULayer: weightHH must be 3H×H, got \(weightHH.rows)×\(weightHH.cols)")
        precondition(weightIH.rows == 3 * h && weightIH.cols > 0, "GRULayer: weightIH must be 3H×I = \(3 * h)×I, got \(weightIH.rows)×\(weightIH.cols)")
        precondition((biasIH == nil) == (biasHH == nil), "GRULayer: give both biases or neither")
        func vector(_ m: Matrix<Scalar>?, _ name: String) -> Parameter<Scalar>? {
            guard let m else { return nil }
            precondition(m.count == 3 * h, "GRULayer: \(name) must hold 3H = \(3 * h) values, got \(m.count)")
            return Parameter(name: name, value: Matrix(rows: 1, cols: 3 * h, elements: m.elements))
        }
        self.cell = cell
        inputSize = weightIH.cols
        hiddenSize = h
        self.weightIH = Parameter(name: "weight_ih_l0", value: weightIH)
        self.weightHH = Parameter(name: "weight_hh_l0", value: weightHH)
        self.biasIH = vector(biasIH, "bias_ih_l0")
        self.biasHH = vector(biasHH, "bias_hh_l0")
        zeroBias = RawBuffer(3 * h)
    }

    /// The candidate block W_hn of ``weightHH`` (``GateBlock/candidate``, rows 2H..<3H, H×H): the
    /// paper's W_hh, the matrix whose spectral norm the projection bounds. Reading copies the block;
    /// setting writes it back into `weightHH` (which counts as a write to ``Parameter/valueVersion``,
    /// so a projecting ``SGD`` forgets its certified bound).
    /// - Precondition: a new value is H×H.
    public var candidateBlock: Matrix<Scalar> {
        get { weightHH.value[block: .candidate] }
        set {
            let h = hiddenSize
            precondition(newValue.rows == h && newValue.cols == h, "candidateBlock must be \(h)×\(h)")
            weightHH.value[block: .candidate] = newValue
        }
    }

    /// The former name of ``candidateBlock``.
    @available(*, deprecated, renamed: "candidateBlock")
    public var candidateRecurrentWeight: Matrix<Scalar> {
        get { candidateBlock }
        set { candidateBlock = newValue }
    }

    func workspace(steps: Int, batch: Int) -> GRUWorkspace<Scalar> {
        if let w = workspace, w.matches(steps: steps, batch: batch) { return w }
        let w = GRUWorkspace<Scalar>(steps: steps, batch: batch, inputSize: inputSize, hiddenSize: hiddenSize, cell: cell)
        workspace = w
        return w
    }

    // MARK: Matrix API

    /// Runs the layer over a window and returns the states h_1 … h_T as a (T·B)×H matrix
    /// (row t·B + b is h_{t+1} of stream b), keeping what backward needs.
    ///
    /// - Parameters:
    ///   - x: the inputs, (T·B)×I, time-major.
    ///   - h0: the initial state, B×H (B is taken from it).
    /// - Precondition: x.cols = I, h0.cols = H, B ≥ 1, x.rows a positive multiple of B.
    ///
    /// Allocates the workspace when (T, B) differs from the previous call's, then nothing.
    /// The result does not depend on earlier calls: only the stored parameters and the arguments.
    public func forward(_ x: Matrix<Scalar>, initialState h0: Matrix<Scalar>) -> Matrix<Scalar> {
        let b = h0.rows, h = hiddenSize
        precondition(b > 0 && h0.cols == h, "GRULayer.forward: initial state must be B×\(h), got \(h0.rows)×\(h0.cols)")
        precondition(x.cols == inputSize, "GRULayer.forward: inputs have \(x.cols) columns, the layer takes \(inputSize)")
        precondition(x.rows > 0 && x.rows % b == 0, "GRULayer.forward: \(x.rows) input rows are not T·B for B = \(b)")
        let t = x.rows / b
        let ws = workspace(steps: t, batch: b)
        ws.x.copy(from: x.elements)
        h0.elements.withUnsafeBufferPointer { ws.hs.p.update(from: $0.baseAddress!, count: b * h) }
        forwardWindow(ws)
        return Matrix(rows: t * b, cols: h, elements: Array(UnsafeBufferPointer(start: ws.hs.p + b * h, count: t * b * h)))
    }

    /// ``forward(_:initialState:)`` from the zero state h_0 = 0 (B×H), B = `batchSize`.
    /// - Precondition: as ``forward(_:initialState:)``, with B = `batchSize` ≥ 1.
    public func forward(_ x: Matrix<Scalar>, batchSize: Int) -> Matrix<Scalar> {
        forward(x, initialState: Matrix(rows: batchSize, cols: hiddenSize))
    }

    /// h_T of the last forward window, B×H: the initial state of the next window in truncated BPTT.
    /// - Precondition: a forward pass has run (``forward(_:initialState:)`` or a model's step).
    public var finalState: Matrix<Scalar> {
        guard let ws = workspace else { preconditionFailure("GRULayer.finalState: no forward pass yet") }
        let bh = ws.batch * hiddenSize
        return Matrix(rows: ws.batch, cols: hiddenSize, elements: Array(UnsafeBufferPointer(start: ws.hs.p + ws.steps * bh, count: bh)))
    }

    /// Backpropagation through the last forward window.
    ///
    /// Given G_t = ∂loss/∂h_t for t = 1…T ((T·B)×H, same layout as the forward output) and
    /// optionally ∂loss/∂h_T from beyond the window (B×H), sets (or, with `accumulate`, adds
    /// to) the gradient of every parameter and returns ∂loss/∂x ((T·B)×I) and ∂loss/∂h_0 (B×H).
    /// The formulas per step are those of the backward sweep (exact BPTT, no truncation inside
    /// the window); they are checked against central differences in Double in the tests.
    ///
    /// - Parameters:
    ///   - outputGradient: G, (T·B)×H, row t·B + b = ∂loss/∂h_{t+1} of stream b.
    ///   - finalStateGradient: ∂loss/∂h_T from later windows (B×H); nil means zero.
    ///   - accumulate: add to the existing gradients (several windows or losses) instead of
    ///     overwriting them.
    /// - Returns: ∂loss/∂x, (T·B)×I, and ∂loss/∂h_0, B×H.
    /// - Precondition: a forward pass has run, and the gradients have its shapes.
    public func backward(outputGradient: Matrix<Scalar>, finalStateGradient: Matrix<Scalar>? = nil,
                         accumulate: Bool = false) -> (input: Matrix<Scalar>, initialState: Matrix<Scalar>) {
        guard let ws = workspace else { preconditionFailure("GRULayer.backward: no forward pass yet") }
        let n = ws.steps * ws.batch, h = hiddenSize
        precondition(outputGradient.rows == n && outputGradient.cols == h,
                     "GRULayer.backward: output gradient must be \(n)×\(h), got \(outputGradient.rows)×\(outputGradient.cols)")
        ws.dOut.copy(from: outputGradient.elements)
        if let g = finalStateGradient {
            precondition(g.rows == ws.batch && g.cols == h, "GRULayer.backward: final-state gradient must be \(ws.batch)×\(h)")
            ws.carry.copy(from: g.elements)
        } else {
            ws.carry.zero()
        }
        backwardWindow(ws, accumulate: accumulate, inputGradient: true)
        return (Matrix(rows: n, cols: inputSize, elements: ws.dX.array()),
                Matrix(rows: ws.batch, cols: h, elements: ws.carry.array()))
    }
}
