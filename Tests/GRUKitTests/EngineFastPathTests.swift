import XCTest
import RealModule
@testable import GRUKit

/// The training step's fast paths against their plain definitions: the vectorised e^x against
/// the C library's expf, the Float softmax cross-entropy against a Double evaluation, the
/// row-sparse embedding gradient and SGD against the dense ones, and the projection inside
/// SGD (certified skips, eigen route) against the full-SVD projection after every step.
final class EngineFastPathTests: XCTestCase {
    /// Distance in units in the last place between two Floats of the same sign.
    private func ulps(_ a: Float, _ b: Float) -> Int64 {
        if a == b { return 0 }
        func key(_ x: Float) -> Int64 {
            let bits = Int64(x.bitPattern & 0x7fff_ffff)
            return x.sign == .minus ? -bits : bits
        }
        return abs(key(a) - key(b))
    }

    func testFastExpWithinTwoUlpOfTheCLibraryOverTheWholeRange() {
        var rng = SeededGenerator(seed: 5)
        var worst: Int64 = 0, worstX: Float = 0
        var xs: [Float] = (0..<150_000).map { _ in Float(rng.nextUniform(in: -87.3..<88.7)) }
        xs += (0..<40_000).map { _ in Float(rng.nextUniform(in: -1..<1)) }
        xs += (0..<20_000).map { _ in Float(rng.nextUniform(in: -1e-6..<1e-6)) }
        // Around the reduction's switching points n·ln2/2 and near the ends of the range.
        for k in -125...127 { let c = Float(Double(k) * Double.log(2.0) / 2); xs += [c.nextDown, c, c.nextUp] }
        xs += [0, -0.0, 88.72, 88.7228, -87.33, -87.0, 1e-30, -1e-30]
        for x in xs {
            let got = fastExp(x), want = Float.exp(x)
            let d = ulps(got, want)
            if d > worst { worst = d; worstX = x }
        }
        print("OK     fastExp: worst \(worst) ulp (at x = \(worstX)) over \(xs.count) points against expf")
        XCTAssertLessThanOrEqual(worst, 2)
        // Vector lanes agree with the scalar entry point.
        let v = FloatLanes((0..<FloatLanes.scalarCount).map { Float($0) * 11 - 44 })
        let e = fastExp(v)
        for i in 0..<FloatLanes.scalarCount { XCTAssertEqual(e[i], fastExp(v[i])) }
    }

    func testFastExpSpecialValuesAndSubnormalRange() {
        XCTAssertEqual(fastExp(0), 1)
        XCTAssertEqual(fastExp(-Float.infinity), 0)
        XCTAssertEqual(fastExp(Float.infinity), .infinity)
        XCTAssertEqual(fastExp(89), .infinity)
        XCTAssertEqual(fastExp(-104), 0)
        XCTAssertEqual(fastExp(-1000), 0)
        XCTAssertTrue(fastExp(Float.nan).isNaN)
        // Subnormal results: within 1e-6 relative of expf when ≥ 2⁻¹⁴⁰ (then ≥ 2⁹ subnormal ulps).
        var x: Float = -87.4
        while x > -96.9 {
            let got = Double(fastExp(x)), want = Double(Float.exp(x))
            XCTAssertEqual(got, want, accuracy: 2e-6 * want, "x = \(x)")
            x -= 0.37
        }
    }

