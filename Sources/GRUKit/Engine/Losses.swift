import Dispatch

/// Softmax cross-entropy over a vocabulary, averaged over tokens (PyTorch's
/// `F.cross_entropy(..., reduction="mean")`):
///
///     loss = (1/N) Σ_i [ log Σ_v e^{ℓ_iv} − ℓ_{i,y_i} ]
///          = (1/N) Σ_i [ m_i + log Σ_v e^{ℓ_iv − m_i} − ℓ_{i,y_i} ],   m_i = max_v ℓ_iv
///     ∂loss/∂ℓ_iv = (softmax(ℓ_i)_v − [v = y_i]) / N
///
/// Subtracting the row maximum keeps every exponent ≤ 0, so logits of any magnitude (±1e3
/// and beyond) give finite results; the per-row sums and the total are accumulated in Double.
public enum SoftmaxCrossEntropy {
    /// The mean loss and its gradient with respect to the N×V logits (the gradient has the
    /// logits' shape). Float logits take the vectorised e^x (within 2 ulp of `expf`); the row
    /// sums and the total are accumulated in Double, so the error does not grow with N.
    /// An empty batch (N = 0) gives loss 0.
    /// - Precondition: targets.count = N, V ≥ 1, every target in 0..<V (checked: the kernel
    ///   indexes the logits by target, so a bad target stops with its row instead of reading
    ///   out of bounds).
    public static func lossAndGradient<S: BLASScalar>(logits: Matrix<S>, targets: [Int32]) -> (loss: Double, gradient: Matrix<S>) {
        checkTargets(targets, logits)
        var g = logits
        let loss = g.elements.withUnsafeMutableBufferPointer { p in
            targets.withUnsafeBufferPointer { t in
                lossAndGradient(p.baseAddress!, rows: logits.rows, classes: logits.cols, targets: t.baseAddress!, gradient: true)
            }
        }
        return (loss, g)
    }

    /// The mean loss alone, as in ``lossAndGradient(logits:targets:)`` but without forming the
    /// gradient (evaluation).
    /// - Precondition: as ``lossAndGradient(logits:targets:)``.
    public static func loss<S: BLASScalar>(logits: Matrix<S>, targets: [Int32]) -> Double {
        checkTargets(targets, logits)
        var g = logits
        return g.elements.withUnsafeMutableBufferPointer { p in
            targets.withUnsafeBufferPointer { t in
                lossAndGradient(p.baseAddress!, rows: logits.rows, classes: logits.cols, targets: t.baseAddress!, gradient: false)
            }
        }
    }

    static func checkTargets<S: BLASScalar>(_ targets: [Int32], _ logits: Matrix<S>) {
        precondition(targets.count == logits.rows, "SoftmaxCrossEntropy: \(targets.count) targets for \(logits.rows) rows")
        precondition(logits.cols > 0, "SoftmaxCrossEntropy: no classes")
        if let i = targets.firstIndex(where: { $0 < 0 || Int($0) >= logits.cols }) {
            preconditionFailure("SoftmaxCrossEntropy: target \(targets[i]) at row \(i) is outside 0..<\(logits.cols)")
        }
    }

