/// How an SGD step treats the gradient and the candidate recurrent matrix (NOTES §3).
public enum TrainingMethod: Equatable, Sendable, CustomStringConvertible {
    /// Plain SGD.
    case none
    /// Global-norm gradient clipping at `maxNorm` (PyTorch's `clip_grad_norm_`), then SGD.
    case clip(maxNorm: Double)
    /// SGD, then the projection P_δ of the candidate recurrent matrix (the paper's method).
    case project(delta: Double)
    /// Clipping, SGD, then the projection.
    case clipAndProject(maxNorm: Double, delta: Double)

    /// The clipping threshold, if the method clips.
    public var maxNorm: Double? {
        switch self {
        case .clip(let m), .clipAndProject(let m, _): return m
        default: return nil
        }
    }

    /// δ, if the method projects.
    public var delta: Double? {
        switch self {
        case .project(let d), .clipAndProject(_, let d): return d
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .none: return "sgd"
        case .clip(let m): return "clip(\(m))"
        case .project(let d): return "project(δ=\(d))"
        case .clipAndProject(let m, let d): return "clip(\(m))+project(δ=\(d))"
        }
    }
}
