import XCTest
import Foundation
@testable import GRUKit

/// The explosion tasks of chapter 3: exact gradients against central differences, and the methods.
final class DynamicsTaskTests: XCTestCase {
    func testScalarTaskGradientMatchesFiniteDifferences() {
        let task = ScalarExplosionTask()
        var got: [Double] = [], fd: [Double] = []
        for w in [1.5, 1.9, 2.05, 2.3, 3.0] {
            let e = 1e-6
            got.append(task.lossAndGradient(wHH: w).gradient)
            fd.append((task.lossAndGradient(wHH: w + e).loss - task.lossAndGradient(wHH: w - e).loss) / (2 * e))
        }
        Oracle.check("1-D task dL/dw_hh vs central differences", got, fd, tolerance: 1e-8, floor: 1e-3)
    }

    func testGRUTaskGradientMatchesFiniteDifferences() throws {
        let task = GRUExplosionTask(hiddenSize: 4, examples: 6, steps: 12, seed: 3)
        for scale in [1.4, 2.5] {
            let w = try task.initialWeights(recurrentNorm: scale, gateScale: 1, seed: 5)
            let (loss, grad) = task.lossAndGradient(w)
            XCTAssertEqual(loss, task.loss(w), accuracy: 1e-15, "batched BLAS forward = per-example InputFreeGRU forward")
            var fd = [Double](repeating: 0, count: w.count)
            for i in 0..<w.count {
                var p = w, m = w
                p.elements[i] += 1e-6; m.elements[i] -= 1e-6
                fd[i] = (task.loss(p) - task.loss(m)) / 2e-6
            }
            // Central differences of a loss of size ~0.1 carry ~1e-11 absolute rounding noise: compare
            // relative to the largest gradient entry, which must be well above that noise.
            XCTAssertGreaterThan(grad.maxAbs, 1e-4)
            Oracle.check("GRU task BPTT ∇weight_hh vs central differences (scale \(scale))", grad.elements, fd,
                         tolerance: 1e-6, floor: grad.maxAbs)
        }
    }

    func testMethods() throws {
        XCTAssertEqual(TrainingMethod.sgd.clipScale(gradientNorm: 100), 1)
        XCTAssertEqual(TrainingMethod.clip(maxNorm: 5).clipScale(gradientNorm: 4), 1)
        XCTAssertEqual(TrainingMethod.clip(maxNorm: 5).clipScale(gradientNorm: 10), 5 / (10 + 1e-6), accuracy: 1e-15)
        // The projection keeps ‖W_hh‖₂ ≤ 2 − δ after every step.
        let task = GRUExplosionTask(hiddenSize: 4, examples: 4, steps: 10)
        let (_, w) = try task.train(method: .project(delta: 0.2), learningRate: 50, iterations: 20, initial: try task.initialWeights(recurrentNorm: 2.5))
        let whh = Matrix(rows: 4, cols: 4, elements: Array(w.elements[32...]))
        XCTAssertLessThanOrEqual(try whh.spectralNorm(), 1.8 + 1e-12)
        let scalar = ScalarExplosionTask().train(method: .project(delta: 0.2), learningRate: 50, iterations: 50, initial: 1.9)
        XCTAssertTrue(scalar.allSatisfy { $0.spectralNorm <= 1.9 + 1e-12 })
    }

    /// The engine's GRU layer (reset-before and reset-after, zero input, no biases) takes exactly the
    /// steps of the input-free map, and its BPTT gradient of the task loss equals the independent one.
    func testEngineStepMatchesInputFreeMapAndGradient() throws {
        var rng = SeededGenerator(seed: 17)
        for cell in GRUCell.allCases {
            let w = Matrix<Double>.randomNormal(rows: 15, cols: 5, std: 0.8, using: &rng)
            let layer = GRULayer(weightIH: Matrix(rows: 15, cols: 1), weightHH: w, cell: cell)
            let map = InputFreeGRU(weightHH: w, form: cell == .resetBefore ? .resetBefore : .resetAfter)
            let h0 = Matrix<Double>.randomUniform(rows: 3, cols: 5, bound: 0.9, using: &rng)
            let states = layer.forward(Matrix(rows: 4 * 3, cols: 1), initialState: h0)   // T = 4, B = 3
            var expected: [Double] = []
            var hs = (0..<3).map { h0.row($0) }
            for _ in 0..<4 { hs = hs.map { map($0) }; expected += hs.flatMap { $0 } }
            Oracle.check("engine \(cell) steps vs InputFreeGRU", states.elements, expected, tolerance: 1e-14)
        }
        let task = GRUExplosionTask(hiddenSize: 5, examples: 6, steps: 9, seed: 4)
        let w = try task.initialWeights(recurrentNorm: 1.6, gateScale: 1, seed: 2)
        let layer = task.makeLayer(weightHH: w)
        _ = layer.forward(Matrix(rows: 9 * 6, cols: 1), initialState: Matrix(rows: 6, cols: 5, elements: task.initialStates))
        var dOut = Matrix<Double>(rows: 9 * 6, cols: 5)
        let hT = layer.finalState
        for i in 0..<30 { dOut.elements[8 * 30 + i] = 2 * (hT.elements[i] - task.targets[i]) / 30 }
        _ = layer.backward(outputGradient: dOut)
        let exact = task.lossAndGradient(w).gradient
        Oracle.check("engine BPTT ∇weight_hh vs the task's own BPTT", layer.weightHH.gradient.elements, exact.elements,
                     tolerance: 1e-12, floor: exact.maxAbs)
    }
}
