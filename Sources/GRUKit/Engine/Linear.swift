/// A fully connected layer y = x Wᵀ + b, with W out×in and b 1×out stored as PyTorch's
/// `nn.Linear` (`decoder.weight`, `decoder.bias`). Over N rows at once, forward is one GEMM
/// and backward two (∂W = Gᵀ X, ∂X = G W) plus one GEMV (∂b = Gᵀ 1).
public final class Linear<Scalar: BLASScalar> {
    /// W, out×in (`NAME.weight`).
    public let weight: Parameter<Scalar>
    /// b, 1×out (`NAME.bias`).
    public let bias: Parameter<Scalar>
    /// in, the length of an input row (columns of W).
    public var inputSize: Int { weight.value.cols }
    /// out, the length of an output row (rows of W).
    public var outputSize: Int { weight.value.rows }
    /// The trainable parameters, weight then bias (PyTorch's order).
    public var parameters: [Parameter<Scalar>] { [weight, bias] }
    var ones = RawBuffer<Scalar>(0)

    /// A layer with the given W (out×in) and b (out values, any shape; stored 1×out), named
    /// `name.weight` and `name.bias` (`decoder` as in PyTorch's word-language-model example).
    /// - Precondition: b holds as many values as W has rows.
    public init(weight: Matrix<Scalar>, bias: Matrix<Scalar>, name: String = "decoder") {
        precondition(bias.count == weight.rows, "Linear: bias of \(bias.count) values for \(weight.rows) outputs")
        self.weight = Parameter(name: name + ".weight", value: weight)
        self.bias = Parameter(name: name + ".bias", value: Matrix(rows: 1, cols: bias.count, elements: bias.elements))
    }

    /// PyTorch's default initialisation: W and then b drawn from U(−1/√in, 1/√in) by `rng`
    /// (row-major), which advances by out·(in + 1) draws.
    /// - Precondition: in > 0 and out > 0.
    public convenience init(inputSize: Int, outputSize: Int, name: String = "decoder", rng: inout SeededGenerator) {
        let k = Scalar(1 / Double(inputSize).squareRoot())
        let w = Matrix<Scalar>.randomUniform(rows: outputSize, cols: inputSize, bound: k, using: &rng)
        let b = Matrix<Scalar>.randomUniform(rows: 1, cols: outputSize, bound: k, using: &rng)
        self.init(weight: w, bias: b, name: name)
    }

    /// y = x Wᵀ + b for an N×in matrix x (one GEMM), an N×out matrix.
    /// - Precondition: x has `inputSize` columns.
    public func forward(_ x: Matrix<Scalar>) -> Matrix<Scalar> {
        precondition(x.cols == inputSize, "Linear.forward: \(x.cols) columns for \(inputSize) inputs")
        var y = Matrix<Scalar>(rows: x.rows, cols: outputSize)
        x.elements.withUnsafeBufferPointer { px in
            y.elements.withUnsafeMutableBufferPointer { forward(px.baseAddress!, rows: x.rows, into: $0.baseAddress!) }
        }
        return y
    }

    /// Sets ∂loss/∂W = Gᵀ x and ∂loss/∂b = Gᵀ 1 (overwriting the gradients) from G = ∂loss/∂y
    /// (N×out) and returns ∂loss/∂x = G W (N×in).
    /// - Precondition: x is N×in and G is N×out (the input and output gradient of one forward).
    public func backward(input x: Matrix<Scalar>, outputGradient g: Matrix<Scalar>) -> Matrix<Scalar> {
        precondition(g.rows == x.rows && g.cols == outputSize && x.cols == inputSize, "Linear.backward: shapes")
        var dx = Matrix<Scalar>(rows: x.rows, cols: inputSize)
        x.elements.withUnsafeBufferPointer { px in
            g.elements.withUnsafeBufferPointer { pg in
                dx.elements.withUnsafeMutableBufferPointer {
                    backward(input: px.baseAddress!, outputGradient: pg.baseAddress!, rows: x.rows, inputGradient: $0.baseAddress!)
                }
            }
        }
        return dx
    }

