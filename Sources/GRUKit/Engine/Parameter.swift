/// A trainable tensor: its value and the gradient of the loss with respect to it.
///
/// A reference type, so that a model can hand the same parameters to the optimiser, the
/// clipping and the diagnostics as one list (`[Parameter]`), as PyTorch's
/// `model.parameters()` does. Both are row-major matrices (a vector is a 1×n matrix);
/// the gradient always has the value's shape.
public final class Parameter<Scalar: BLASScalar> {
    /// A name in PyTorch's state-dict spelling (e.g. `weight_hh_l0`).
    public let name: String
    /// The current value θ (a matrix; a vector is 1×n). Any write bumps ``valueVersion``.
    ///
    /// Its shape is fixed at initialisation: assigning a matrix of another shape traps, naming both
    /// shapes (BLAS reads the value and the gradient through their base addresses with that shape).
    public var value: Matrix<Scalar> {
        didSet {
            precondition(value.rows == gradient.rows && value.cols == gradient.cols,
                         "Parameter \(name): value of shape \(value.rows)×\(value.cols) for a \(gradient.rows)×\(gradient.cols) parameter")
            valueVersion &+= 1
        }
    }
    /// ∂loss/∂value, written by the last backward pass. Always the value's shape: assigning a
    /// matrix of another shape traps, naming both shapes.
    public var gradient: Matrix<Scalar> {
        didSet {
            precondition(gradient.rows == value.rows && gradient.cols == value.cols,
                         "Parameter \(name): gradient of shape \(gradient.rows)×\(gradient.cols) for a \(value.rows)×\(value.cols) parameter")
            gradientRows = nil
        }
    }
    /// Counts the writes to `value` (any assignment or in-place mutation through Swift): an
    /// optimiser that carries knowledge about a value across steps (the projection's certified
    /// bound) compares it to tell its own writes from anyone else's.
    public internal(set) var valueVersion: UInt64 = 0
    /// When non-nil, the distinct rows of `gradient` that may be non-zero: every other row is
    /// exactly zero (a row-sparse gradient, e.g. an embedding's, which only touches the rows of
    /// the tokens in the window). Norms, clipping and SGD then visit only these rows, with the
    /// same result as the dense computation (a zero row adds 0 to the norm and leaves its value
    /// unchanged under θ ← θ − η·0). Any write to `gradient` from outside clears it (dense again).
    public internal(set) var gradientRows: [Int]?

    /// A parameter with the given name and value and a zero gradient of the value's shape.
    public init(name: String, value: Matrix<Scalar>) {
        self.name = name
        self.value = value
        gradient = Matrix(rows: value.rows, cols: value.cols)
    }

    /// Sets every gradient entry to zero.
    public func zeroGradient() {
        gradient.elements.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }
}

/// Operations on a list of parameters (a model's `parameters`).
public enum Parameters {
    /// The global gradient norm ‖g‖₂ = √(Σ_p ‖g_p‖_F²) over all parameters, as PyTorch's
    /// `clip_grad_norm_` computes it (one L2 norm over the concatenation of all gradients).
    /// Each ‖g_p‖ comes from xNRM2 (no overflow); the sum is formed in Double. Returns +∞ or
    /// NaN when a gradient holds a non-finite entry.
    /// A row-sparse gradient (``Parameter/gradientRows``) contributes the norms of its listed
    /// rows only (the others are zero).
    public static func gradientNorm<S: BLASScalar>(_ parameters: [Parameter<S>]) -> Double {
        var sum = 0.0
        for p in parameters where p.gradient.count > 0 {
            p.gradient.elements.withUnsafeBufferPointer { g in
                if let rows = p.gradientRows {
                    let c = p.gradient.cols
                    for r in rows {
                        let n = Double(S.nrm2(n: c, x: g.baseAddress! + r * c, incx: 1))
                        sum += n * n
                    }
                } else {
                    let n = Double(S.nrm2(n: g.count, x: g.baseAddress!, incx: 1))
                    sum += n * n
                }
            }
        }
        return sum.squareRoot()
    }

    /// Multiplies every gradient by `factor` (xSCAL); a row-sparse gradient only in its rows
    /// (the others are zero and stay zero), and it stays row-sparse.
    public static func scaleGradients<S: BLASScalar>(_ parameters: [Parameter<S>], by factor: S) {
        for p in parameters where p.gradient.count > 0 {
            let rows = p.gradientRows, c = p.gradient.cols
            p.gradient.elements.withUnsafeMutableBufferPointer { g in
                if let rows {
                    for r in rows { S.scal(n: c, alpha: factor, x: g.baseAddress! + r * c, incx: 1) }
                } else {
                    S.scal(n: g.count, alpha: factor, x: g.baseAddress!, incx: 1)
                }
            }
            p.gradientRows = rows
        }
    }

    /// Sets every gradient to zero.
    public static func zeroGradients<S: BLASScalar>(_ parameters: [Parameter<S>]) {
        for p in parameters { p.zeroGradient() }
    }

    /// The number of scalars in all values.
    public static func count<S: BLASScalar>(_ parameters: [Parameter<S>]) -> Int {
        parameters.reduce(0) { $0 + $1.value.count }
    }
}
