import Foundation
import XCTest
@testable import GRUKit

/// The models' losses against a plain, slow, direct evaluation written here from the equations
/// (the-paper §1 for the two GRU forms, the-paper §4 for the compositions): nested loops over Double
/// arrays, no engine code, no BLAS. The only thing shared with the engine is the parameter
/// values, read from the models; agreement to ~1e-13 shows the engine computes exactly that
/// function (the gradient checks then show its gradients are that function's derivatives).
final class EngineModelOracleTests: XCTestCase {
    func sigmoid(_ v: Double) -> Double { 1 / (1 + exp(-v)) }

    /// Rows of a row-major matrix as nested arrays.
    func rows(_ m: Matrix<Double>) -> [[Double]] { (0..<m.rows).map { i in (0..<m.cols).map { m.elements[i * m.cols + $0] } } }

    func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    /// One GRU step for one stream, straight from the-paper §1 (gate rows r, z, n of PyTorch's layout).
    func gruStep(cell: GRUCell, x: [Double], h: [Double], wih: [[Double]], whh: [[Double]], bih: [Double], bhh: [Double]) -> [Double] {
        let H = h.count
        var r = [Double](repeating: 0, count: H), z = r, out = r
        for j in 0..<H {
            r[j] = sigmoid(dot(wih[j], x) + bih[j] + dot(whh[j], h) + bhh[j])
            z[j] = sigmoid(dot(wih[H + j], x) + bih[H + j] + dot(whh[H + j], h) + bhh[H + j])
        }
        let rh = (0..<H).map { r[$0] * h[$0] }
        for j in 0..<H {
            let candidate: Double
            switch cell {
            case .resetBefore:   // h̃ = tanh(W_xh x + W_hh (r ⊙ h) + b)
                candidate = tanh(dot(wih[2 * H + j], x) + bih[2 * H + j] + dot(whh[2 * H + j], rh) + bhh[2 * H + j])
            case .resetAfter:    // n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
                candidate = tanh(dot(wih[2 * H + j], x) + bih[2 * H + j] + r[j] * (dot(whh[2 * H + j], h) + bhh[2 * H + j]))
            }
            out[j] = z[j] * h[j] + (1 - z[j]) * candidate
        }
        return out
    }

    /// The LM's mean cross-entropy, directly: e = s·E[id] ⊙ m_in, h' = GRU(e, h), y = h' ⊙ m_out,
    /// ℓ = W y + b, loss = mean over tokens of log Σ_v e^{ℓ_v} − ℓ_target.
    func directLMLoss(_ lm: GRULanguageModel<Double>, inputs: [Int32], targets: [Int32], batch B: Int,
                      h0: [[Double]], inputMask: [Double]?, outputMask: [Double]?) -> Double {
        let c = lm.configuration, E = c.embeddingSize, H = c.hiddenSize
        let emb = rows(lm.embedding.weight.value), wih = rows(lm.gru.weightIH.value), whh = rows(lm.gru.weightHH.value)
        let bih = lm.gru.biasIH?.value.elements ?? [Double](repeating: 0, count: 3 * H)
        let bhh = lm.gru.biasHH?.value.elements ?? [Double](repeating: 0, count: 3 * H)
        let wout = rows(lm.output.weight.value), bout = lm.output.bias.value.elements
        var h = h0, total = 0.0
        for t in 0..<(inputs.count / B) {
            for b in 0..<B {
                let i = t * B + b
                let x = (0..<E).map { j in c.embeddingScale * emb[Int(inputs[i])][j] * (inputMask?[i * E + j] ?? 1) }
                h[b] = gruStep(cell: c.cell, x: x, h: h[b], wih: wih, whh: whh, bih: bih, bhh: bhh)
                let y = (0..<H).map { j in h[b][j] * (outputMask?[i * H + j] ?? 1) }
                let logits = (0..<c.vocabularySize).map { v in dot(wout[v], y) + bout[v] }
                total += log(logits.reduce(0) { $0 + exp($1) }) - logits[Int(targets[i])]
            }
        }
        return total / Double(inputs.count)
    }

