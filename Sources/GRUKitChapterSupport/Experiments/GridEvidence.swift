import Foundation
import GRUKit
import GRUKitPresentation

/// A tuning grid's evidence read back from committed training logs, without training: the table over
/// seeds, the tuned comparison with its tests, the usable range of the learning rate per method, and
/// the checks that say whether the scale is one where the models learn. Chapters 5 and 6 draw their
/// standard-scale sections from it (`--standard-logs DIR`).
///
/// A partial grid is evidence too: the configurations without a log are listed (``missing``) and
/// left out of every table, and a configuration still training reads "stopped after epoch e".
package struct GridEvidence {
    /// The runs' states and results (``SweepCollection``).
    package var collection: SweepCollection
    /// One row per configuration over its seeds.
    package var summary: SeedSummary
    /// The best-tuned methods at every rate, with the tests of clip against projection.
    package var tuned: TunedComparison
    /// The trivial predictor every run must beat.
    package var baseline: ResultsTable.Baseline
    /// The rate above the grid trained at the knobs tuned at its largest rate, when the sweep has one.
    package var probe: ProbeRate?

    /// The tuning grid a standard scale trains: plain SGD, clipping at every threshold of `clips` and
    /// the projection at every δ of `deltas`, at every rate, seeds 1…`seeds`, on a run of `base`'s sizes
    /// and `epochs` (the runs' names are those `--tune` gives them); then, when given, the `probe` rate
    /// at its knobs alone (``ProbeRate``), with the same seeds.
    package static func tunedSweep(hidden: Int, batch: Int, steps: Int, dropout: Double, epochs: Int, clips: [Double],
                                   deltas: [Double], rates: [Double], seeds: Int, probe: ProbeRate? = nil) -> Sweep {
        let base = RunConfiguration(name: "run", method: .sgd, schedule: .paper(initial: 1), epochs: epochs, seed: 1,
                                    hiddenSize: hidden, batchSize: batch, steps: steps, dropout: dropout)
        let seedList = (1 ... max(1, seeds)).map(UInt64.init)
        var runs = Sweep.grid(base: base, methods: TunedComparison.methods(clips: clips, deltas: deltas), learningRates: rates,
                              seeds: seedList).configurations
        if let probe, !rates.contains(probe.learningRate) {
            runs += Sweep.grid(base: base, methods: probe.methods, learningRates: [probe.learningRate], seeds: seedList).configurations
        }
        return Sweep(configurations: runs)
    }

    /// Reads `sweep`'s logs in `directory` (nothing is written there); a log that cannot be read is
    /// reported for its run (``SweepCollection``), not for the grid.
    /// - Throws: ``ChapterError/message(_:)`` when no configuration of the sweep has a log in `directory`.
    package init(sweep: Sweep, directory: URL, baseline: ResultsTable.Baseline, title: String, probe: ProbeRate? = nil) throws {
        collection = SweepCollection(sweep: sweep, directory: directory)
        guard !collection.results.isEmpty else {
            throw ChapterError.message("\(directory.path): no training log of this grid here (\(sweep.configurations.count) configurations, "
                                       + "e.g. \(sweep.configurations.first?.name ?? "—").jsonl); train them with the folder's run script")
        }
        self.baseline = baseline
        self.probe = probe
        summary = SeedSummary(results: collection.results, title: title, baseline: baseline)
        tuned = TunedComparison(summary: summary, title: title + ": each method's knob tuned per learning rate")
    }

    /// The configurations of the grid without a usable log, by name.
    package var missing: [String] {
        collection.states.compactMap { s in
            if case .missing = s.state { return s.configuration.name }
            if case .failed = s.state { return s.configuration.name }
            return nil
        }
    }

    /// The rates at which every configuration of the grid has finished (trained to the end and
    /// tested, or diverged): a comparison at a rate with runs still missing would pick its knobs from
    /// part of the grid.
    package var completeRates: Set<Double> {
        var byRate: [Double: Bool] = [:]
        for s in collection.states {
            let done: Bool
            if case .finished = s.state { done = true } else { done = false }
            byRate[s.configuration.learningRate] = (byRate[s.configuration.learningRate] ?? true) && done
        }
        return Set(byRate.filter(\.value).keys)
    }

    /// The complete rates that may decide a claim: ``completeRates`` without the probe rate, whose
    /// knobs were not tuned there and which was added after the grid's results were seen (it is
    /// shown in the tables and the usable range, and decides nothing).
    package var decidingRates: Set<Double> {
        var rates = completeRates
        if let probe { rates.remove(probe.learningRate) }
        return rates
    }

    /// One point of a usable-range curve: at one rate, the picked configuration of a family.
    package struct RangePoint: Sendable {
        /// η₀.
        package var learningRate: Double
        /// The configuration picked at that rate (for plain SGD, the only one).
        package var group: SeedGroup
        /// The fraction of its seeds that trained (beat the trivial predictor without diverging).
        package var trainedFraction: Double { Double(group.trained.count) / Double(max(1, group.count)) }
    }

    /// Per family (plain SGD, best-tuned clipping, best-tuned projection), its picked configuration at
    /// every rate, in increasing rate: the paper's claim — the projection widens the range of learning
    /// rates that train — as numbers.
    package var usableRange: [(family: String, points: [RangePoint])] {
        var out: [(String, [RangePoint])] = []
        for family in [TrainingMethod.Family.sgd, .clip, .project].map(\.name) {
            let points = tuned.entries.compactMap { e in
                e.picks.first(where: { $0.family == family }).map { RangePoint(learningRate: e.learningRate, group: $0.best) }
            }
            if !points.isEmpty { out.append((family, points)) }
        }
        return out
    }

    /// The usable range as a figure: the fraction of seeds that trained (top) and the final
    /// validation metric, mean ± 95 % over the seeds that trained (bottom), against η₀ on a log axis,
    /// for each family's best-tuned configuration at each rate.
    package func usableRangeFigure(name: String, title: String) -> Figure {
        let metric = summary.metricName
        // A fixed x range a factor of 2 beyond the rates, so that the trivial predictor's line spans
        // the panel even when one rate has been trained so far.
        let rates = tuned.entries.map(\.learningRate)
        let xRange = (rates.min() ?? 1) / 2 ... (rates.max() ?? 1) * 2
        var top = Panel(title: title, xLabel: "initial learning rate η₀", yLabel: "fraction of seeds that trained",
                        xRange: xRange, yRange: -0.05 ... 1.05, logScale: [.x], key: .below)
        var bottom = Panel(xLabel: "initial learning rate η₀", yLabel: "final validation \(metric) (seeds that trained)",
                           xRange: xRange, logScale: metric == "perplexity" ? [.x, .y] : [.x], key: .below)
        // A tic at every rate trained: on a log axis over one decade or two, gnuplot would label only 10.
        let tics = "set xtics (" + rates.sorted().map(RunConfiguration.number).joined(separator: ", ") + ")"
        top.command(tics)
        bottom.command(tics)
        bottom.plot(.function("\(baseline.metric)", title: baseline.name, style: .lines.color("#555555").width(1).dashed))
        for (k, range) in usableRange.enumerated() {
            // Dash patterns and point types differ per family, so that coinciding curves stay visible.
            let shift = 1 + 0.03 * Double(k - 1)
            let fractions = range.points.map { [$0.learningRate * shift, $0.trainedFraction] }
            top.plot(.data(fractions, columns: ["learning_rate", "trained_fraction"], using: "1:2", title: range.family,
                           style: Style(kind: .linesPoints, lineType: k + 1).dash([.solid, .dashed, .dotted][k % 3])))
            let metrics: [[Double]] = range.points.compactMap { p in
                p.group.finalValid.map { [p.learningRate * shift, $0.mean, $0.lower, $0.upper] }
            }
            bottom.plot(.data(metrics.isEmpty ? [[1, .nan, .nan, .nan]] : metrics, columns: ["learning_rate", "mean", "low", "high"],
                              using: "1:2:3:4", title: range.family, style: Style(kind: .custom("yerrorlines"), lineType: k + 1)))
        }
        return Figure(name, layout: Figure.Layout(rows: 2, columns: 1), panelSize: (760, 360), panels: [top, bottom])
    }

    /// Whether the grid shows models that learn and the paper's situation (the standard scale's
    /// criteria (b) and (c); (a) is the run time, ``medianRunSeconds``).
    package struct Criteria: Sendable {
        /// The configuration with the lowest mean final validation metric over seeds that all trained.
        package var best: SeedGroup?
        /// Its mean final metric divided by the trivial predictor's.
        package var bestRatio: Double?
        /// The largest ratio to the trivial predictor that counts as learning.
        package var requiredRatio: Double
        /// The rates, among those that decide (``decidingRates``: every run finished, not the probe), at
        /// which plain SGD diverged in at least one seed while the best-tuned projection trained in every seed.
        package var sgdDivergesProjectionTrains: [Double]
        /// The deciding rates at which the best-tuned projection trained every seed while the best-tuned
        /// clip diverged in at least one (the paper's claim C5).
        package var projectionTrainsClipDiverges: [Double] = []
        /// The deciding rates at which the best-tuned clip trained every seed while the best-tuned
        /// projection diverged in at least one (C5 the other way round).
        package var clipTrainsProjectionDiverges: [Double] = []

        /// (b): the best configuration's ratio is at most the required one.
        package var learns: Bool { (bestRatio ?? .infinity) <= requiredRatio }
        /// (c): there is a rate where plain SGD diverges and the projection trains.
        package var showsTheExplosion: Bool { !sgdDivergesProjectionTrains.isEmpty }
    }

    /// At one rate, from each family's best-tuned configuration: whether plain SGD diverged in some seed
    /// while the projection trained every seed, and whether one of clipping and the projection trained
    /// every seed while the other diverged in some ("trained" is stricter than "did not diverge": a run
    /// must also beat the trivial predictor).
    package static func outcomes(sgd: SeedGroup?, clip: SeedGroup?, projection: SeedGroup?)
        -> (sgdDivergesProjectionTrains: Bool, projectionTrainsClipDiverges: Bool, clipTrainsProjectionDiverges: Bool) {
        func all(_ g: SeedGroup?) -> Bool { g.map { $0.count > 0 && $0.trained.count == $0.count } ?? false }
        func some(_ g: SeedGroup?) -> Bool { g.map { !$0.diverged.isEmpty } ?? false }
        return (some(sgd) && all(projection), all(projection) && some(clip), all(clip) && some(projection))
    }

    /// The criteria, with `requiredRatio` the largest metric / trivial-predictor ratio that counts as learning.
    package func criteria(requiredRatio: Double) -> Criteria {
        let allTrained = summary.groups.filter { $0.count > 0 && $0.trained.count == $0.count }
        let best = allTrained.min { ($0.finalValid?.mean ?? .infinity) < ($1.finalValid?.mean ?? .infinity) }
        var rates: [Double] = [], projectionOnly: [Double] = [], clipOnly: [Double] = []
        let finishedRates = decidingRates
        for e in tuned.entries where finishedRates.contains(e.learningRate) {
            func pick(_ f: TrainingMethod.Family) -> SeedGroup? { e.picks.first(where: { $0.family == f.name })?.best }
            let o = Self.outcomes(sgd: pick(.sgd), clip: pick(.clip), projection: pick(.project))
            if o.sgdDivergesProjectionTrains { rates.append(e.learningRate) }
            if o.projectionTrainsClipDiverges { projectionOnly.append(e.learningRate) }
            if o.clipTrainsProjectionDiverges { clipOnly.append(e.learningRate) }
        }
        return Criteria(best: best, bestRatio: best?.finalValid.map { $0.mean / baseline.metric }, requiredRatio: requiredRatio,
                        sgdDivergesProjectionTrains: rates, projectionTrainsClipDiverges: projectionOnly,
                        clipTrainsProjectionDiverges: clipOnly)
    }

    /// Prints the grid's tables and tests, writes `PREFIX-summary`, `PREFIX-tuned`, the usable-range
    /// figure `PREFIX-usable-range` and the validation figure `PREFIX-valid-METRIC` into `output`, and
    /// records under `PREFIX.` the values a page cites: every configuration's counts and final metric,
    /// the usable range per family, the best configuration, its curve and its ratio to the trivial
    /// predictor (criterion: at most `requiredRatio`), the rates where plain SGD diverges and the
    /// projection trains, the rates where one of the best-tuned clip and projection trains every seed
    /// and the other diverges (`criterion.projection_only`, `criterion.clip_only`), each family's
    /// pick and trained count per rate (`range.FAMILY.lrRATE`, `….pick`), the median run time and its
    /// share of the two cores (`median.seconds`, `machine.seconds`), the best configuration's test
    /// metric (`best.test`), and the tuned comparison per rate (`tuned.lrRATE.clip`, `….projection`,
    /// with `.knob`, `.trained` and `.test`, and `….fisher_p`, `….welch_p`, `….test_welch_p`); a note
    /// names the probe rate when its runs are in.
    /// `tunedSection`, when given, opens a section of its own (``Report/section(_:settings:)``) for the
    /// tuned comparison, its tests and the criteria, so that a book page shows them apart from the grid's table.
    /// - Returns: the table files written (the figures are in `output.written`).
    package func draw(output: ChapterOutput, report: Report, values: inout RecordedValues, prefix: String, dataName: String,
                      requiredRatio: Double, tunedSection: String? = nil) throws -> [URL] {
        let metric = summary.metricName
        if !missing.isEmpty {
            report.note("Not yet trained (left out of the tables): \(missing.count) of \(collection.states.count) runs — "
                        + missing.prefix(8).joined(separator: ", ") + (missing.count > 8 ? ", …" : ""))
        }
        report.table(summary.textTable)
        if let tunedSection { report.section(tunedSection) }
        report.table(tuned.textTable)
        if let probe, tuned.entries.contains(where: { $0.learningRate == probe.learningRate }) {
            report.note("η₀ = \(RunConfiguration.number(probe.learningRate)) is a probe above the grid: trained only at the knobs tuned at the "
                        + "grid's largest rate (c = \(RunConfiguration.number(probe.clip)), δ = \(RunConfiguration.number(probe.delta))), "
                        + "so its knobs are not tuned there.")
        }
        let tests = tuned.tests.map(\.sentence)
        if !tests.isEmpty { report.note(tests.joined(separator: "\n")) }
        var files = try summary.write(to: output.directory, name: prefix + "-summary")
        files.append(try tuned.write(to: output.directory, name: prefix + "-tuned"))
        try output.write(usableRangeFigure(name: prefix + "-usable-range", title: "Which learning rates train (\(dataName), \(prefix) scale, best-tuned knobs)"))
        try output.write(TrainingFigures.validation(summary, name: prefix + "-valid-" + metric,
                                                    title: "Validation \(metric), \(prefix) scale (mean ± 95 % over seeds)"))

        let c = criteria(requiredRatio: requiredRatio)
        let format = metric == "perplexity" ? "%.1f" : "%.3f"
        values["\(prefix).baseline"] = String(format: "%.3f", baseline.metric)
        values["\(prefix).runs"] = "\(collection.results.count)"
        values["\(prefix).grid"] = "\(collection.states.count)"
        values["\(prefix).best"] = c.best?.name ?? "—"
        values["\(prefix).best.final"] = c.best?.finalValid?.text(format) ?? "—"
        values["\(prefix).best.test"] = c.best?.finalTest?.text(format) ?? "—"
        values["\(prefix).best.ratio"] = c.bestRatio.map { String(format: "%.2f", $0) } ?? "—"
        values["\(prefix).best.curve"] = c.best.map { g in
            let epochs = g.runs.map(\.validMetrics.count).max() ?? 0
            return (0 ..< epochs).compactMap { e in
                MeanInterval(g.runs.compactMap { $0.validMetrics.indices.contains(e) ? $0.validMetrics[e] : nil }).map { String(format: format, $0.mean) }
            }.joined(separator: ", ")
        } ?? "—"
        // Per seed too: a mean over three seeds can carry one seed's transient (a validation spike
        // that the next epoch undoes), which the reader should see rather than guess.
        values["\(prefix).best.curves"] = c.best.map { g in
            g.runs.map { r in "seed \(r.configuration.seed): " + r.validMetrics.map { String(format: format, $0) }.joined(separator: ", ") }
                .joined(separator: "; ")
        } ?? "—"
        values["\(prefix).criterion.learns"] = c.learns ? "yes" : "no"
        values["\(prefix).criterion.explosion"] = c.sgdDivergesProjectionTrains.isEmpty ? "none"
            : c.sgdDivergesProjectionTrains.map(RunConfiguration.number).joined(separator: ", ")
        let list = { (rates: [Double]) in rates.isEmpty ? "none" : rates.map(RunConfiguration.number).joined(separator: ", ") }
        values["\(prefix).criterion.projection_only"] = list(c.projectionTrainsClipDiverges)
        values["\(prefix).criterion.clip_only"] = list(c.clipTrainsProjectionDiverges)
        values["\(prefix).median.seconds"] = medianRunSeconds.map { String(format: "%.0f", $0) } ?? "—"
        // (a) is about the machine's time per run: two runs share the two cores, so each costs half its wall time.
        values["\(prefix).machine.seconds"] = medianRunSeconds.map { String(format: "%.0f", $0 / 2) } ?? "—"
        for g in summary.groups {
            values["\(prefix).\(g.name).diverged"] = "\(g.diverged.count)/\(g.count)"
            values["\(prefix).\(g.name).trained"] = "\(g.trained.count)/\(g.count)"
            values["\(prefix).\(g.name).final"] = g.finalValid?.text(format) ?? "—"
        }
        // The tuned comparison per rate, for prose that cites its numbers (`PREFIX.tuned.lrR.clip`, `….projection`
        // with `.knob`, `….fisher_p`, `….welch_p`; a rate whose runs are not all in is recorded as it stands).
        for t in tuned.tests {
            let key = "\(prefix).tuned.lr\(RunConfiguration.number(t.learningRate))"
            values["\(key).clip"] = t.clip.finalValid?.text(format) ?? "—"
            values["\(key).clip.knob"] = t.clip.method.knob
            values["\(key).clip.trained"] = "\(t.clip.trained.count)/\(t.clip.count)"
            values["\(key).projection"] = t.projection.finalValid?.text(format) ?? "—"
            values["\(key).projection.knob"] = t.projection.method.knob
            values["\(key).projection.trained"] = "\(t.projection.trained.count)/\(t.projection.count)"
            values["\(key).fisher_p"] = SignificanceTests.text(t.fisherP)
            values["\(key).welch_p"] = t.welch.map { SignificanceTests.text($0.p) } ?? "—"
            // The knobs were picked on the validation metric this test compares, which favours the family
            // with more candidates; the test split, which picked nothing, gives the same test unbiased.
            values["\(key).test_welch_p"] = t.testWelch.map { SignificanceTests.text($0.p) } ?? "—"
            values["\(key).clip.test"] = t.clip.finalTest?.text(format) ?? "—"
            values["\(key).projection.test"] = t.projection.finalTest?.text(format) ?? "—"
        }
        for (family, points) in usableRange {
            let key = "\(prefix).range.\(family.replacingOccurrences(of: " ", with: "-"))"
            values[key] = points
                .map { "η₀ = \(RunConfiguration.number($0.learningRate)): \($0.group.trained.count)/\($0.group.count)" }.joined(separator: "; ")
            for p in points {
                values["\(key).lr\(RunConfiguration.number(p.learningRate))"] = "\(p.group.trained.count)/\(p.group.count)"
                values["\(key).lr\(RunConfiguration.number(p.learningRate)).pick"] = p.group.name
            }
        }
        report.note("Criteria: (a) a run took \(values["\(prefix).median.seconds"] ?? "—") s (median of the logs of runs that finished; "
                    + "one BLAS thread, two runs at a time), \(values["\(prefix).machine.seconds"] ?? "—") s of the two cores per run "
                    + "(asked: about 180 s); (b) the best configuration (\(values["\(prefix).best"] ?? "—")) ends at \(values["\(prefix).best.final"] ?? "—"), "
                    + "\(values["\(prefix).best.ratio"] ?? "—") × that of \(baseline.name) (\(String(format: format, baseline.metric))) "
                    + "(required: at most \(RunConfiguration.number(requiredRatio))×) — \(c.learns ? "it learns" : "not met"); (c) "
                    + (c.showsTheExplosion
                        ? "plain SGD diverges while the best-tuned projection trains every seed at η₀ = \(values["\(prefix).criterion.explosion"] ?? "")."
                        : "no rate yet where plain SGD diverges and the projection trains every seed."))
        return files
    }

    /// The median wall time of one run over the runs that finished without diverging (seconds, as
    /// the logs record them), or nil when none did.
    package var medianRunSeconds: Double? {
        let s = collection.results.filter { !$0.diverged && $0.status == .completed }.map(\.seconds).sorted()
        guard !s.isEmpty else { return nil }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
