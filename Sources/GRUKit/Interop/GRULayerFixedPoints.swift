/// One fixed point of a layer's input-free map, as `gru inspect` reports it.
package struct GRUFixedPointSummary: Codable, Equatable, Sendable {
    /// ‖h*‖₂.
    package var norm: Double
    /// ‖F(h*) − h*‖₂ at the point the finder returned.
    package var residual: Double
    /// ρ(∂F/∂h(h*)), the spectral radius of the map's Jacobian at h*.
    package var spectralRadius: Double
    /// How many Jacobian eigenvalues have |λ| > 1 (0: stable; k > 0: a saddle or repeller with k
    /// unstable directions).
    package var unstableDirections: Int
    /// ρ < 1: the point is linearly stable.
    package var stable: Bool
    /// The point itself, H entries.
    package var h: [Double]
}

/// What is true of a layer's input-free map (x = 0) once its biases are taken into account.
///
/// Without biases h* = 0 is a fixed point of the input-free map and J = ½I + ¼W_hn is its
/// Jacobian there, so ρ(J) < 1 decides its stability, and ‖W_hn‖₂ < 2 − δ (the paper's
/// constraint) is a sufficient condition for it. With non-zero biases F(0) ≠ 0 in general: the
/// origin is not a fixed point, and neither ρ(½I + ¼W_hn) nor the bound on ‖W_hn‖₂ says anything
/// about the map's stability. What can be said then is what the fixed points that exist are, each
/// with its own Jacobian (``InputFreeGRU/fixedPoints(starts:seed:tolerance:)``).
package struct GRUInputFreeDynamics: Codable, Equatable, Sendable {
    /// True when `bias_ih` or `bias_hh` has a non-zero entry.
    package var hasNonZeroBiases: Bool
    /// ‖F(0)‖₂: 0 exactly without biases.
    package var originResidual: Double
    /// The fixed points found, sorted by ‖h*‖₂ (see ``GRUFixedPointSummary``).
    package var fixedPoints: [GRUFixedPointSummary]
    /// The largest spectral radius over ``fixedPoints``: the layer's verdict (nil when none was found).
    package var largestSpectralRadius: Double?
    /// How many random starts the finder used.
    package var starts: Int

    /// True when every fixed point found is stable (and at least one was found).
    package var allStable: Bool { !fixedPoints.isEmpty && fixedPoints.allSatisfy(\.stable) }
}

extension GRUCandidateAnalysis {
    /// The layer's input-free map with its biases (zeros where the file has none), in Double.
    /// - Parameters:
    ///   - file: the state dict.
    ///   - layer: the layer's keys.
    ///   - form: the GRU form (PyTorch's layers are reset-after).
    /// - Throws: ``SafetensorsError`` naming the tensor when one is missing, not floating point, or
    ///   a bias does not have 3H entries.
    package static func inputFreeMap(_ file: SafetensorsFile, layer: GRULayerKeys, form: GRUCell = .resetAfter) throws -> InputFreeGRU {
        let w = try file.attributed(layer.weightHH) { try file.tensor(layer.weightHH).matrix(Double.self) }
        func bias(_ key: String?) throws -> [Double]? {
            guard let key else { return nil }
            let values = try file.attributed(key) { try file.tensor(key).doubles() }
            guard values.count == 3 * layer.hiddenSize else {
                throw SafetensorsError(file: file.source, problem: .unusable(tensor: key,
                    reason: "a GRU bias must have 3H = \(3 * layer.hiddenSize) entries, this one has \(values.count)"))
            }
            return values
        }
        return InputFreeGRU(weightHH: w, form: form, inputBias: try bias(layer.biasIH), recurrentBias: try bias(layer.biasHH))
    }

    /// The fixed points of the layer's input-free map with its biases, each with its residual,
    /// spectral radius and stability; the largest spectral radius is the verdict.
    ///
    /// Costs `starts` Levenberg–Marquardt/Newton solves of H×H systems: seconds for H ≤ 100,
    /// minutes for H in the hundreds.
    /// - Parameters:
    ///   - file: the state dict.
    ///   - layer: the layer's keys.
    ///   - form: the GRU form (PyTorch's layers are reset-after).
    ///   - starts: random starts of the finder (≥ 0).
    ///   - seed: the seed of the starts.
    /// - Throws: as ``inputFreeMap(_:layer:form:)``.
    package static func inputFreeDynamics(_ file: SafetensorsFile, layer: GRULayerKeys, form: GRUCell = .resetAfter,
                                         starts: Int = 20, seed: UInt64 = 1) throws -> GRUInputFreeDynamics {
        let map = try inputFreeMap(file, layer: layer, form: form)
        let points = map.fixedPoints(starts: starts, seed: seed).map { p in
            GRUFixedPointSummary(norm: p.norm, residual: p.residual, spectralRadius: p.spectralRadius,
                                 unstableDirections: p.unstableDirections, stable: p.isStable, h: p.h)
        }
        return GRUInputFreeDynamics(hasNonZeroBiases: map.hasBiases,
                                    originResidual: map.residualNorm([Double](repeating: 0, count: map.hiddenSize)),
                                    fixedPoints: points, largestSpectralRadius: points.map(\.spectralRadius).max(), starts: starts)
    }
}
