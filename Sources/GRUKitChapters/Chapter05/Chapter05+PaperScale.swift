import Foundation
import GRUKit
import GRUKitChapterSupport
import GRUKitPresentation

extension Chapter05 {
    /// The PyTorch reference run of the paper's protocol: the same model and data (PyTorch's cuDNN GRU,
    /// i.e. the reset-after form, without GRU biases, PyTorch's default initialisation, seed 1, float32,
    /// on a GPU), each configuration run for 450 s. It is an independent implementation, not the
    /// paper's own numbers (the paper's tables are not available to us); `results/ptb-paper/README.md`
    /// describes it. Keyed by our run names; the values are validation perplexities after epochs 1, 2, …
    package enum PyTorchReference {
        package struct Run {
            /// Validation perplexity after each epoch the reference reached.
            package var validPerplexity: [Double]
            /// How the reference run went, in words.
            package var fate: String
        }

        package static let runs: [String: Run] = [
            "sgd-lr1": Run(validPerplexity: [945.9, 636.2, 538.0, 483.6, 446.9, 418.3, 392.1, 369.4, 352.4, 336.4, 322.6],
                           fate: "trained; ‖W_hn‖₂ grows to 7.8, the largest gradient norm is 2.5"),
            "clip5-lr1": Run(validPerplexity: [945.9, 636.2, 538.0, 483.6, 446.9, 418.3, 392.1, 369.4, 352.4, 336.4, 322.6],
                             fate: "identical to plain SGD: the clip never acts"),
            "project0.2-lr1": Run(validPerplexity: [950.9, 674.7, 553.9, 499.4], fate: "trained"),
            "sgd-lr10": Run(validPerplexity: [], fate: "blew up at iteration 164 (loss 143); ≈ 3.7e5 afterwards"),
            "clip5-lr10": Run(validPerplexity: [4e14, 3e8], fate: "garbage from epoch 1; NaN at iteration 10,259 (epoch 8)"),
            "project0.2-lr10": Run(validPerplexity: [429.7, 330.0, 277.2, 246.9], fate: "trained; the best of all runs"),
        ]

        /// The reference of a run with this label, provided the run has the reference's GRU form.
        package static func run(for r: LoggedRun) -> Run? { GRUCell(spelling: r.cell) == .resetAfter ? runs[r.label] : nil }
    }

