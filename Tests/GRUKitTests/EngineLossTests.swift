import XCTest
@testable import GRUKit

/// The losses against direct Double computations, including logits of ±1e3.
final class EngineLossTests: XCTestCase {
    /// Direct softmax CE: log(Σ e^ℓ) − ℓ_y with Foundation's exp on max-shifted logits in Double.
    func directSoftmaxCE(_ logits: Matrix<Double>, _ t: [Int32]) -> (Double, [Double]) {
        var loss = 0.0, g = [Double](repeating: 0, count: logits.count)
        let n = Double(logits.rows)
        for i in 0..<logits.rows {
            let row = logits.row(i), m = row.max()!
            let s = row.reduce(0) { $0 + Foundation.exp($1 - m) }
            loss += (m + Foundation.log(s) - row[Int(t[i])]) / n
            for k in 0..<logits.cols { g[i * logits.cols + k] = (Foundation.exp(row[k] - m) / s - (k == Int(t[i]) ? 1 : 0)) / n }
        }
        return (loss, g)
    }

    func testSoftmaxCrossEntropyMatchesDirectComputation() {
        var rng = SeededGenerator(seed: 3)
        var logits = Matrix<Double>.randomNormal(rows: 6, cols: 7, std: 2, using: &rng)
        logits[1, 2] = 1e3; logits[2, 0] = -1e3; logits[3, 3] = 1e3; logits[3, 4] = 1e3
        for j in 0..<7 { logits[4, j] = -1e3 + Double(j) }
        let t: [Int32] = [0, 2, 0, 4, 6, 1]
        let (loss, grad) = SoftmaxCrossEntropy.lossAndGradient(logits: logits, targets: t)
        let (l2, g2) = directSoftmaxCE(logits, t)
        Oracle.check("softmax CE loss (Double, ±1e3 logits)", [loss], [l2], tolerance: 1e-13)
        Oracle.check("softmax CE gradient (Double)", grad.elements, g2, tolerance: 1e-13)
        XCTAssertTrue(loss.isFinite)
        // Float: the same logits rounded to Float give the same values to single precision.
        let (lf, gf) = SoftmaxCrossEntropy.lossAndGradient(logits: logits.converted(to: Float.self), targets: t)
        let (ld, gd) = directSoftmaxCE(logits.converted(to: Float.self).converted(to: Double.self), t)
        Oracle.check("softmax CE loss (Float)", [lf], [ld], tolerance: 1e-5)
        Oracle.check("softmax CE gradient (Float)", gf.elements.map(Double.init), gd, tolerance: 1e-6)
        // Finite differences of the loss give the gradient (round-off ε·|ℓ|/h ≈ 1e-16·1e3/1e-6
        // = 1e-7 with logits of 1e3, hence the looser tolerance).
        var copy = logits
        let numeric = FiniteDifferences.gradient(of: &copy) { SoftmaxCrossEntropy.loss(logits: $0, targets: t) }
        Oracle.check("softmax CE gradient vs finite differences", grad.elements, numeric, tolerance: 1e-6)
    }

    func testSigmoidBCEMatchesDirectComputation() {
        var rng = SeededGenerator(seed: 4)
        var x = Matrix<Double>.randomNormal(rows: 5, cols: 88, std: 3, using: &rng)
        x[0, 0] = 1e3; x[0, 1] = -1e3; x[1, 5] = 1e3; x[1, 6] = -1e3
        let y = Matrix<Double>(rows: 5, cols: 88, elements: (0..<(5 * 88)).map { _ in rng.nextUniform() < 0.2 ? 1 : 0 })
        let mask: [Double] = [1, 1, 0, 1, 0]
        let (loss, grad) = SigmoidBinaryCrossEntropy.lossAndGradient(logits: x, targets: y, mask: mask)
        // Direct: −y log σ(x) − (1 − y) log(1 − σ(x)) with log σ(x) = −log(1 + e^{−x}) computed
        // on the side where the exponent is ≤ 0.
        func logSigmoid(_ v: Double) -> Double { v >= 0 ? -Foundation.log1p(Foundation.exp(-v)) : v - Foundation.log1p(Foundation.exp(v)) }
        var expected = 0.0, eg = [Double](repeating: 0, count: x.count)
        let frames = mask.reduce(0, +)
        for f in 0..<5 where mask[f] == 1 {
            for k in 0..<88 {
                let v = x[f, k], t = y[f, k]
                expected += (-t * logSigmoid(v) - (1 - t) * logSigmoid(-v)) / frames
                eg[f * 88 + k] = (1 / (1 + Foundation.exp(-v)) - t) / frames
            }
        }
        Oracle.check("sigmoid BCE loss (±1e3 logits, masked)", [loss], [expected], tolerance: 1e-13)
        Oracle.check("sigmoid BCE gradient", grad.elements, eg, tolerance: 1e-13)
        let (lf, _) = SigmoidBinaryCrossEntropy.lossAndGradient(logits: x.converted(to: Float.self), targets: y.converted(to: Float.self),
                                                                 mask: mask.map(Float.init))
        Oracle.check("sigmoid BCE loss (Float)", [lf], [expected], tolerance: 1e-5)
        // All frames masked: zero loss, zero gradient.
        let (l0, g0) = SigmoidBinaryCrossEntropy.lossAndGradient(logits: x, targets: y, mask: [0, 0, 0, 0, 0])
        XCTAssertEqual(l0, 0); XCTAssertEqual(g0.maxAbs, 0)
    }

    func testMeanSquaredError() {
        let x = Matrix<Double>([[1, 2], [3, 5]]), y = Matrix<Double>([[0, 2], [1, 1]])
        let (l, g) = MeanSquaredError.lossAndGradient(x, target: y)
        Oracle.check("MSE", [l] + g.elements, [(1 + 0 + 4 + 16) / 4.0, 0.5, 0, 1, 2], tolerance: 1e-15)
    }
}