    /// The GRU's vectorised Float gates against the Double definitions 1/(1 + e^{−x}) and tanh x
    /// (rounded to Float): within 3 ulp over the whole line (σ: wherever it is a normal Float),
    /// densely near 0 and where tanh switches from its polynomial to the exponential form
    /// (|x| = 0.625), the saturated ends exact.
    func testFloatSigmoidAndTanhLanesWithinThreeUlp() {
        var rng = SeededGenerator(seed: 11)
        var xs: [Float] = (0..<120_000).map { _ in Float(rng.nextUniform(in: -30..<30)) }
        xs += (0..<60_000).map { _ in Float(rng.nextUniform(in: -1..<1)) }
        xs += (0..<20_000).map { _ in Float(rng.nextUniform(in: -1e-4..<1e-4)) }
        for c: Float in [0.625, -0.625] { var x = c; for _ in 0..<64 { xs += [x]; x = x.nextDown }; x = c; for _ in 0..<64 { xs += [x]; x = x.nextUp } }
        xs += [0, -0.0, 1e-30, -1e-30, Float.leastNonzeroMagnitude, 9, -9, 15, -15, 44, -44, 87, -87, 100, -100]
        while xs.count % 8 != 0 { xs.append(0.5) }
        var worstS: Int64 = 0, worstT: Int64 = 0, atS: Float = 0, atT: Float = 0
        for k in stride(from: 0, to: xs.count, by: 8) {
            let v = SIMD8<Float>(xs[k..<(k + 8)])
            let s = Float.sigmoid(v), t = Float.tanh(v)
            for i in 0..<8 {
                let x = Double(v[i])
                let want = Float(1 / (1 + Double.exp(-x)))
                // Where σ is subnormal (x < −87) the lanes promise only a value below 2⁻¹²⁶.
                let ds = want.isNormal ? ulps(s[i], want) : (s[i] < Float.leastNormalMagnitude ? 0 : 99)
                let dt = ulps(t[i], Float(Double.tanh(x)))
                if ds > worstS { worstS = ds; atS = v[i] }
                if dt > worstT { worstT = dt; atT = v[i] }
            }
        }
        print("OK     Float lanes: sigmoid worst \(worstS) ulp (x = \(atS)), tanh worst \(worstT) ulp (x = \(atT)) over \(xs.count) points")
        XCTAssertLessThanOrEqual(worstS, 3)
        XCTAssertLessThanOrEqual(worstT, 3)
        // Edge values: ±0 keep their sign in tanh, the ends saturate, NaN propagates.
        let edge = SIMD8<Float>(0, -0.0, .infinity, -.infinity, .nan, 200, -200, 1e-38)
        let s = Float.sigmoid(edge), t = Float.tanh(edge)
        XCTAssertEqual(s[0], 0.5); XCTAssertEqual(s[1], 0.5)
        XCTAssertEqual(s[2], 1); XCTAssertEqual(s[3], 0); XCTAssertTrue(s[4].isNaN)
        XCTAssertEqual(s[5], 1); XCTAssertLessThan(s[6], Float.leastNormalMagnitude)
        XCTAssertEqual(t[0], 0); XCTAssertEqual(t[0].sign, .plus); XCTAssertEqual(t[1], 0); XCTAssertEqual(t[1].sign, .minus)
        XCTAssertEqual(t[2], 1); XCTAssertEqual(t[3], -1); XCTAssertTrue(t[4].isNaN)
        XCTAssertEqual(t[5], 1); XCTAssertEqual(t[6], -1); XCTAssertEqual(t[7], 1e-38)
        // Double's lanes are the C library's functions, bit for bit.
        let d = SIMD8<Double>(-3, -0.5, 0, 1e-9, 0.7, 2, 20, -40)
        let sd = Double.sigmoid(d), td = Double.tanh(d)
        for i in 0..<8 {
            XCTAssertEqual(sd[i], 1 / (1 + Double.exp(-d[i])))
            XCTAssertEqual(td[i], Double.tanh(d[i]))
        }
    }