    /// y = x·Wᵀ without the bias (one GEMM, β = 0): for a consumer that adds b as it reads y, as
    /// the language model's loss does (``SoftmaxCrossEntropy``), which saves writing b into every
    /// row of y first.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forwardWithoutBias(_ x: UnsafePointer<Scalar>, rows n: Int, into y: UnsafeMutablePointer<Scalar>) {
        let i = inputSize, o = outputSize
        weight.value.elements.withUnsafeBufferPointer { w in
            Scalar.gemm(transA: false, transB: true, m: n, n: o, k: i, alpha: 1, a: x, lda: i,
                        b: w.baseAddress!, ldb: i, beta: 0, c: y, ldc: o)
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ x: UnsafePointer<Scalar>, rows n: Int, into y: UnsafeMutablePointer<Scalar>) {
        let i = inputSize, o = outputSize
        weight.value.elements.withUnsafeBufferPointer { w in
            bias.value.elements.withUnsafeBufferPointer { b in
                for r in 0..<n { (y + r * o).update(from: b.baseAddress!, count: o) }
                Scalar.gemm(transA: false, transB: true, m: n, n: o, k: i, alpha: 1, a: x, lda: i,
                            b: w.baseAddress!, ldb: i, beta: 1, c: y, ldc: o)
            }
        }
    }

    /// ∂loss/∂b = Gᵀ 1 and, when `dx` is given, ∂loss/∂x = G W: the part of backward that the
    /// layers below wait for (``weightGradient(outputs:input:outputGradient:rows:)`` is the rest).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func inputAndBiasGradient(outputGradient g: UnsafePointer<Scalar>, rows n: Int, inputGradient dx: UnsafeMutablePointer<Scalar>?) {
        let i = inputSize, o = outputSize
        if ones.count != n { ones = RawBuffer(n); ones.p.update(repeating: 1, count: n) }
        bias.gradient.elements.withUnsafeMutableBufferPointer { gb in
            Scalar.gemv(trans: true, m: n, n: o, alpha: 1, a: g, lda: o, x: ones.p, incx: 1, beta: 0, y: gb.baseAddress!, incy: 1)
        }
        if let dx {
            weight.value.elements.withUnsafeBufferPointer { w in
                Scalar.gemm(transA: false, transB: false, m: n, n: i, k: o, alpha: 1, a: g, lda: o,
                            b: w.baseAddress!, ldb: i, beta: 0, c: dx, ldc: i)
            }
        }
    }

    /// Rows `outputs` of ∂loss/∂W = Gᵀ x (one GEMM over those output units' columns of G),
    /// overwriting them: ∂W in blocks that can run on different threads while another layer works.
    /// - Precondition: `outputs` lies in 0 ..< out.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func weightGradient(outputs: Range<Int>, input x: UnsafePointer<Scalar>, outputGradient g: UnsafePointer<Scalar>, rows n: Int) {
        let i = inputSize, o = outputSize
        precondition(outputs.lowerBound >= 0 && outputs.upperBound <= o, "Linear.weightGradient: rows \(outputs) of \(o)")
        guard !outputs.isEmpty else { return }
        weight.gradient.elements.withUnsafeMutableBufferPointer { gw in
            Scalar.gemm(transA: true, transB: false, m: outputs.count, n: i, k: n, alpha: 1, a: g + outputs.lowerBound, lda: o,
                        b: x, ldb: i, beta: 0, c: gw.baseAddress! + outputs.lowerBound * i, ldc: i)
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(input x: UnsafePointer<Scalar>, outputGradient g: UnsafePointer<Scalar>, rows n: Int,
                  inputGradient dx: UnsafeMutablePointer<Scalar>?) {
        weightGradient(outputs: 0..<outputSize, input: x, outputGradient: g, rows: n)
        inputAndBiasGradient(outputGradient: g, rows: n, inputGradient: dx)
    }
}
