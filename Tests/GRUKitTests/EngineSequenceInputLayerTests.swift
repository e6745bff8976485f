import Foundation
import XCTest
@testable import GRUKit

/// The music model's optional input layer u_t = s · W_in x_t (``GRUSequenceModel/InputLayer``):
/// its gradients against central differences, the GRU's input checked by hand, the bias-free
/// GRU, the unchanged default form, and checkpoints that refuse the other form.
final class EngineSequenceInputLayerTests: XCTestCase {
    /// A (rows)×K matrix of 0/1 frames, each value 1 with probability 0.4.
    func frames(_ rows: Int, _ k: Int, _ rng: inout SeededGenerator) -> Matrix<Double> {
        Matrix(rows: rows, cols: k, elements: (0..<(rows * k)).map { _ in rng.nextUniform() < 0.4 ? 1 : 0 })
    }

    /// Every parameter's gradient, the new `encoder.weight` included, against central differences
    /// (Richardson-extrapolated, ``FiniteDifferences/checkModel(_:parameters:tolerance:floor:file:line:loss:)``),
    /// in both GRU forms, with and without GRU biases, at the paper's s = 0.01 and at s = 0.7,
    /// with both dropout masks fixed and a non-zero carried state. The last part shows the check
    /// has teeth at s = 0.01, where ∂loss/∂W_in is small: a gradient off by 0.1 % is rejected.
    func testInputLayerGradientsMatchFiniteDifferences() throws {
        let K = 6, E = 5, H = 4, B = 2, T = 3
        for cell in GRUCell.allCases {
            for (bias, scale) in [(false, 0.01), (true, 0.01), (false, 0.7)] {
                let label = "music + input layer, \(cell), bias \(bias), s = \(scale)"
                let model = GRUSequenceModel<Double>(keys: K, hiddenSize: H, cell: cell, bias: bias, dropout: 0.5, seed: 8,
                                                     inputLayer: .init(size: E, scale: scale))
                var rng = SeededGenerator(seed: 61)
                model.inputDropout!.fixedMask = (0..<(T * B * E)).map { _ in rng.nextUniform() < 0.5 ? 0 : 2 }
                model.outputDropout.fixedMask = (0..<(T * B * H)).map { _ in rng.nextUniform() < 0.5 ? 0 : 2 }
                let x = frames(T * B, K, &rng), y = frames(T * B, K, &rng)
                let mask: [Double] = [1, 1, 1, 0, 1, 0]
                model.trainingState = .randomNormal(rows: B, cols: H, std: 0.5, using: &rng)
                let loss = { try! model.lossAndGradients(inputs: x, targets: y, mask: mask, batchSize: B) }
                XCTAssertEqual(model.parameters.first?.name, "encoder.weight")
                FiniteDifferences.checkModel(label, parameters: model.parameters, loss: loss)

                _ = loss()
                let analytic = model.inputWeight!.gradient.elements
                XCTAssertGreaterThan(analytic.map(abs).max()!, 0, "\(label): ∂W_in must not vanish")
                let wrong = FiniteDifferences.compare(analytic.map { $0 * 1.001 }, with: model.inputWeight!, floor: 1e-2, loss: loss)
                XCTAssertGreaterThan(wrong.extrapolated, 1e-7, "\(label): a 0.1 % error in ∂W_in must be seen")
            }
        }
    }

