import Foundation
import GRUKit
import GRUKitChapterSupport
import GRUKitPresentation

/// The fixed and slow points of one input's map h ↦ F(h, x).
struct InputPoints {
    /// `x = 0` or `x = "word"`.
    var label: String
    /// Fixed points first (sorted by norm), then slow points (sorted by speed).
    var points: [GRUFixedPoint]
}

/// Everything the chapter measures on one trained model, in Double.
struct DynamicsAnalysis {
    /// The states h_1 … h_T along the analysed stretch of PTB (one stream, from h_0 = 0).
    var states: [[Double]]
    /// The mean state and the two leading principal directions of `states`.
    var mean: [Double], components: [[Double]]
    /// The share of the states' variance the two components explain.
    var explained: Double
    /// The speed below which a local minimum of ½‖F(h, x) − h‖² counts as a slow point.
    var slowSpeed: Double
    /// Fixed and slow points for x = 0 and for each frequent word.
    var inputs: [InputPoints]
    /// ‖W_hh‖₂ and the eigenvalues of W_hh (xGEEV).
    var sigma1: Double, eigenvaluesW: [ComplexValue<Double>]
    /// ρ(½I + ¼W_hh), the formula, and ρ(∂F/∂h(0)) from the analytic Jacobian of the input-free map.
    var rhoFormula: Double, rhoOrigin: Double
    /// ρ(J_t) and ‖J_t‖₂ along the data, J_t = ∂h_t/∂h_{t−1}.
    var rhoAlong: [Double], normAlong: [Double]
    /// The eigenvalues of J_t at a few evenly spaced t (for the figure).
    var eigenvaluesAlong: [ComplexValue<Double>]
    /// The finite-time maximal Lyapunov exponent of J_T ⋯ J_1 (nats per step).
    var lyapunov: Double
    /// The gradient norm of the loss on the analysed validation windows (no dropout), mean and max.
    var gradientMean: Double, gradientMax: Double

    /// (PC1, PC2) of a state.
    func project(_ h: [Double]) -> [Double] {
        components.map { c in zip(c, zip(h, mean)).reduce(0) { $0 + $1.0 * ($1.1.0 - $1.1.1) } }
    }
}