    /// The Float layer (eight-lane gates with the vectorised σ and tanh) against the Double layer
    /// (the C library's functions) with the same weights, for both forms, at H = 13 (one full
    /// group of eight units and a ragged tail of five): outputs and every gradient agree to Float
    /// accuracy, so the lanes cover every unit and the tail is computed like the rest.
    func testFloatLayerLanesMatchDoubleLayer() {
        let I = 6, H = 13, B = 3, T = 5
        for cell in GRUCell.allCases {
            var rng = SeededGenerator(seed: 21)
            let ld = GRULayer<Double>(inputSize: I, hiddenSize: H, cell: cell, bias: true, rng: &rng)
            for p in ld.parameters { p.value = 2.0 * p.value }
            let lf = GRULayer<Float>(inputSize: I, hiddenSize: H, cell: cell, bias: true, rng: &rng)
            for (pf, pd) in zip(lf.parameters, ld.parameters) { pf.value = pd.value.converted() }
            let x = Matrix<Double>.randomNormal(rows: T * B, cols: I, using: &rng)
            let h0 = Matrix<Double>.randomNormal(rows: B, cols: H, std: 0.5, using: &rng)
            let c = Matrix<Double>.randomNormal(rows: T * B, cols: H, using: &rng)
            let outD = ld.forward(x, initialState: h0)
            let outF = lf.forward(x.converted(), initialState: h0.converted())
            Oracle.check("\(cell) Float lanes: outputs", outF.elements.map(Double.init), outD.elements, tolerance: 2e-6)
            let (dxD, dh0D) = ld.backward(outputGradient: c)
            let (dxF, dh0F) = lf.backward(outputGradient: c.converted())
            Oracle.check("\(cell) Float lanes: ∂x", dxF.elements.map(Double.init), dxD.elements, tolerance: 1e-5)
            Oracle.check("\(cell) Float lanes: ∂h0", dh0F.elements.map(Double.init), dh0D.elements, tolerance: 1e-5)
            for (pf, pd) in zip(lf.parameters, ld.parameters) {
                Oracle.check("\(cell) Float lanes: ∂\(pd.name)", pf.gradient.elements.map(Double.init), pd.gradient.elements, tolerance: 1e-5)
            }
        }
    }

    /// The packed product against BLAS: C = A·B and C += A·B with B given as stored (k×n) or as
    /// its transpose, for ragged shapes (m not a multiple of the 4-row tile, n not of the 16-column
    /// panel, one panel and enough panels for the two-thread split), in Float and Double.
    func testPackedProductMatchesBLAS() {
        func check<S: BLASScalar>(_: S.Type, m: Int, k: Int, n: Int, transposed: Bool, accumulate: Bool, tolerance: S) {
            var rng = SeededGenerator(seed: UInt64(m * 1000 + k * 10 + n))
            let a = Matrix<S>.randomNormal(rows: m, cols: k, using: &rng)
            let b = transposed ? Matrix<S>.randomNormal(rows: n, cols: k, using: &rng) : Matrix<S>.randomNormal(rows: k, cols: n, using: &rng)
            let c0 = Matrix<S>.randomNormal(rows: m, cols: n, using: &rng)
            var want = c0, got = c0
            a.elements.withUnsafeBufferPointer { pa in
                b.elements.withUnsafeBufferPointer { pb in
                    want.elements.withUnsafeMutableBufferPointer { pc in
                        S.gemm(transA: false, transB: transposed, m: m, n: n, k: k, alpha: 1, a: pa.baseAddress!, lda: k,
                               b: pb.baseAddress!, ldb: transposed ? k : n, beta: accumulate ? 1 : 0, c: pc.baseAddress!, ldc: n)
                    }
                    let product = PackedProduct<S>(capacity: PackedProduct<S>.capacity(k: k, n: n))
                    product.pack(pb.baseAddress!, ld: transposed ? k : n, k: k, n: n, transposed: transposed)
                    got.elements.withUnsafeMutableBufferPointer { pc in
                        product.multiply(pa.baseAddress!, lda: k, m: m, into: pc.baseAddress!, ldc: n, accumulate: accumulate)
                    }
                }
            }
            Oracle.check("packed \(S.self) \(m)×\(k)·\(k)×\(n) transposed=\(transposed) accumulate=\(accumulate)",
                         got.elements, want.elements, tolerance: tolerance)
        }
        for (m, k, n) in [(3, 13, 39), (20, 65, 195), (7, 40, 130), (1, 9, 17)] {
            for transposed in [false, true] {
                for accumulate in [false, true] {
                    check(Float.self, m: m, k: k, n: n, transposed: transposed, accumulate: accumulate, tolerance: 1e-5)
                    check(Double.self, m: m, k: k, n: n, transposed: transposed, accumulate: accumulate, tolerance: 1e-12)
                }
            }
        }
    }

