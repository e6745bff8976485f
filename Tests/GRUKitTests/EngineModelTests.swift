import XCTest
@testable import GRUKit

/// Embedding, dropout, truncated BPTT and the two model compositions, end to end.
final class EngineModelTests: XCTestCase {
    func testEmbeddingForwardAndScatterAddBackward() {
        var rng = SeededGenerator(seed: 31)
        let emb = Embedding<Double>(vocabularySize: 6, embeddingSize: 3, scale: 0.01, rng: &rng)
        let ids: [Int32] = [2, 5, 2, 0, 2]
        let y = emb.forward(ids)
        Oracle.check("embedding row lookup × 0.01", y.row(1), emb.weight.value.row(5).map { 0.01 * $0 }, tolerance: 0)
        let c = Matrix<Double>.randomNormal(rows: 5, cols: 3, using: &rng)
        emb.backward(ids, outputGradient: c)
        let numeric = FiniteDifferences.gradient(of: emb.weight) { frobeniusInner(emb.forward(ids), c) }
        Oracle.check("embedding ∂E (repeated ids, unused rows zero)", emb.weight.gradient.elements, numeric, tolerance: 1e-9, floor: 1e-2)
        XCTAssertEqual(emb.weight.gradient.row(1), [0, 0, 0])
    }

    func testDropoutMasks() {
        let d = Dropout<Float>(probability: 0.5, seed: 4)
        var x = [Float](repeating: 1, count: 10_000)
        x.withUnsafeMutableBufferPointer { d.apply($0.baseAddress!, count: $0.count, training: true) }
        XCTAssertTrue(x.allSatisfy { $0 == 0 || $0 == 2 })
        let dropped = Double(x.filter { $0 == 0 }.count) / 10_000
        XCTAssertEqual(dropped, 0.5, accuracy: 0.02)   // 4 standard deviations (σ = 0.005)
        var g = [Float](repeating: 3, count: 10_000)
        g.withUnsafeMutableBufferPointer { d.backward($0.baseAddress!, count: $0.count) }
        XCTAssertEqual(g, x.map { 3 * $0 }, "backward uses the forward mask")
        var e = [Float](repeating: 1, count: 4)
        e.withUnsafeMutableBufferPointer { d.apply($0.baseAddress!, count: 4, training: false) }
        XCTAssertEqual(e, [1, 1, 1, 1], "no dropout in evaluation")
        d.fixedMask = [0, 2, 2, 0]
        e.withUnsafeMutableBufferPointer { d.apply($0.baseAddress!, count: 4, training: true) }
        XCTAssertEqual(e, [0, 2, 2, 0])
    }

    /// Two windows with the state carried equal one long window; and the long-window gradient
    /// of a loss on the second half equals the second window's gradient plus the first
    /// window's gradient driven by ∂loss/∂h_T at the boundary (what truncation drops).
    func testTruncatedBPTTCarriesStateAndSplitsTheGradient() {
        for cell in GRUCell.allCases {
            let I = 2, H = 4, B = 3, T = 3
            var rng = SeededGenerator(seed: 41)
            let layer = GRULayer<Double>(inputSize: I, hiddenSize: H, cell: cell, bias: true, rng: &rng)
            let x = Matrix<Double>.randomNormal(rows: 2 * T * B, cols: I, using: &rng)
            let h0 = Matrix<Double>.randomNormal(rows: B, cols: H, using: &rng)
            let x1 = Matrix(rows: T * B, cols: I, elements: Array(x.elements[0..<(T * B * I)]))
            let x2 = Matrix(rows: T * B, cols: I, elements: Array(x.elements[(T * B * I)...]))
            let c2 = Matrix<Double>.randomNormal(rows: T * B, cols: H, using: &rng)

            let long = layer.forward(x, initialState: h0)
            _ = layer.backward(outputGradient: Matrix(rows: 2 * T * B, cols: H, elements: [Double](repeating: 0, count: T * B * H) + c2.elements))
            let longGrads = layer.parameters.map(\.gradient.elements)

            let out1 = layer.forward(x1, initialState: h0)
            let mid = layer.finalState
            let out2 = layer.forward(x2, initialState: mid)
            Oracle.check("\(cell) two windows = one long window", out1.elements + out2.elements, long.elements, tolerance: 1e-14)
            let (_, dMid) = layer.backward(outputGradient: c2)
            let truncated = layer.parameters.map(\.gradient.elements)
            _ = layer.forward(x1, initialState: h0)
            _ = layer.backward(outputGradient: Matrix(rows: T * B, cols: H), finalStateGradient: dMid, accumulate: true)
            for (i, p) in layer.parameters.enumerated() {
                Oracle.check("\(cell) ∂\(p.name): window 2 + boundary term = long window", p.gradient.elements, longGrads[i], tolerance: 1e-13)
                XCTAssertNotEqual(truncated[i], longGrads[i], "the cross-window term is not zero here")
            }
        }
    }

    func smallLM(cell: GRUCell, dropout: Double) -> GRULanguageModel<Double> {
        let config = GRULanguageModel<Double>.Configuration(vocabularySize: 7, embeddingSize: 4, hiddenSize: 5, cell: cell,
                                                            gruBias: true, dropout: dropout, embeddingScale: 0.5)
        return GRULanguageModel<Double>(configuration: config, seed: 5)
    }

