import ArgumentParser
import Foundation
import GRUKit
import GRUKitChapterSupport
import GRUKitPresentation

/// Chapter 5, Penn Treebank: the paper's word-level language model trained with plain SGD, clipping
/// and the projection, over seeds (``Chapter05/Experiment``), and the standard- and paper-scale
/// sections drawn from committed logs (``Chapter05/StandardScaleSection``,
/// ``Chapter05/PaperScaleSection``).
public enum Chapter05 {
    /// The paper's mini-batch (streams) and truncated-BPTT window.
    package static let batchSize = 20, bptt = 35
    /// The chapter's folder name, `figures/05-penn-treebank` by default.
    package static let slug = "05-penn-treebank"

    /// A training console whose every line — the PyTorch-style lines of each run, its epoch ends,
    /// divergences and test results — goes to standard error, like the bar: the chapter's standard
    /// output (and so its book page) carries summaries only. When standard error is a terminal the
    /// bar alone is drawn there; otherwise (a log, a test) the lines are written there instead.
    /// Chapter 6 uses it too.
    package static func progressConsole(unit: String) -> TrainingConsole {
        let stderrIsTerminal = isatty(STDERR_FILENO) == 1
        // "Standard output is a terminal" stands for "the bar already says it": the lines are printed
        // exactly when no bar is drawn.
        return TrainingConsole(unit: unit, output: ProgressOutput(isTerminal: { _ in stderrIsTerminal },
                                                                  lines: StandardError.write))
    }

    /// One line of a sweep's outcome: how many runs trained to the end, stopped early or diverged.
    package static func outcomeLine(_ results: [RunResult], inChildren: Bool = false) -> String {
        let diverged = results.filter(\.diverged).count
        let finished = results.filter { $0.status == .completed }.count
        var parts = ["\(finished) trained to the end"]
        if diverged > 0 { parts.append("\(diverged) diverged") }
        if results.count - diverged - finished > 0 { parts.append("\(results.count - diverged - finished) stopped early") }
        return "\(results.count) run\(results.count == 1 ? "" : "s"): " + parts.joined(separator: ", ")
            + (inChildren ? " (each run's console lines went to runs/NAME.out, its log to runs/NAME.jsonl)"
                          : " (each run's console lines went to standard error; its log is runs/NAME.jsonl)")
    }

    /// The files a chapter wrote, one line per folder and stem: `figures/05-penn-treebank/valid-perplexity.{gp,dat,png}`
    /// for the files of one figure, so that the list stays short.
    package static func fileList(_ urls: [URL]) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        var order: [String] = [], extensions: [String: [String]] = [:]
        for url in urls {
            let path = url.standardizedFileURL.path
            let shown = path.hasPrefix(cwd + "/") ? String(path.dropFirst(cwd.count + 1)) : path
            let ext = (shown as NSString).pathExtension, stem = ext.isEmpty ? shown : String(shown.dropLast(ext.count + 1))
            if extensions[stem] == nil { order.append(stem); extensions[stem] = [] }
            if !extensions[stem]!.contains(ext) { extensions[stem]!.append(ext) }
        }
        return order.map { stem in
            let e = extensions[stem]!.filter { !$0.isEmpty }
            return "  " + stem + (e.isEmpty ? "" : e.count == 1 ? "." + e[0] : ".{" + e.joined(separator: ",") + "}")
        }.joined(separator: "\n")
    }

    /// Prints the "Files written" section with ``fileList(_:)``.
    package static func reportFiles(_ urls: [URL], report: Report) {
        guard !urls.isEmpty else { return }
        report.section("Files written")
        report.note(fileList(urls))
    }
}