    /// A reset-after layer whose recurrence goes through the packed W_hh (the threshold lowered to
    /// reach it at H = 13) against the same layer through BLAS: outputs and every gradient agree in
    /// Double; a forward pass after a backward one with the same weights repacks for its own
    /// direction (the two share one buffer); after the weights change, the packed copy follows.
    func testPackedRecurrenceLayerMatchesBLASLayer() {
        let I = 6, H = 13, B = 5, T = 4
        var rng = SeededGenerator(seed: 31)
        let blas = GRULayer<Double>(inputSize: I, hiddenSize: H, cell: .resetAfter, bias: true, rng: &rng)
        let packed = GRULayer<Double>(inputSize: I, hiddenSize: H, cell: .resetAfter, bias: true, rng: &rng)
        blas.packedMinimumHidden = .max
        packed.packedMinimumHidden = 0
        let x = Matrix<Double>.randomNormal(rows: T * B, cols: I, using: &rng)
        let h0 = Matrix<Double>.randomNormal(rows: B, cols: H, std: 0.5, using: &rng)
        let c = Matrix<Double>.randomNormal(rows: T * B, cols: H, using: &rng)
        for round in 0..<2 {
            for (pp, pb) in zip(packed.parameters, blas.parameters) { pp.value = pb.value }
            let outB = blas.forward(x, initialState: h0), outP = packed.forward(x, initialState: h0)
            Oracle.check("round \(round): packed recurrence outputs", outP.elements, outB.elements, tolerance: 1e-13)
            let (dxB, dhB) = blas.backward(outputGradient: c), (dxP, dhP) = packed.backward(outputGradient: c)
            Oracle.check("round \(round): packed recurrence ∂x", dxP.elements, dxB.elements, tolerance: 1e-12)
            Oracle.check("round \(round): packed recurrence ∂h0", dhP.elements, dhB.elements, tolerance: 1e-12)
            for (pp, pb) in zip(packed.parameters, blas.parameters) {
                Oracle.check("round \(round): packed recurrence ∂\(pb.name)", pp.gradient.elements, pb.gradient.elements, tolerance: 1e-12)
            }
            XCTAssertNotNil(packed.packedWeights); XCTAssertNil(blas.packedWeights)
            // The buffer now holds the backward layout: a second forward pass must not reuse it.
            Oracle.check("round \(round): forward after backward", packed.forward(x, initialState: h0).elements, outB.elements,
                         tolerance: 1e-13)
            // New weights for the next round: the packed layer must repack them.
            blas.weightHH.value = 1.7 * blas.weightHH.value
        }
    }

