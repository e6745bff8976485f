/// What `gru inspect` reports for one GRU layer: the spectrum of its candidate recurrent block
/// W_hn and the stability of the input-free GRU at h* = 0 (the-paper §2). All in Double.
public struct GRUCandidateReport: Codable, Equatable, Sendable {
    /// The layer's readable name, e.g. "rnn.l0".
    public var layer: String
    /// The key of its `weight_hh` tensor.
    public var weightHH: String
    /// The dtype string of `weight_hh` as stored in the file (`"F32"`, `"BF16"`, …); the analysis
    /// itself runs in Double on the widened (exact) values.
    public var dtype: String
    /// H, the hidden size (W_hn is H×H).
    public var hiddenSize: Int
    /// I, the layer's input width (columns of `weight_ih`).
    public var inputSize: Int
    /// True when the layer has both `bias_ih` and `bias_hh`. The stability at the origin reported
    /// here is that of the bias-free map; with biases, 0 is in general not a fixed point.
    public var hasBiases: Bool
    /// All singular values of W_hn, descending (LAPACK xGESDD).
    public var singularValues: [Double]
    /// ‖W_hn‖₂ = σ_1.
    public var spectralNorm: Double
    /// ρ(J) for J = ½I + ¼W_hn, the Jacobian of the input-free, bias-free GRU at h* = 0 (xGEEV).
    public var spectralRadiusJ: Double
    /// The sufficient condition ‖W_hn‖₂ < 2 (which implies ρ(J) < 1).
    public var sufficientConditionHolds: Bool
    /// 2 − ‖W_hn‖₂: positive when the condition holds (by how much), negative when it fails.
    public var margin: Double
    /// ρ(J) < 1: h* = 0 is asymptotically stable for the input-free GRU.
    public var stableAtOrigin: Bool
    /// The fixed points of the layer's input-free map with its biases, filled in by `gru inspect`
    /// when the biases are non-zero (then the four fields above describe the bias-free map only);
    /// nil otherwise.
    public var inputFreeDynamics: GRUInputFreeDynamics? = nil
}

/// What `gru project` did to one layer.
public struct GRUProjectionOutcome: Codable, Equatable, Sendable {
    /// The layer's readable name, e.g. "rnn.l0" (``GRULayerKeys/name``).
    public var layer: String
    /// The key of its `weight_hh` tensor, the only tensor the projection may change.
    public var weightHH: String
    /// σ_1(W_hn) before.
    public var spectralNormBefore: Double
    /// σ_1(W_hn) after, computed from the values as stored in the file's dtype.
    public var spectralNormAfter: Double
    /// How many singular values exceeded 2 − δ and were clipped (0: the tensor is left untouched).
    public var clippedCount: Int
}

/// Inspection and projection of the GRU layers of a safetensors state dict.
public enum GRUCandidateAnalysis {
    /// The candidate block W_hn of `layer` (``GateBlock/candidate``, rows 2H..<3H of weight_hh) as an H×H Double matrix, widened exactly from
    /// the stored dtype.
    ///
    /// - Throws: ``SafetensorsError`` naming the file and tensor when it is missing, not a
    ///   floating-point matrix, or too short for the rows.
    public static func candidateBlock(_ file: SafetensorsFile, _ layer: GRULayerKeys) throws -> Matrix<Double> {
        try file.attributed(layer.weightHH) { try file.tensor(layer.weightHH).rows(layer.rows(of: .candidate), as: Double.self) }
    }

    /// The report of one layer: singular values of W_hn, σ_1, ρ(½I + ¼W_hn) by
    /// ``FixedPointStability/spectralRadiusAtOrigin(_:)``, the condition σ_1 < 2, its margin 2 − σ_1, ρ < 1.
    /// - Throws: ``SafetensorsError`` naming the file and tensor when W_hn holds Inf/NaN or LAPACK fails.
    public static func report(_ file: SafetensorsFile, layer: GRULayerKeys) throws -> GRUCandidateReport {
        let w = try candidateBlock(file, layer)
        let (s, rho) = try linearAlgebra(file, layer) {
            (try w.singularValues(), try FixedPointStability.spectralRadiusAtOrigin(w))
        }
        let sigma1 = s.first ?? 0
        return GRUCandidateReport(
            layer: layer.name, weightHH: layer.weightHH, dtype: try file.tensor(layer.weightHH).dtype.rawValue,
            hiddenSize: layer.hiddenSize, inputSize: layer.inputSize, hasBiases: layer.hasBiases,
            singularValues: s, spectralNorm: sigma1, spectralRadiusJ: rho,
            sufficientConditionHolds: sigma1 < 2, margin: 2 - sigma1, stableAtOrigin: rho < 1)
    }