extension Chapter05 {
    /// The chapter's command line: the shared option groups and its own flags, with their checks.
    package struct Options: ParsableArguments {
        @OptionGroup package var common: ChapterOptions
        @OptionGroup package var data: DataOptions
        @OptionGroup package var training: TrainingOptions
        @OptionGroup(title: "Slurm") package var slurm: SlurmOptions

        @Option(name: .customLong("train-tokens"), parsing: .unconditional, help: ArgumentHelp("Train on the first n training tokens (quick: 60000; paper: all).", valueName: "n"))
        package var trainTokens: Int?

        @Option(name: .customLong("eval-tokens"), parsing: .unconditional, help: ArgumentHelp("Evaluate on the first n validation and test tokens (quick: 10000; paper: all).", valueName: "n"))
        package var evalTokens: Int?

        @Option(parsing: .unconditional, help: ArgumentHelp("Embedding size (default: the hidden size, as in the paper).", valueName: "n"))
        package var embedding: Int?

        @Option(name: .customLong("from-logs"), help: ArgumentHelp(
            "Also draw the paper-scale section from the training logs (NAME.jsonl) in this folder, without training them (make uses results/ptb-paper).",
            valueName: "dir"))
        package var fromLogs: String?

        @Option(name: .customLong("standard-logs"), help: ArgumentHelp(
            "Also draw the standard-scale section from the logs of the standard grid in this folder, without training them (make uses results/ptb-standard).",
            valueName: "dir"))
        package var standardLogs: String?

        @Flag(name: .customLong("skip-sweep"), help: "Do not train the sweep: only draw the sections of --from-logs and --standard-logs.")
        package var skipSweep = false

        package init() {}

        package mutating func validate() throws {
            if skipSweep && fromLogs == nil && standardLogs == nil {
                throw ValidationError("--skip-sweep leaves nothing to do without --from-logs DIR or --standard-logs DIR.")
            }
            try common.requireScale([.quick, .standard, .paper])
            try training.validate()
            try slurm.validate()
            // One task of a sweep (a child of --jobs, a Slurm array task) trains its configuration only:
            // the sections read from committed logs are the parent's to draw, once.
            if slurm.trainsOneConfiguration { fromLogs = nil; standardLogs = nil }
            for (flag, v) in [("--train-tokens", trainTokens), ("--eval-tokens", evalTokens), ("--embedding", embedding)] {
                if let v, v < 1 { throw ValidationError("\(flag) must be at least 1 (got \(v)).") }
            }
            // The sizes the flags fix, with the vocabulary's share left for the experiment, which knows it.
            let hidden = training.hidden ?? PennTreebankSetting.at(common.scale).hidden, e = embedding ?? hidden
            let bytes = MemoryEstimate.languageModel(vocabulary: 1, embedding: e, hidden: hidden, batch: batchSize, steps: bptt)
            if let refusal = MemoryEstimate.refusal(bytes: bytes, flags: "--hidden or --embedding") {
                throw ValidationError("--hidden \(hidden) with --embedding \(e): \(refusal).")
            }
        }
    }
}

