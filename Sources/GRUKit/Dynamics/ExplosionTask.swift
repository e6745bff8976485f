#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// One training iteration's log. Loss, gradient norm, ‖W_hh‖₂ and ρ(J) are measured at the
/// parameters the gradient was computed at (before the update).
package struct ExplosionTrainingRecord: Sendable {
    /// The 0-based iteration number.
    package var iteration: Int
    /// The loss L at the parameters before this iteration's update.
    package var loss: Double
    /// Total gradient norm before any clipping.
    package var gradientNorm: Double
    /// ‖W_hh‖₂ (|w_hh| in one dimension).
    package var spectralNorm: Double
    /// ρ(J) of the linearisation at h* = 0, J = ½I + ¼W_hh.
    package var spectralRadius: Double
    /// True when this iteration's projection P_δ changed W_hh (some σ_i of the SGD step's result
    /// exceeded 2 − δ); always false for methods that do not project.
    package var projected: Bool = false
    /// σ_1 of W_hh after this iteration's SGD step and before its projection (nil for methods that
    /// do not project).
    package var singularValueBeforeProjection: Double? = nil
}

/// The one-dimensional task of chapter 3: from h_0 = 0.1, reach h_T = `target` after `steps`
/// steps of the input-free GRU with w_hz = w_hr = 0, learning only w_hh. Loss L(w) = (h_T − y)²
/// (PyTorch's MSELoss of one value). w_hh is a scalar, so ‖W_hh‖₂ = |w_hh| and the
/// projection is a clamp.
/// With y = 0.6 and T = 100 the solution is w_hh ≈ 2.31 (h* = 0.6 solves h = tanh(w h/2)), on the
/// far side of the bifurcation at 2: no w_hh < 2 can hold the state away from 0 for long.
package struct ScalarExplosionTask: Sendable {
    /// h_0, the initial state (0.1).
    package var h0: Double
    /// y, the state to reach at step T (0.6).
    package var target: Double
    /// T, the number of GRU steps (100); the gradient spike near w_hh = 2 grows with T.
    package var steps: Int

    /// The task with the given h_0, y and T (defaults: chapter 3's 0.1, 0.6 and 100).
    /// - Precondition: T ≥ 0 (checked when the task runs, by ``ScalarGRU``).
    package init(h0: Double = 0.1, target: Double = 0.6, steps: Int = 100) {
        self.h0 = h0; self.target = target; self.steps = steps
    }

    /// (L(w), dL/dw) exactly: dL/dw = 2(h_T − y)·∂h_T/∂w_hh, with ∂h_T/∂w_hh carried alongside h_t
    /// by forward-mode differentiation (``ScalarGRU/stateAndSensitivity(from:steps:)``): exact up
    /// to rounding, with no finite-difference step to choose.
    package func lossAndGradient(wHH: Double) -> (loss: Double, gradient: Double) {
        let (h, s) = ScalarGRU(wHH: wHH).stateAndSensitivity(from: h0, steps: steps)
        return ((h - target) * (h - target), 2 * (h - target) * s)
    }

    /// SGD on w_hh from `initial` for `iterations` steps with learning rate η and the given method;
    /// returns one record per iteration. The same rules as the engine's ``SGD``: clipping scales the
    /// gradient by maxNorm/(|g| + 1e-6) when below 1 (``TrainingMethod/clipScale(gradientNorm:)``); in one dimension ‖W_hh‖₂ = |w| and the
    /// projection is w ← sign(w)·min(|w|, 2 − δ).
    ///
    /// Never stops early: a non-finite gradient propagates into w and the following records
    /// (chapter 3 plots what happens).
    /// - Parameters:
    ///   - method: plain SGD, clipping, projection or both.
    ///   - learningRate: η.
    ///   - iterations: the number of SGD steps (and records).
    ///   - initial: w_hh before the first step.
    /// - Returns: one record per iteration, measured before its update.
    /// - Precondition: a projecting method's δ lies in [0, 2).
    package func train(method: TrainingMethod, learningRate: Double, iterations: Int, initial: Double) -> [ExplosionTrainingRecord] {
        var w = initial, out: [ExplosionTrainingRecord] = []
        for it in 0..<iterations {
            let (l, g) = lossAndGradient(wHH: w)
            out.append(ExplosionTrainingRecord(iteration: it, loss: l, gradientNorm: abs(g), spectralNorm: abs(w),
                                               spectralRadius: abs(0.5 + w / 4)))
            w -= learningRate * g * method.clipScale(gradientNorm: abs(g))
            if let d = method.delta {
                let c = SpectralProjection.threshold(delta: d)
                out[out.count - 1].singularValueBeforeProjection = abs(w)
                if abs(w) > c { w = w < 0 ? -c : c; out[out.count - 1].projected = true }
            }
        }
        return out
    }
}