    /// In place: the logits are replaced by ∂loss/∂logits when `gradient` (otherwise by
    /// scratch values). Returns the mean loss.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func lossAndGradient<S: BLASScalar>(_ l: UnsafeMutablePointer<S>, rows n: Int, classes v: Int,
                                               targets: UnsafePointer<Int32>, gradient: Bool) -> Double {
        // No bias: zeros, which leave every logit as it is (z + 0 = z).
        let zeros = [S](repeating: 0, count: v)
        return zeros.withUnsafeBufferPointer {
            lossAndGradient(l, rows: n, classes: v, bias: $0.baseAddress!, targets: targets, gradient: gradient)
        }
    }

    /// The loss of logits z_i + b whose bias is added here, as each row is read (the language
    /// model's output GEMM leaves it out); the block then holds ∂loss/∂ℓ as above.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func lossAndGradient<S: BLASScalar>(_ l: UnsafeMutablePointer<S>, rows n: Int, classes v: Int, bias: UnsafePointer<S>,
                                               targets: UnsafePointer<Int32>, gradient: Bool) -> Double {
        guard n > 0 else { return 0 }
        return S.softmaxCrossEntropy(l, rows: n, classes: v, bias: bias, targets: targets, gradient: gradient)
    }

    /// The scalar reference kernel of ``BLASScalar/softmaxCrossEntropy(_:rows:classes:targets:gradient:)``
    /// (Double's implementation): per row, the maximum m subtracted before exponentiating (so no
    /// e^x overflows), e^{ℓ − m} summed in Double in blocks of 256, loss log Σ − (ℓ_y − m).
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func referenceLossAndGradient<S: BLASScalar>(_ l: UnsafeMutablePointer<S>, rows n: Int, classes v: Int, bias b: UnsafePointer<S>,
                                                        targets: UnsafePointer<Int32>, gradient: Bool) -> Double {
        guard n > 0 else { return 0 }
        var total = 0.0
        let invN = 1 / Double(n)
        for i in 0..<n {
            let row = l + i * v
            var m = row[0] + b[0]
            for k in 1..<v where row[k] + b[k] > m { m = row[k] + b[k] }
            let y = Int(targets[i])
            let target = Double(row[y] + b[y]) - Double(m)
            // e^{ℓ − m} in place, summed in Double.
            var sum = 0.0
            var k = 0
            var partial: S = 0
            while k < v {
                let e = scalarExp(row[k] + b[k] - m)
                row[k] = e
                partial += e
                k += 1
                if k & 255 == 0 { sum += Double(partial); partial = 0 }
            }
            sum += Double(partial)
            total += doubleLog(sum) - target
            if gradient {
                let scale = S(invN / sum)
                for k in 0..<v { row[k] *= scale }
                row[y] -= S(invN)
            }
        }
        return total * invN
    }

    /// The Float path of ``lossAndGradient(_:rows:classes:targets:gradient:)``: the same
    /// formulas with e^x by the vectorised ``fastExp(_:)`` (≤ 2 ulp), and for large windows the
    /// rows split into two halves computed concurrently (each half's loss summed in Double,
    /// then the halves in a fixed order, so the result does not depend on the scheduling).
    static func floatLossAndGradient(_ l: UnsafeMutablePointer<Float>, rows n: Int, classes v: Int, bias: UnsafePointer<Float>,
                                     targets: UnsafePointer<Int32>, gradient: Bool) -> Double {
        let invN = 1 / Double(n)
        let block = LogitRows(logits: l, bias: bias, targets: targets, classes: v, invN: invN, gradient: gradient)
        guard let half = floatHalf(rows: n, classes: v) else { return block.loss(rows: 0..<n) * invN }
        // Two Doubles on the stack (no allocation per step), written one per part.
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: 2) { buffer in
            let totals = LossTotals(slots: buffer.baseAddress!)
            // Race-free: part 0 reads and writes only rows 0..<half of the logits and slot 0, part 1
            // only rows half..<n and slot 1; the targets are only read; `concurrentPerform` returns
            // after both parts finished, which orders their writes before the sum below.
            DispatchQueue.concurrentPerform(iterations: 2) { part in
                totals.slots[part] = part == 0 ? block.loss(rows: 0..<half) : block.loss(rows: half..<n)
            }
            return (totals.slots[0] + totals.slots[1]) * invN
        }
    }

    /// Where ``floatLossAndGradient(_:rows:classes:bias:targets:gradient:)`` splits n rows of v
    /// classes into two concurrent halves (the first row of the second), or nil when it sums them in
    /// one piece (fewer than 2²⁰ logits: the second thread would not pay).
    static func floatHalf(rows n: Int, classes v: Int) -> Int? { n >= 2 && n * v >= 1 << 20 ? n / 2 : nil }

    /// One half of a Float block's loss, for a caller that forms each half's logits on the thread
    /// that then reads them (the language model, ``SideBySide``): the sum over `range` of the rows'
    /// losses (not yet divided by n), the rows replaced by their gradient when `gradient`. With the
    /// halves of ``floatHalf(rows:classes:)``, (first + second)/n is bit for bit the loss of
    /// ``floatLossAndGradient(_:rows:classes:bias:targets:gradient:)``.
    static func floatPartialLoss(_ l: UnsafeMutablePointer<Float>, rows range: Range<Int>, of n: Int, classes v: Int,
                                 bias: UnsafePointer<Float>, targets: UnsafePointer<Int32>, gradient: Bool) -> Double {
        LogitRows(logits: l, bias: bias, targets: targets, classes: v, invN: 1 / Double(n), gradient: gradient).loss(rows: range)
    }

    /// The rows of a logits block with their targets, for the two concurrent halves of
    /// ``floatLossAndGradient(_:rows:classes:targets:gradient:)``. `@unchecked Sendable`: it holds
    /// raw pointers, and the halves it is shared by touch disjoint rows (see the caller).
    struct LogitRows: @unchecked Sendable {
        let logits: UnsafeMutablePointer<Float>
        let bias: UnsafePointer<Float>
        let targets: UnsafePointer<Int32>
        let classes: Int
        let invN: Double
        let gradient: Bool

        /// Σ over `range` of log Σ_k e^{ℓ_k − m} − (ℓ_y − m), the rows replaced by their gradient
        /// (or scratch values).
        func loss(rows range: Range<Int>) -> Double {
            let v = classes
            var total = 0.0
            for i in range {
                let row = logits + i * v
                let y = Int(targets[i])
                let logit = row[y] + bias[y]
                let (m, sum) = softmaxExponentials(row, bias: bias, count: v)
                total += doubleLog(sum) - (Double(logit) - Double(m))
                if gradient {
                    scaleRow(row, count: v, by: Float(invN / sum))
                    row[y] -= Float(invN)
                }
            }
            return total
        }
    }

    /// The two partial sums of the concurrent halves (`@unchecked Sendable`: it holds a raw pointer,
    /// and each half writes only its own slot).
    struct LossTotals: @unchecked Sendable {
        let slots: UnsafeMutablePointer<Double>
    }
}