    /// The language model's backward runs the GRU's sweep beside the output layer's ∂W, computed in
    /// blocks of output units, when BLAS has two threads (``SideBySide``), and one after the other
    /// with one thread. Both give the same gradients, ∂W equals the whole layer's one-GEMM
    /// ∂W = Gᵀ·y, the packed recurrence agrees too, and the BLAS setting is restored.
    func testSideBySideBackwardEqualsOneThreadAndTheWholeProduct() throws {
        let saved = BLAS.threads
        defer { BLAS.threads = saved }
        // V = 1100: two whole blocks of 512 output units and a ragged one of 76.
        let config = GRULanguageModel<Double>.Configuration(vocabularySize: 1100, embeddingSize: 6, hiddenSize: 13,
                                                            gruBias: true, dropout: 0, embeddingScale: 0.5)
        XCTAssertEqual(GRULanguageModel<Double>.weightGradientBlock, 512)
        var rng = SeededGenerator(seed: 77)
        let B = 3, T = 4
        let inputs = (0..<(T * B)).map { _ in Int32(rng.next() % 1100) }, targets = (0..<(T * B)).map { _ in Int32(rng.next() % 1100) }
        for packed in [false, true] {
            let lm = GRULanguageModel<Double>(configuration: config, seed: 8)
            if packed { lm.gru.packedMinimumHidden = 0 }
            lm.trainingState = Matrix.randomNormal(rows: B, cols: 13, std: 0.5, using: &rng)
            var gradients: [Int: [[Double]]] = [:]
            for threads in [2, 1] {
                BLAS.threads = threads
                XCTAssertEqual(SideBySide.available, threads >= 2)
                _ = try lm.lossAndGradients(inputs: inputs, targets: targets, batchSize: B)
                XCTAssertEqual(BLAS.threads, threads, "the BLAS setting is restored")
                gradients[threads] = lm.parameters.map(\.gradient.elements)
                // ∂W against the whole layer's one GEMM on the same y and G.
                let n = T * B, w = lm.work!
                let y = Matrix(rows: n, cols: 13, elements: Array(w.y.array().prefix(n * 13)))
                let g = Matrix(rows: n, cols: 1100, elements: Array(w.logits.array().prefix(n * 1100)))
                let whole = Linear<Double>(weight: lm.output.weight.value, bias: lm.output.bias.value)
                _ = whole.backward(input: y, outputGradient: g)
                Oracle.check("packed \(packed), \(threads) thread(s): ∂W in blocks = Gᵀ·y", lm.output.weight.gradient.elements,
                             whole.weight.gradient.elements, tolerance: 1e-14)
                XCTAssertEqual(lm.output.bias.gradient.elements, whole.bias.gradient.elements)
            }
            // Not bit for bit: the products before the sweep (∂y = G·W, ∂b = Gᵀ1) run on as many BLAS
            // threads as set, and OpenBLAS's two-thread GEMV sums in another order than its one-thread one.
            for (k, p) in lm.parameters.enumerated() {
                Oracle.check("packed \(packed): ∂\(p.name) side by side = one after the other", gradients[2]![k], gradients[1]![k],
                             tolerance: 1e-14)
            }
            XCTAssertEqual(lm.gru.packedWeights != nil, packed)
            XCTAssertTrue(lm.gru.packedProductsSplit, "the packed products may split again after the backward pass")
        }
    }

    /// With two BLAS threads a Float model forms each half of the logits and its loss on one core
    /// (``SideBySide``), the halves the loss splits into itself: the loss is the one the loss
    /// computes over the whole block (in Double, from the same logits), and every gradient equals
    /// the one-thread model's and the model's with ``GRULanguageModel/runsSideBySide`` off, which form
    /// all logits first and then the loss.
    func testFloatLogitsAndLossInHalvesEqualTheWholeBlock() throws {
        let saved = BLAS.threads
        defer { BLAS.threads = saved }
        // n·V = 12 · 90,000 ≥ 2²⁰: the loss splits the rows into two halves of 6.
        let V = 90_000, B = 3, T = 4
        XCTAssertEqual(SoftmaxCrossEntropy.floatHalf(rows: T * B, classes: V), 6)
        let config = GRULanguageModel<Float>.Configuration(vocabularySize: V, embeddingSize: 5, hiddenSize: 9, dropout: 0.3)
        var rng = SeededGenerator(seed: 78)
        let inputs = (0..<(T * B)).map { _ in Int32(rng.next() % UInt64(V)) }, targets = (0..<(T * B)).map { _ in Int32(rng.next() % UInt64(V)) }
        var losses: [Int: Double] = [:], gradients: [Int: [[Float]]] = [:]
        // Keys: 2 (two threads, side by side), 1 (one thread), 0 (two threads, runsSideBySide off).
        for key in [2, 1, 0] {
            let threads = key == 1 ? 1 : 2
            BLAS.threads = threads
            let lm = GRULanguageModel<Float>(configuration: config, seed: 8)
            lm.runsSideBySide = key != 0
            losses[key] = try lm.lossAndGradients(inputs: inputs, targets: targets, batchSize: B)
            XCTAssertEqual(BLAS.threads, threads, "the BLAS setting is restored")
            gradients[key] = lm.parameters.map(\.gradient.elements)
            // The loss from the same logits, recomputed in Double over the whole block.
            let n = T * B
            let y = Matrix(rows: n, cols: 9, elements: Array(lm.work!.y.array().prefix(n * 9)))
            let logits = lm.output.forward(y).elements.map(Double.init)
            let reference = SoftmaxCrossEntropy.loss(logits: Matrix(rows: n, cols: V, elements: logits), targets: targets)
            XCTAssertEqual(losses[key]!, reference, accuracy: 1e-6 * reference, "case \(key): the loss of the logits")
        }
        for other in [1, 0] {
            XCTAssertEqual(losses[2]!, losses[other]!, accuracy: 1e-12 * losses[other]!)
            for (k, (a, b)) in zip(gradients[2]!, gradients[other]!).enumerated() {
                Oracle.check("parameter \(k): halves on two cores = the whole block (case \(other))", a, b, tolerance: 1e-6)
            }
        }
    }

