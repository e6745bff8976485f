import Foundation
import GRUKit
import GRUKitChapterSupport
import GRUKitPresentation

extension Chapter07 {
    /// The measured rows of `iteration-time.dat`, one per treatment: the fastest, median and slowest
    /// timed iteration and the fastest and median projection.
    package static func iterationRows(_ timed: [Treatment: [IterationSample]]) -> [IterationTime] {
        Treatment.allCases.map { t in
            let samples = timed[t]!
            return IterationTime(name: t.rawValue, label: t.label, seconds: samples.map(\.total).min()!,
                                 projection: t.projects ? samples.map(\.projection).min()! : 0,
                                 median: samples.map(\.total).median!, slowest: samples.map(\.total).max()!,
                                 medianProjection: t.projects ? samples.map(\.projection).median! : 0, measured: true)
        }
    }

    /// What the projecting rows did in the timed iterations: how many values the active row clipped,
    /// and what the automatic projector did as trained.
    package static func timingNotes(_ timed: [Treatment: [IterationSample]]) -> [String] {
        let activeClipped = timed[.projectActive]!.compactMap { $0.report?.clippedCount }
        let autoActions = timed[.projectAutomatic]!.compactMap(\.report?.action)
        let autoSkips = autoActions.filter { $0 == .skipped }.count
        return ["project-active clipped \(activeClipped.min() ?? 0)–\(activeClipped.max() ?? 0) singular values per iteration.",
                "project-automatic, as trained: \(autoSkips) of \(autoActions.count) timed iterations skipped by the Weyl certificate, "
                    + "\(autoActions.filter { $0 == .unchanged }.count) checked and unchanged, "
                    + "\(autoActions.filter { $0 != .skipped && $0 != .unchanged }.count) clipped."]
    }

    /// Plain SGD on a fresh model with a `StepProfile`: `warmup` untimed windows, then `iterations` profiled ones.
    package static func profile(configuration: GRULanguageModel<Float>.Configuration, seed: UInt64, feed: WindowFeed,
                                iterations: Int) throws -> StepProfile {
        let model = GRULanguageModel<Float>(configuration: configuration, seed: seed)
        var feed = feed
        for i in 0..<(warmup + iterations) {
            if i == warmup { model.profile = StepProfile() }
            feed.advance()
            _ = try model.trainStep(inputs: feed.inputs, targets: feed.targets, batchSize: batchSize, learningRate: 1)
        }
        return model.profile!
    }

    /// Where a plain-SGD iteration goes: the table, `iteration-phases.dat` and the shares the prose cites.
    package struct Phases {
        package var seconds: [(phase: StepProfile.Phase, seconds: Double)]
        package var total: Double { seconds.map(\.seconds).reduce(0, +) }

        package init(_ profile: StepProfile) {
            seconds = StepProfile.Phase.allCases.map { ($0, profile.secondsPerStep($0)) }
        }

        package func table(hidden: Int, iterations: Int) -> TextTable {
            var table = TextTable(title: "Plain SGD at H = \(hidden), phase by phase: mean of \(iterations) iterations",
                                  columns: ["phase", "ms / iteration", "share"], formats: ["", "%.2f", "%.1f %%"])
            for (phase, s) in seconds { table.add([.text(phase.label), .number(1000 * s), .number(100 * s / total)]) }
            return table
        }

        package func data(hidden: Int, iterations: Int) -> String {
            var text = "# Chapter 7: where a plain-SGD iteration goes, H = E = \(hidden), mean of \(iterations) iterations (StepProfile).\n"
                + "# phase seconds share\n"
            for (phase, s) in seconds { text += "\(phase) \(DataTable.format(s)) \(DataTable.format(s / total))\n" }
            return text
        }

        /// The share of `phases` in the iteration, as the prose cites it ("62 %").
        package func share(_ phases: [StepProfile.Phase]) -> String {
            String(format: "%.0f %%", 100 * seconds.filter { phases.contains($0.phase) }.map(\.seconds).reduce(0, +) / total)
        }

        /// `phase.outputLayer` and `phase.gru`, the shares the prose cites.
        package func record(into values: inout RecordedValues) {
            values["phase.outputLayer"] = share([.outputForward, .outputBackward])
            values["phase.gru"] = share([.gruForward, .gruBackward])
        }
    }

