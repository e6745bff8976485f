import Foundation
import GRUKit

extension Chapter08 {
    /// What chapter 8 measures on one model along one stretch of validation text.
    package struct Dynamics: Sendable {
        /// The run's name.
        package var name: String
        /// ‖W_hh‖₂ and ρ(J) = ρ(½I + ¼W_hh) at h* = 0 of the input-free map, and the number of
        /// eigenvalues of that Jacobian outside the unit circle (the origin's unstable directions).
        package var sigma1: Double, rhoOrigin: Double, unstableAtOrigin: Int
        /// The fixed points of the input-free map (x = 0) found from states along the data and the
        /// ends of 200 input-free steps from them, then its slow points.
        package var points: [GRUFixedPoint]
        /// The speed below which a local minimum of ½‖F(h) − h‖² counts as a slow point.
        package var slowSpeed: Double
        /// The states h_1 … h_T along the text, from h_0 = 0.
        package var states: [[Double]]
        /// ρ(J_t) and ‖J_t‖₂ of J_t = ∂h_t/∂h_{t−1} along the text.
        package var rho: [Double], norm: [Double]
        /// The finite-time maximal Lyapunov exponent of J_T ⋯ J_1 (per step), and of the second
        /// half of the text alone (after the state has left h_0 = 0).
        package var lyapunov: Double, lyapunovLate: Double
        /// Per step, means over the units: the update gate z, the reset gate r, the candidate's slope
        /// 1 − n², and the gain (1 − z)(1 − n²) r that multiplies W_hh in J_t (¼ at h* = 0).
        package var update: [Double], reset: [Double], slope: [Double], gain: [Double]
        /// The RMS of the state's units, ‖h_t‖₂/√H, per step.
        package var stateRMS: [Double]

        /// The share of steps with ρ(J_t) > 1.
        package var aboveOne: Int { rho.filter { $0 > 1 }.count }
        /// The mean of a per-step series.
        package static func mean(_ xs: [Double]) -> Double { xs.isEmpty ? .nan : xs.reduce(0, +) / Double(xs.count) }
        /// The stable fixed points of x = 0 other than the origin.
        package var stableAway: [GRUFixedPoint] { points.filter { !$0.isSlowPoint && $0.isStable && $0.norm > 0 } }
    }

    /// The analysis of `model` along `inputs` (the embedded validation tokens): its origin, the fixed
    /// and slow points of x = 0 from `starts` states along the trajectory, ρ(J_t), ‖J_t‖₂ and the
    /// Lyapunov exponent, and the gates along the data.
    package static func analyse(_ model: ModelExcerpt, inputs: [[Double]], starts: Int, slowFraction: Double, seed: UInt64) throws -> Dynamics {
        let map = model.map, n = map.hiddenSize
        let h0 = [Double](repeating: 0, count: n)
        let states = map.states(inputs: inputs, from: h0)
        let wHH = block(map.inputFree.weightHH, .candidate)

        // The origin of the input-free map: J = ½I + ¼W_hh (chapter 2).
        let atOrigin = try map.inputFree.jacobian(at: h0).eigenvalues()

        // Starts of the finder: the origin and `starts` states spread along the trajectory, and the
        // ends of 200 input-free steps from them (where the state settles when the input stops).
        let burn = min(20, states.count / 4)
        let stride = max(1, (states.count - burn) / max(1, starts))
        let picked = [h0] + Swift.stride(from: burn, to: states.count, by: stride).prefix(starts).map { states[$0] }
        let free = map.inputFree
        let ends = picked.map { free.trajectory(from: $0, steps: 200).last! }
        let steps = zip(states.dropFirst(), states).map { a, b in zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot() }
        let slowSpeed = slowFraction * steps.sorted()[steps.count / 2]
        let points = free.criticalPoints(from: picked + ends, slowSpeed: slowSpeed)

        // Along the data: J_t, its spectral radius and norm, the gates.
        let js = map.jacobians(inputs: inputs, from: h0)
        var rho: [Double] = [], norm: [Double] = []
        for j in js {
            rho.append(try j.spectralRadius())
            norm.append(try j.spectralNorm())
        }
        let gates = self.gates(map, inputs: inputs, from: h0)
        let half = js.count / 2
        return Dynamics(name: model.name, sigma1: try wHH.spectralNorm(), rhoOrigin: atOrigin.map(\.magnitude).max() ?? .nan,
                        unstableAtOrigin: atOrigin.filter { $0.magnitude > 1 }.count, points: points, slowSpeed: slowSpeed,
                        states: states, rho: rho, norm: norm,
                        lyapunov: LyapunovExponents.finiteTime(js, count: 1, seed: seed)[0],
                        lyapunovLate: LyapunovExponents.finiteTime(Array(js[half...]), count: 1, seed: seed)[0],
                        update: gates.update, reset: gates.reset, slope: gates.slope, gain: gates.gain,
                        stateRMS: states.map { ($0.reduce(0) { $0 + $1 * $1 } / Double(n)).squareRoot() })
    }

    /// The gates of the reset-after cell along the trajectory, each step's mean over the units:
    /// z, r, 1 − n² and (1 − z)(1 − n²) r, the factor in front of W_hh in J_t
    /// (J_t = diag(z) + diag((1 − z)(1 − n²) r) W_hh + the gates' own derivative terms).
    package static func gates(_ map: GRUStateMap, inputs: [[Double]], from h0: [Double])
        -> (update: [Double], reset: [Double], slope: [Double], gain: [Double]) {
        let wi = Gate.allCases.map { block(map.weightIH, $0) }, wh = Gate.allCases.map { block(map.inputFree.weightHH, $0) }
        func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }
        var h = h0, out: (update: [Double], reset: [Double], slope: [Double], gain: [Double]) = ([], [], [], [])
        let units = Double(h0.count)
        for x in inputs {
            let pre: [([Double], [Double])] = (0 ..< 3).map { k in (wi[k].multiplied(by: x), wh[k].multiplied(by: h)) }
            let r: [Double] = zip(pre[0].0, pre[0].1).map { a, b in sigmoid(a + b) }
            let z: [Double] = zip(pre[1].0, pre[1].1).map { a, b in sigmoid(a + b) }
            let c: [Double] = (0 ..< h.count).map { i in tanh(pre[2].0[i] + r[i] * pre[2].1[i]) }
            var slope = 0.0, gain = 0.0
            for i in 0 ..< h.count {
                let s = 1 - c[i] * c[i]
                slope += s
                gain += (1 - z[i]) * s * r[i]
                h[i] = (1 - z[i]) * c[i] + z[i] * h[i]
            }
            out.update.append(z.reduce(0, +) / units)
            out.reset.append(r.reduce(0, +) / units)
            out.slope.append(slope / units)
            out.gain.append(gain / units)
        }
        return out
    }
}