/// Sigmoid + binary cross-entropy over K outputs per frame (88 piano keys for music), with a
/// mask for padded frames; the loss is summed over keys and averaged over unmasked frames:
///
///     ℓ(x, y) = max(x, 0) − x·y + log(1 + e^{−|x|})      (= −y log σ(x) − (1−y) log(1 − σ(x)))
///     loss = Σ_f m_f Σ_k ℓ(x_fk, y_fk) / Σ_f m_f,        ∂loss/∂x_fk = m_f (σ(x_fk) − y_fk) / Σ_f m_f
///
/// The stable form never exponentiates a positive number, so logits of any magnitude give
/// finite results. With no unmasked frame the loss and gradient are 0.
public enum SigmoidBinaryCrossEntropy {
    /// Loss and gradient for N×K logits and targets (values in [0, 1]); `mask` has N entries
    /// (1 = frame counts, 0 = padding; other values weight the frame), nil = all frames count.
    /// The gradient has the logits' shape; masked frames get a zero gradient. Sums are in Double.
    /// - Precondition: targets are N×K like the logits; the mask, when given, has N entries.
    public static func lossAndGradient<S: BLASScalar>(logits: Matrix<S>, targets: Matrix<S>, mask: [S]? = nil) -> (loss: Double, gradient: Matrix<S>) {
        precondition(targets.rows == logits.rows && targets.cols == logits.cols, "SigmoidBinaryCrossEntropy: shapes differ")
        precondition(mask == nil || mask!.count == logits.rows, "SigmoidBinaryCrossEntropy: mask of \(mask!.count) for \(logits.rows) frames")
        var g = logits
        let m = mask ?? [S](repeating: 1, count: logits.rows)
        let loss = g.elements.withUnsafeMutableBufferPointer { p in
            targets.elements.withUnsafeBufferPointer { t in
                m.withUnsafeBufferPointer { pm in
                    lossAndGradient(p.baseAddress!, targets: t.baseAddress!, mask: pm.baseAddress!, frames: logits.rows, keys: logits.cols, gradient: true)
                }
            }
        }
        return (loss, g)
    }