/// The analysis of `trained` on `tokens` (one stream of validation tokens): the trajectory and its
/// principal plane, the fixed and slow points of the input-free map and of the maps of `words`, the
/// origin's stability and W_hh's spectrum, the state Jacobians along the data with their maximal
/// Lyapunov exponent, and the loss gradient's norm on the same tokens.
func analyse(_ trained: TrainedModel, tokens: [Int32], words: [(word: String, id: Int32)], starts: Int, slowFraction: Double,
             seed: UInt64) throws -> DynamicsAnalysis {
    let lm = trained.model
    let map = GRUStateMap(layer: lm.gru)
    let n = map.hiddenSize
    let embedding = lm.embedding.weight.value, scale = Double(lm.embedding.scale)
    func input(_ id: Int32) -> [Double] { embedding.row(Int(id)).map { Double($0) * scale } }
    // The trajectory is driven by every token but the last, which is only a target of the gradient windows.
    let xs = tokens.dropLast().map(input)
    let h0 = [Double](repeating: 0, count: n)
    let states = map.states(inputs: xs, from: h0)

    // The principal plane: the two leading eigenvectors of the states' covariance.
    let t = Double(states.count)
    let mean = (0 ..< n).map { i in states.reduce(0) { $0 + $1[i] } / t }
    var cov = Matrix<Double>(rows: n, cols: n)
    for s in states { for i in 0 ..< n { for j in 0 ..< n { cov[i, j] += (s[i] - mean[i]) * (s[j] - mean[j]) / t } } }
    let eig = try cov.symmetricEigen()
    let order = eig.values.indices.sorted { eig.values[$0] > eig.values[$1] }
    let components = order.prefix(2).map { eig.vectors.column($0) }
    let total = eig.values.reduce(0) { $0 + max($1, 0) }
    let explained = total > 0 ? order.prefix(2).reduce(0) { $0 + eig.values[$1] } / total : 0

    // Starts of the finder: the origin and `starts` states spread along the trajectory (after a
    // short burn-in from h_0 = 0), as Sussillo & Barak start from states the network visits.
    let burn = min(20, states.count / 4)
    let stride = max(1, (states.count - burn) / max(1, starts))
    let seeds = [h0] + Swift.stride(from: burn, to: states.count, by: stride).prefix(starts).map { states[$0] }
    // Slow means: slower than `slowFraction` of the typical step along the data.
    let steps = zip(states.dropFirst(), states).map { a, b in zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot() }
    let slowSpeed = slowFraction * (steps.sorted()[steps.count / 2])
    // For each input, also the ends of 200 steps of its own map from every other start: under a
    // constant input the state settles on that map's attractors, which may lie far from the data.
    func points(_ f: InputFreeGRU) -> [GRUFixedPoint] {
        let ends = seeds.enumerated().filter { $0.offset % 2 == 0 }.map { f.trajectory(from: $0.element, steps: 200).last! }
        return f.criticalPoints(from: seeds + ends, slowSpeed: slowSpeed)
    }
    var inputs = [InputPoints(label: "x = 0", points: points(map.inputFree))]
    for w in words { inputs.append(InputPoints(label: "x = \"\(w.word)\"", points: points(map.map(input: input(w.id))))) }

    // The origin of the input-free map and the spectrum of W_hh.
    let wHH = map.inputFree.wHH
    let rhoFormula = try FixedPointStability.spectralRadiusAtOrigin(wHH)
    let rhoOrigin = try map.inputFree.jacobian(at: h0).spectralRadius()

    // The state Jacobians along the data and the finite-time Lyapunov exponent of their product.
    let js = map.jacobians(inputs: xs, from: h0)
    var rhoAlong: [Double] = [], normAlong: [Double] = [], eigenAlong: [ComplexValue<Double>] = []
    let every = max(1, js.count / 5)
    for (k, j) in js.enumerated() {
        let ev = try j.eigenvalues()
        rhoAlong.append(ev.map(\.magnitude).max() ?? .nan)
        normAlong.append(try j.spectralNorm())
        if k % every == every - 1 { eigenAlong += ev }
    }
    let lyapunov = LyapunovExponents.finiteTime(js, count: 1, seed: seed)[0]

    // The loss gradient on the same tokens, window by window (no dropout), from the zero state.
    let windowLength = bptt
    var norms: [Double] = []
    lm.resetState()
    var start = 0
    while start + windowLength + 1 <= tokens.count {
        let inputsW = Array(tokens[start ..< start + windowLength]), targetsW = Array(tokens[(start + 1) ... (start + windowLength)])
        _ = try lm.lossAndGradients(inputs: inputsW, targets: targetsW, batchSize: 1, training: false)
        norms.append(Parameters.gradientNorm(lm.parameters))
        // Carry the state as evaluation does: the next window starts where this one ended.
        _ = try lm.evaluate(inputs: inputsW, targets: targetsW, batchSize: 1)
        lm.trainingState = lm.evaluationState
        start += windowLength
    }
    lm.resetState()
    return DynamicsAnalysis(states: states, mean: mean, components: components, explained: explained, slowSpeed: slowSpeed,
                            inputs: inputs, sigma1: try wHH.spectralNorm(), eigenvaluesW: try wHH.eigenvalues(),
                            rhoFormula: rhoFormula, rhoOrigin: rhoOrigin, rhoAlong: rhoAlong, normAlong: normAlong,
                            eigenvaluesAlong: eigenAlong, lyapunov: lyapunov,
                            gradientMean: norms.isEmpty ? .nan : norms.reduce(0, +) / Double(norms.count), gradientMax: norms.max() ?? .nan)
}
