import XCTest
@testable import GRUKit

/// Gradient checks of the GRU layer in Double: every parameter, the inputs x and the initial
/// state h_0, for both forms, with and without biases, against central finite differences.
final class EngineGRUGradientTests: XCTestCase {
    /// loss = Σ C ⊙ [h_1 … h_T] + Σ D ⊙ h_T, so ∂loss/∂outputs = C and ∂loss/∂h_T (beyond) = D.
    func checkLayer(cell: GRUCell, bias: Bool, seed: UInt64) {
        let I = 3, H = 5, B = 2, T = 4
        var rng = SeededGenerator(seed: seed)
        let layer = GRULayer<Double>(inputSize: I, hiddenSize: H, cell: cell, bias: bias, rng: &rng)
        // Larger weights than the default so that every gate derivative matters.
        for p in layer.parameters { p.value = 3.0 * p.value }
        var x = Matrix<Double>.randomNormal(rows: T * B, cols: I, using: &rng)
        var h0 = Matrix<Double>.randomNormal(rows: B, cols: H, std: 0.5, using: &rng)
        let c = Matrix<Double>.randomNormal(rows: T * B, cols: H, using: &rng)
        let d = Matrix<Double>.randomNormal(rows: B, cols: H, using: &rng)
        func loss(_ x: Matrix<Double>, _ h0: Matrix<Double>) -> Double {
            let out = layer.forward(x, initialState: h0)
            return frobeniusInner(out, c) + frobeniusInner(layer.finalState, d)
        }
        _ = layer.forward(x, initialState: h0)
        let (dx, dh0) = layer.backward(outputGradient: c, finalStateGradient: d)
        let label = "\(cell) bias=\(bias)"
        for p in layer.parameters {
            let analytic = p.gradient.elements
            let numeric = FiniteDifferences.gradient(of: p) { loss(x, h0) }
            Oracle.check("GRU \(label) ∂\(p.name)", analytic, numeric, tolerance: 1e-6)
        }
        let nx = FiniteDifferences.gradient(of: &x) { loss($0, h0) }
        Oracle.check("GRU \(label) ∂x", dx.elements, nx, tolerance: 1e-6)
        let nh = FiniteDifferences.gradient(of: &h0) { loss(x, $0) }
        Oracle.check("GRU \(label) ∂h0", dh0.elements, nh, tolerance: 1e-6)
    }

    func testResetAfterWithBias() { checkLayer(cell: .resetAfter, bias: true, seed: 11) }
    func testResetAfterWithoutBias() { checkLayer(cell: .resetAfter, bias: false, seed: 12) }
    func testResetBeforeWithBias() { checkLayer(cell: .resetBefore, bias: true, seed: 13) }
    func testResetBeforeWithoutBias() { checkLayer(cell: .resetBefore, bias: false, seed: 14) }

    /// The forward pass against a direct, step-by-step evaluation of the formulas (the-paper §1)
    /// with scalar loops and no BLAS.
    func testForwardMatchesFormulas() {
        for cell in GRUCell.allCases {
            let I = 2, H = 3, B = 2, T = 3
            var rng = SeededGenerator(seed: 5)
            let layer = GRULayer<Double>(inputSize: I, hiddenSize: H, cell: cell, bias: true, rng: &rng)
            let x = Matrix<Double>.randomNormal(rows: T * B, cols: I, using: &rng)
            let h0 = Matrix<Double>.randomNormal(rows: B, cols: H, using: &rng)
            let out = layer.forward(x, initialState: h0)
            let wi = layer.weightIH.value, wh = layer.weightHH.value
            let bi = layer.biasIH!.value.elements, bh = layer.biasHH!.value.elements
            func sig(_ v: Double) -> Double { 1 / (1 + Foundation.exp(-v)) }
            var expected: [Double] = []
            var h = (0..<B).map { h0.row($0) }
            for t in 0..<T {
                var next = h
                for b in 0..<B {
                    let xv = x.row(t * B + b)
                    func wx(_ row: Int) -> Double { (0..<I).reduce(bi[row]) { $0 + wi[row, $1] * xv[$1] } }
                    func wv(_ row: Int, _ v: [Double]) -> Double { (0..<H).reduce(0) { $0 + wh[row, $1] * v[$1] } }
                    for j in 0..<H {
                        let r = sig(wx(j) + wv(j, h[b]) + bh[j])
                        let z = sig(wx(H + j) + wv(H + j, h[b]) + bh[H + j])
                        let n: Double
                        if cell == .resetAfter {
                            n = Foundation.tanh(wx(2 * H + j) + r * (wv(2 * H + j, h[b]) + bh[2 * H + j]))
                        } else {
                            // r must be the whole vector r ⊙ h for the product W_hn (r ⊙ h).
                            let rv = (0..<H).map { k in sig(wx(k) + wv(k, h[b]) + bh[k]) * h[b][k] }
                            n = Foundation.tanh(wx(2 * H + j) + wv(2 * H + j, rv) + bh[2 * H + j])
                        }
                        next[b][j] = z * h[b][j] + (1 - z) * n
                    }
                }
                h = next
                expected += h.flatMap { $0 }
            }
            Oracle.check("GRU \(cell) forward vs formulas", out.elements, expected, tolerance: 1e-13)
        }
    }
}