    /// The automatic projector's cost at the timed size estimated from each activity run's mix of
    /// actions: the per-action costs measured in the timing (skip, check = the leading-eigenpairs row,
    /// clip = the active row) weighted by the run's fractions, added to the plain-SGD iteration.
    package struct Estimates {
        package var skipSeconds: Double
        package var stepSeconds: Double
        package var stepMedian: Double
        package var checkSeconds: Double
        package var clipSeconds: Double
        package var runs: [(run: ActivityRun, projection: Double, share: Double)] = []
        /// A note when no timed iteration was skipped (the skip cost is then a synthetic one's).
        package var note: String?

        package init(rows: [IterationTime], timed: [Treatment: [IterationSample]], runs: [ActivityRun], hidden: Int, threshold c: Double,
                     seed: UInt64) throws {
            let skipTimes = timed[.projectAutomatic]!.filter { $0.report?.action == .skipped }.map(\.projection)
            if skipTimes.isEmpty {
                skipSeconds = try certifiedSkipSeconds(n: hidden, threshold: c, repeats: 5, seed: seed)
                note = "No timed iteration was skipped: the skip cost at n = \(hidden) is that of a synthetic certified step."
            } else {
                skipSeconds = skipTimes.min()!
            }
            stepSeconds = rows.first { $0.name == Treatment.sgd.rawValue }!.seconds
            stepMedian = rows.first { $0.name == Treatment.sgd.rawValue }!.median
            checkSeconds = rows.first { $0.name == Treatment.projectLeading.rawValue }!.projection
            clipSeconds = rows.first { $0.name == Treatment.projectActive.rawValue }!.projection
            for run in runs {
                let p = run.fraction("skipped") * skipSeconds + run.fraction("unchanged") * checkSeconds + run.fraction("clipped") * clipSeconds
                self.runs.append((run, p, p / (stepSeconds + p)))
            }
        }

        /// The estimate rows of `iteration-time.dat`, one per activity run.
        package var rows: [IterationTime] {
            runs.map { e in
                IterationTime(name: "estimate-lr\(Gnuplot.number(e.run.learningRate))",
                              label: "automatic, mix at η = \(Gnuplot.number(e.run.learningRate)) (est.)",
                              seconds: stepSeconds + e.projection, projection: e.projection, median: stepMedian + e.projection,
                              medianProjection: e.projection, measured: false)
            }
        }
    }

    /// `iteration-time.dat`: one row per timed method and one per estimate.
    package static func iterationTimeData(_ rows: [IterationTime], estimates e: Estimates, vocabulary: Int, hidden: Int, realData: Bool,
                                          timedIterations: Int, blasThreads: Int) -> String {
        let measuredCount = rows.filter(\.measured).count
        var text = """
            # Chapter 7: seconds per training iteration of the PTB model (V = \(vocabulary), E = H = \(hidden), batch \(batchSize),
            # \(bptt) steps, dropout 0.5, Float32, \(blasThreads) BLAS threads, learning rate 1) on \(realData ? "PTB training windows" : "random tokens").
            # seconds_per_iteration and projection_seconds: the fastest of \(timedIterations) timed iterations (after \(warmup) warm-up, methods round-robin),
            # the least disturbed by other load on the machine; share = projection_seconds / seconds_per_iteration.
            # The first \(measuredCount) rows are measured; rows named estimate-lrX are estimates: plain-SGD iteration + the automatic
            # projector's per-action costs (skip \(DataTable.format(e.skipSeconds)) s, check \(DataTable.format(e.checkSeconds)) s, clip \(DataTable.format(e.clipSeconds)) s)
            # weighted by the action fractions of the training run at learning rate X (projection-activity-summary.dat).
            # median_seconds, slowest_seconds, median_projection_seconds: the median and slowest of the timed iterations and the
            # median projection (the figure's bars and error bars); for an estimate the median plain-SGD iteration + its projection, no slowest.
            # method seconds_per_iteration projection_seconds share median_seconds slowest_seconds median_projection_seconds

            """
        for r in rows {
            text += "\(r.name) \(DataTable.format(r.seconds)) \(DataTable.format(r.projection)) \(DataTable.format(r.share)) "
                + "\(DataTable.format(r.median)) \(DataTable.format(r.slowest)) \(DataTable.format(r.medianProjection))\n"
        }
        return text
    }

