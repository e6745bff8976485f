import Foundation
import GRUKit
import GRUKitPresentation

/// A grid of runs (methods × learning rates) trained one after the other, each with its own
/// ``Trainer``; a diverged run is recorded and the sweep goes on.
package struct Sweep {
    /// The runs, in the order they are trained.
    package var configurations: [RunConfiguration]

    /// A sweep over the given runs.
    /// - Precondition: run names are unique (they name the runs' files in one folder).
    package init(configurations: [RunConfiguration]) {
        precondition(Set(configurations.map(\.name)).count == configurations.count, "Sweep: run names must be unique")
        self.configurations = configurations
    }

    /// Every method × every learning rate × every seed, from `base` (whose method, schedule, seed
    /// and name are replaced; the schedule keeps its constant epochs and decay). Names follow
    /// ``RunConfiguration/name(method:learningRate:)``, with `-sN` appended for seed N when there is
    /// more than one seed (`project0.2-lr40-s3`). Order: by learning rate, then method, then seed.
    /// `seeds` nil or empty: `base.seed` alone.
    package static func grid(base: RunConfiguration, methods: [TrainingMethod], learningRates: [Double],
                            seeds: [UInt64]? = nil) -> Sweep {
        let seeds = (seeds?.isEmpty ?? true) ? [base.seed] : seeds!
        var runs: [RunConfiguration] = []
        for lr in learningRates {
            for m in methods {
                for seed in seeds {
                    var c = base
                    c.method = m
                    c.schedule.initial = lr
                    c.seed = seed
                    c.name = RunConfiguration.name(method: m, learningRate: lr) + (seeds.count > 1 ? "-s\(seed)" : "")
                    runs.append(c)
                }
            }
        }
        return Sweep(configurations: runs)
    }

    /// Trains every run in order, each by its own ``Trainer`` writing into `directory`;
    /// `makeTask` builds a fresh model and data task for each. A diverged run is a result, not an
    /// error, and the sweep goes on.
    /// - Parameters:
    ///   - directory: the folder of the runs' logs and checkpoints.
    ///   - resume: continue each run from its checkpoint when it has one (``Trainer/run(resume:)``).
    ///   - stopAfterEpochs: stop each run after this many epochs in total (``Trainer/stopAfterEpochs``).
    ///   - progress: the console, or nil for silence.
    ///   - makeTask: builds the task of one configuration.
    /// - Returns: one result per configuration, in order.
    /// - Throws: the first error of `makeTask` or of a run (``TrainingError`` for unusable files,
    ///   data errors); the runs before it keep their logs and checkpoints.
    package func run(directory: URL, resume: Bool, stopAfterEpochs: Int? = nil, progress: (any TrainingObserver)?,
                    makeTask: (RunConfiguration) throws -> TrainingTask) throws -> [RunResult] {
        var results: [RunResult] = []
        for c in configurations {
            let trainer = Trainer(configuration: c, task: try makeTask(c), directory: directory, progress: progress)
            trainer.stopAfterEpochs = stopAfterEpochs
            results.append(try trainer.run(resume: resume))
        }
        return results
    }
}

