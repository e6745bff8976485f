import ArgumentParser
import GRUKit
import GRUKitPresentation

/// The command-line options of the training chapters (5, 6, 7), shared so that every chapter
/// spells them alike. Options left unset take the chapter's default for its `--scale`.
package struct TrainingOptions: ParsableArguments {
    /// `--method m`: the method of a single run (sgd, clip, project, clip+project, rescale); nil takes
    /// the chapter's default. Not allowed with `--sweep`.
    @Option(help: ArgumentHelp("Training method of a single run: sgd (plain SGD; also read as none), clip, project, clip+project or rescale.", valueName: "method"))
    package var method: MethodName?

    /// `--clip x`: the global-norm threshold of clip and clip+project, x > 0 and finite
    /// (checked by ``validate()``); nil takes the chapter's default.
    @Option(parsing: .unconditional, help: ArgumentHelp("Gradient-clipping threshold (global norm) for clip and clip+project.", valueName: "x"))
    package var clip: Double?

    /// `--delta δ`: the projection's margin, ‖W_hh‖₂ ≤ 2 − δ, 0 < δ < 2 (checked by ``validate()``;
    /// δ = 0 would allow the bifurcation point itself); nil takes the chapter's default.
    @Option(parsing: .unconditional, help: ArgumentHelp("δ of the projection: ‖W_hh‖₂ ≤ 2 − δ (project and clip+project).", valueName: "δ"))
    package var delta: Double?

    /// `--lr η`: the initial learning rate η₀ of a single run, η > 0 and finite; nil takes the
    /// chapter's default. Not allowed with `--sweep` (use `--lrs`).
    @Option(parsing: .unconditional, help: ArgumentHelp("Initial learning rate η₀ of a single run.", valueName: "η"))
    package var lr: Double?

    /// `--epochs n`: epochs to train, n ≥ 1 (a resumed run may be given more than before).
    @Option(parsing: .unconditional, help: ArgumentHelp("Epochs to train.", valueName: "n"))
    package var epochs: Int?

    /// `--hidden n`: the GRU's hidden units H, n ≥ 1.
    @Option(parsing: .unconditional, help: ArgumentHelp("Hidden units of the GRU.", valueName: "n"))
    package var hidden: Int?

    /// `--cell form`: `reset-after` (PyTorch/cuDNN) or `reset-before` (the paper's equations).
    @Option(help: ArgumentHelp("GRU form: reset-after (PyTorch/cuDNN) or reset-before (the paper's).", valueName: "form"))
    package var cell: GRUCell?

    /// `--sweep`: train the grid `--methods` × `--lrs` and write the results table. The training
    /// chapters sweep whenever neither `--method` nor `--lr` is given; the flag is what
    /// ``validate()`` requires before it accepts `--methods` and `--lrs`, and it excludes
    /// `--method` and `--lr`.
    @Flag(help: "Train a grid of methods × learning rates (--methods, --lrs) and write the results table.")
    package var sweep = false

    /// `--methods list`: the sweep's methods, comma-separated names of ``MethodName``; parsed by
    /// ``parseMethods(_:)``. Only with `--sweep`.
    @Option(parsing: .unconditional, help: ArgumentHelp("Methods of the sweep, comma-separated (e.g. sgd,clip,project,clip+project; none is read as sgd).", valueName: "list"))
    package var methods: CommaList<String>?

    /// `--lrs list`: the sweep's learning rates, comma-separated positive numbers; parsed by
    /// ``parseRates(_:)``. Only with `--sweep`.
    @Option(parsing: .unconditional, help: ArgumentHelp("Learning rates of the sweep, comma-separated (e.g. 1,10).", valueName: "list"))
    package var lrs: CommaList<String>?

    /// `--seeds n` or `--seeds a,b,c`: train every configuration of the sweep once per seed — seeds
    /// 1…n for a count, the listed seeds for a list — and tabulate the mean and 95 % interval over
    /// them (``SeedSummary``); parsed by ``parseSeeds(_:)``. nil takes the chapter's default.
    @Option(parsing: .unconditional, help: ArgumentHelp("Seeds of every configuration: a count n (seeds 1…n) or a comma-separated list (e.g. 1,2,7).", valueName: "n|list"))
    package var seeds: String?

    /// `--tune`: the matched comparison (``TunedComparison``): at every learning rate, plain SGD,
    /// clipping at every threshold of ``TunedComparison/clipGrid`` and the projection at every δ of
    /// ``TunedComparison/deltaGrid``, each over the seeds; the chapter adds the table of the
    /// best-tuned methods. Replaces `--methods`, `--clip` and `--delta`.
    @Flag(help: "Tune each method's knob at every learning rate (--clips, --deltas; the scale's grids by default) and compare the best-tuned methods.")
    package var tune = false

    /// `--clips list`: the clipping thresholds `--tune` tries, comma-separated positive numbers;
    /// nil takes the scale's grid (``PennTreebankSetting/clipGrid``). Only with `--tune`.
    @Option(parsing: .unconditional, help: ArgumentHelp("Clipping thresholds that --tune tries, comma-separated (e.g. 0.1,0.25,1,5).", valueName: "list"))
    package var clips: CommaList<String>?

    /// `--deltas list`: the projection margins `--tune` tries, comma-separated, each 0 < δ < 2; nil
    /// takes the scale's grid (``PennTreebankSetting/deltaGrid``). Only with `--tune`.
    @Option(parsing: .unconditional, help: ArgumentHelp("Projection margins δ that --tune tries, comma-separated (e.g. 0.1,0.5).", valueName: "list"))
    package var deltas: CommaList<String>?

    /// `--jobs n`: train n configurations of a sweep at once, each in its own process with its
    /// share of the BLAS threads (``SweepJobs``); nil takes ``SweepJobs/defaultJobs``.
    @Option(parsing: .unconditional, help: ArgumentHelp("Configurations of a sweep trained at once, each in its own process on its share of the cores (default: \(SweepJobs.defaultJobs)).", valueName: "n"))
    package var jobs: Int?

    /// `--resume`: continue each run from its checkpoint in the output folder when the checkpoint
    /// has the same configuration (see ``Trainer``); otherwise runs start afresh.
    @Flag(help: "Continue runs from their checkpoints in the output folder (runs/NAME.checkpoint.safetensors).")
    package var resume = false

    /// `--stop-after n`: stop every run once n epochs have completed in total, leaving a
    /// checkpoint for `--resume` (n ≥ 1; ``Trainer/stopAfterEpochs``).
    @Option(name: .customLong("stop-after"), parsing: .unconditional, help: ArgumentHelp("Stop every run after this many epochs (resume later with --resume).", valueName: "n"))
    package var stopAfter: Int?

    /// `--limit-windows n`: at most n training windows per epoch, n ≥ 1 (for tests and smoke
    /// runs; ``RunConfiguration/windowLimit``).
    @Option(name: .customLong("limit-windows"), parsing: .unconditional, help: ArgumentHelp("At most this many training windows per epoch (for tests).", valueName: "n"))
    package var limitWindows: Int?

    /// `--log-every n`: a log record every n iterations, n ≥ 1; each one costs an SVD and an
    /// eigen-decomposition of W_hh (``RunConfiguration/logEvery``).
    @Option(name: .customLong("log-every"), parsing: .unconditional, help: ArgumentHelp("A log record (with ‖W_hh‖₂ and ρ(J)) every n iterations.", valueName: "n"))
    package var logEvery: Int?

    /// `--divergence-loss x`: a window loss above x > 0 ends the run as diverged
    /// (``RunConfiguration/divergenceLoss``); nil takes the chapter's default.
    @Option(name: .customLong("divergence-loss"), parsing: .unconditional, help: ArgumentHelp("A window loss above this counts as divergence (default: 10× the loss of a uniform guess).", valueName: "x"))
    package var divergenceLoss: Double?

    /// Every option unset (the chapter's defaults). Required by `ParsableArguments`; the parser
    /// fills the options.
    package init() {}

    /// A method's command-line name. Plain SGD is `sgd`, as in the logs and run names; the older
    /// spelling `none` still reads as `sgd`, so earlier commands keep working.
    package enum MethodName: String, ExpressibleByArgument, CaseIterable, Sendable {
        /// `sgd`: plain SGD (``TrainingMethod/sgd``); `clip`: gradient clipping, then SGD
        /// (``TrainingMethod/clip(maxNorm:)``); `project`: SGD, then the projection P_δ
        /// (``TrainingMethod/project(delta:)``).
        case sgd, clip, project
        /// `clip+project`: both (``TrainingMethod/clipAndProject(maxNorm:delta:)``).
        case clipAndProject = "clip+project"
        /// `rescale`: SGD, then spectral rescaling to ‖W_hh‖₂ ≤ 2 − δ (``TrainingMethod/rescale(delta:)``).
        case rescale

        /// Plain SGD under its former command-line name.
        @available(*, deprecated, renamed: "sgd")
        package static var none: MethodName { .sgd }

        /// The method spelled `argument`: a raw value (`sgd`, `clip`, `project`, `clip+project`,
        /// `rescale`), or `none`, the former spelling of `sgd`.
        package init?(argument: String) {
            if argument == "none" { self = .sgd } else { self.init(rawValue: argument) }
        }
    }

    /// The method `name` with threshold `clip` and δ (each used only by the methods that need it).
    /// Nothing is checked here: the values come from validated options or a chapter's defaults.
    package static func method(_ name: MethodName, clip: Double, delta: Double) -> TrainingMethod {
        switch name {
        case .sgd: return .sgd
        case .clip: return .clip(maxNorm: clip)
        case .project: return .project(delta: delta)
        case .clipAndProject: return .clipAndProject(maxNorm: clip, delta: delta)
        case .rescale: return .rescale(delta: delta)
        }
    }

    /// What the training chapters train, from these options: one run (`--method` or `--lr` given), or
    /// the grid `--methods` × `--lrs` × `--seeds`, with `--tune` replacing the methods by plain SGD,
    /// clipping at every threshold of `--clips` and the projection at every δ of `--deltas`
    /// (``TunedComparison/methods(clips:deltas:)``). What is not given comes from the chapter's
    /// setting for its scale: `methods`, `rates`, seeds 1…`seedCount` (a single run, or a count of
    /// 1, takes `--seed` alone) and the tuning grids.
    package func selection(seed: UInt64, clip: Double, delta: Double, methods defaultMethods: [MethodName], rates defaultRates: [Double],
                           seedCount: Int, clipGrid: [Double], deltaGrid: [Double]) throws
        -> (methods: [TrainingMethod], rates: [Double], seeds: [UInt64]) {
        let single = method != nil || lr != nil
        let names = single ? [method ?? .sgd] : try methods.map { try Self.parseMethods($0) } ?? defaultMethods
        let rates = single ? [lr ?? 1] : try lrs.map { try Self.parseRates($0) } ?? defaultRates
        let seeds = try self.seeds.map(Self.parseSeeds) ?? (single || seedCount == 1 ? [seed] : (1 ... seedCount).map(UInt64.init))
        let clips = try self.clips.map { try Self.parseKnobs($0, flag: "--clips") } ?? clipGrid
        let deltas = try self.deltas.map { try Self.parseKnobs($0, flag: "--deltas") } ?? deltaGrid
        let trainingMethods = tune ? TunedComparison.methods(clips: clips, deltas: deltas)
                                   : names.map { Self.method($0, clip: clip, delta: delta) }
        return (trainingMethods, rates, seeds)
    }

    /// Parses `--clips` or `--deltas`: comma-separated distinct positive finite numbers (for
    /// `--deltas` also below 2: ‖W_hh‖₂ ≤ 2 − δ must leave a positive bound).
    /// - Throws: `ValidationError` naming the flag and the entry.
    package static func parseKnobs(_ text: String, flag: String) throws -> [Double] {
        try parseKnobs(CommaList(argument: text)!, flag: flag)
    }

    /// ``parseKnobs(_:flag:)`` of a parsed list.
    package static func parseKnobs(_ list: CommaList<String>, flag: String) throws -> [Double] {
        var seen: Set<Double> = []
        return try list.entries(flag: flag, what: "value").map { t in
            guard let x = Double(t), x > 0, x.isFinite else { throw ValidationError("\(flag): \"\(t)\" is not a positive number") }
            if flag == "--deltas", let problem = SpectralProjection.deltaProblem(x) { throw ValidationError("\(flag): δ = \(t) \(problem)") }
            guard seen.insert(x).inserted else { throw ValidationError("\(flag): \(t) is listed twice (each value names one run)") }
            return x
        }
    }

    /// Parses `--methods`: comma-separated ``MethodName`` spellings, spaces around entries
    /// ignored, e.g. `sgd,clip, project` → [.sgd, .clip, .project] (`none` is read as `sgd`).
    /// - Throws: `ValidationError` naming the flag when the list is empty (`--methods ,`: a sweep
    ///   that trains nothing), an entry is empty or unknown, or a method is listed twice (two runs
    ///   would share one log and checkpoint). swift-argument-parser prints it with the usage and
    ///   exits with status 64.
    package static func parseMethods(_ text: String) throws -> [MethodName] {
        try parseMethods(CommaList(argument: text)!)
    }

    /// ``parseMethods(_:)`` of a parsed list.
    package static func parseMethods(_ list: CommaList<String>) throws -> [MethodName] {
        let methods = try list.entries(flag: "--methods", what: "method").map { t in
            guard let m = MethodName(argument: t) else {
                throw ValidationError("--methods: \"\(t)\" is not one of \(MethodName.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return m
        }
        var seen: Set<MethodName> = []
        for m in methods where !seen.insert(m).inserted {
            throw ValidationError("--methods: \"\(m.rawValue)\" is listed twice (each method names one run)")
        }
        return methods
    }

    /// Parses `--lrs`: comma-separated positive finite numbers, e.g. `1,10` → [1, 10]; spaces
    /// around entries ignored.
    /// - Throws: `ValidationError` naming the flag when the list or an entry is empty, an entry is
    ///   not a positive number, or two entries are the same rate (`1,1.0`: both runs would be
    ///   named `…-lr1`).
    package static func parseRates(_ text: String) throws -> [Double] {
        try parseRates(CommaList(argument: text)!)
    }

    /// ``parseRates(_:)`` of a parsed list.
    package static func parseRates(_ list: CommaList<String>) throws -> [Double] {
        let items = try list.entries(flag: "--lrs", what: "learning rate")
        var seen: [Double: String] = [:]
        return try items.map { t in
            guard let x = Double(t), x > 0, x.isFinite else { throw ValidationError("--lrs: \"\(t)\" is not a positive number") }
            if let first = seen[x] {
                throw ValidationError("--lrs: \"\(first)\" and \"\(t)\" are the same learning rate (each rate names one run)")
            }
            seen[x] = t
            return x
        }
    }

    /// Parses `--seeds`: a count n ≥ 1 (seeds 1…n), or a comma-separated list of distinct
    /// non-negative integers (a list needs a comma: `--seeds 7,` is seed 7 alone).
    /// - Throws: `ValidationError` naming the flag when the count is below 1 or above 1000, an entry
    ///   is not a non-negative integer, or a seed is listed twice (both runs would share one name).
    package static func parseSeeds(_ text: String) throws -> [UInt64] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if !trimmed.contains(",") {
            guard let n = Int(trimmed), n >= 1, n <= 1000 else {
                throw ValidationError("--seeds: \"\(text)\" is neither a count from 1 to 1000 nor a comma-separated list of seeds")
            }
            return (1 ... n).map(UInt64.init)
        }
        var items = CommaList<String>.split(text)
        if items.last == "" && items.count == 2 { items.removeLast() }   // `7,`: one seed
        if items.contains("") { throw ValidationError("--seeds: \"\(text)\" has an empty entry") }
        var seen: Set<UInt64> = []
        return try items.map { t in
            guard let s = UInt64(t) else { throw ValidationError("--seeds: \"\(t)\" is not a non-negative integer") }
            guard seen.insert(s).inserted else { throw ValidationError("--seeds: seed \(s) is listed twice (each seed names one run)") }
            return s
        }
    }

    /// Checks the ranges of the numeric options and their combinations (called from a chapter's
    /// `validate()`, so a bad value is reported with the flag's name before anything runs):
    /// --clip, --lr > 0 and finite; 0 < --delta < 2; --epochs, --hidden, --stop-after,
    /// --limit-windows, --log-every ≥ 1; --divergence-loss > 0; --methods and --lrs parse and come
    /// only with --sweep; --method and --lr never with --sweep.
    /// - Throws: `ValidationError` naming the flag and the value.
    package func validate() throws {
        if let clip, !(clip > 0 && clip.isFinite) { throw ValidationError("--clip must be a positive number (got \(clip)).") }
        if let delta, let problem = SpectralProjection.deltaProblem(delta) { throw ValidationError("--delta \(problem).") }
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be a positive number (got \(lr)).") }
        for (flag, value) in [("--epochs", epochs), ("--hidden", hidden), ("--stop-after", stopAfter),
                              ("--limit-windows", limitWindows), ("--log-every", logEvery)] {
            if let value, value < 1 { throw ValidationError("\(flag) must be at least 1 (got \(value)).") }
        }
        if let divergenceLoss, !(divergenceLoss > 0) { throw ValidationError("--divergence-loss must be positive (got \(divergenceLoss)).") }
        if let methods { _ = try Self.parseMethods(methods) }
        if let lrs { _ = try Self.parseRates(lrs) }
        if let seeds { _ = try Self.parseSeeds(seeds) }
        if let clips { _ = try Self.parseKnobs(clips, flag: "--clips") }
        if let deltas { _ = try Self.parseKnobs(deltas, flag: "--deltas") }
        if !tune, clips != nil || deltas != nil { throw ValidationError("--clips and --deltas are the grids of --tune.") }
        if let jobs, !(1 ... 64).contains(jobs) { throw ValidationError("--jobs must be from 1 to 64 (got \(jobs)).") }
        if !sweep && !tune, methods != nil || lrs != nil { throw ValidationError("--methods and --lrs belong to --sweep.") }
        if tune, method != nil || lr != nil || methods != nil || clip != nil || delta != nil {
            throw ValidationError("--tune trains every method over its own grid of knobs; it excludes --method, --lr, --methods, --clip and --delta.")
        }
        if sweep, method != nil || lr != nil { throw ValidationError("--method and --lr name a single run; with --sweep use --methods and --lrs.") }
    }
}

/// `--cell reset-after` / `--cell reset-before`: the engine's form, spelled by its raw value.
extension GRUCell: ExpressibleByArgument {}