    /// The table of one iteration by method (the estimates last).
    package static func iterationTimeTable(_ rows: [IterationTime], hidden: Int, timedIterations: Int) -> TextTable {
        var table = TextTable(title: "One training iteration at H = \(hidden): fastest of \(timedIterations) (the median for comparison; est. = estimate)",
                              columns: ["method", "s / iteration", "median", "projection ms", "share"],
                              formats: ["", "%.4f", "%.4f", "%.3f", "%.2f %%"])
        for r in rows {
            table.add([.text(r.label), .number(r.seconds), r.measured ? .number(r.median) : .empty, .number(1000 * r.projection),
                       .number(100 * r.share)])
        }
        return table
    }

    /// The measured times and shares by name: `hidden`, `seconds.ROW` and `share.ROW`.
    package static func record(_ rows: [IterationTime], hidden: Int, into values: inout RecordedValues) {
        values["hidden"] = "\(hidden)"
        for r in rows {
            values["seconds.\(r.name)"] = String(format: "%.3f", r.seconds)
            values["share.\(r.name)"] = String(format: "%.2f %%", 100 * r.share)
        }
    }

    /// The projection's share in real training, from paper-scale logs: each logged run's fraction f of
    /// iterations whose projection changed W_hh (`projected_count`) paid the clip cost; the other
    /// iterations were skipped (the lower bound) or checked without a change (the upper bound) — the
    /// logs do not say which. Records `paper.RUN.share` and returns one note per run.
    package static func paperShares(_ logs: [LoggedRun], estimates e: Estimates, into values: inout RecordedValues) -> [String] {
        var notes: [String] = []
        for run in logs {
            let counts = run.iterations.compactMap { $0.double("projected_count") }.filter(\.isFinite)
            let trained = run.iterations.compactMap { $0.double("iteration") }.filter(\.isFinite).max() ?? 0
            guard run.method.contains("project"), !counts.isEmpty, trained > 0 else { continue }
            let f = min(1, counts.reduce(0, +) / trained)
            let low = f * e.clipSeconds + (1 - f) * e.skipSeconds, high = f * e.clipSeconds + (1 - f) * e.checkSeconds
            let range = String(format: "%.1f–%.1f %%", 100 * low / (e.stepSeconds + low), 100 * high / (e.stepSeconds + high))
            values["paper.\(run.label).share"] = range
            notes.append("\(run.label) (paper-scale log): the projection changed W_hh in "
                         + String(format: "%.1f %%", 100 * f) + " of \(Int(trained)) iterations; its share of a step there: \(range)")
        }
        return notes
    }

    /// `projection-activity.dat` (every iteration's action), `projection-activity-summary.dat` and
    /// the table of the automatic projector in training.
    package static func activityFiles(_ e: Estimates, threshold c: Double, realData: Bool, runHidden: Int, runIterations: Int,
                                      hidden: Int) -> (data: String, summary: String, table: TextTable) {
        var activityText = """
            # Chapter 7: what the automatic projector did at each iteration of SGD + P_delta (threshold 2 - delta = \(c)) on
            # \(realData ? "PTB" : "random tokens"), H = E = \(runHidden), batch \(batchSize) x \(bptt), dropout 0.5, Float32. One index block per learning rate.
            # action: skipped (Weyl certificate), unchanged (checked, nothing above c), clipped (clipped values > c);
            # clipped: how many singular values were clipped; seconds: the projection's wall-clock time (gradient norm + projector).

            """
        var summaryText = """
            # Chapter 7: summary of projection-activity.dat, one row per learning rate. share_measured: projection seconds / iteration
            # seconds over the run at H = \(runHidden); share_estimated_H\(hidden): the same action fractions with the per-action costs at H = \(hidden).
            # lr iterations skipped unchanged clipped mean_clipped share_measured share_estimated

            """
        var table = TextTable(title: "The automatic projector in training, H = \(runHidden), \(runIterations) iterations per rate",
                              columns: ["η", "its", "skipped", "unchanged", "clipped", "mean k", "share (H = \(runHidden))",
                                        "est. share (H = \(hidden))", "max σ_1 (SVD check)"],
                              formats: ["%g", "", "", "", "", "%.1f", "%.2f %%", "%.2f %%", "%.6f"])
        for (k, e) in e.runs.enumerated() {
            let run = e.run
            if k > 0 { activityText += "\n\n" }
            activityText += "# learning rate \(Gnuplot.number(run.learningRate))\n# iteration lr action clipped seconds\n"
            for r in run.records {
                activityText += "\(r.iteration) \(Gnuplot.number(run.learningRate)) \(r.actionName) \(r.clipped) \(DataTable.format(r.projection))\n"
            }
            summaryText += "\(Gnuplot.number(run.learningRate)) \(run.records.count) \(run.count("skipped")) \(run.count("unchanged")) "
                + "\(run.count("clipped")) \(DataTable.format(run.meanClipped)) \(DataTable.format(run.share)) \(DataTable.format(e.share))\n"
            table.add([.number(run.learningRate), .integer(run.records.count), .integer(run.count("skipped")),
                       .integer(run.count("unchanged")), .integer(run.count("clipped")), .number(run.meanClipped),
                       .number(100 * run.share), .number(100 * e.share), .number(run.largestCheckedSigma)])
        }
        return (activityText, summaryText, table)
    }

