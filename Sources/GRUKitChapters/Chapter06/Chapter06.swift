import ArgumentParser
import Foundation
import GRUKit
import GRUKitChapterSupport
import GRUKitPresentation

/// Chapter 6, Nottingham: a GRU predicting the next piano-roll frame, trained with plain SGD,
/// clipping and the projection over seeds, as two models — under the theory's assumptions and
/// without them (``Chapter06/ModelName``) — and the standard-scale section drawn from committed logs
/// (``Chapter06/StandardScaleSection``).
public enum Chapter06 {
    /// Batch (tunes) and BPTT window (frames) of every scale.
    package static let batchSize = 20, bptt = 100
    /// The chapter's folder name, `figures/06-nottingham` by default.
    package static let slug = "06-nottingham"

    /// The two models of the chapter.
    package enum ModelName: String, ExpressibleByArgument, CaseIterable, Sendable {
        /// A bias-free GRU behind a bias-free input layer scaled by 0.01: what the theory assumes.
        case assumptions
        /// Raw 0/1 frames into a GRU with biases: what the theory does not cover.
        case raw

        /// How the chapter names the experiment in titles and notes.
        package var title: String { self == .assumptions ? "under the theory's assumptions" : "when the assumptions fail" }
        /// The suffix of its files (`summary.md`, `summary-raw.md`) and runs folder (`runs`, `runs-raw`).
        package var suffix: String { self == .assumptions ? "" : "-raw" }
    }
}

extension PolyphonicMusic.Format: ExpressibleByArgument {}

extension Chapter06 {
    /// The chapter's command line: the shared option groups and its own flags, with their checks.
    package struct Options: ParsableArguments {
        @OptionGroup package var common: ChapterOptions
        @OptionGroup package var data: DataOptions
        @OptionGroup package var training: TrainingOptions
        @OptionGroup(title: "Slurm") package var slurm: SlurmOptions

        @Option(help: ArgumentHelp("The model: assumptions (bias-free GRU, input layer × 0.01) or raw (frames into a GRU with biases); default: both at the quick scale, assumptions at the paper scale.", valueName: "model"))
        package var model: ModelName?

        @Option(name: .customLong("train-tunes"), parsing: .unconditional, help: ArgumentHelp("Train on the first n training tunes (quick: 300; paper: all).", valueName: "n"))
        package var trainTunes: Int?

        @Option(name: .customLong("eval-tunes"), parsing: .unconditional, help: ArgumentHelp("Evaluate on the first n validation and test tunes (quick: 60; paper: all).", valueName: "n"))
        package var evalTunes: Int?

        @Option(name: .customLong("standard-logs"), help: ArgumentHelp(
            "Also draw the standard-scale section from the logs of the standard grid in this folder, without training them.", valueName: "dir"))
        package var standardLogs: String?

        @Flag(name: .customLong("skip-sweep"), help: "Do not train the sweep: only draw the section of --standard-logs.")
        package var skipSweep = false

        @Option(help: ArgumentHelp("Read the MAT-file (mat) or the plain-text conversion (text).", valueName: "format"))
        package var format: PolyphonicMusic.Format = .mat

        package init() {}

        package mutating func validate() throws {
            try common.requireScale([.quick, .standard, .paper])
            if skipSweep && standardLogs == nil { throw ValidationError("--skip-sweep leaves nothing to do without --standard-logs DIR.") }
            try training.validate()
            try slurm.validate()
            // One task of a sweep trains its configuration only; the standard grid's section is the parent's.
            if slurm.trainsOneConfiguration { standardLogs = nil }
            for (flag, v) in [("--train-tunes", trainTunes), ("--eval-tunes", evalTunes)] {
                if let v, v < 1 { throw ValidationError("\(flag) must be at least 1 (got \(v)).") }
            }
            if model == nil, slurm.mode != .inProcess, common.scale == .quick {
                throw ValidationError("--slurm, --slurm-dry-run, --array-task and --collect run one experiment: add --model assumptions or --model raw.")
            }
            let hidden = training.hidden ?? NottinghamSetting.at(common.scale).hidden
            let bytes = MemoryEstimate.sequenceModel(keys: PianoRoll.keys, hidden: hidden, batch: batchSize, steps: bptt, inputSize: hidden)
            if let refusal = MemoryEstimate.refusal(bytes: bytes, flags: "--hidden") {
                throw ValidationError("--hidden \(hidden): \(refusal).")
            }
        }

        /// The models this run trains: the one `--model` names; else both at the quick scale and the
        /// one under the assumptions at the standard and paper scales; none with `--skip-sweep`.
        package var models: [ModelName] {
            skipSweep ? [] : model.map { [$0] } ?? (common.scale == .quick ? ModelName.allCases : [.assumptions])
        }
    }
}