    func testLanguageModelGradientsEndToEnd() throws {
        for cell in GRUCell.allCases {
            let lm = smallLM(cell: cell, dropout: 0.5)
            let B = 2, T = 3
            var rng = SeededGenerator(seed: 51)
            lm.inputDropout.fixedMask = (0..<(T * B * 4)).map { _ in rng.nextUniform() < 0.5 ? 0 : 2 }
            lm.outputDropout.fixedMask = (0..<(T * B * 5)).map { _ in rng.nextUniform() < 0.5 ? 0 : 2 }
            lm.trainingState = Matrix.randomNormal(rows: B, cols: 5, std: 0.5, using: &rng)
            let inputs: [Int32] = [1, 3, 6, 3, 0, 2], targets: [Int32] = [3, 6, 0, 2, 2, 5]
            _ = try lm.lossAndGradients(inputs: inputs, targets: targets, batchSize: B)
            for p in lm.parameters {
                let analytic = p.gradient.elements
                let numeric = FiniteDifferences.gradient(of: p) { try! lm.lossAndGradients(inputs: inputs, targets: targets, batchSize: B) }
                Oracle.check("LM \(cell) ∂\(p.name)", analytic, numeric, tolerance: 1e-6)
            }
        }
    }

    func testLanguageModelTrainsCarriesStateAndReportsBadInput() throws {
        let lm = smallLM(cell: .resetBefore, dropout: 0)
        let inputs: [Int32] = [1, 3, 6, 3, 0, 2], targets: [Int32] = [3, 6, 0, 2, 2, 5]
        let first = try lm.trainStep(inputs: inputs, targets: targets, batchSize: 2, learningRate: 0.5, method: .project(delta: 0.1))
        XCTAssertTrue(first.isFinite)
        XCTAssertNotNil(lm.trainingState)
        var last = first
        for _ in 0..<60 {
            lm.trainingState = nil
            last = try lm.trainStep(inputs: inputs, targets: targets, batchSize: 2, learningRate: 0.5, method: .clipAndProject(maxNorm: 5, delta: 0.1))
        }
        XCTAssertLessThan(last.loss, first.loss * 0.5, "the loss must fall on a repeated window")
        XCTAssertLessThanOrEqual(try lm.gru.candidateRecurrentWeight.spectralNorm(), 1.9 + 1e-9)
        // Evaluation (no dropout) from a zero state equals the gradient-free loss of the same window.
        lm.resetState()
        let e = try lm.evaluate(inputs: inputs, targets: targets, batchSize: 2)
        XCTAssertEqual(e, try lm.lossAndGradients(inputs: inputs, targets: targets, batchSize: 2, training: false), accuracy: 1e-14)
        XCTAssertNotNil(lm.evaluationState); XCTAssertNil(lm.trainingState)
        XCTAssertThrowsError(try lm.trainStep(inputs: [1, 7], targets: [0, 0], batchSize: 2, learningRate: 1)) { error in
            XCTAssertEqual(error as? ModelInputError, .tokenOutOfRange(what: "input token", position: 1, token: 7, vocabularySize: 7))
        }
        XCTAssertThrowsError(try lm.trainStep(inputs: [1, 2, 3], targets: [0, 0, 0], batchSize: 2, learningRate: 1))
        // A non-finite parameter: the step reports it and changes nothing.
        lm.output.bias.value[0, 0] = .infinity
        let snapshot = lm.parameters.map(\.value)
        let bad = try lm.trainStep(inputs: inputs, targets: targets, batchSize: 2, learningRate: 0.5)
        XCTAssertFalse(bad.isFinite)
        XCTAssertEqual(lm.parameters.map(\.value.elements).flatMap { $0 }.map(\.bitPattern),
                       snapshot.map(\.elements).flatMap { $0 }.map(\.bitPattern))
    }

    func testSequenceModelGradientsWithMask() throws {
        for cell in GRUCell.allCases {
            let model = GRUSequenceModel<Double>(keys: 6, hiddenSize: 4, cell: cell, dropout: 0.5, seed: 8)
            let B = 2, T = 3
            var rng = SeededGenerator(seed: 61)
            model.outputDropout.fixedMask = (0..<(T * B * 4)).map { _ in rng.nextUniform() < 0.5 ? 0 : 2 }
            let x = Matrix<Double>(rows: T * B, cols: 6, elements: (0..<(T * B * 6)).map { _ in rng.nextUniform() < 0.4 ? 1 : 0 })
            let y = Matrix<Double>(rows: T * B, cols: 6, elements: (0..<(T * B * 6)).map { _ in rng.nextUniform() < 0.4 ? 1 : 0 })
            let mask: [Double] = [1, 1, 1, 0, 1, 0]
            _ = try model.lossAndGradients(inputs: x, targets: y, mask: mask, batchSize: B)
            for p in model.parameters {
                let analytic = p.gradient.elements
                let numeric = FiniteDifferences.gradient(of: p) { try! model.lossAndGradients(inputs: x, targets: y, mask: mask, batchSize: B) }
                Oracle.check("music \(cell) ∂\(p.name)", analytic, numeric, tolerance: 1e-6)
            }
            let r = try model.trainStep(inputs: x, targets: y, mask: mask, batchSize: B, learningRate: 0.1, method: .project(delta: 0.2))
            XCTAssertTrue(r.isFinite)
        }
    }
}
