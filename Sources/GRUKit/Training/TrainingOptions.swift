import ArgumentParser

/// The command-line options of the training chapters (5, 6, 7), shared so that every chapter
/// spells them alike. Options left unset take the chapter's default for its `--scale`.
public struct TrainingOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Training method of a single run: none, clip, project or clip+project.", valueName: "method"))
    public var method: MethodName?

    @Option(help: ArgumentHelp("Gradient-clipping threshold (global norm) for clip and clip+project.", valueName: "x"))
    public var clip: Double?

    @Option(help: ArgumentHelp("δ of the projection: ‖W_hh‖₂ ≤ 2 − δ (project and clip+project).", valueName: "δ"))
    public var delta: Double?

    @Option(help: ArgumentHelp("Initial learning rate η₀ of a single run.", valueName: "η"))
    public var lr: Double?

    @Option(help: ArgumentHelp("Epochs to train.", valueName: "n"))
    public var epochs: Int?

    @Option(help: ArgumentHelp("Hidden units of the GRU.", valueName: "n"))
    public var hidden: Int?

    @Option(help: ArgumentHelp("GRU form: reset-after (PyTorch/cuDNN) or reset-before (the paper's).", valueName: "form"))
    public var cell: CellName?

    @Flag(help: "Train a grid of methods × learning rates (--methods, --lrs) and write the results table.")
    public var sweep = false

    @Option(help: ArgumentHelp("Methods of the sweep, comma-separated (e.g. none,clip,project,clip+project).", valueName: "list"))
    public var methods: String?

    @Option(help: ArgumentHelp("Learning rates of the sweep, comma-separated (e.g. 1,10).", valueName: "list"))
    public var lrs: String?

    @Flag(help: "Continue runs from their checkpoints in the output folder (runs/NAME.checkpoint.safetensors).")
    public var resume = false

    @Option(name: .customLong("stop-after"), help: ArgumentHelp("Stop every run after this many epochs (resume later with --resume).", valueName: "n"))
    public var stopAfter: Int?

    @Option(name: .customLong("limit-windows"), help: ArgumentHelp("At most this many training windows per epoch (for tests).", valueName: "n"))
    public var limitWindows: Int?

    @Option(name: .customLong("log-every"), help: ArgumentHelp("A log record (with ‖W_hh‖₂ and ρ(J)) every n iterations.", valueName: "n"))
    public var logEvery: Int?

    @Option(name: .customLong("divergence-loss"), help: ArgumentHelp("A window loss above this counts as divergence (default: 10× the loss of a uniform guess).", valueName: "x"))
    public var divergenceLoss: Double?

    public init() {}

    /// A method's command-line name.
    public enum MethodName: String, ExpressibleByArgument, CaseIterable, Sendable {
        case none, clip, project
        case clipAndProject = "clip+project"
    }

    /// A GRU form's command-line name.
    public enum CellName: String, ExpressibleByArgument, CaseIterable, Sendable {
        case resetAfter = "reset-after"
        case resetBefore = "reset-before"
        public var cell: GRUCell { self == .resetAfter ? .resetAfter : .resetBefore }
    }

    /// The method `name` with threshold `clip` and δ.
    public static func method(_ name: MethodName, clip: Double, delta: Double) -> TrainingMethod {
        switch name {
        case .none: return .none
        case .clip: return .clip(maxNorm: clip)
        case .project: return .project(delta: delta)
        case .clipAndProject: return .clipAndProject(maxNorm: clip, delta: delta)
        }
    }

    /// Parses `--methods`.
    /// - Throws: `ValidationError` naming the flag and the bad entry.
    public static func parseMethods(_ text: String) throws -> [MethodName] {
        try text.split(separator: ",").map { s in
            let t = s.trimmingCharacters(in: .whitespaces)
            guard let m = MethodName(rawValue: t) else {
                throw ValidationError("--methods: \"\(t)\" is not one of \(MethodName.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return m
        }
    }

    /// Parses `--lrs` (positive numbers).
    /// - Throws: `ValidationError` naming the flag and the bad entry.
    public static func parseRates(_ text: String) throws -> [Double] {
        try text.split(separator: ",").map { s in
            let t = s.trimmingCharacters(in: .whitespaces)
            guard let x = Double(t), x > 0, x.isFinite else { throw ValidationError("--lrs: \"\(t)\" is not a positive number") }
            return x
        }
    }

    /// Checks the ranges of the numeric options (called from a chapter's `validate()`).
    public func validate() throws {
        if let clip, !(clip > 0 && clip.isFinite) { throw ValidationError("--clip must be a positive number (got \(clip)).") }
        if let delta, !(delta > 0 && delta < 2) { throw ValidationError("--delta must lie in (0, 2) (got \(delta)).") }
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be a positive number (got \(lr)).") }
        for (flag, value) in [("--epochs", epochs), ("--hidden", hidden), ("--stop-after", stopAfter),
                              ("--limit-windows", limitWindows), ("--log-every", logEvery)] {
            if let value, value < 1 { throw ValidationError("\(flag) must be at least 1 (got \(value)).") }
        }
        if let divergenceLoss, !(divergenceLoss > 0) { throw ValidationError("--divergence-loss must be positive (got \(divergenceLoss)).") }
        if let methods { _ = try Self.parseMethods(methods) }
        if let lrs { _ = try Self.parseRates(lrs) }
        if !sweep, methods != nil || lrs != nil { throw ValidationError("--methods and --lrs belong to --sweep.") }
        if sweep, method != nil || lr != nil { throw ValidationError("--method and --lr name a single run; with --sweep use --methods and --lrs.") }
    }
}