    /// The "paper scale" section: a table and two figures drawn from a folder of logs.
    package struct PaperScaleSection {
        /// The logs, sorted by label.
        package var runs: [LoggedRun]
        /// The validation perplexity columns shown one per epoch (later epochs: final and best).
        package static let epochColumns = 4

        package init(directory: URL) throws { runs = try LoggedRun.load(directory: directory) }
        /// The section of logs already read.
        package init(runs: [LoggedRun]) { self.runs = runs }

        /// The trivial predictor on the whole splits: the unigram model of the training tokens scored on
        /// the validation tokens, as the standard scale's section judges its runs.
        package static func unigram(ptb: PennTreebank) -> ResultsTable.Baseline {
            Experiment.unigram(train: ptb.train, vocabulary: ptb.vocabulary.count, valid: ptb.valid)
        }

        package static func format(_ x: Double?) -> String {
            guard let x, x.isFinite else { return "—" }
            return x >= 1e5 ? String(format: "%.3g", x) : String(format: "%.1f", x)
        }

        /// The fastest seconds per iteration between two consecutive iteration records of the same
        /// epoch: the speed of the run where the machine disturbed it least (a shared machine slows the
        /// mean, not the best stretch).
        package static func fastestSecondsPerIteration(_ r: LoggedRun) -> Double? {
            let points = r.iterations.compactMap { rec -> (epoch: Double, iteration: Double, seconds: Double)? in
                guard let e = rec.double("epoch"), let i = rec.double("iteration"), let s = rec.double("seconds") else { return nil }
                return (e, i, s)
            }
            let rates = zip(points, points.dropFirst()).compactMap { a, b -> Double? in
                guard a.epoch == b.epoch, b.iteration > a.iteration else { return nil }
                return (b.seconds - a.seconds) / (b.iteration - a.iteration)
            }
            return rates.min()
        }

        /// The largest relative difference |ours / reference − 1| over the epochs both reached.
        package static func largestDifference(_ ours: [Double], _ reference: [Double]) -> Double? {
            let pairs = zip(ours, reference).filter { $0.0.isFinite && $0.1.isFinite && $0.1 > 0 }
            return pairs.isEmpty ? nil : pairs.map { abs($0.0 / $0.1 - 1) }.max()
        }

        /// The log's GRU form as command lines spell it (`reset-after`); logs written before the two
        /// spellings were unified say `resetAfter`.
        package static func cellName(_ r: LoggedRun) -> String { GRUCell(spelling: r.cell)?.rawValue ?? r.cell }

        /// The method a log's header names (`sgd`, `clip(0.25)`, `project(δ=0.2)`, `clip(5.0)+project(δ=0.2)`,
        /// `rescale(δ=…)`) with its knobs from the header's `clip` and `delta`; nil when it names none of them.
        package static func method(of r: LoggedRun) -> TrainingMethod? {
            let m = r.method, clip = r.header.double("clip"), delta = r.header.double("delta")
            if m == "sgd" || m == "none" { return .sgd }
            if m.hasPrefix("clip"), m.contains("+"), let clip, let delta { return .clipAndProject(maxNorm: clip, delta: delta) }
            if m.hasPrefix("clip"), let clip { return .clip(maxNorm: clip) }
            if m.hasPrefix("project"), let delta { return .project(delta: delta) }
            if m.hasPrefix("rescale"), let delta { return .rescale(delta: delta) }
            return nil
        }

        /// A size the header records, at least 1 (a configuration needs one; the comparison reads none of them).
        static func size(_ r: LoggedRun, _ key: String) -> Int {
            guard let x = r.header.double(key), x.isFinite, x >= 1, x < 1e9 else { return 1 }
            return Int(x)
        }

        /// The seed a log's header records (a string in the logs, a number in some older ones; 1 when absent).
        package static func seed(of r: LoggedRun) -> UInt64 {
            r.header.string("seed").flatMap { UInt64($0) } ?? r.header.double("seed").flatMap { UInt64(exactly: $0) } ?? 1
        }

        /// The decisive comparison at the paper's scale: the logs of the paper's model (650 units) in the
        /// paper grid's GRU form (reset-after) at the largest rate, one per configuration and seed,
        /// grouped over seeds and cut to the fewest epochs a run that did not diverge reached (the first
        /// epochs of the 75-epoch protocol). A run counts as diverged when it diverged by the cut, and as
        /// trained when it beats `baseline` there; a run still in its first epoch is left out. Returns
        /// the table, the epochs it covers and the rate, or nil without two such configurations.
        package func decisive(baseline: ResultsTable.Baseline) -> (summary: SeedSummary, epochs: Int, learningRate: Double)? {
            guard let top = runs.map(\.learningRate).filter(\.isFinite).max() else { return nil }
            // The paper's model in the form the paper's grid uses, one log per configuration and seed.
            var seen = Set<String>()
            let chosen = runs.filter { r in
                guard r.learningRate == top, GRUCell(spelling: r.cell) == .resetAfter, Self.method(of: r) != nil,
                      r.header.double("hidden") == Double(PaperProtocol.ptb.hidden) else { return false }
                return seen.insert("\(r.name) seed \(Self.seed(of: r))").inserted
            }
            // The cut: the fewest epochs reached by a run that did not diverge (a run still in its first
            // epoch has nothing to compare yet and is left out).
            let compared = chosen.filter { $0.diverged || !$0.epochs.isEmpty }
            guard let epochs = compared.filter({ !$0.diverged }).map(\.epochs.count).min() else { return nil }
            let results: [RunResult] = compared.map { r in
                let method = Self.method(of: r)!
                let name = RunConfiguration.isValidName(r.name) ? r.name : RunConfiguration.name(method: method, learningRate: top)
                let configuration = RunConfiguration(name: name, method: method, schedule: .paper(initial: top), epochs: epochs,
                                                     seed: Self.seed(of: r), hiddenSize: Self.size(r, "hidden"),
                                                     batchSize: Self.size(r, "batch"), steps: Self.size(r, "steps"),
                                                     dropout: r.header.double("dropout") ?? 0)
                var result = r.result(configuration: configuration)
                // A divergence counts when it came by the cut; a run that diverged later is judged at the cut,
                // as a run that has not reached that epoch yet would be.
                var divergedByTheCut = false
                if case .diverged(let e, _, _) = r.status { divergedByTheCut = e <= epochs }
                if !divergedByTheCut {
                    result.status = .completed
                    result.validMetrics = Array(result.validMetrics.prefix(epochs))
                    result.validLosses = Array(result.validLosses.prefix(epochs))
                    result.trainLosses = Array(result.trainLosses.prefix(epochs))
                    result.testMetric = nil
                    result.testLoss = nil
                }
                return result
            }
            // Rows in the order of the families (plain SGD, clipping, the projection, …), then by knob and seed.
            let order = TrainingMethod.Family.allCases
            let sorted = results.sorted {
                let a = ($0.configuration.method.family, $0.configuration.method.knobValue ?? 0, $0.configuration.seed)
                let b = ($1.configuration.method.family, $1.configuration.method.knobValue ?? 0, $1.configuration.seed)
                if a.0 != b.0 { return order.firstIndex(of: a.0)! < order.firstIndex(of: b.0)! }
                return a.1 != b.1 ? a.1 < b.1 : a.2 < b.2
            }
            let summary = SeedSummary(results: sorted, title: "Penn Treebank at the paper's scale, η₀ = \(RunConfiguration.number(top)), "
                                      + "after \(epochs) of \(PaperProtocol.ptb.epochs) epochs, over seeds", baseline: baseline)
            return summary.groups.count >= 2 ? (summary, epochs, top) : nil
        }

        /// The decisive comparison's tests: plain SGD's diverged seeds against the projection's (Fisher's
        /// exact test), and the projection against the clip picked by ``TunedComparison``'s rule (Welch's
        /// t-test on the final perplexity, when each has two seeds that trained).
        package static func decisiveTests(_ summary: SeedSummary) -> (sentences: [String], values: [String: String]) {
            var sentences: [String] = [], values: [String: String] = [:]
            let sgd = summary.groups.first { $0.method == .sgd }
            let projection = summary.groups.filter { $0.method.family == .project }.max { $0.count < $1.count }
            // The clip picked as the tuned comparison picks a knob: most seeds trained, fewest diverged, lowest mean.
            let clip = TunedComparison.pick(summary.groups.filter { $0.method.family == .clip })
            if let g = sgd {
                values["sgd.diverged"] = "\(g.diverged.count)/\(g.count)"
                values["sgd.iterations"] = g.divergenceIterations.map(String.init).joined(separator: ", ")
            }
            if let q = projection {
                values["project.diverged"] = "\(q.diverged.count)/\(q.count)"
                values["project.trained"] = "\(q.trained.count)/\(q.count)"
                values["project.final"] = q.finalValid?.text("%.1f") ?? "—"
            }
            if let c = clip {
                values["clip.best"] = c.method.knob
                values["clip.seeds"] = "\(c.count)"
                values["clip.final"] = c.finalValid?.text("%.1f") ?? "—"
            }
            if let g = sgd, let q = projection {
                let p = SignificanceTests.fisherExact(g.diverged.count, g.count - g.diverged.count, q.diverged.count, q.count - q.diverged.count)
                values["fisher_p"] = SignificanceTests.text(p)
                sentences.append("Plain SGD diverged in \(g.diverged.count)/\(g.count) seeds, the projection (\(q.method.knob)) in "
                                 + "\(q.diverged.count)/\(q.count) — Fisher's exact test \(SignificanceTests.text(p)).")
            }
            if let c = clip, let q = projection {
                if let w = SignificanceTests.welch(c.trained.compactMap(\.finalValidMetric), q.trained.compactMap(\.finalValidMetric)) {
                    values["welch_p"] = SignificanceTests.text(w.p)
                    sentences.append("The best clip (\(c.method.knob)) \(c.finalValid?.text("%.1f") ?? "—") against the projection "
                                     + "\(q.finalValid?.text("%.1f") ?? "—"): Welch's t = \(String(format: "%.2f", w.t)), \(SignificanceTests.text(w.p)).")
                } else {
                    values["welch_p"] = "—"
                    sentences.append("The best clip (\(c.method.knob), \(c.trained.count) seed\(c.trained.count == 1 ? "" : "s") trained) against "
                                     + "the projection (\(q.trained.count) trained): too few seeds for a t-test of the final perplexity.")
                }
            }
            return (sentences, values)
        }

        /// One row per log, as the terminal and `paper-results.md` show it.
        package var rows: [[String]] {
            runs.map { r in
                let v = r.validMetrics
                let reference = PyTorchReference.run(for: r)
                let epochs = (0 ..< Self.epochColumns).map { Self.format($0 < v.count ? v[$0] : nil) }
                let difference = reference.flatMap { Self.largestDifference(v, $0.validPerplexity) }
                return [r.label, Self.cellName(r), RunConfiguration.number(r.learningRate), "\(r.epochs.count)", ResultsTable.outcome(r.status)]
                    + epochs
                    + [Self.format(v.last), Self.format(v.filter(\.isFinite).min()),
                       reference.map { ref in ref.validPerplexity.isEmpty ? ref.fate
                           : ref.validPerplexity.prefix(max(v.count, 1)).map(Self.format).joined(separator: ", ") } ?? "—",
                       difference.map { String(format: "%.1f %%", 100 * $0) } ?? "—",
                       r.secondsPerEpoch.median.map { String(format: "%.0f", $0) } ?? "—",
                       Self.fastestSecondsPerIteration(r).map { String(format: "%.3f", $0) } ?? "—"]
            }
        }

        package static var columns: [String] {
            ["run", "GRU form", "η₀", "epochs", "outcome"] + (1 ... epochColumns).map { "valid ppl \($0)" }
                + ["final", "best", "PyTorch reference", "largest difference", "s / epoch", "fastest s / iteration"]
        }

        package var textTable: TextTable {
            var t = TextTable(title: "Penn Treebank at the paper's scale (ours, from logs)", columns: Self.columns,
                              formats: Array(repeating: "", count: Self.columns.count))
            for row in rows { t.add(row.map { .text($0) }) }
            return t
        }

        package var markdown: String {
            var lines = ["# Penn Treebank at the paper's scale (ours, from logs)", "",
                         "| " + Self.columns.joined(separator: " | ") + " |",
                         "|" + Self.columns.map { _ in "---" }.joined(separator: "|") + "|"]
            for row in rows { lines.append("| " + row.joined(separator: " | ") + " |") }
            return lines.joined(separator: "\n") + "\n"
        }

        /// One row per log with the numbers of the table (NaN where a run has none).
        package var dataTable: DataTable {
            var comments = ["Penn Treebank at the paper's scale (ours, from logs). One row per run; in row order:"]
            for (k, r) in runs.enumerated() { comments.append("  \(k + 1): \(r.label) (\(r.method), \(Self.cellName(r))) — \(ResultsTable.outcome(r.status))") }
            let epochColumns = (1 ... Self.epochColumns).map { "valid_\($0)" }
            var t = DataTable(columns: ["run", "learning_rate", "epochs", "diverged", "diverged_iteration"] + epochColumns
                              + ["final_valid", "best_valid", "seconds_per_epoch", "fastest_seconds_per_iteration"], comments: comments)
            for (k, r) in runs.enumerated() {
                let v = r.validMetrics
                var divergedIteration = Double.nan
                if case .diverged(_, let i, _) = r.status { divergedIteration = Double(i) }
                let head: [Double] = [Double(k + 1), r.learningRate, Double(r.epochs.count), r.diverged ? 1 : 0, divergedIteration]
                let epochs: [Double] = (0 ..< Self.epochColumns).map { $0 < v.count ? v[$0] : .nan }
                let tail: [Double] = [v.last ?? .nan, v.filter(\.isFinite).min() ?? .nan, r.secondsPerEpoch.median ?? .nan,
                                      Self.fastestSecondsPerIteration(r) ?? .nan]
                t.append(head + epochs + tail)
            }
            return t
        }

        /// Validation perplexity after each epoch, one line per run, and the PyTorch reference of the
        /// same configuration as open points of the same colour; log axes on y (diverging runs span decades).
        /// A run with no point on the axis (diverged in its first epoch) is named in a line under the
        /// title instead of the key, and the key stands to the right, so that a dozen runs leave the
        /// curves room; beyond the eight colours of the palette, lines are dashed.
        package var validationFigure: Figure {
            // Perplexities of a run that has fallen apart (10⁸ and more) would squash the curves that matter:
            // the axis spans what a model that learns goes through (up to 3,000; the vocabulary size, a
            // uniform guess, is 10,000) and points beyond it are named; its floor is 200 unless a run or
            // the reference goes lower (the paper's best runs end near 80 after 75 epochs), then 50.
            let ceiling = 3_000.0
            let lowest = (runs.flatMap(\.validMetrics) + runs.flatMap { PyTorchReference.run(for: $0)?.validPerplexity ?? [] })
                .filter { $0.isFinite && $0 > 0 }.min() ?? 200
            let floor = lowest < 200 ? 50.0 : 200.0
            var offAxis: [String] = []
            var panel = Panel(title: "Validation perplexity at the paper's scale: ours (lines) and PyTorch (open points)",
                              xLabel: "epoch", yLabel: "validation perplexity", logScale: [.y], key: .outsideRight)
            panel.command("set xtics 1")
            panel.yRange = floor ... ceiling
            panel.command("set ytics (" + [50, 100, 200, 300, 500, 1000, 2000, 3000].filter { $0 >= floor }.map { "\(Int($0))" }.joined(separator: ", ") + ")")
            var k = 0
            for r in runs {
                let v = r.validMetrics.enumerated().filter { $0.element.isFinite && $0.element >= floor && $0.element <= ceiling }
                let beyond = r.validMetrics.enumerated().filter { !($0.element >= floor && $0.element <= ceiling) }
                let ref = PyTorchReference.run(for: r)
                let refShown = (ref?.validPerplexity ?? []).enumerated().filter { $0.element >= floor && $0.element <= ceiling }
                if !beyond.isEmpty {
                    offAxis.append(r.label + " " + beyond.map { "\(Self.format($0.element)) after epoch \($0.offset + 1)" }.joined(separator: ", "))
                }
                if v.isEmpty {
                    if case .diverged(_, let i, _) = r.status { offAxis.append(r.label + " diverged at iteration \(i)") }
                    if refShown.isEmpty {
                        if let ref, !ref.validPerplexity.isEmpty {
                            offAxis.append("PyTorch: " + r.label + " " + ref.validPerplexity.map(Self.format).joined(separator: ", "))
                        }
                        continue
                    }
                }
                let colour = k % Figure.palette.count + 1
                let dash: Style.Dash = k < Figure.palette.count ? .solid : .dashed
                k += 1
                if !v.isEmpty {
                    var title = r.label
                    if case .diverged(let e, let i, _) = r.status { title += " (diverged: epoch \(e), iteration \(i))" }
                    panel.plot(.xy(v.map { Double($0.offset + 1) }, v.map(\.element), columns: ("epoch", "perplexity"), title: title,
                                   style: Style.linesPoints.lineType(colour).dash(dash)))
                }
                if let ref, !refShown.isEmpty {
                    let off = ref.validPerplexity.filter { !($0 >= floor && $0 <= ceiling) }
                    panel.plot(.xy(refShown.map { Double($0.offset + 1) }, refShown.map(\.element), columns: ("epoch", "perplexity"),
                                   title: "PyTorch: " + r.label + (off.isEmpty ? "" : " (" + off.map(Self.format).joined(separator: ", ") + ": off the scale)"),
                                   style: Style.points.lineType(colour).pointType(6).pointSize(1.5)))
                }
            }
            // Off the axis, two to a line under the title.
            let lines = stride(from: 0, to: offAxis.count, by: 2).map { offAxis[$0 ..< min($0 + 2, offAxis.count)].joined(separator: "; ") }
            if !lines.isEmpty { panel.title = ([panel.title ?? "", "not on this axis:"] + lines).joined(separator: "\n") }
            return Figure("paper-valid-perplexity", layout: .single, panelSize: (1000, 560), panels: [panel])
        }

        /// The gradient norm, ‖W_hh‖₂ and ρ(J) against the iteration for the runs at the largest rate that
        /// tell its story (``dynamicsRuns(_:)``); a second column zooms into the early iterations
        /// (``earlyIterations(_:)``) when a run diverged there.
        package var dynamicsFigure: Figure? {
            guard let top = runs.map(\.learningRate).filter(\.isFinite).max() else { return nil }
            let shown = Self.dynamicsRuns(runs.filter { $0.learningRate == top })
            let logs = shown.map { (name: $0.label, records: $0.iterations) }
            return TrainingFigures.dynamics(logs, name: "paper-gradient-dynamics",
                title: "Gradient norm, ‖W_{hh}‖_2 and ρ(J) at learning rate \(RunConfiguration.number(top)), paper scale (ours)",
                early: Self.earlyIterations(shown))
        }

        /// The runs of one rate that the dynamics figure draws, so that its lines stay apart: every seed
        /// of plain SGD (where each blows up), and the first seed of everything else except the
        /// near-copies: clipping at thresholds other than the paper's 5 and the best one (the lowest final
        /// perplexity), and clipping combined with the projection.
        package static func dynamicsRuns(_ runs: [LoggedRun]) -> [LoggedRun] {
            let clips = runs.filter { if case .clip? = method(of: $0) { return seed(of: $0) == 1 } else { return false } }
            let bestClip = clips.filter { !$0.diverged }.min { ($0.validMetrics.last ?? .infinity) < ($1.validMetrics.last ?? .infinity) }
            return runs.filter { r in
                switch method(of: r) {
                case .sgd?: return true
                case .clip(let c)?: return seed(of: r) == 1 && (c == PaperProtocol.ptb.clip || r.label == bestClip?.label)
                case .clipAndProject?: return false
                default: return seed(of: r) == 1
                }
            }
        }

        /// The iterations a zoomed column shows: up to one and a half times the latest divergence in the
        /// first quarter of the longest run's iterations, rounded up to a multiple of 50 (nil when there
        /// is none: later ones are visible on the whole run's axis). With several seeds blowing up early
        /// at different iterations, the column holds each of them.
        package static func earlyIterations(_ runs: [LoggedRun]) -> Double? {
            let divergences = runs.compactMap { r -> Double? in
                if case .diverged(_, let i, _) = r.status { return Double(i) } else { return nil }
            }
            let last = runs.compactMap { $0.iterations.compactMap { $0.double("iteration") }.max() }.max() ?? 0
            guard let latest = divergences.filter({ $0 > 0 && $0 < 0.25 * last }).max() else { return nil }
            return (1.5 * latest / 50).rounded(.up) * 50
        }

        /// The section's numbers for the pages that cite them: each run's outcome, validation perplexities
        /// and how often the projection changed W_hh (`paper.LABEL.projected`: iterations that changed it
        /// over iterations trained, from the records' `projected_count`). The pooled scatter of gradient
        /// norm against ρ(J) is ``PooledSection``'s, over these logs and the standard scale's.
        package func record(into values: inout RecordedValues) {
            for r in runs {
                let label = RecordedValues.safeName(r.label)
                values["paper.\(label).outcome"] = r.diverged ? ResultsTable.outcome(r.status) : "\(r.epochs.count) epochs"
                values["paper.\(label).valid"] = r.validMetrics.map { String(format: "%.1f", $0) }.joined(separator: ", ")
                if let last = r.validMetrics.last, last.isFinite { values["paper.\(label).final"] = String(format: "%.1f", last) }
                let trained = r.iterations.compactMap { $0.double("iteration") }.max() ?? 0
                if trained > 0, trained < 1e15, r.iterations.contains(where: { $0.double("projected_count") != nil }) {
                    let changed = r.iterations.compactMap { $0.double("projected_count") }.filter(\.isFinite).reduce(0, +)
                    values["paper.\(label).projected"] = "\(Int(changed))/\(Int(trained))"
                    values["paper.\(label).projected_percent"] = String(format: "%.1f %%", 100 * changed / trained)
                }
            }
        }

        /// Prints the table, writes `paper-results.md`, `paper-results.dat` and both figures; returns
        /// the files that `output` does not list already (`paper-results.md`).
        package func draw(output: ChapterOutput, report: Report) throws -> [URL] {
            report.section("The paper's scale, from logs")
            report.table(textTable)
            let md = output.directory.appendingPathComponent("paper-results.md")
            do { try AtomicFile.write(markdown, to: md) } catch {
                throw TrainingError.cannotWrite(path: md.path, reason: AtomicFile.reason(error))
            }
            try output.write(dataTable, name: "paper-results.dat")
            try output.write(validationFigure)
            if let figure = dynamicsFigure { try output.write(figure) }
            for r in runs {
                guard let ref = PyTorchReference.run(for: r) else { continue }
                report.note("\(r.label): ours \(r.validMetrics.map(Self.format).joined(separator: ", ")) — "
                            + "\(ResultsTable.outcome(r.status)); PyTorch \(ref.validPerplexity.map(Self.format).joined(separator: ", "))"
                            + (ref.validPerplexity.isEmpty ? "" : " — ") + ref.fate)
            }
            return [md]
        }

        /// The decisive comparison at the largest rate over seeds (``decisive(baseline:)``), printed in a
        /// section of its own with its tests and written to `paper-decisive.md` and `paper-decisive.dat`;
        /// its numbers go under `paper.decisive.` (`sgd.diverged`, `project.final`, `fisher_p`, …).
        /// - Returns: the tables written, or none when the logs hold no such comparison.
        package func drawDecisive(output: ChapterOutput, report: Report, baseline: ResultsTable.Baseline,
                                  values: inout RecordedValues) throws -> [URL] {
            guard let d = decisive(baseline: baseline) else { return [] }
            report.section("The decisive comparison at the paper's scale")
            report.table(d.summary.textTable)
            let tests = Self.decisiveTests(d.summary)
            if !tests.sentences.isEmpty { report.note(tests.sentences.joined(separator: "\n")) }
            values["paper.decisive.epochs"] = "\(d.epochs)"
            values["paper.decisive.rate"] = RunConfiguration.number(d.learningRate)
            for (key, value) in tests.values { values["paper.decisive.\(key)"] = value }
            return try d.summary.write(to: output.directory, name: "paper-decisive")
        }
    }
}
