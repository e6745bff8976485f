import XCTest
@testable import GRUKit

/// Extreme values through the engine: saturated gates, huge logits, Float against Double.
final class EngineRobustnessTests: XCTestCase {
    /// Pre-activations of order ±1e4 (weights × 1e3): σ and tanh saturate without overflow
    /// (σ(x) = 1/(1 + e^{−x}) gives exactly 0 when e^{−x} = +∞), so every state is a convex
    /// combination of h_{t−1} and a value in [−1, 1] and stays in [−1, 1]; the backward pass
    /// multiplies by derivatives that underflow to 0 and stays finite.
    func checkSaturated<S: BLASScalar>(_ type: S.Type, cell: GRUCell) {
        let I = 3, H = 4, B = 2, T = 5
        var rng = SeededGenerator(seed: 91)
        let layer = GRULayer<S>(inputSize: I, hiddenSize: H, cell: cell, bias: true, rng: &rng)
        for p in layer.parameters { p.value = S(1000) * p.value }
        let x = Matrix<S>.randomNormal(rows: T * B, cols: I, std: 10, using: &rng)
        let h0 = Matrix<S>.randomUniform(rows: B, cols: H, bound: 1, using: &rng)
        let out = layer.forward(x, initialState: h0)
        XCTAssertTrue(out.elements.allSatisfy { $0.isFinite && abs($0) <= 1 }, "\(S.self) \(cell): states finite and in [−1, 1]")
        let (dx, dh0) = layer.backward(outputGradient: Matrix<S>.randomNormal(rows: T * B, cols: H, using: &rng))
        XCTAssertTrue((dx.elements + dh0.elements).allSatisfy(\.isFinite), "\(S.self) \(cell): input gradients finite")
        XCTAssertTrue(layer.parameters.allSatisfy { $0.gradient.elements.allSatisfy(\.isFinite) }, "\(S.self) \(cell): parameter gradients finite")
    }

    func testSaturatedGatesStayFinite() {
        for cell in GRUCell.allCases {
            checkSaturated(Float.self, cell: cell)
            checkSaturated(Double.self, cell: cell)
        }
    }

    /// The Float kernels against the Double ones on the same (Float-representable) values:
    /// a T = 20 window accumulates a few ulps per step, so 1e-5 relative to the largest entry.
    func testFloatForwardAndBackwardAgreeWithDouble() {
        for cell in GRUCell.allCases {
            let I = 5, H = 6, B = 3, T = 20
            var rng = SeededGenerator(seed: 93)
            let d = GRULayer<Double>(inputSize: I, hiddenSize: H, cell: cell, bias: true, rng: &rng)
            for p in d.parameters { p.value = 2.0 * p.value.converted(to: Float.self).converted(to: Double.self) }
            let f = GRULayer<Float>(weightIH: d.weightIH.value.converted(to: Float.self), weightHH: d.weightHH.value.converted(to: Float.self),
                                    biasIH: d.biasIH!.value.converted(to: Float.self), biasHH: d.biasHH!.value.converted(to: Float.self), cell: cell)
            let x = Matrix<Double>.randomNormal(rows: T * B, cols: I, using: &rng).converted(to: Float.self)
            let h0 = Matrix<Double>.randomNormal(rows: B, cols: H, std: 0.5, using: &rng).converted(to: Float.self)
            let g = Matrix<Double>.randomNormal(rows: T * B, cols: H, using: &rng).converted(to: Float.self)
            let outD = d.forward(x.converted(to: Double.self), initialState: h0.converted(to: Double.self))
            let outF = f.forward(x, initialState: h0)
            let (dxD, _) = d.backward(outputGradient: g.converted(to: Double.self))
            let (dxF, _) = f.backward(outputGradient: g)
            func rel(_ a: [Float], _ b: [Double]) -> Double {
                zip(a, b).map { abs(Double($0) - $1) }.max()! / b.map(abs).max()!
            }
            Oracle.check("\(cell) Float states vs Double", [rel(outF.elements, outD.elements)], [0], tolerance: 1e-5)
            Oracle.check("\(cell) Float ∂x vs Double", [rel(dxF.elements, dxD.elements)], [0], tolerance: 1e-5)
            for (pf, pd) in zip(f.parameters, d.parameters) {
                Oracle.check("\(cell) Float ∂\(pf.name) vs Double", [rel(pf.gradient.elements, pd.gradient.elements)], [0], tolerance: 1e-5)
            }
        }
    }

    /// Float logits near the top of the Float range: the max-shifted softmax and the
    /// |x|-form of BCE stay finite, with the exact limits (loss = gap to the winner, or 0).
    func testLossesAtExtremeFloatLogits() {
        let logits = Matrix<Float>([[3e38, -3e38, 0], [-3e38, -3e38, -3e38]])
        let (loss, grad) = SoftmaxCrossEntropy.lossAndGradient(logits: logits, targets: [0, 2])
        XCTAssertEqual(loss, log(3.0) / 2, accuracy: 1e-6, "row 1: loss 0 (target wins); row 2: three equal logits → log 3")
        XCTAssertTrue(grad.elements.allSatisfy(\.isFinite))
        let (bce, bgrad) = SigmoidBinaryCrossEntropy.lossAndGradient(logits: Matrix<Float>([[3e38, -3e38]]), targets: Matrix<Float>([[1, 0]]))
        XCTAssertEqual(bce, 0, "confident and right: no loss")
        XCTAssertEqual(bgrad.elements, [0, 0])
        let (wrong, wgrad) = SigmoidBinaryCrossEntropy.lossAndGradient(logits: Matrix<Float>([[1e30, 0]]), targets: Matrix<Float>([[0, 0]]))
        XCTAssertEqual(wrong, 1e30 + log(2.0), accuracy: 1e24, "confident and wrong: loss = the logit (+ log 2 for the other key)")
        XCTAssertEqual(wgrad.elements, [1, 0.5])
    }
}