    /// Dropout draws its mask by an integer comparison, k = next() >> 11 against ⌈p·2⁵³⌉: the
    /// same masks as comparing the generator's uniform double k·2⁻⁵³ with p, for any p.
    func testDropoutMaskEqualsTheUniformComparison() {
        for (p, seed) in [(0.5, UInt64(3)), (0.1, 4), (0.3, 5), (1.0 / 3, 6), (0.999, 7), (1e-12, 8)] {
            let count = 5_003
            let dropout = Dropout<Float>(probability: p, seed: seed)
            var reference = SeededGenerator(seed: seed)
            var x = [Float](repeating: 1, count: count)
            x.withUnsafeMutableBufferPointer { dropout.apply($0.baseAddress!, count: count, training: true) }
            let keep = Float(1 / (1 - p))
            let want = (0..<count).map { _ in reference.nextUniform() < p ? Float(0) : keep }
            XCTAssertEqual(x, want, "p = \(p)")
            // The generator advanced by exactly one draw per unit.
            XCTAssertEqual(dropout.rng.next(), reference.next(), "p = \(p)")
        }
    }

    /// The language model's loss adds the output bias as it reads each row (its GEMM leaves b
    /// out): bit for bit the loss and gradient of the logits with b added first, in Float (the
    /// SIMD kernel, with its two concurrent halves and a ragged tail) and in Double.
    func testSoftmaxCrossEntropyAddsTheBiasAsItReads() {
        func check<S: BLASScalar>(_: S.Type, n: Int, v: Int, seed: UInt64) {
            var rng = SeededGenerator(seed: seed)
            let z = Matrix<S>.randomNormal(rows: n, cols: v, std: 3, using: &rng)
            let b = Matrix<S>.randomNormal(rows: 1, cols: v, std: 2, using: &rng)
            let targets = (0..<n).map { _ in Int32(rng.next() % UInt64(v)) }
            var withBias = z
            for i in 0..<n { for k in 0..<v { withBias[i, k] = z[i, k] + b[0, k] } }
            let (want, wantGradient) = SoftmaxCrossEntropy.lossAndGradient(logits: withBias, targets: targets)
            var block = z.elements
            let got = block.withUnsafeMutableBufferPointer { l in
                b.elements.withUnsafeBufferPointer { bias in
                    targets.withUnsafeBufferPointer {
                        SoftmaxCrossEntropy.lossAndGradient(l.baseAddress!, rows: n, classes: v, bias: bias.baseAddress!,
                                                            targets: $0.baseAddress!, gradient: true)
                    }
                }
            }
            XCTAssertEqual(got, want, "\(S.self) n=\(n) v=\(v): loss")
            XCTAssertEqual(block, wantGradient.elements, "\(S.self) n=\(n) v=\(v): gradient")
        }
        check(Float.self, n: 5, v: 37, seed: 1)
        check(Float.self, n: 130, v: 10_007, seed: 2)
        check(Double.self, n: 7, v: 101, seed: 3)
    }

