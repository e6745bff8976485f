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
            FiniteDifferences.checkModel("LM \(cell)", parameters: lm.parameters) {
                try! lm.lossAndGradients(inputs: inputs, targets: targets, batchSize: B)
            }
        }
    }

    /// A profile counts training steps only, gives every phase a positive time, and its phases
    /// add up to no more than the steps' wall time (and to most of it: the rest is the checks and
    /// the copy of the final state); a profiled step changes nothing the model computes.
    func testStepProfileCoversTheTrainingStep() throws {
        let config = GRULanguageModel<Float>.Configuration(vocabularySize: 50, embeddingSize: 16, hiddenSize: 24, dropout: 0.3)
        let profiled = GRULanguageModel<Float>(configuration: config, seed: 9)
        let plain = GRULanguageModel<Float>(configuration: config, seed: 9)
        var rng = SeededGenerator(seed: 10)
        let ids = (0..<(6 * 4)).map { _ in Int32(rng.next() % 50) }, next = (0..<(6 * 4)).map { _ in Int32(rng.next() % 50) }
        profiled.profile = StepProfile()
        var wall = 0.0
        for _ in 0..<3 {
            let t0 = MonotonicClock.seconds()
            let a = try profiled.trainStep(inputs: ids, targets: next, batchSize: 4, learningRate: 0.5)
            wall += MonotonicClock.seconds() - t0
            let b = try plain.trainStep(inputs: ids, targets: next, batchSize: 4, learningRate: 0.5)
            XCTAssertEqual(a, b)
        }
        _ = try profiled.evaluate(inputs: ids, targets: next, batchSize: 4)
        let profile = try XCTUnwrap(profiled.profile)
        XCTAssertEqual(profile.steps, 3, "evaluation is not a training step")
        for phase in StepProfile.Phase.allCases {
            XCTAssertGreaterThan(profile.secondsPerStep(phase), 0, phase.label)
        }
        let total = profile.seconds.reduce(0, +)
        XCTAssertLessThanOrEqual(total, wall)
        XCTAssertGreaterThan(total, 0.3 * wall)
        XCTAssertEqual(profiled.parameters.map(\.value), plain.parameters.map(\.value))
        XCTAssertNil(plain.profile)
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
        XCTAssertLessThanOrEqual(try lm.gru.candidateBlock.spectralNorm(), 1.9 + 1e-9)
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

    /// Why the model-level checks read every analytic gradient before perturbing anything.
    ///
    /// A model's `lossAndGradients` rewrites all gradients at the point it evaluates, so after a
    /// finite-difference sweep over one parameter the gradients describe θ − h·e_last (the last
    /// point evaluated), not θ. Reading the next parameter's "analytic" gradient there makes the
    /// check compare g(θ − h e_last) with D_h ≈ g(θ): a discrepancy ∝ h (not h²), which a
    /// tolerance of 1e-6 with floor 1 let pass at h = 1e-6. This test reproduces that pattern,
    /// shows the discrepancy scales like h, that the left-behind gradient is exactly the gradient
    /// at θ − h e_last, and that ``FiniteDifferences/compare(_:with:step:floor:loss:)`` rejects it.
    func testStaleGradientsAfterASweepAreDetected() throws {
        let model = GRUSequenceModel<Double>(keys: 6, hiddenSize: 4, cell: .resetBefore, dropout: 0, seed: 8)
        var rng = SeededGenerator(seed: 61)
        let x = Matrix<Double>(rows: 6, cols: 6, elements: (0..<36).map { _ in rng.nextUniform() < 0.4 ? 1 : 0 })
        let y = Matrix<Double>(rows: 6, cols: 6, elements: (0..<36).map { _ in rng.nextUniform() < 0.4 ? 1 : 0 })
        func loss() -> Double { try! model.lossAndGradients(inputs: x, targets: y, batchSize: 2) }
        let swept = model.gru.biasIH!, read = model.output.weight
        _ = loss()
        let fresh = read.gradient.elements
        // The former pattern: a raw sweep over `swept` (no re-evaluation at θ), then read `read`.
        func staleAfterSweep(step h: Double) -> [Double] {
            _ = loss()
            for i in 0..<swept.value.count {
                let v = swept.value.elements[i]
                swept.value.elements[i] = v + h; _ = loss()
                swept.value.elements[i] = v - h; _ = loss()
                swept.value.elements[i] = v
            }
            return read.gradient.elements
        }
        var offsets: [Double] = []
        for h in [1e-4, 1e-5, 1e-6] {
            let stale = staleAfterSweep(step: h)
            offsets.append(zip(stale, fresh).map { abs($0 - $1) }.max()!)
            // Exactly the gradient at θ − h e_last.
            let last = swept.value.count - 1, v = swept.value.elements[last]
            swept.value.elements[last] = v - h; _ = loss()
            XCTAssertEqual(read.gradient.elements, stale, "the left-behind gradient is the one at θ − h e_last")
            swept.value.elements[last] = v; _ = loss()
        }
        print("stale-gradient offset at h = 1e-4, 1e-5, 1e-6: \(offsets)")
        XCTAssertEqual(offsets[0] / offsets[1], 10, accuracy: 0.5, "the offset is ∝ h")
        XCTAssertEqual(offsets[1] / offsets[2], 10, accuracy: 0.5, "the offset is ∝ h")
        XCTAssertGreaterThan(offsets[2], 1e-8, "large enough to matter at the former step 1e-6")
        // The model-level check rejects it on both counts; it accepts the fresh gradient.
        let stale = staleAfterSweep(step: 1e-3)
        let bad = FiniteDifferences.compare(stale, with: read, floor: 1e-2, loss: loss)
        XCTAssertGreaterThan(bad.extrapolated, 1e-6)
        XCTAssertEqual(bad.ratio, 1, accuracy: 0.2, "a constant offset does not fall when h halves")
        let good = FiniteDifferences.compare(fresh, with: read, floor: 1e-2, loss: loss)
        XCTAssertLessThan(good.extrapolated, 1e-9)
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
            FiniteDifferences.checkModel("music \(cell)", parameters: model.parameters) {
                try! model.lossAndGradients(inputs: x, targets: y, mask: mask, batchSize: B)
            }
            if cell == .resetBefore {
                // In the reset-before form the two biases only ever appear as b_ih + b_hh: their
                // gradients, analytic and numerical, are equal.
                _ = try model.lossAndGradients(inputs: x, targets: y, mask: mask, batchSize: B)
                let (gi, gh) = (model.gru.biasIH!.gradient.elements, model.gru.biasHH!.gradient.elements)
                let loss = { try! model.lossAndGradients(inputs: x, targets: y, mask: mask, batchSize: B) }
                let ni = FiniteDifferences.gradient(of: model.gru.biasIH!, step: 1e-4, loss: loss)
                let nh = FiniteDifferences.gradient(of: model.gru.biasHH!, step: 1e-4, loss: loss)
                Oracle.check("music resetBefore ∂bias_ih = ∂bias_hh (analytic)", gi, gh, tolerance: 0)
                Oracle.check("music resetBefore ∂bias_ih = ∂bias_hh (numerical)", ni, nh, tolerance: 1e-11)
            }
            let r = try model.trainStep(inputs: x, targets: y, mask: mask, batchSize: B, learningRate: 0.1, method: .project(delta: 0.2))
            XCTAssertTrue(r.isFinite)
        }
    }
}