extension Chapter05 {
    /// The sweep the options ask for (the quick default, a scale, one run or `--tune`), on the PTB
    /// slices it trains on, and what the chapter does with its results: the table, the figures and
    /// the values the prose cites.
    package struct Experiment {
        package let options: Options
        package let setting: PennTreebankSetting
        package let hidden: Int, embeddingSize: Int, epochs: Int
        package let clip: Double, delta: Double
        package let cell: GRUCell
        package let ptb: PennTreebank
        /// The token streams the runs train, validate and test on (prefixes of PTB's splits).
        package let train: [Int32], valid: [Int32], test: [Int32]
        package let seeds: [UInt64], rates: [Double]
        /// A window loss above this counts as divergence.
        package let bound: Double
        package let sweep: Sweep
        package let output: ChapterOutput
        /// The runs' logs and checkpoints: `runs/` in the output folder.
        package var runs: URL { output.directory.appendingPathComponent("runs") }
        package var vocabulary: Int { ptb.vocabulary.count }
        package var settingName: String { options.common.scale == .paper ? "paper protocol" : "\(options.common.scale.rawValue) setting" }

        /// Reads PTB, refuses a model that does not fit in memory, then makes the output folder (a
        /// refused run leaves nothing behind) and the grid of runs.
        package init(options: Options) throws {
            self.options = options
            let training = options.training
            setting = PennTreebankSetting.at(options.common.scale)
            hidden = training.hidden ?? setting.hidden
            embeddingSize = options.embedding ?? hidden
            epochs = training.epochs ?? setting.epochs
            clip = training.clip ?? 5
            delta = training.delta ?? 0.2
            cell = training.cell ?? .resetAfter
            ptb = try PennTreebank(directory: options.data.directory)
            func slice(_ tokens: [Int32], _ limit: Int?) -> [Int32] { limit.map { Array(tokens.prefix($0)) } ?? tokens }
            let evalLimit = options.evalTokens ?? setting.evalTokens
            train = slice(ptb.train, options.trainTokens ?? setting.trainTokens)
            valid = slice(ptb.valid, evalLimit)
            test = slice(ptb.test, evalLimit)
            let vocabulary = ptb.vocabulary.count
            let bytes = MemoryEstimate.languageModel(vocabulary: vocabulary, embedding: embeddingSize, hidden: hidden, batch: batchSize, steps: bptt)
            if let refusal = MemoryEstimate.refusal(bytes: bytes, flags: "--hidden or --embedding, or a training file with fewer distinct words") {
                throw ChapterError.message("\(options.data.directory.path)/\(PennTreebank.trainFile) has \(vocabulary) distinct words; with --hidden \(hidden) "
                                           + "and --embedding \(embeddingSize) \(refusal).")
            }
            output = try ChapterOutput(options: options.common, slug: slug)

            // One run or a grid; --tune: every method's knob over its grid at every rate.
            let (methods, rates, seeds) = try training.selection(
                seed: options.common.seed, clip: clip, delta: delta, methods: setting.methods, rates: setting.learningRates,
                seedCount: setting.seeds, clipGrid: setting.clipGrid, deltaGrid: setting.deltaGrid)
            self.rates = rates
            self.seeds = seeds
            // A loss ten times that of a uniform guess (ln V) counts as divergence (plain SGD at rate 10 in
            // the-paper §6 reached 143 at its blow-up; a uniform guess scores ln 10,000 ≈ 9.2).
            bound = training.divergenceLoss ?? 10 * log(Double(vocabulary))
            let base = RunConfiguration(
                name: "run", method: .sgd, schedule: .paper(initial: 1), epochs: epochs, seed: options.common.seed, cell: cell,
                hiddenSize: hidden, batchSize: batchSize, steps: bptt, dropout: 0.5,
                logEvery: training.logEvery ?? setting.logEvery, windowLimit: training.limitWindows, divergenceLoss: bound,
                details: ["embedding": "\(embeddingSize)", "vocabulary": "\(vocabulary)", "embedding_scale": "0.01",
                          "train_tokens": "\(train.count)", "valid_tokens": "\(valid.count)", "test_tokens": "\(test.count)",
                          // The splits' content, not only their sizes: --resume refuses a checkpoint of other data.
                          "train_crc32": DataFingerprint.tokens(train), "valid_crc32": DataFingerprint.tokens(valid),
                          "test_crc32": DataFingerprint.tokens(test), "vocabulary_crc32": DataFingerprint.words(ptb.vocabulary.words)])
            sweep = Sweep.grid(base: base, methods: methods, learningRates: rates, seeds: seeds)
        }

        /// The run's header: every setting of the sweep, and how many runs it trains.
        package func printHeader(_ report: Report) {
            report.header(settings: [
                "scale": options.common.scale.rawValue, "GRU": "\(hidden) (\(cell))", "embedding": "\(embeddingSize) × 0.01",
                "tokens": "\(train.count) / \(valid.count) / \(test.count)", "epochs": "\(epochs)",
                "seeds": seeds.map(String.init).joined(separator: ","),
                "batch × BPTT": "\(batchSize) × \(bptt)", "clip": "\(clip)", "δ": "\(delta)",
                "divergence": "loss > \(String(format: "%.1f", bound))",
            ])
            report.note("Runs: " + (seeds.count > 1 ? "\(sweep.configurations.count) (every configuration once per seed)" : sweep.configurations.map(\.name).joined(separator: ", "))
                        + (options.common.scale == .quick ? "\n(quick setting: a small GRU on a slice of PTB, to show the mechanism; --scale standard trains models that learn, --scale paper runs the paper's protocol)" : ""))
        }

        /// Trains the sweep with the tasks `makeTask` builds — in-process by default; with --slurm,
        /// --array-task, --collect or --jobs, see `Sweep.perform` — and prints one line of outcomes.
        /// nil when there is nothing to tabulate here (a Slurm submission or one array task). `progress`:
        /// the console (default: ``Chapter05/progressConsole(unit:)``).
        package func train(report: Report, progress: (any TrainingObserver)? = nil,
                           makeTask: (RunConfiguration) throws -> TrainingTask) throws -> [RunResult]? {
            let training = options.training
            let results = try sweep.perform(options.slurm, jobName: "ch" + slug, directory: runs,
                                            slurmDirectory: output.directory.appendingPathComponent("slurm"),
                                            resume: training.resume, stopAfterEpochs: training.stopAfter,
                                            progress: progress ?? progressConsole(unit: "tok"), report: report,
                                            jobs: training.jobs ?? SweepJobs.defaultJobs, makeTask: makeTask)
            let inChildren = SweepJobs.usesChildren(mode: options.slurm.mode, jobs: training.jobs ?? SweepJobs.defaultJobs,
                                                    configurations: sweep.configurations.count)
            if let results { report.note(outcomeLine(results, inChildren: inChildren)) }
            return results
        }

        /// The trivial predictor every run must beat: the unigram model of the training tokens
        /// (add-one smoothed), scored on the same validation tokens.
        package var baseline: ResultsTable.Baseline { Self.unigram(train: train, vocabulary: vocabulary, valid: valid) }

        /// The unigram model of `train` (add-one smoothed over `vocabulary` words) scored on `valid`: the
        /// trivial predictor of every section of the chapter (quick, standard and paper scale).
        package static func unigram(train: [Int32], vocabulary: Int, valid: [Int32]) -> ResultsTable.Baseline {
            ResultsTable.Baseline(name: "the unigram model", metric: TrivialPredictor.unigramPerplexity(train: train, vocabularySize: vocabulary, on: valid))
        }

        /// The tables of `results`: every run (`results.md`, `results.dat`) and one row per
        /// configuration over its seeds (`summary.md`, `summary.dat`), the latter printed (the former
        /// for a single seed); records the counts under `quick.`.
        package func tabulate(_ results: [RunResult], report: Report, values: inout RecordedValues) throws -> (summary: SeedSummary, table: ResultsTable, files: [URL]) {
            let baseline = self.baseline
            report.note("Trivial predictor: the unigram model of the training tokens scores a validation perplexity of "
                        + String(format: "%.2f", baseline.metric) + "; a run must do better to count as trained.")
            let table = ResultsTable(results: results, title: "Penn Treebank, ours (\(settingName)), every run", baseline: baseline)
            let summary = SeedSummary(results: results, title: "Penn Treebank, ours (\(settingName)): \(seeds.count) seed\(seeds.count == 1 ? "" : "s") per configuration",
                                      baseline: baseline)
            if seeds.count == 1 { report.table(table.textTable) } else { report.table(summary.textTable) }
            let files = try table.write(to: output.directory) + summary.write(to: output.directory)
            values["quick.unigram"] = String(format: "%.2f", baseline.metric)
            values["quick.seeds"] = "\(seeds.count)"
            for g in summary.groups {
                values["quick.\(g.name).diverged"] = "\(g.diverged.count)/\(g.count)"
                values["quick.\(g.name).trained"] = "\(g.trained.count)/\(g.count)"
                values["quick.\(g.name).final"] = g.finalValid?.text() ?? "—"
            }
            return (summary, table, files)
        }

        /// With `--tune`: the best-tuned clip against the best-tuned projection at each rate (`tuned.md`).
        package func tuned(_ summary: SeedSummary, report: Report) throws -> [URL] {
            guard options.training.tune else { return [] }
            let tuned = TunedComparison(summary: summary, title: "Penn Treebank, ours (\(settingName)): each method's knob tuned per learning rate")
            report.table(tuned.textTable)
            return [try tuned.write(to: output.directory)]
        }

        /// The first seed of each configuration at the largest learning rate, with its log: what the
        /// dynamics figures draw.
        package func topRateLogs(_ summary: SeedSummary) throws -> [(name: String, records: [LogRecord])] {
            let top = rates.max()!
            return try summary.groups.filter { $0.learningRate == top }.map { $0.runs[0] }.map { r in
                (r.configuration.name, try TrainingLog.records(at: runs.appendingPathComponent(r.configuration.name + ".jsonl")))
            }
        }

        /// `valid-perplexity`: the validation perplexity after each epoch, mean ± 95 % over seeds.
        package func validationFigure(_ summary: SeedSummary) -> Figure {
            TrainingFigures.validation(summary, name: "valid-perplexity", title: "Validation perplexity (ours, mean ± 95 % over seeds)")
        }

        /// `gradient-dynamics` (gradient norm, ‖W_hh‖₂ and ρ(J)) and `gradient-groups` (the gradient of
        /// each parameter group) of the runs at the largest rate.
        package func dynamicsFigures(_ logs: [(name: String, records: [LogRecord])]) -> [Figure] {
            let rate = RunConfiguration.number(rates.max()!)
            return [TrainingFigures.dynamics(logs, title: "Gradient norm, ‖W_{hh}‖_2 and ρ(J) at learning rate \(rate) (ours)"),
                    TrainingFigures.gradientGroups(logs, title: "Gradient norm per parameter group at learning rate \(rate) (ours)")]
        }

        /// The closing lines: the summary's sentences (or the single run's outcome) and the PyTorch reference.
        package func inShort(_ summary: SeedSummary, _ table: ResultsTable) -> String {
            (seeds.count > 1 ? summary.sentences.joined(separator: "\n") : table.outcomeSummary) + "\n"
                + "These numbers are ours (the paper's tables are not available); the-paper §6 reference, full protocol: "
                + "projection δ = 0.2 at rate 10 reached validation perplexity 429.7, 330.0, 277.2, 246.9 after epochs 1–4; "
                + "plain SGD at rate 10 blew up at iteration 164."
        }
    }
}