    func testFloatSoftmaxCrossEntropyMatchesDouble() {
        var rng = SeededGenerator(seed: 8)
        // Large enough for the two-way split (n·v ≥ 2²⁰), with a ragged vocabulary (tail path).
        for (n, v, scale) in [(3, 37, 1.0), (7, 1003, 30.0), (130, 10_007, 4.0)] {
            let logits = Matrix<Double>.randomNormal(rows: n, cols: v, std: scale, using: &rng)
            let targets = (0..<n).map { _ in Int32(rng.next() % UInt64(v)) }
            let (lossD, gradD) = SoftmaxCrossEntropy.lossAndGradient(logits: logits, targets: targets)
            let lf: Matrix<Float> = logits.converted()
            let (lossF, gradF) = SoftmaxCrossEntropy.lossAndGradient(logits: lf, targets: targets)
            Oracle.check("softmax CE loss n=\(n) v=\(v)", [lossF], [lossD], tolerance: 1e-5 * max(1, abs(lossD)))
            Oracle.check("softmax CE gradient n=\(n) v=\(v)", gradF.elements.map(Double.init), gradD.elements, tolerance: 1e-6 / Double(n))
        }
        // A NaN logit gives a NaN loss (never a finite one).
        var bad = Matrix<Float>(rows: 2, cols: 40)
        bad[1, 7] = .nan
        XCTAssertTrue(SoftmaxCrossEntropy.loss(logits: bad, targets: [0, 1]).isNaN)
    }

    func testSparseEmbeddingGradientEqualsDense() {
        var rng = SeededGenerator(seed: 3)
        let v = 50, e = 4
        let emb = Embedding<Double>(vocabularySize: v, embeddingSize: e, scale: 0.5, rng: &rng)
        for window in 0..<4 {
            let ids = (0..<9).map { _ in Int32(rng.next() % 12) + Int32(window * 5) }
            let g = Matrix<Double>.randomNormal(rows: ids.count, cols: e, using: &rng)
            emb.backward(ids, outputGradient: g)
            var dense = Matrix<Double>(rows: v, cols: e)
            for (i, id) in ids.enumerated() { for j in 0..<e { dense[Int(id), j] += 0.5 * g[i, j] } }
            XCTAssertEqual(emb.weight.gradient.elements, dense.elements, "window \(window)")
            XCTAssertEqual(Set(emb.weight.gradientRows ?? []), Set(ids.map(Int.init)))
            XCTAssertEqual(emb.weight.gradientRows?.count, Set(ids).count, "rows listed once")
        }
        // A write from outside makes the gradient dense again, and the next backward starts clean.
        emb.weight.gradient[40, 0] = 7
        XCTAssertNil(emb.weight.gradientRows)
        emb.backward([1], outputGradient: Matrix(rows: 1, cols: e, elements: [1, 1, 1, 1]))
        XCTAssertEqual(emb.weight.gradient[40, 0], 0)
        XCTAssertEqual(emb.weight.gradient.elements.filter { $0 != 0 }.count, e)
    }

    func testSparseSGDStepNormAndClippingEqualDense() {
        var rng = SeededGenerator(seed: 4)
        let v = 30, e = 3
        let sparse = Embedding<Double>(vocabularySize: v, embeddingSize: e, rng: &rng)
        let dense = Parameter<Double>(name: "dense", value: sparse.weight.value)
        let ids: [Int32] = [3, 9, 3, 27, 0]
        let g = Matrix<Double>.randomNormal(rows: ids.count, cols: e, std: 50, using: &rng)
        sparse.backward(ids, outputGradient: g)
        dense.gradient = sparse.weight.gradient
        XCTAssertNotNil(sparse.weight.gradientRows)
        XCTAssertEqual(Parameters.gradientNorm([sparse.weight]), Parameters.gradientNorm([dense]), accuracy: 1e-12)
        let a = SGD<Double>().step([sparse.weight], learningRate: 0.7, method: .clip(maxNorm: 1))
        let b = SGD<Double>().step([dense], learningRate: 0.7, method: .clip(maxNorm: 1))
        XCTAssertTrue(a.clipped && b.clipped)
        XCTAssertEqual(a.gradientNorm, b.gradientNorm, accuracy: 1e-12)
        Oracle.check("row-sparse SGD step = dense step", sparse.weight.value.elements, dense.value.elements, tolerance: 1e-15)
        Oracle.check("row-sparse clipped gradient = dense", sparse.weight.gradient.elements, dense.gradient.elements, tolerance: 1e-15)
        XCTAssertNotNil(sparse.weight.gradientRows, "clipping keeps the gradient row-sparse")
    }

