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

        /// One row per log, as the terminal and `paper-results.md` show it.
        package var rows: [[String]] {
            runs.map { r in
                let v = r.validMetrics
                let reference = PyTorchReference.run(for: r)
                let epochs = (0 ..< Self.epochColumns).map { Self.format($0 < v.count ? v[$0] : nil) }
                let difference = reference.flatMap { Self.largestDifference(v, $0.validPerplexity) }
                return [r.label, r.cell, RunConfiguration.number(r.learningRate), "\(r.epochs.count)", ResultsTable.outcome(r.status)]
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
            for (k, r) in runs.enumerated() { comments.append("  \(k + 1): \(r.label) (\(r.method), \(r.cell)) — \(ResultsTable.outcome(r.status))") }
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
        package var validationFigure: Figure {
            var panel = Panel(title: "Validation perplexity at the paper's scale: ours (lines) and PyTorch (open points)",
                              xLabel: "epoch", yLabel: "validation perplexity", logScale: [.y], key: .below)
            panel.command("set xtics 1")
            // Perplexities of a run that has fallen apart (10⁸ and more) would squash the curves that matter:
            // the axis stops at the vocabulary size, a uniform guess, and such points are named in the key.
            let ceiling = 10_000.0
            panel.yRange = 100 ... ceiling
            for (k, r) in runs.enumerated() {
                let colour = k % Figure.palette.count + 1
                let v = r.validMetrics.enumerated().filter { $0.element.isFinite && $0.element > 0 }
                var title = r.label
                if case .diverged(let e, let i, _) = r.status { title += " (diverged: epoch \(e), iteration \(i))" }
                panel.plot(.xy(v.isEmpty ? [1] : v.map { Double($0.offset + 1) }, v.isEmpty ? [.nan] : v.map(\.element),
                               columns: ("epoch", "perplexity"), title: title, style: .linesPoints.lineType(colour)))
                if let ref = PyTorchReference.run(for: r), !ref.validPerplexity.isEmpty {
                    let shown = ref.validPerplexity.enumerated().filter { $0.element <= ceiling }
                    let off = ref.validPerplexity.filter { $0 > ceiling }
                    panel.plot(.xy(shown.isEmpty ? [1] : shown.map { Double($0.offset + 1) }, shown.isEmpty ? [.nan] : shown.map(\.element),
                                   columns: ("epoch", "perplexity"),
                                   title: "PyTorch: " + r.label + (off.isEmpty ? "" : " (" + off.map(Self.format).joined(separator: ", ") + ": off the scale)"),
                                   style: Style.points.lineType(colour).pointType(6).pointSize(1.5)))
                }
            }
            return Figure("paper-valid-perplexity", layout: .single, panelSize: (900, 620), panels: [panel])
        }

        /// The gradient norm, ‖W_hh‖₂ and ρ(J) against the iteration for the runs at the largest rate; a
        /// second column zooms into the early iterations (``earlyIterations(_:)``) when a run diverged there.
        package var dynamicsFigure: Figure? {
            guard let top = runs.map(\.learningRate).filter(\.isFinite).max() else { return nil }
            let logs = runs.filter { $0.learningRate == top }.map { (name: $0.label, records: $0.iterations) }
            return TrainingFigures.dynamics(logs, name: "paper-gradient-dynamics",
                title: "Gradient norm, ‖W_{hh}‖_2 and ρ(J) at learning rate \(RunConfiguration.number(top)), paper scale (ours)",
                early: Self.earlyIterations(runs.filter { $0.learningRate == top }))
        }

        /// The iterations a zoomed column shows: up to one and a half times the first divergence, rounded
        /// up to a multiple of 50, when that divergence lies in the first tenth of the longest run's
        /// iterations (else nil: it is visible on the whole run's axis).
        package static func earlyIterations(_ runs: [LoggedRun]) -> Double? {
            let divergences = runs.compactMap { r -> Double? in
                if case .diverged(_, let i, _) = r.status { return Double(i) } else { return nil }
            }
            let last = runs.compactMap { $0.iterations.compactMap { $0.double("iteration") }.max() }.max() ?? 0
            guard let first = divergences.min(), first > 0, first < 0.1 * last else { return nil }
            return (1.5 * first / 50).rounded(.up) * 50
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
    }
}