/// The H-dimensional task of chapter 3 (and 4): a bistable memory. K examples start at
/// h_0 = s_k·a·p + noise (s_k = ±1, p a fixed ±1 pattern) and must end at h_T = s_k·y·p after T
/// steps of the input-free reset-before GRU (no biases), all of W_hr, W_hz, W_hh trained. The loss
/// is PyTorch's mean squared error L = (1/(K·H)) Σ_k ‖h_T^(k) − y_k‖².
///
/// ``train(method:learningRate:iterations:initial:)`` runs on the training engine (``GRULayer`` in
/// Double with a zero input, ``SGD`` with its clipping and projection); the tests check the engine's
/// gradient of this loss against an independent exact BPTT of their own.
///
/// Why it needs ‖W_hh‖₂ > 2 (a heuristic argument, borne out by the runs of chapter 3, where the loss
/// is low only while ρ(J) > 1): the state must grow from ‖h_0‖ ≈ 0.1√H to 0.6√H and stay there, which
/// from so close to the origin requires h* = 0 to be unstable, i.e. ρ(½I + ¼W_hh) > 1 (the Jacobian at
/// 0 does not depend on W_hz, W_hr); that forces some |λ(W_hh)| > 2 and hence ‖W_hh‖₂ > 2.
package struct GRUExplosionTask: Sendable {
    /// H, the dimension of the state.
    package let hiddenSize: Int
    /// T, the number of GRU steps from h_0 to h_T.
    package let steps: Int
    /// The K initial states h_0^(k) = s_k·a·p + ε_k, K×H row-major (ε_k ~ N(0, noise²) per entry).
    package let initialStates: [Double]
    /// The K targets y_k = s_k·y·p, K×H row-major.
    package let targets: [Double]
    /// K, the number of examples (full batch: every iteration uses all of them).
    package let examples: Int

    /// Draws the task from `SeededGenerator(seed: seed)`: first the pattern p (H signs, each ±1
    /// with probability ½), then the noise of each example in order; s_k = +1 for even k, −1 for
    /// odd k, so both attractors ±y·p are asked for equally.
    /// - Parameters:
    ///   - hiddenSize: H.
    ///   - examples: K.
    ///   - steps: T.
    ///   - start: a, the size of the initial states' pattern (0.1).
    ///   - target: y, the size of the targets' pattern (0.6).
    ///   - noise: the standard deviation of the noise added to each initial entry.
    ///   - seed: the seed of p and the noise.
    /// - Precondition: H, K, T ≥ 1.
    package init(hiddenSize: Int = 8, examples: Int = 32, steps: Int = 30, start: Double = 0.1, target: Double = 0.6,
                noise: Double = 0.02, seed: UInt64 = 1) {
        precondition(hiddenSize >= 1 && examples >= 1 && steps >= 1, "GRUExplosionTask: sizes must be ≥ 1")
        var rng = SeededGenerator(seed: seed)
        let p = (0..<hiddenSize).map { _ in rng.nextUniform() < 0.5 ? -1.0 : 1.0 }
        var h0: [Double] = [], y: [Double] = []
        for k in 0..<examples {
            let s: Double = k % 2 == 0 ? 1 : -1
            for i in 0..<hiddenSize {
                h0.append(s * start * p[i] + noise * rng.nextNormal())
                y.append(s * target * p[i])
            }
        }
        self.hiddenSize = hiddenSize; self.steps = steps; self.examples = examples
        self.initialStates = h0; self.targets = y
    }

    /// A seeded initial weight_hh (3H×H, blocks r, z, n): gate blocks with entries N(0, (gateScale/√H)²)
    /// and W_hh = recurrentNorm·Q with Q a random orthogonal matrix (Q = U Vᵀ from the SVD of a Gaussian
    /// matrix), so that ‖W_hh‖₂ = recurrentNorm exactly and every eigenvalue of W_hh has modulus
    /// recurrentNorm (orthogonal initialisation, which keeps the initial gradient from vanishing).
    ///
    /// - Throws: ``LinearAlgebraError`` if the SVD fails (it does not for a finite Gaussian matrix,
    ///   i.e. for finite `gateScale`).
    package func initialWeights(recurrentNorm: Double = 1.6, gateScale: Double = 0.5, seed: UInt64 = 2) throws -> Matrix<Double> {
        let n = hiddenSize
        var rng = SeededGenerator(seed: seed)
        let gates = Matrix<Double>.randomNormal(rows: 2 * n, cols: n, std: gateScale / Double(n).squareRoot(), using: &rng)
        let svd = try Matrix<Double>.randomNormal(rows: n, cols: n, std: 1, using: &rng).svd()
        let q = svd.U.multiplied(by: svd.Vt)
        return Matrix(rows: 3 * n, cols: n, elements: gates.elements + (recurrentNorm * q).elements)
    }

    /// The engine's GRU layer for this task: reset-before, input size 1 with a zero input weight,
    /// no biases, the given 3H×H weight_hh. With x = 0 the input weight contributes nothing, so
    /// the layer computes the input-free reset-before map of ``InputFreeGRU``.
    /// - Precondition: weightHH is 3H×H.
    package func makeLayer(weightHH: Matrix<Double>) -> GRULayer<Double> {
        GRULayer(weightIH: Matrix(rows: 3 * hiddenSize, cols: 1), weightHH: weightHH, cell: .resetBefore)
    }

    /// Full-batch SGD on weight_hh with the engine: each iteration runs the layer forward over T zero
    /// inputs from the K initial states, takes L and ∂L/∂h_T = 2(h_T − y)/(K·H), backpropagates
    /// through time, and calls ``SGD/step(_:learningRate:method:recurrent:)`` (clipping as PyTorch's
    /// clip_grad_norm_, projection of the W_hh block). Returns the per-iteration records and the
    /// final weights. Only weight_hh is trained (with a zero input, weight_ih plays no part).
    ///
    /// Stops early when the loss or the update is non-finite; that iteration is not recorded
    /// (``SGD`` changes no weight when the gradient norm is non-finite).
    /// - Parameters:
    ///   - method: plain SGD, clipping, projection or both (projection acts on the W_hn block).
    ///   - learningRate: η.
    ///   - iterations: the maximum number of full-batch SGD steps.
    ///   - initial: weight_hh before the first step, 3H×H (e.g. ``initialWeights(recurrentNorm:gateScale:seed:)``).
    /// - Returns: one record per completed iteration and the final 3H×H weight_hh.
    /// - Precondition: `initial` is 3H×H; a clipping threshold > 0 and δ in [0, 2).
    /// - Throws: ``LinearAlgebraError`` if the SVD or eigenvalue computation of a record fails
    ///   (``GRULayer/stabilityDiagnostics()``).
    package func train(method: TrainingMethod, learningRate: Double, iterations: Int,
                      initial: Matrix<Double>) throws -> (records: [ExplosionTrainingRecord], weights: Matrix<Double>) {
        let layer = makeLayer(weightHH: initial)
        let optimizer = SGD<Double>()
        let n = hiddenSize, k = examples
        let x = Matrix<Double>(rows: steps * k, cols: 1)
        let h0 = Matrix(rows: k, cols: n, elements: initialStates)
        let y = Matrix(rows: k, cols: n, elements: targets)
        var dOut = Matrix<Double>(rows: steps * k, cols: n)
        var out: [ExplosionTrainingRecord] = []
        out.reserveCapacity(iterations)
        for it in 0..<iterations {
            _ = layer.forward(x, initialState: h0)
            let hT = layer.finalState
            var loss = 0.0
            let scale = 1 / Double(k * n)
            for i in 0..<(k * n) {
                let d = hT.elements[i] - y.elements[i]
                loss += d * d * scale
                dOut.elements[(steps - 1) * k * n + i] = 2 * d * scale
            }
            _ = layer.backward(outputGradient: dOut)
            let diagnostics = try layer.stabilityDiagnostics()
            let update = optimizer.step([layer.weightHH], learningRate: learningRate, method: method, recurrent: layer)
            guard loss.isFinite, update.isFinite else { break }
            out.append(ExplosionTrainingRecord(iteration: it, loss: loss, gradientNorm: update.gradientNorm,
                                               spectralNorm: diagnostics.spectralNorm, spectralRadius: diagnostics.spectralRadius,
                                               projected: update.projected,
                                               singularValueBeforeProjection: update.singularValueBeforeProjection))
        }
        return (out, layer.weightHH.value)
    }
}