/// The comparison table of a sweep: one row per run with its method, learning rate, final and
/// best validation metric and test metric, or "diverged (epoch e, iteration i)".
package struct ResultsTable {
    /// The runs, one row each, in order.
    package var results: [RunResult]
    /// Printed above the table (what it is, and that the numbers are ours).
    package var title: String

    /// The score of a predictor that learns nothing about sequence (``TrivialPredictor``): a run
    /// that completed (or stopped) without a final validation metric below it is reported as
    /// "failed to learn" instead of "trained". Nil: no such check.
    package var baseline: Baseline?

    /// A trivial predictor's name and validation metric.
    package struct Baseline: Sendable, Equatable {
        /// What it is, e.g. "the unigram model of the training set".
        package var name: String
        /// Its validation metric (lower is better, as for every metric here).
        package var metric: Double

        /// A baseline called `name` scoring `metric`.
        package init(name: String, metric: Double) {
            self.name = name
            self.metric = metric
        }
    }

    /// A table of the given results under `title`, judged against `baseline` when given.
    package init(results: [RunResult], title: String, baseline: Baseline? = nil) {
        self.results = results
        self.title = title
        self.baseline = baseline
    }

    /// The run's outcome as the static `outcome(_:)` words it, except that a run trained to the end
    /// whose final validation metric is not below ``baseline`` reads "failed to learn (…)".
    package func outcome(of r: RunResult) -> String {
        // Only a run trained to the end is judged: one still running (or stopped) reads "stopped after epoch k".
        if let baseline, r.status == .completed, !((r.finalValidMetric ?? .nan) < baseline.metric) {
            return "failed to learn (not better than \(baseline.name))"
        }
        return Self.outcome(r)
    }

    /// A metric for a table: `format` (default two decimals), three significant digits from 10⁵ on
    /// (a perplexity of 4e14 is a blow-up, not a number to read to the last digit), "—" for nil or
    /// non-finite values.
    static func format(_ x: Double?, _ format: String = "%.2f") -> String {
        guard let x, x.isFinite else { return "—" }
        return abs(x) >= 1e5 ? String(format: "%.3g", x) : String(format: format, x)
    }

    /// One line naming the runs that diverged, failed to learn (``baseline``), stopped and trained.
    package var outcomeSummary: String {
        func names(_ keep: (RunResult) -> Bool) -> String {
            let n = results.filter(keep).map(\.configuration.name)
            return n.isEmpty ? "none" : n.joined(separator: ", ")
        }
        var parts = ["Diverged: " + names(\.diverged)]
        if baseline != nil { parts.append("Failed to learn: " + names { outcome(of: $0).hasPrefix("failed to learn") }) }
        parts.append("Trained: " + names { outcome(of: $0) == "trained" })
        let stopped = names { outcome(of: $0).hasPrefix("stopped") }
        if stopped != "none" { parts.append("Stopped: " + stopped) }
        return parts.joined(separator: ". ") + "."
    }

    /// The outcome column: `trained`, `diverged (epoch e, iteration i)`, `stopped after epoch e`.
    package static func outcome(_ r: RunResult) -> String { outcome(r.status) }

    /// The words for a run's status: `trained`, `diverged (epoch E, iteration I)`, `stopped after epoch E`.
    package static func outcome(_ status: RunStatus) -> String {
        switch status {
        case .completed: return "trained"
        case .diverged(let e, let i, _): return "diverged (epoch \(e), iteration \(i))"
        case .stopped(let e): return "stopped after epoch \(e)"
        }
    }

    /// Columns: run, method, η₀, epochs, outcome, final valid, best valid, test.
    package var textTable: TextTable {
        let m = results.first?.metricName ?? "metric"
        var t = TextTable(title: title, columns: ["run", "method", "η₀", "epochs", "outcome", "valid \(m)", "best valid", "test \(m)"],
                          formats: ["", "", "%g", "", "", "%.2f", "%.2f", "%.2f"])
        for r in results {
            t.add([.text(r.configuration.name), .text(r.configuration.method.description), .number(r.configuration.learningRate),
                   .integer(r.epochsCompleted), .text(outcome(of: r)), .text(Self.format(r.finalValidMetric)),
                   .text(Self.format(r.bestValidMetric)), .text(Self.format(r.testMetric))])
        }
        return t
    }

    /// The table in Markdown (`results.md`).
    package var markdown: String {
        let m = results.first?.metricName ?? "metric"
        var lines = ["# \(title)", "",
                     "| run | method | η₀ | epochs | outcome | final valid \(m) | best valid \(m) | test \(m) |",
                     "|---|---|---:|---:|---|---:|---:|---:|"]
        for r in results {
            lines.append("| \(r.configuration.name) | \(r.configuration.method) | \(RunConfiguration.number(r.configuration.learningRate)) "
                         + "| \(r.epochsCompleted) | \(outcome(of: r)) | \(Self.format(r.finalValidMetric)) "
                         + "| \(Self.format(r.bestValidMetric)) | \(Self.format(r.testMetric)) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The table as numbers (`results.dat`): one row per run, NaN where a run has no value;
    /// `diverged_epoch`/`diverged_iteration` are 0 for runs that did not diverge.
    package var dataTable: DataTable {
        var comments = ["\(title)", "One row per run; the run names, in row order:"]
        for (k, r) in results.enumerated() { comments.append("  \(k + 1): \(r.configuration.name) (\(r.configuration.method)) — \(outcome(of: r))") }
        comments.append("clip and delta are NaN for methods without them; metrics are NaN when the run has none.")
        var t = DataTable(columns: ["run", "learning_rate", "clip", "delta", "epochs", "diverged", "diverged_epoch", "diverged_iteration",
                                    "final_valid", "best_valid", "test"], comments: comments)
        for (k, r) in results.enumerated() {
            var de = 0.0, di = 0.0
            if case .diverged(let e, let i, _) = r.status { de = Double(e); di = Double(i) }
            t.append([Double(k + 1), r.configuration.learningRate, r.configuration.method.maxNorm ?? .nan,
                      r.configuration.method.delta ?? .nan, Double(r.epochsCompleted), r.diverged ? 1 : 0, de, di,
                      r.finalValidMetric ?? .nan, r.bestValidMetric ?? .nan, r.testMetric ?? .nan])
        }
        return t
    }

    /// Writes ``markdown`` to `results.md` and ``dataTable`` to `results.dat` in `directory`, each
    /// atomically (an existing file is replaced whole or not at all).
    /// - Returns: the two URLs written.
    /// - Throws: ``TrainingError/cannotWrite(path:reason:)`` naming the file that could not be
    ///   written (the folder must exist).
    /// - Parameter name: the files' stem (`results`: `results.md`, `results.dat`).
    @discardableResult
    package func write(to directory: URL, name: String = "results") throws -> [URL] {
        try Self.write(markdown: markdown, data: dataTable, to: directory, name: name)
    }

    /// Writes a table's two forms, `NAME.md` and `NAME.dat`, each atomically; a failure names the file.
    static func write(markdown: String, data: DataTable, to directory: URL, name: String) throws -> [URL] {
        let md = directory.appendingPathComponent(name + ".md"), dat = directory.appendingPathComponent(name + ".dat")
        do { try AtomicFile.write(markdown, to: md) } catch {
            throw TrainingError.cannotWrite(path: md.path, reason: AtomicFile.reason(error))
        }
        do { try data.write(to: dat) } catch {
            throw TrainingError.cannotWrite(path: dat.path, reason: "\(error)")
        }
        return [md, dat]
    }
}
