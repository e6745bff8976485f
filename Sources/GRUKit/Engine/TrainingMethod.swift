/// How an SGD step treats the gradient and the candidate block W_hn (the-paper §3).
///
/// Everything a method is called lives here, once: ``description`` (the spelling of logs and
/// fingerprints: `sgd`, `clip(5.0)`, `project(δ=0.2)`), ``shortName`` (file and run names: `sgd`,
/// `clip5`, `project0.2`), ``label`` (tables and figure keys: `plain SGD`, `clipping at 5`),
/// ``family`` (what a tuning sweep compares) and ``knob`` (the tuned value: `c = 5`, `δ = 0.2`).
/// Plain SGD is spelled `sgd` everywhere (the command line also reads the older `none`).
public enum TrainingMethod: Equatable, Sendable, CustomStringConvertible {
    /// Plain SGD.
    case sgd
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

    /// Plain SGD, under its former name.
    @available(*, deprecated, renamed: "sgd")
    public static var none: TrainingMethod { .sgd }

    /// A kind of method without its knobs: what a tuning sweep picks the best knob within.
    public enum Family: String, CaseIterable, Sendable {
        /// Plain SGD.
        case sgd = "plain SGD"
        /// Gradient clipping.
        case clip = "clipping"
        /// The projection P_δ.
        case project = "projection"
        /// Clipping and the projection.
        case clipAndProject = "clipping + projection"
        /// Spectral rescaling.
        case rescale = "spectral rescaling"

        /// The family's name in tables: `plain SGD`, `clipping`, `projection`, … (its raw value).
        public var name: String { rawValue }
    }

    /// The method's ``Family``.
    public var family: Family {
        switch self {
        case .sgd: return .sgd
        case .clip: return .clip
        case .project: return .project
        case .clipAndProject: return .clipAndProject
        case .rescale: return .rescale
        }
    }

    /// The method in a file or run name: `sgd`, `clip5`, `project0.2`, `clip5+project0.2`,
    /// `rescale0.2` (numbers by ``RunConfiguration/number(_:)``: integers without a decimal point,
    /// other numbers as Swift prints them, e.g. `1e-05`).
    public var shortName: String {
        spelled(clip: { "clip" + RunConfiguration.number($0) }, bound: { $0 + RunConfiguration.number($1) })
    }

    /// The method as its parts joined by `+`: `clip` of the clipping threshold, then `bound` of the
    /// bounding step's name (`project` or `rescale`) and δ; `sgd` when there are none.
    private func spelled(clip: (Double) -> String, bound: (_ kind: String, _ delta: Double) -> String) -> String {
        let kind = family == .rescale ? "rescale" : "project"
        let parts = [maxNorm.map(clip), delta.map { bound(kind, $0) }].compactMap { $0 }
        return parts.isEmpty ? "sgd" : parts.joined(separator: "+")
    }

    /// The readable name of a run for tables and figure keys: `plain SGD`, `clipping at 5`,
    /// `P_δ, δ = 0.2`, `clipping + P_δ (5, δ = 0.2)`, `rescaling, δ = 0.2`.
    public var label: String {
        let n = RunConfiguration.number
        switch self {
        case .sgd: return "plain SGD"
        case .clip(let m): return "clipping at \(n(m))"
        case .project(let d): return "P_δ, δ = \(n(d))"
        case .clipAndProject(let m, let d): return "clipping + P_δ (\(n(m)), δ = \(n(d)))"
        case .rescale(let d): return "rescaling, δ = \(n(d))"
        }
    }

    /// The method's knobs as text: `c = 5`, `δ = 0.2`, `c = 5, δ = 0.2`, or `—` for plain SGD.
    public var knob: String {
        let parts = [maxNorm.map { "c = " + RunConfiguration.number($0) }, delta.map { "δ = " + RunConfiguration.number($0) }]
        let text = parts.compactMap { $0 }.joined(separator: ", ")
        return text.isEmpty ? "—" : text
    }

    /// The one value a tuning sweep varies within the method's family: the clipping threshold c or
    /// δ; nil for plain SGD and for clipping + projection (two knobs).
    public var knobValue: Double? {
        family == .clipAndProject ? nil : maxNorm ?? delta
    }

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
        spelled(clip: { "clip(\($0))" }, bound: { "\($0)(δ=\($1))" })
    }
}