    /// The note under the activity table: the independent SVD check of every run.
    package static func activityCheckNote(_ runs: [ActivityRun], checkEvery: Int, threshold c: Double) -> String {
        String(format: "σ_1 after the projector, recomputed by a Double SVD %d times (every %@): largest %.7f; "
               + "c = %.7f, allowed c (1 + 1e-5) for the Float rounding of clipped values.",
               runs.map(\.checks).reduce(0, +), checkEvery == 1 ? "iteration" : "\(checkEvery) iterations",
               runs.map(\.largestCheckedSigma).max() ?? 0, c)
    }

    /// One exact projection against n: every decomposing method on the main case (one value above c)
    /// and the certified skip, fastest of repeated calls.
    package struct ProjectionAgainstN {
        package static let methods: [ProjectionMethod] = [.fullSVD, .eigen, .selectiveEigen, .automatic]
        package static var names: [String] { methods.map(\.rawValue) + ["certifiedSkip"] }
        package var sizes: [Int]
        package var repeats: Int
        package var threshold: Double
        package var timings: [ProjectionTiming] = []
        package var skips: [(n: Int, milliseconds: Double)] = []

        package init(sizes: [Int], threshold c: Double, repeats: Int, seed: UInt64, progress: ProgressBar) throws {
            self.sizes = sizes
            self.repeats = repeats
            self.threshold = c
            for n in sizes {
                timings += try ProjectionCost.measure(n: [n], methods: Self.methods, cases: [.oneAbove], threshold: c, repeats: repeats, seed: seed)
                skips.append((n, 1000 * (try certifiedSkipSeconds(n: n, threshold: c, repeats: repeats, seed: seed))))
                progress.advance()
            }
        }

        /// The fastest milliseconds of method `name` at size `n`.
        package func milliseconds(_ name: String, n: Int) -> Double? {
            name == "certifiedSkip" ? skips.first { $0.n == n }?.milliseconds
                : timings.first { $0.n == n && $0.method.rawValue == name }?.minimumMilliseconds
        }

        /// The smallest time measured (milliseconds), for the figure's range.
        package var smallest: Double { (timings.map(\.minimumMilliseconds) + skips.map(\.milliseconds)).filter { $0 > 0 }.min() ?? 1e-4 }

        /// `projection-vs-n.dat`: one index block per method, rows `n method milliseconds`.
        package func data(blasThreads: Int) -> String {
            var text = """
                # Chapter 7: fastest wall-clock time (ms) of one exact projection of an n x n Float matrix with one singular value
                # above the threshold 2 - delta = \(threshold) (sigma_1 = 1.25 c), \(repeats) timed repeats, \(blasThreads) BLAS threads.
                # automatic: bound check + leading eigenpairs (no certificate); certifiedSkip: a step certified by the carried Weyl bound.
                # One index block per method.

                """
            for (k, name) in Self.names.enumerated() {
                if k > 0 { text += "\n\n" }
                text += "# n method milliseconds\n"
                for n in sizes { text += "\(n) \(name) \(DataTable.format(milliseconds(name, n: n)!))\n" }
            }
            return text
        }

        package var table: TextTable {
            var table = TextTable(title: "One projection, one value above c: fastest of \(repeats), ms (Float)",
                                  columns: ["n"] + Self.names, formats: ["%g"] + Array(repeating: "%.4f", count: Self.names.count))
            for n in sizes { table.add([.integer(n)] + Self.names.map { .optional(milliseconds($0, n: n)) }) }
            return table
        }
    }
}
