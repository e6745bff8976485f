/// A trainable tensor: its value and the gradient of the loss with respect to it.
///
/// A reference type, so that a model can hand the same parameters to the optimiser, the
/// clipping and the diagnostics as one list (`[Parameter]`), as PyTorch's
/// `model.parameters()` does. Both are row-major matrices (a vector is a 1×n matrix);
/// the gradient always has the value's shape.
public final class Parameter<Scalar: BLASScalar> {
    /// A name in PyTorch's state-dict spelling (e.g. `weight_hh_l0`).
    public let name: String
    public var value: Matrix<Scalar>
    /// ∂loss/∂value, written by the last backward pass.
    public var gradient: Matrix<Scalar>

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
    public static func gradientNorm<S: BLASScalar>(_ parameters: [Parameter<S>]) -> Double {
        var sum = 0.0
        for p in parameters where p.gradient.count > 0 {
            let n = p.gradient.elements.withUnsafeBufferPointer { S.nrm2(n: $0.count, x: $0.baseAddress!, incx: 1) }
            sum += Double(n) * Double(n)
        }
        return sum.squareRoot()
    }

    /// Multiplies every gradient by `factor` (xSCAL).
    public static func scaleGradients<S: BLASScalar>(_ parameters: [Parameter<S>], by factor: S) {
        for p in parameters where p.gradient.count > 0 {
            p.gradient.elements.withUnsafeMutableBufferPointer { S.scal(n: $0.count, alpha: factor, x: $0.baseAddress!, incx: 1) }
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