    func testLanguageModelLossEqualsDirectEvaluation() throws {
        for cell in GRUCell.allCases {
            for bias in [true, false] {
                let V = 11, E = 6, H = 7, B = 3, T = 4
                let config = GRULanguageModel<Double>.Configuration(vocabularySize: V, embeddingSize: E, hiddenSize: H, cell: cell,
                                                                    gruBias: bias, dropout: 0.5, embeddingScale: 0.3)
                let lm = GRULanguageModel<Double>(configuration: config, seed: 17)
                var rng = SeededGenerator(seed: 71)
                // Larger recurrent weights than the default so that the gates are far from ½.
                lm.gru.weightHH.value = 3.0 * lm.gru.weightHH.value
                let inputs = (0..<(T * B)).map { _ in Int32(rng.nextUniform() * Double(V)) }
                let targets = (0..<(T * B)).map { _ in Int32(rng.nextUniform() * Double(V)) }
                let inMask = (0..<(T * B * E)).map { _ in rng.nextUniform() < 0.5 ? 0.0 : 2.0 }
                let outMask = (0..<(T * B * H)).map { _ in rng.nextUniform() < 0.5 ? 0.0 : 2.0 }
                let h0 = Matrix<Double>.randomNormal(rows: B, cols: H, std: 0.5, using: &rng)
                lm.inputDropout.fixedMask = inMask
                lm.outputDropout.fixedMask = outMask
                lm.trainingState = h0
                let label = "LM \(cell) bias=\(bias)"

                let trained = try lm.lossAndGradients(inputs: inputs, targets: targets, batchSize: B)
                let direct = directLMLoss(lm, inputs: inputs, targets: targets, batch: B, h0: rows(h0), inputMask: inMask, outputMask: outMask)
                Oracle.check("\(label) loss with dropout masks vs direct evaluation", [trained], [direct], tolerance: 1e-13)
                // The oracle tells the two forms apart: the other form's direct loss is far off.
                let other: GRUCell = cell == .resetAfter ? .resetBefore : .resetAfter
                let otherLM = GRULanguageModel<Double>(configuration: .init(vocabularySize: V, embeddingSize: E, hiddenSize: H, cell: other,
                                                                            gruBias: bias, dropout: 0.5, embeddingScale: 0.3), seed: 17)
                otherLM.gru.weightHH.value = lm.gru.weightHH.value
                let otherDirect = directLMLoss(otherLM, inputs: inputs, targets: targets, batch: B, h0: rows(h0), inputMask: inMask, outputMask: outMask)
                XCTAssertGreaterThan(abs(otherDirect - trained), 1e-4, "\(label): the direct evaluation must depend on the form")

                // Evaluation: no dropout, from the (separate) evaluation state.
                lm.evaluationState = h0
                let evaluated = try lm.evaluate(inputs: inputs, targets: targets, batchSize: B)
                let directEval = directLMLoss(lm, inputs: inputs, targets: targets, batch: B, h0: rows(h0), inputMask: nil, outputMask: nil)
                Oracle.check("\(label) evaluation loss vs direct evaluation", [evaluated], [directEval], tolerance: 1e-13)
                XCTAssertNotEqual(trained, evaluated, "the masks change the loss, so the comparison above sees them")
            }
        }
    }

    /// The music model's masked BCE, directly: y = GRU(x) ⊙ m_out, ℓ = W y + b,
    /// loss = Σ_f mask_f Σ_k [−y log σ(ℓ) − (1 − y) log(1 − σ(ℓ))] / Σ_f mask_f.
    func testSequenceModelLossEqualsDirectEvaluation() throws {
        for cell in GRUCell.allCases {
            let K = 6, H = 5, B = 2, T = 4
            let model = GRUSequenceModel<Double>(keys: K, hiddenSize: H, cell: cell, dropout: 0.5, seed: 23)
            var rng = SeededGenerator(seed: 29)
            let x = Matrix<Double>(rows: T * B, cols: K, elements: (0..<(T * B * K)).map { _ in rng.nextUniform() < 0.4 ? 1 : 0 })
            let y = Matrix<Double>(rows: T * B, cols: K, elements: (0..<(T * B * K)).map { _ in rng.nextUniform() < 0.4 ? 1 : 0 })
            let mask: [Double] = [1, 1, 0, 1, 1, 1, 1, 0]
            let outMask = (0..<(T * B * H)).map { _ in rng.nextUniform() < 0.5 ? 0.0 : 2.0 }
            model.outputDropout.fixedMask = outMask
            let h0 = Matrix<Double>.randomNormal(rows: B, cols: H, std: 0.5, using: &rng)
            model.trainingState = h0
            let loss = try model.lossAndGradients(inputs: x, targets: y, mask: mask, batchSize: B)

            let wih = rows(model.gru.weightIH.value), whh = rows(model.gru.weightHH.value)
            let bih = model.gru.biasIH!.value.elements, bhh = model.gru.biasHH!.value.elements
            let wout = rows(model.output.weight.value), bout = model.output.bias.value.elements
            let xs = rows(x), ys = rows(y)
            var h = rows(h0), total = 0.0
            for t in 0..<T {
                for b in 0..<B {
                    let i = t * B + b
                    h[b] = gruStep(cell: cell, x: xs[i], h: h[b], wih: wih, whh: whh, bih: bih, bhh: bhh)
                    let out = (0..<H).map { h[b][$0] * outMask[i * H + $0] }
                    for k in 0..<K {
                        let p = sigmoid(dot(wout[k], out) + bout[k])
                        total += mask[i] * (-ys[i][k] * log(p) - (1 - ys[i][k]) * log(1 - p))
                    }
                }
            }
            let direct = total / mask.reduce(0, +)
            Oracle.check("music \(cell) masked BCE vs direct evaluation", [loss], [direct], tolerance: 1e-13)
        }
    }
}
