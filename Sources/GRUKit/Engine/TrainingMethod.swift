/// How an SGD step treats the gradient and the candidate recurrent matrix (the-paper §3).
public enum TrainingMethod: Equatable, Sendable, CustomStringConvertible {
    /// Plain SGD.
    case none
    /// Global-norm gradient clipping at `maxNorm` > 0 (PyTorch's `clip_grad_norm_`), then SGD.
    case clip(maxNorm: Double)
    /// SGD, then the projection P_δ of the candidate recurrent matrix onto ‖W_hh‖₂ ≤ 2 − δ
    /// (the paper's method), 0 ≤ δ < 2.
    case project(delta: Double)
    /// Clipping, SGD, then the projection.
    case clipAndProject(maxNorm: Double, delta: Double)
    /// SGD, then spectral rescaling of the same block P_δ acts on: W_hh ← (2 − δ)/σ_1 · W_hh
    /// whenever σ_1 > 2 − δ (``SpectralRescaling``, as spectral normalisation does), 0 ≤ δ < 2.
    case rescale(delta: Double)

    /// The clipping threshold, if the method clips.
    public var maxNorm: Double? {
        switch self {
        case .clip(let m), .clipAndProject(let m, _): return m
        default: return nil
        }
    }

    /// δ, if the method bounds ‖W_hh‖₂ by 2 − δ (it projects or rescales).
    public var delta: Double? {
        switch self {
        case .project(let d), .clipAndProject(_, let d), .rescale(let d): return d
        default: return nil
        }
    }

    /// True when the method applies the projection P_δ (`.project`, `.clipAndProject`).
    public var projects: Bool {
        switch self {
        case .project, .clipAndProject: return true
        default: return false
        }
    }

    /// The factor PyTorch's `clip_grad_norm_` multiplies a gradient of norm ‖g‖ by:
    /// ``GradientClipping/coefficient(norm:maxNorm:)`` (maxNorm/(‖g‖ + 1e-6)) when that is below 1,
    /// else 1 (always 1 for methods that do not clip). A NaN norm gives 1, an infinite one 0.
    public func clipScale(gradientNorm norm: Double) -> Double {
        guard let c = maxNorm else { return 1 }
        return GradientClipping.coefficient(norm: norm, maxNorm: c) ?? 1
    }

    /// `sgd`, `clip(5.0)`, `project(δ=0.2)`, `clip(5.0)+project(δ=0.2)` or `rescale(δ=0.2)`: the spelling of logs
    /// and of ``RunConfiguration/fingerprint`` (so changing it invalidates saved checkpoints).
    public var description: String {
        switch self {
        case .none: return "sgd"
        case .clip(let m): return "clip(\(m))"
        case .project(let d): return "project(δ=\(d))"
        case .clipAndProject(let m, let d): return "clip(\(m))+project(δ=\(d))"
        case .rescale(let d): return "rescale(δ=\(d))"
        }
    }
}