    /// SGD with the projection (automatic: certified skips and the eigen route) against the same
    /// steps with the full-SVD projection (the reference), step after step, in Float.
    func testProjectionInSGDMatchesFullSVDAlongTraining() throws {
        for cell in GRUCell.allCases {
            let h = 24
            let a = GRULayer<Float>(inputSize: 5, hiddenSize: h, cell: cell, bias: false, seed: 12)
            let b = GRULayer<Float>(inputSize: 5, hiddenSize: h, cell: cell, bias: false, seed: 12)
            let initial = a.weightHH.value
            for l in [a, b] { l.weightHH.value = 5 * initial }
            let fast = SGD<Float>(), reference = SGD<Float>()
            reference.projectionMethod = .fullSVD
            var rng = SeededGenerator(seed: 99)
            var actions: [String: Int] = [:]
            for step in 0..<40 {
                // A large matrix and large steps at first (the projection is active); then the
                // initial matrix (σ_1 < c; set from outside, so the bound must be re-established)
                // and small steps (certified skips) with an occasional large one.
                if step == 10 { a.weightHH.value = initial; b.weightHH.value = initial }
                let std = step < 10 ? 0.5 : (step % 13 == 0 ? 0.3 : 0.002)
                for (pa, pb) in zip(a.parameters, b.parameters) {
                    let g: Matrix<Float> = Matrix<Double>.randomNormal(rows: pa.value.rows, cols: pa.value.cols, std: std, using: &rng).converted()
                    pa.gradient = g; pb.gradient = g
                }
                let method: TrainingMethod = step % 2 == 0 ? .project(delta: 0.2) : .clipAndProject(maxNorm: 3, delta: 0.2)
                let ra = fast.step(a.parameters, learningRate: 1, method: method, recurrent: a)
                let rb = reference.step(b.parameters, learningRate: 1, method: method, recurrent: b)
                let report = try XCTUnwrap(ra.projection)
                actions["\(report.action)".components(separatedBy: "(").first!, default: 0] += 1
                XCTAssertEqual(rb.projection?.method, .fullSVD)
                let wa = a.weightHH.value.elements.map(Double.init), wb = b.weightHH.value.elements.map(Double.init)
                let scale = wb.map(abs).max()!
                let diff = zip(wa, wb).map { abs($0 - $1) }.max()! / scale
                XCTAssertLessThanOrEqual(diff, 1e-5, "\(cell) step \(step): \(report.action) differs from the full-SVD projection by \(diff)")
                XCTAssertLessThanOrEqual(try a.candidateBlock.converted().spectralNorm() as Double, 1.8 * (1 + 1e-5))
                // Keep the two runs on exactly the same matrix, so differences do not accumulate.
                b.weightHH.value = a.weightHH.value
            }
            print("OK     \(cell): projection actions over 40 SGD steps: \(actions)")
            XCTAssertGreaterThan(actions["skipped"] ?? 0, 0, "small steps must be certified and skipped")
            XCTAssertGreaterThan(actions["projected"] ?? 0, 0, "large steps must project")
        }
    }

    func testWeightsChangedOutsideTheOptimiserVoidTheSkip() throws {
        let layer = GRULayer<Float>(inputSize: 2, hiddenSize: 6, cell: .resetAfter, bias: false, seed: 1)
        let sgd = SGD<Float>()
        for p in layer.parameters { p.zeroGradient() }
        // σ_1 of the initial block is < 1.8: certified (scan) or unchanged.
        _ = sgd.step(layer.parameters, learningRate: 1, method: .project(delta: 0.2), recurrent: layer)
        let r1 = sgd.step(layer.parameters, learningRate: 1, method: .project(delta: 0.2), recurrent: layer)
        XCTAssertEqual(r1.projection?.action, .skipped)
        // Someone else scales the block: a zero-size step must not be skipped on the old bound.
        layer.candidateBlock = 10 * layer.candidateBlock
        let r2 = sgd.step(layer.parameters, learningRate: 1, method: .project(delta: 0.2), recurrent: layer)
        XCTAssertGreaterThan(r2.projection?.clippedCount ?? 0, 0)
        Oracle.check("σ_1 after the projection", [try layer.candidateBlock.converted().spectralNorm() as Double], [1.8], tolerance: 1e-5)
    }
}