    /// Applies P_δ (``SpectralProjection/projectByFullSVD(_:threshold:)`` with c = 2 − δ, in Double)
    /// to W_hn of every GRU layer of `file`, writing the result back in the tensor's own dtype
    /// (rounded to nearest-even). Only the rows 2H..<3H of a layer whose σ_1 exceeds c change; the
    /// r and z rows, every other tensor and the metadata keep their exact bytes.
    ///
    /// The bound holds for the values *stored*: rounding to F16, BF16 (or F32) can push σ_1 of the
    /// rounded block above c, so the stored block is measured again and, while it exceeds c, the
    /// projected block is scaled down by c/σ_1 (and a little more each retry) and re-rounded.
    ///
    /// δ outside (0, 2) (``SpectralProjection/deltaProblem(_:)``) is an error, not a trap: it comes
    /// from a command-line flag.
    ///
    /// - Returns: one outcome per GRU layer, in ``GRUStateDict/layers`` order.
    /// - Throws: ``SafetensorsError`` when δ is invalid, no GRU layer is found, a block holds
    ///   Inf/NaN, or a tensor's dtype cannot be written.
    @discardableResult
    public static func project(_ file: inout SafetensorsFile, delta: Double) throws -> [GRUProjectionOutcome] {
        if let problem = SpectralProjection.deltaProblem(delta) {
            throw SafetensorsError(file: file.source, problem: .notApplicable("δ \(problem)"))
        }
        let c = SpectralProjection.threshold(delta: delta)
        let found = try GRUStateDict(file)
        guard !found.layers.isEmpty else {
            throw SafetensorsError(file: file.source, problem: .notApplicable("no GRU layer found (no 3H×H tensor named …weight_hh_l{k})"))
        }
        var outcomes: [GRUProjectionOutcome] = []
        for layer in found.layers {
            var w = try candidateBlock(file, layer)
            let result = try linearAlgebra(file, layer) { try SpectralProjection.projectByFullSVD(&w, threshold: c) }
            var after = result.largestSingularValue
            if result.changed {
                let original = try file.tensor(layer.weightHH)
                var scaled = w
                for attempt in 0 ..< 64 {
                    let updated = try file.attributed(layer.weightHH) { try original.replacingRows(from: layer.rows(of: .candidate).lowerBound, with: scaled) }
                    let stored = try file.attributed(layer.weightHH) { try updated.rows(layer.rows(of: .candidate), as: Double.self) }
                    after = try linearAlgebra(file, layer) { try stored.spectralNorm() }
                    if after <= c { file[layer.weightHH] = updated; break }
                    guard attempt < 63 else {
                        throw SafetensorsError(file: file.source, problem: .unusable(tensor: layer.weightHH,
                            reason: "rounding to \(original.dtype.rawValue) keeps ‖W_hn‖₂ at \(after), above 2 − δ = \(c)"))
                    }
                    // Rounding raised σ_1 above c: shrink by the excess and by a margin that starts
                    // at the dtype's unit roundoff and doubles, so the retries end even when rounding
                    // works against every small step, yet F64 values move by only an ulp or so.
                    let factor = c / after * (1 - Self.unitRoundoff(original.dtype) * Double(1 << attempt))
                    scaled = factor * scaled
                }
            }
            outcomes.append(GRUProjectionOutcome(layer: layer.name, weightHH: layer.weightHH,
                                                 spectralNormBefore: result.largestSingularValue,
                                                 spectralNormAfter: after, clippedCount: result.clippedCount))
        }
        return outcomes
    }

    /// Half the spacing of the dtype's numbers at 1: the relative error of rounding to it.
    static func unitRoundoff(_ dtype: SafetensorsDType) -> Double {
        switch dtype {
        case .bf16: return 0x1p-8
        case .f16: return 0x1p-11
        case .f32: return 0x1p-24
        default: return 0x1p-53
        }
    }

    /// Runs a LAPACK computation, turning its errors into a SafetensorsError about the layer's tensor.
    private static func linearAlgebra<R>(_ file: SafetensorsFile, _ layer: GRULayerKeys, _ body: () throws -> R) throws -> R {
        do { return try body() } catch let e as LinearAlgebraError {
            let reason: String
            if case .nonFiniteInput = e { reason = "the candidate block W_hn (rows \(layer.rows(of: .candidate))) contains Inf or NaN" }
            else { reason = "W_hn: \(e.description)" }
            throw SafetensorsError(file: file.source, problem: .unusable(tensor: layer.weightHH, reason: reason))
        }
    }
}