    /// No biases in the GRU with `bias: false`; the parameters in PyTorch's order with distinct
    /// names and the shapes E×K, 3H×E, 3H×H, K×H, 1×K.
    func testInputLayerWithoutGRUBiases() {
        let K = 7, E = 3, H = 4
        let model = GRUSequenceModel<Float>(keys: K, hiddenSize: H, bias: false, seed: 2, inputLayer: .init(size: E))
        XCTAssertNil(model.gru.biasIH)
        XCTAssertNil(model.gru.biasHH)
        XCTAssertEqual(model.inputLayer, .init(size: E, scale: 0.01))
        XCTAssertEqual(model.parameters.map(\.name), ["encoder.weight", "weight_ih_l0", "weight_hh_l0", "decoder.weight", "decoder.bias"])
        XCTAssertEqual(model.parameters.map { [$0.value.rows, $0.value.cols] }, [[E, K], [3 * H, E], [3 * H, H], [K, H], [1, K]])
        XCTAssertEqual(Set(model.parameters.map(\.name)).count, model.parameters.count)
        let withBias = GRUSequenceModel<Float>(keys: K, hiddenSize: H, bias: true, seed: 2, inputLayer: .init(size: E))
        XCTAssertEqual(withBias.parameters.map(\.name),
                       ["encoder.weight", "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "decoder.weight", "decoder.bias"])
        // The same seed draws W_in first, then the GRU: W_in and the GRU's weights agree between the two.
        XCTAssertEqual(withBias.inputWeight!.value, model.inputWeight!.value)
        XCTAssertEqual(withBias.gru.weightIH.value, model.gru.weightIH.value)
        // W_in ~ N(0, 1): a crude check of the spread over its E·K = 21 entries.
        let w = model.inputWeight!.value.elements.map(Double.init)
        let rms = (w.map { $0 * $0 }.reduce(0, +) / Double(w.count)).squareRoot()
        XCTAssertTrue(rms > 0.5 && rms < 1.6, "W_in drawn from N(0, 1), rms \(rms)")
    }

    /// Without an input layer the model is the former one, bit for bit, against an independent
    /// construction from the layers' own APIs: the parameters are exactly what one generator draws
    /// for a GRU (K inputs) and then a linear layer; a Float training window's loss and every
    /// gradient equal, bit for bit, GRU → dropout (seed + 1) → linear → masked BCE composed here;
    /// and the dropout generator ends in the same state (no extra draws).
    func testWithoutInputLayerTheModelIsUnchanged() throws {
        for cell in GRUCell.allCases {
            let K = 6, H = 5, B = 2, T = 4
            let seed: UInt64 = 23
            let model = GRUSequenceModel<Float>(keys: K, hiddenSize: H, cell: cell, dropout: 0.5, seed: seed)
            XCTAssertNil(model.inputLayer); XCTAssertNil(model.inputWeight); XCTAssertNil(model.inputDropout)
            var rng = SeededGenerator(seed: seed)
            let gru = GRULayer<Float>(inputSize: K, hiddenSize: H, cell: cell, bias: true, rng: &rng)
            let output = Linear<Float>(inputSize: H, outputSize: K, rng: &rng)
            let dropout = Dropout<Float>(probability: 0.5, seed: seed &+ 1)
            let reference = gru.parameters + output.parameters
            XCTAssertEqual(model.parameters.map(\.name), ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "decoder.weight", "decoder.bias"])
            XCTAssertEqual(model.parameters.map(\.value.elements).map { $0.map(\.bitPattern) },
                           reference.map(\.value.elements).map { $0.map(\.bitPattern) })

            var g = SeededGenerator(seed: 29)
            let x = Matrix<Float>(rows: T * B, cols: K, elements: (0..<(T * B * K)).map { _ in g.nextUniform() < 0.4 ? 1 : 0 })
            let y = Matrix<Float>(rows: T * B, cols: K, elements: (0..<(T * B * K)).map { _ in g.nextUniform() < 0.4 ? 1 : 0 })
            let mask: [Float] = [1, 1, 0, 1, 1, 1, 1, 0]
            let h0 = Matrix<Float>.randomNormal(rows: B, cols: H, std: 0.5, using: &g)
            model.trainingState = h0
            let loss = try model.lossAndGradients(inputs: x, targets: y, mask: mask, batchSize: B)

            var states = gru.forward(x, initialState: h0)
            states.elements.withUnsafeMutableBufferPointer { dropout.apply($0.baseAddress!, count: $0.count, training: true) }
            let (direct, dLogits) = SigmoidBinaryCrossEntropy.lossAndGradient(logits: output.forward(states), targets: y, mask: mask)
            var dStates = output.backward(input: states, outputGradient: dLogits)
            dStates.elements.withUnsafeMutableBufferPointer { dropout.backward($0.baseAddress!, count: $0.count) }
            _ = gru.backward(outputGradient: dStates)
            XCTAssertEqual(loss.bitPattern, direct.bitPattern, "\(cell): loss \(loss) vs the former composition's \(direct)")
            XCTAssertEqual(model.parameters.map(\.gradient.elements).map { $0.map(\.bitPattern) },
                           reference.map(\.gradient.elements).map { $0.map(\.bitPattern) }, "\(cell): gradients")
            XCTAssertEqual(model.outputDropout.rng.state, dropout.rng.state)
        }
    }

    /// A checkpoint of one form does not load into the other (with the error naming the tensor),
    /// even when every tensor the model has is present with its shape (E = K = 88, GRU biases in
    /// both); a checkpoint of the same form restores parameters and both dropout generators.
    func testMusicTaskCheckpointsRefuseTheOtherForm() throws {
        var g = SeededGenerator(seed: 4)
        let rolls = (0..<3).map { _ in DataFixtures.randomRoll(steps: 9, using: &g) }
        let music = PolyphonicMusic(train: rolls, valid: [rolls[0]], test: [rolls[1]])
        func task(_ inputLayer: GRUSequenceModel<Float>.InputLayer?, seed: UInt64) throws -> MusicTask {
            let model = GRUSequenceModel<Float>(hiddenSize: 5, bias: true, dropout: 0.5, seed: seed, inputLayer: inputLayer)
            return try MusicTask(model: model, music: music, batchSize: 2, steps: 4, shuffleSeed: 7)
        }
        func checkpoint(_ t: MusicTask) -> Checkpoint {
            var params: [String: Matrix<Float>] = [:]
            for p in t.parameters { params[p.name] = p.value }
            return Checkpoint(fingerprint: "f", status: "running", epoch: 0, iteration: 0, learningRate: 1, seconds: 0,
                              trainLosses: [], validLosses: [], logOffset: 0,
                              randomStates: t.randomStates.mapValues(\.state), parameters: params)
        }
        let layer = GRUSequenceModel<Float>.InputLayer(size: PianoRoll.keys, scale: 0.01)
        let with = try task(layer, seed: 1), without = try task(nil, seed: 1)
        // Training works with the input layer (the task only uses the model's step and parameters).
        XCTAssertGreaterThan(try with.beginEpoch(1), 0)
        XCTAssertTrue(try with.trainWindow(0, learningRate: 0.1, method: .project(delta: 0.2)).step.isFinite)
        XCTAssertEqual(Set(with.randomStates.keys), ["dropout.input", "dropout.output", "shuffle"])
        XCTAssertEqual(Set(without.randomStates.keys), ["dropout.output", "shuffle"])

        XCTAssertThrowsError(try checkpoint(with).restore(into: try task(nil, seed: 2), path: "w.safetensors")) { e in
            XCTAssertTrue("\(e)".contains("encoder.weight") && "\(e)".contains("w.safetensors"), "\(e)")
        }
        XCTAssertThrowsError(try checkpoint(without).restore(into: try task(layer, seed: 2), path: "n.safetensors")) { e in
            XCTAssertTrue("\(e)".contains("encoder.weight"), "\(e)")
        }
        let again = try task(layer, seed: 2)
        try checkpoint(with).restore(into: again, path: "w.safetensors")
        XCTAssertEqual(again.parameters.map(\.value), with.parameters.map(\.value))
        XCTAssertEqual(again.randomStates.mapValues(\.state), with.randomStates.mapValues(\.state))
    }

    /// The memory estimate: unchanged without an input layer (the former formula, written out),
    /// and with one it adds W_in (E·K), while the GRU's input weight and its two window buffers
    /// become E wide instead of K.
    func testMemoryEstimateCountsTheInputLayer() {
        let (k, h, n, b, e) = (88.0, 100.0, 20.0 * 50, 20.0, 64.0)
        let without = MemoryEstimate.sequenceModel(keys: 88, hidden: 100, batch: 20, steps: 50)
        XCTAssertEqual(without, 4 * (4 * (3 * h * k + 3 * h * h + 6 * h + k * h + k) + n * (4 * k + 12 * h) + b * 6 * h))
        let with = MemoryEstimate.sequenceModel(keys: 88, hidden: 100, batch: 20, steps: 50, inputSize: 64)
        XCTAssertEqual(with - without, 4 * (4 * (e * k + 3 * h * e - 3 * h * k) + n * (2 * e - 2 * k)))
    }
}

extension EngineModelOracleTests {
    /// With the input layer on, the GRU's input is u = s · W_in x: one step worked by hand in
    /// Double from the-paper §1's equations (h₁ from h₀ and u), in both forms, with and without
    /// GRU biases; the same step fed W_in x unscaled differs, so the check sees s.
    func testSequenceModelInputLayerFeedsTheGRUScaledFrames() throws {
        let K = 6, E = 3, H = 4, s = 0.01
        for cell in GRUCell.allCases {
            for bias in [false, true] {
                let model = GRUSequenceModel<Double>(keys: K, hiddenSize: H, cell: cell, bias: bias, seed: 5,
                                                     inputLayer: .init(size: E, scale: s))
                var rng = SeededGenerator(seed: 9)
                let frame: [Double] = [1, 0, 1, 1, 0, 0]
                let h0 = (0..<H).map { _ in 0.5 * rng.nextNormal() }
                model.evaluationState = Matrix(rows: 1, cols: H, elements: h0)
                _ = try model.evaluate(inputs: Matrix(rows: 1, cols: K, elements: frame), targets: Matrix(rows: 1, cols: K, elements: frame),
                                       batchSize: 1)
                let w = rows(model.inputWeight!.value)
                var u = [Double](repeating: 0, count: E)
                for i in 0..<E { for k in 0..<K { u[i] += s * w[i][k] * frame[k] } }
                let zeros = [Double](repeating: 0, count: 3 * H)
                let (bih, bhh) = bias ? (model.gru.biasIH!.value.elements, model.gru.biasHH!.value.elements) : (zeros, zeros)
                let wih = rows(model.gru.weightIH.value), whh = rows(model.gru.weightHH.value)
                let expected = gruStep(cell: cell, x: u, h: h0, wih: wih, whh: whh, bih: bih, bhh: bhh)
                Oracle.check("\(cell), bias \(bias): h₁ from u = s·W_in x", model.evaluationState!.elements, expected, tolerance: 1e-14)
                let unscaled = gruStep(cell: cell, x: u.map { $0 / s }, h: h0, wih: wih, whh: whh, bih: bih, bhh: bhh)
                XCTAssertGreaterThan(zip(unscaled, expected).map { abs($0 - $1) }.max()!, 1e-3, "the check must depend on s")
            }
        }
    }

