/// Everything that determines a training run, and so everything a checkpoint must agree with
/// before `--resume` may continue it (see ``fingerprint``).
public struct RunConfiguration: Sendable, Equatable {
    /// The run's name: its log is `runs/NAME.jsonl`, its checkpoint `runs/NAME.checkpoint.safetensors`.
    /// Letters, digits, `.`, `-`, `_`, `+`.
    public var name: String
    /// Plain SGD, clipping, projection or both, with their thresholds.
    public var method: TrainingMethod
    /// η per epoch: η₀, the epochs at η₀ and the decay divisor.
    public var schedule: LearningRateSchedule
    /// The number of epochs to train for.
    public var epochs: Int
    /// The seed of the model's initialisation (and, derived from it, of dropout and shuffling).
    public var seed: UInt64
    /// The GRU form of the model.
    public var cell: GRUCell
    /// H, the GRU's hidden units.
    public var hiddenSize: Int
    /// Mini-batch size B (parallel streams, or tunes per batch).
    public var batchSize: Int
    /// Truncated-BPTT window length T.
    public var steps: Int
    /// Dropout probability on the non-recurrent connections.
    public var dropout: Double
    /// A log record (with ‖W_hh‖₂ and ρ(J), which cost an SVD and an eigen-decomposition) every
    /// `logEvery` iterations.
    public var logEvery: Int
    /// At most this many training windows per epoch (nil: all); for tests and quick runs.
    public var windowLimit: Int?
    /// A window loss above this bound counts as divergence (nil: only non-finite values do).
    public var divergenceLoss: Double?
    /// Task settings that also determine the run (corpus slice, embedding size, …), as
    /// key/value text; part of the fingerprint.
    public var details: [String: String]

    /// A run configuration; the defaults are seed 1, the reset-after form, no dropout, a log record
    /// every 10 iterations, all windows, and divergence only on non-finite values.
    /// - Precondition: ``isValidName(_:)`` holds for `name`; epochs, hiddenSize, batchSize, steps
    ///   and logEvery are ≥ 1. Validate user input before (`TrainingOptions.validate()`).
    public init(name: String, method: TrainingMethod, schedule: LearningRateSchedule, epochs: Int, seed: UInt64 = 1,
                cell: GRUCell = .resetAfter, hiddenSize: Int, batchSize: Int, steps: Int, dropout: Double = 0,
                logEvery: Int = 10, windowLimit: Int? = nil, divergenceLoss: Double? = nil, details: [String: String] = [:]) {
        precondition(RunConfiguration.isValidName(name), "RunConfiguration: the name \(name) must be letters, digits, . - _ +")
        precondition(epochs >= 1 && hiddenSize >= 1 && batchSize >= 1 && steps >= 1 && logEvery >= 1,
                     "RunConfiguration: epochs, sizes and logEvery must be positive")
        self.name = name; self.method = method; self.schedule = schedule; self.epochs = epochs; self.seed = seed
        self.cell = cell; self.hiddenSize = hiddenSize; self.batchSize = batchSize; self.steps = steps
        self.dropout = dropout; self.logEvery = logEvery; self.windowLimit = windowLimit
        self.divergenceLoss = divergenceLoss; self.details = details
    }

    /// Whether `name` can name a run's files: non-empty, not starting with `.` (no hidden files,
    /// no `..`), and only ASCII letters, digits, `.`, `-`, `_`, `+` (no path separators).
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix(".") && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-+".contains($0)) }
    }

    /// The initial learning rate η₀.
    public var learningRate: Double { schedule.initial }

    /// A conventional run name, ``TrainingMethod/shortName`` + `-lr` + η₀: `sgd-lr10`, `clip5-lr10`,
    /// `project0.2-lr10`, `clip5+project0.2-lr10`. Always valid by ``isValidName(_:)``.
    public static func name(method: TrainingMethod, learningRate: Double) -> String {
        "\(method.shortName)-lr\(number(learningRate))"
    }

    /// A number as short text: `10`, `0.2`, `1e-05`, `1e+20`. Integers below 10^15 print without a
    /// decimal point; every other value as Swift prints it, so no value (however large) is converted
    /// to an integer type, which would trap from 2^63 on.
    public static func number(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : "\(x)"
    }

    /// Every setting except `epochs` (a finished run may be extended), as `key=value` lines in a
    /// fixed order, then the ``details`` sorted by key. The seed is part of it, so two runs with
    /// equal fingerprints produce identical numbers (on the same machine and BLAS thread count:
    /// a different summation order in BLAS changes the last bits).
    public var fingerprint: String {
        var pairs: [(String, String)] = [
            ("name", name), ("method", method.description), ("schedule.initial", "\(schedule.initial)"),
            ("schedule.constantEpochs", "\(schedule.constantEpochs)"), ("schedule.decay", "\(schedule.decay)"),
            ("seed", "\(seed)"), ("cell", cell.rawValue), ("hiddenSize", "\(hiddenSize)"), ("batchSize", "\(batchSize)"),
            ("steps", "\(steps)"), ("dropout", "\(dropout)"), ("logEvery", "\(logEvery)"),
            ("windowLimit", windowLimit.map(String.init) ?? "all"),
            ("divergenceLoss", divergenceLoss.map { "\($0)" } ?? "none"),
        ]
        pairs += details.keys.sorted().map { ($0, details[$0]!) }
        return pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "\n")
    }
}
