/// A GRU layer's state map h_t = F(h_{t−1}, x_t) in Double, for analysing a trained layer along
/// real inputs.
///
/// The input enters the GRU only through the pre-activations W_ih x + b_ih, which are added where
/// b_ih is added (see ``GRUCell``). So for a fixed input x the map h ↦ F(h, x) *is* an
/// ``InputFreeGRU`` whose input bias is b_ih + W_ih x (``map(input:)``): its Jacobian ∂F/∂h, its
/// fixed and slow points (``InputFreeGRU/criticalPoints(from:tolerance:slowSpeed:)``) and its
/// Lyapunov exponents come from the one implementation there. x = 0 gives the input-free map of
/// the paper (with the layer's biases, if any).
public struct GRUStateMap: Sendable {
    /// W_ih, 3H×I (rows r, z, n, PyTorch's layout), in Double.
    public let weightIH: Matrix<Double>
    /// The map with x = 0: W_hh, the biases and the form.
    public let inputFree: InputFreeGRU

    /// H, the state size.
    public var hiddenSize: Int { inputFree.hiddenSize }
    /// I, the input size.
    public var inputSize: Int { weightIH.cols }

    /// The map of a layer with the given PyTorch-layout parameters (nil biases are zeros).
    /// - Precondition: `weightIH` is 3H×I with I ≥ 1 and `weightHH` 3H×H; biases have 3H entries.
    public init(weightIH: Matrix<Double>, weightHH: Matrix<Double>, inputBias: [Double]? = nil, recurrentBias: [Double]? = nil,
                form: GRUCell) {
        precondition(weightIH.rows == weightHH.rows && weightIH.cols >= 1,
                     "GRUStateMap: weight_ih must be 3H×I = \(weightHH.rows)×I, got \(weightIH.rows)×\(weightIH.cols)")
        self.weightIH = weightIH
        inputFree = InputFreeGRU(weightHH: weightHH, form: form, inputBias: inputBias, recurrentBias: recurrentBias)
    }

    /// The map of an engine layer (Float or Double), its parameters widened exactly to Double.
    public init<S: BLASScalar>(layer: GRULayer<S>) {
        self.init(weightIH: layer.weightIH.value.converted(to: Double.self), weightHH: layer.weightHH.value.converted(to: Double.self),
                  inputBias: layer.biasIH.map { $0.value.converted(to: Double.self).elements },
                  recurrentBias: layer.biasHH.map { $0.value.converted(to: Double.self).elements }, form: layer.cell)
    }

    /// h ↦ F(h, x) for the constant input x: the ``InputFreeGRU`` with input bias b_ih + W_ih x
    /// (exact: the same sums in the same order as a step of the layer, up to the order of the
    /// additions b_ih + W_ih x).
    /// - Precondition: `x.count == inputSize`.
    public func map(input x: [Double]) -> InputFreeGRU {
        precondition(x.count == inputSize, "GRUStateMap: the input has \(x.count) entries, the layer takes \(inputSize)")
        let wx = weightIH.multiplied(by: x)
        let b = zip(wx, inputFree.inputBias).map { $0 + $1 }
        return InputFreeGRU(weightHH: inputFree.weightHH, form: inputFree.form, inputBias: b, recurrentBias: inputFree.recurrentBias)
    }

    /// The states h_1 … h_T driven by x_1 … x_T from h_0 (T states, h_0 not included).
    /// - Precondition: `h0.count == hiddenSize`, every input has I entries.
    public func states(inputs: [[Double]], from h0: [Double]) -> [[Double]] {
        var h = h0, out: [[Double]] = []
        out.reserveCapacity(inputs.count)
        for x in inputs { h = map(input: x)(h); out.append(h) }
        return out
    }

    /// The state Jacobians J_t = ∂h_t/∂h_{t−1} = ∂F/∂h(h_{t−1}, x_t), t = 1…T, along the
    /// trajectory of ``states(inputs:from:)`` (each by ``InputFreeGRU/jacobian(at:)``). Their
    /// product J_T ⋯ J_1 = ∂h_T/∂h_0 is what backpropagation through time multiplies by.
    /// - Precondition: as ``states(inputs:from:)``.
    public func jacobians(inputs: [[Double]], from h0: [Double]) -> [Matrix<Double>] {
        var h = h0, out: [Matrix<Double>] = []
        out.reserveCapacity(inputs.count)
        for x in inputs {
            let f = map(input: x)
            out.append(f.jacobian(at: h))
            h = f(h)
        }
        return out
    }
}