    /// The loss of a window with the input layer and both dropout masks, directly: u = (s·W_in x) ⊙ m_in,
    /// h' = GRU(u, h), y = h' ⊙ m_out, masked BCE of W y + b, as in ``testSequenceModelLossEqualsDirectEvaluation()``.
    func testSequenceModelInputLayerLossEqualsDirectEvaluation() throws {
        for cell in GRUCell.allCases {
            let K = 6, E = 4, H = 5, B = 2, T = 4, s = 0.3
            let model = GRUSequenceModel<Double>(keys: K, hiddenSize: H, cell: cell, bias: false, dropout: 0.5, seed: 23,
                                                 inputLayer: .init(size: E, scale: s))
            var rng = SeededGenerator(seed: 29)
            let x = Matrix<Double>(rows: T * B, cols: K, elements: (0..<(T * B * K)).map { _ in rng.nextUniform() < 0.4 ? 1 : 0 })
            let y = Matrix<Double>(rows: T * B, cols: K, elements: (0..<(T * B * K)).map { _ in rng.nextUniform() < 0.4 ? 1 : 0 })
            let mask: [Double] = [1, 1, 0, 1, 1, 1, 1, 0]
            let inMask = (0..<(T * B * E)).map { _ in rng.nextUniform() < 0.5 ? 0.0 : 2.0 }
            let outMask = (0..<(T * B * H)).map { _ in rng.nextUniform() < 0.5 ? 0.0 : 2.0 }
            model.inputDropout!.fixedMask = inMask
            model.outputDropout.fixedMask = outMask
            let h0 = Matrix<Double>.randomNormal(rows: B, cols: H, std: 0.5, using: &rng)
            model.trainingState = h0
            let loss = try model.lossAndGradients(inputs: x, targets: y, mask: mask, batchSize: B)

            let win = rows(model.inputWeight!.value)
            let wih = rows(model.gru.weightIH.value), whh = rows(model.gru.weightHH.value)
            let zeros = [Double](repeating: 0, count: 3 * H)
            let wout = rows(model.output.weight.value), bout = model.output.bias.value.elements
            let xs = rows(x), ys = rows(y)
            var h = rows(h0), total = 0.0
            for t in 0..<T {
                for b in 0..<B {
                    let i = t * B + b
                    let u = (0..<E).map { e in s * dot(win[e], xs[i]) * inMask[i * E + e] }
                    h[b] = gruStep(cell: cell, x: u, h: h[b], wih: wih, whh: whh, bih: zeros, bhh: zeros)
                    let out = (0..<H).map { h[b][$0] * outMask[i * H + $0] }
                    for k in 0..<K {
                        let p = sigmoid(dot(wout[k], out) + bout[k])
                        total += mask[i] * (-ys[i][k] * log(p) - (1 - ys[i][k]) * log(1 - p))
                    }
                }
            }
            Oracle.check("music + input layer \(cell): masked BCE vs direct evaluation", [loss], [total / mask.reduce(0, +)], tolerance: 1e-13)
        }
    }
}