extension Chapter06 {
    /// The data of a run (the tunes the options keep), its baseline, and each model's sweep with what
    /// the chapter does with its results: the tables, the figures and the values the prose cites.
    package struct Experiment {
        package let options: Options
        package let setting: NottinghamSetting
        /// The whole data set (the standard scale's section scores its baseline on it).
        package let full: PolyphonicMusic
        /// The tunes the runs train, validate and test on (prefixes of the splits).
        package let music: PolyphonicMusic
        /// The baseline every run must beat: independent per-key frequencies, NLL per time step.
        package let frequencies: Double
        package let output: ChapterOutput

        /// Reads Nottingham, keeps the tunes the options ask for and scores the per-key predictor.
        package init(options: Options) throws {
            self.options = options
            setting = NottinghamSetting.at(options.common.scale)
            output = try ChapterOutput(options: options.common, slug: slug)
            full = try PolyphonicMusic(.nottingham, directory: options.data.directory, format: options.format)
            func slice(_ tunes: [PianoRoll], _ limit: Int?) -> [PianoRoll] { limit.map { Array(tunes.prefix($0)) } ?? tunes }
            let evalLimit = options.evalTunes ?? setting.evalTunes
            music = PolyphonicMusic(train: slice(full.train, options.trainTunes ?? setting.trainTunes), valid: slice(full.valid, evalLimit),
                                    test: slice(full.test, evalLimit))
            frequencies = TrivialPredictor.keyFrequencyNLL(train: music.train, on: music.valid)
        }

        /// The run's header: the scale, the tunes and frames of each split, batch and window.
        package func printHeader(_ report: Report) {
            func frames(_ t: [PianoRoll]) -> Int { t.reduce(0) { $0 + $1.steps } }
            report.header(settings: [
                "scale": options.common.scale.rawValue, "tunes": "\(music.train.count) / \(music.valid.count) / \(music.test.count)",
                "frames": "\(frames(music.train)) / \(frames(music.valid)) / \(frames(music.test))",
                "batch × BPTT": "\(batchSize) tunes × \(bptt) frames",
            ])
        }

        /// Prints the baseline and records it (`quick.baseline`).
        package func printBaseline(_ report: Report, values: inout RecordedValues) {
            report.note("Trivial predictor: independent per-key frequencies of the training frames score a validation NLL of "
                        + String(format: "%.3f", frequencies) + " per time step; a run must do better to count as trained.")
            values["quick.baseline"] = String(format: "%.3f", frequencies)
        }

        package var hidden: Int { options.training.hidden ?? setting.hidden }
        package var epochs: Int { options.training.epochs ?? setting.epochs }
        package var clip: Double { options.training.clip ?? 5 }
        package var delta: Double { options.training.delta ?? 0.2 }
        package var cell: GRUCell { options.training.cell ?? .resetAfter }
        /// Ten times the NLL of a uniform guess (88 keys × ln 2 ≈ 61) counts as divergence.
        package var bound: Double { options.training.divergenceLoss ?? 10 * Double(PianoRoll.keys) * log(2) }
        /// The runs' folder of a model: `runs` or `runs-raw`.
        package func runs(_ kind: ModelName) -> URL { output.directory.appendingPathComponent("runs" + kind.suffix) }

        /// The methods, rates and seeds of a model's sweep.
        package func selection(_ kind: ModelName) throws -> (methods: [TrainingMethod], rates: [Double], seeds: [UInt64]) {
            try options.training.selection(
                seed: options.common.seed, clip: clip, delta: delta, methods: setting.methods,
                rates: kind == .assumptions ? setting.assumptionRates : setting.rawRates,
                seedCount: setting.seeds, clipGrid: setting.clipGrid, deltaGrid: setting.deltaGrid)
        }

        /// The grid of runs of one model.
        package func sweep(_ kind: ModelName) throws -> Sweep {
            let (methods, rates, seeds) = try selection(kind)
            let base = RunConfiguration(
                name: "run", method: .sgd, schedule: .paper(initial: 1), epochs: epochs, seed: options.common.seed, cell: cell,
                hiddenSize: hidden, batchSize: batchSize, steps: bptt, dropout: 0,
                logEvery: options.training.logEvery ?? 5, windowLimit: options.training.limitWindows, divergenceLoss: bound,
                details: ["train_tunes": "\(music.train.count)", "valid_tunes": "\(music.valid.count)", "test_tunes": "\(music.test.count)",
                          "format": options.format.rawValue, "model": kind.rawValue,
                          // The splits' content, not only their sizes: --resume refuses a checkpoint of other data.
                          "train_crc32": DataFingerprint.tunes(music.train), "valid_crc32": DataFingerprint.tunes(music.valid),
                          "test_crc32": DataFingerprint.tunes(music.test)])
            return Sweep.grid(base: base, methods: methods, learningRates: rates, seeds: seeds)
        }

        /// Prints the "Training the runs" section of one model (its settings) and trains its sweep
        /// with the tasks `makeTask` builds — in-process by default; with --slurm, --array-task,
        /// --collect or --jobs, see `Sweep.perform` — then one line of outcomes. nil when there is
        /// nothing to tabulate here (a Slurm submission or one array task). `progress`: the console
        /// (default: ``Chapter05/progressConsole(unit:)``).
        package func train(_ kind: ModelName, report: Report, progress: (any TrainingObserver)? = nil,
                           makeTask: (RunConfiguration) throws -> TrainingTask) throws -> [RunResult]? {
            let sweep = try self.sweep(kind), seeds = try selection(kind).seeds
            report.section("Training the runs", settings: [
                "--model": kind.rawValue,
                "model": kind == .assumptions ? "input layer \(hidden) × 0.01, GRU without biases" : "raw frames, GRU with biases",
                "GRU": "\(hidden) (\(cell))", "epochs": "\(epochs)", "seeds": seeds.map(String.init).joined(separator: ","),
                "clip": "\(clip)", "δ": "\(delta)", "divergence": "NLL > \(String(format: "%.1f", bound))",
            ])
            report.note("Runs: "
                        + (seeds.count > 1 ? "\(sweep.configurations.count) (every configuration once per seed)" : sweep.configurations.map(\.name).joined(separator: ", "))
                        + (options.common.scale == .quick ? "\n(quick setting: a small GRU on a slice of Nottingham, to show the mechanism; --scale standard trains models that learn, --scale paper is our reading of the paper's setting)" : ""))
            let training = options.training
            let results = try sweep.perform(options.slurm, jobName: "ch" + slug + kind.suffix, directory: runs(kind),
                                            slurmDirectory: output.directory.appendingPathComponent("slurm"),
                                            resume: training.resume, stopAfterEpochs: training.stopAfter,
                                            progress: progress ?? Chapter05.progressConsole(unit: "frames"), report: report,
                                            jobs: training.jobs ?? SweepJobs.defaultJobs,
                                            childArguments: options.model == nil ? ["--model", kind.rawValue] : [], makeTask: makeTask)
            let inChildren = SweepJobs.usesChildren(mode: options.slurm.mode, jobs: training.jobs ?? SweepJobs.defaultJobs,
                                                    configurations: sweep.configurations.count)
            if let results { report.note(Chapter05.outcomeLine(results, inChildren: inChildren)) }
            return results
        }

        /// The tables of one model's results — every run (`results.md`, `results-raw.md`), one row per
        /// configuration over its seeds (`summary.md`, `summary-raw.md`) and, with `--tune`, the tuned
        /// comparison — printed under "The tables", and the values the prose cites (`MODEL.CONFIG.*`).
        package func tabulate(_ kind: ModelName, _ results: [RunResult], report: Report, values: inout RecordedValues) throws -> (SeedSummary, [URL]) {
            let seeds = try selection(kind).seeds
            report.section("The tables", settings: ["--model": kind.rawValue])
            let baseline = ResultsTable.Baseline(name: "per-key frequencies", metric: frequencies)
            let settingName = (options.common.scale == .paper ? "our reading of the paper's setting" : "\(options.common.scale.rawValue) setting") + ", " + kind.title
            let table = ResultsTable(results: results, title: "Nottingham, ours (\(settingName)), every run", baseline: baseline)
            let summary = SeedSummary(results: results, title: "Nottingham, ours (\(settingName)): \(seeds.count) seed\(seeds.count == 1 ? "" : "s") per configuration",
                                      baseline: baseline)
            if seeds.count == 1 { report.table(table.textTable) } else { report.table(summary.textTable) }
            report.note(seeds.count > 1 ? summary.sentences.joined(separator: "\n") : table.outcomeSummary)
            var files = try table.write(to: output.directory, name: "results" + kind.suffix)
            files += try summary.write(to: output.directory, name: "summary" + kind.suffix)
            if options.training.tune {
                let tuned = TunedComparison(summary: summary, title: "Nottingham, ours (\(settingName)): each method's knob tuned per learning rate")
                report.table(tuned.textTable)
                files.append(try tuned.write(to: output.directory, name: "tuned" + kind.suffix))
            }
            for g in summary.groups {
                let key = "\(kind.rawValue).\(g.name)"
                values[key + ".diverged"] = "\(g.diverged.count)/\(g.count)"
                values[key + ".trained"] = "\(g.trained.count)/\(g.count)"
                values[key + ".final"] = g.finalValid?.text("%.3f") ?? "—"
                values[key + ".iterations"] = g.divergenceIterations.map(String.init).joined(separator: ", ")
            }
            values["\(kind.rawValue).seeds"] = "\(summary.groups.first?.count ?? 0)"
            return (summary, files)
        }

        /// A model's three figures: `valid-nll`, `gradient-dynamics` and `gradient-groups` (with `-raw`
        /// for the second model), the latter two for the first seed of each configuration at the
        /// largest learning rate. Titles name the model on a line of their own, so that they fit.
        package func figures(_ kind: ModelName, _ summary: SeedSummary) throws -> [Figure] {
            let top = try selection(kind).rates.max()!, rate = RunConfiguration.number(top)
            let logs = try summary.groups.filter { $0.learningRate == top }.map { $0.runs[0] }.map { r in
                (r.configuration.name, try TrainingLog.records(at: runs(kind).appendingPathComponent(r.configuration.name + ".jsonl")))
            }
            return [TrainingFigures.validation(summary, name: "valid-nll" + kind.suffix,
                                               title: "Validation NLL per time step, \(kind.title)\n(ours, mean ± 95 % over seeds)"),
                    TrainingFigures.dynamics(logs, name: "gradient-dynamics" + kind.suffix,
                                             title: "Gradient norm, ‖W_{hh}‖_2 and ρ(I/2 + W_{hh}/4) at learning rate \(rate)\n\(kind.title) (ours)"),
                    TrainingFigures.gradientGroups(logs, name: "gradient-groups" + kind.suffix,
                                                   title: "Gradient norm per parameter group at learning rate \(rate), \(kind.title) (ours)")]
        }
    }
}