    /// In place: logits replaced by the gradient when `gradient`. Returns the loss.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func lossAndGradient<S: BLASScalar>(_ x: UnsafeMutablePointer<S>, targets y: UnsafePointer<S>, mask: UnsafePointer<S>,
                                               frames n: Int, keys k: Int, gradient: Bool) -> Double {
        var frames = 0.0
        for f in 0..<n { frames += Double(mask[f]) }
        guard frames > 0 else {
            if gradient { x.update(repeating: 0, count: n * k) }
            return 0
        }
        var total = 0.0
        let inv = 1 / frames
        for f in 0..<n {
            let m = mask[f]
            var rowSum = 0.0
            for j in 0..<k {
                let i = f * k + j
                let v = x[i], t = y[i]
                if m != 0 {
                    let e = scalarExp(-abs(v))
                    rowSum += Double(Swift.max(v, 0) - v * t + scalarLog1p(e))
                }
                if gradient { x[i] = m == 0 ? 0 : S(Double(m) * inv) * (scalarSigmoid(v) - t) }
            }
            total += Double(m) * rowSum
        }
        return total * inv
    }
}

/// Mean squared error over all entries, (1/N) Σ (x − y)², with gradient 2(x − y)/N; N is the
/// number of entries. A convenience for fitting small GRUs to target trajectories.
public enum MeanSquaredError {
    /// L = (1/N) Σ_i (x_i − y_i)² over all N = rows·cols entries (PyTorch's `MSELoss` with
    /// `reduction="mean"`) and ∂L/∂x = 2(x − y)/N, x's shape. The sum is accumulated in Double.
    /// An empty matrix gives L = 0 and an empty gradient.
    /// - Precondition: x and y have the same shape.
    public static func lossAndGradient<S: BLASScalar>(_ x: Matrix<S>, target y: Matrix<S>) -> (loss: Double, gradient: Matrix<S>) {
        precondition(x.rows == y.rows && x.cols == y.cols, "MeanSquaredError: shapes \(x.rows)×\(x.cols) and \(y.rows)×\(y.cols)")
        let n = Double(Swift.max(x.count, 1))
        var g = x, total = 0.0
        for i in 0..<x.count {
            let d = x.elements[i] - y.elements[i]
            total += Double(d) * Double(d)
            g.elements[i] = S(2 / n) * d
        }
        return (total / n, g)
    }
}

extension Float {
    /// The SIMD kernel (`SoftmaxCrossEntropy.floatLossAndGradient`).
    public static func softmaxCrossEntropy(_ l: UnsafeMutablePointer<Float>, rows n: Int, classes v: Int, bias: UnsafePointer<Float>,
                                           targets: UnsafePointer<Int32>, gradient: Bool) -> Double {
        SoftmaxCrossEntropy.floatLossAndGradient(l, rows: n, classes: v, bias: bias, targets: targets, gradient: gradient)
    }
}

extension Double {
    /// The scalar reference kernel (`SoftmaxCrossEntropy.referenceLossAndGradient`).
    public static func softmaxCrossEntropy(_ l: UnsafeMutablePointer<Double>, rows n: Int, classes v: Int, bias: UnsafePointer<Double>,
                                           targets: UnsafePointer<Int32>, gradient: Bool) -> Double {
        SoftmaxCrossEntropy.referenceLossAndGradient(l, rows: n, classes: v, bias: bias, targets: targets, gradient: gradient)
    }
}
