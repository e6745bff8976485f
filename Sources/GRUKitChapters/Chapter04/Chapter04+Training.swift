import Foundation
import GRUKit
import GRUKitChapterSupport
import GRUKitPresentation

extension Chapter04 {
    /// One training run of the comparison.
    package struct Run {
        package var task: String
        /// Plain SGD, clipping at c or P_δ (the knob is the method's own: c or δ).
        package var method: TrainingMethod
        package var learningRate: Double
        /// The iterations asked for; a run whose loss or gradient became non-finite has fewer records.
        package var iterations: Int
        package var records: [ExplosionTrainingRecord]

        /// The tuned knob: the clipping threshold c or the projection's δ; nil for plain SGD.
        package var knob: Double? { method.knobValue }

        /// `plain SGD`, `clip at c` or `P_δ, δ = …`: the data file's block titles and the figure's keys.
        package var label: String {
            switch method {
            case .clip(let c): "clip at \(Gnuplot.number(c))"
            case .project(let d): "P_δ, δ = \(Gnuplot.number(d))"
            default: "plain SGD"
            }
        }

        /// What the knobs are tuned on: the mean loss over the last 10 % of the iterations (at least
        /// one), +∞ for a run that stopped early.
        package var score: Double {
            guard records.count == iterations, !records.isEmpty else { return .infinity }
            let tail = records.suffix(max(1, iterations / 10))
            return tail.map(\.loss).reduce(0, +) / Double(tail.count)
        }

        /// The largest gradient norm (before clipping) over the run; nil for a run without records.
        package var largestGradient: Double? { records.map(\.gradientNorm).max() }
    }

    // book: chapter04-tuned-comparison
    /// The runs of one task at one learning rate: plain SGD, clipping at every threshold of its grid,
    /// and P_δ at every δ of its grid, all from the same initial weights (P_δ from their projection).
    package struct Comparison {
        package var task: String
        package var learningRate: Double
        package var plain: Run
        package var clipped: [Run]
        package var projected: [Run]

        /// The run with the lowest ``Run/score``; on a tie the first in grid order.
        package static func best(_ runs: [Run]) -> Run { runs.min { $0.score < $1.score }! }
        /// The runs shown in the table, the figure and `training-compare.dat`: plain SGD, the best
        /// clipping run and the best projected run.
        package var shown: [Run] { [plain, Self.best(clipped), Self.best(projected)] }

        /// Trains every method of the comparison on `task` from `initial`; projected SGD starts from
        /// the feasible point P_δ(W_0) of its own δ.
        package init(task: GRUExplosionTask, name: String, initial: Matrix<Double>, learningRate: Double, clipGrid: [Double],
                     deltaGrid: [Double], iterations: Int, progress: ProgressBar) throws {
            func train(_ method: TrainingMethod, from w: Matrix<Double>) throws -> Run {
                let records = try task.train(method: method, learningRate: learningRate, iterations: iterations, initial: w).records
                progress.advance(by: iterations)
                return Run(task: name, method: method, learningRate: learningRate, iterations: iterations, records: records)
            }
            self.task = name
            self.learningRate = learningRate
            plain = try train(.sgd, from: initial)
            clipped = try clipGrid.map { c in try train(.clip(maxNorm: c), from: initial) }
            projected = try deltaGrid.map { d in
                try train(.project(delta: d), from: projectedInitial(initial, threshold: SpectralProjection.threshold(delta: d)))
            }
        }
    }
    // book: end

    /// W_0 with its candidate block W_hn replaced by P_δ of it.
    static func projectedInitial(_ w: Matrix<Double>, threshold c: Double) throws -> Matrix<Double> {
        var block = w[block: .candidate]
        try SpectralProjection.projectByFullSVD(&block, threshold: c)
        var out = w
        out[block: .candidate] = block
        return out
    }
}

/// The training part of chapter 4 as a whole: both tasks, every learning rate, and what the chapter
/// writes and prints about them.
extension Chapter04 {
    package struct TrainingStudy {
        package var comparisons: [Comparison]
        package var iterations: Int
        package var clipGrid: [Double]
        package var deltaGrid: [Double]

        /// The runs shown: plain SGD and the best of each grid, per task and learning rate.
        package var shown: [Run] { comparisons.flatMap(\.shown) }
        /// The iterations the score averages over (the last 10 %, at least one).
        package var tail: Int { max(1, iterations / 10) }

        package init(comparisons: [Comparison], iterations: Int, clipGrid: [Double], deltaGrid: [Double]) {
            self.comparisons = comparisons
            self.iterations = iterations
            self.clipGrid = clipGrid
            self.deltaGrid = deltaGrid
        }

        /// The tuning tables of clipping and of P_δ: one row per task and learning rate, one column per knob.
        package var tuningTables: [TextTable] {
            func table(_ knob: String, _ grid: [Double], _ what: String, _ runs: (Comparison) -> [Run]) -> TextTable {
                var t = TextTable(title: "Tuning \(what): mean loss over the last \(tail) of \(iterations) iterations for each \(knob == "c" ? "threshold c" : knob) (Inf: stopped)",
                                  columns: ["task", "η"] + grid.map { "\(knob) = \(Gnuplot.number($0))" } + ["chosen \(knob)"],
                                  formats: ["", "%g"] + Array(repeating: "%.2e", count: grid.count) + ["%g"])
                for c in comparisons {
                    let rs = runs(c)
                    t.add([.text(c.task), .number(c.learningRate)] + rs.map { .number($0.score) } + [.number(Comparison.best(rs).knob!)])
                }
                return t
            }
            return [table("c", clipGrid, "clipping", \.clipped), table("δ", deltaGrid, "P_δ", \.projected)]
        }

        /// A note for every choice at the edge of its grid, which may not be the method's best.
        package var edgeNotes: [String] {
            var notes: [String] = []
            for c in comparisons {
                for (name, runs, grid) in [("c", c.clipped, clipGrid), ("δ", c.projected, deltaGrid)] where grid.count > 1 {
                    let k = Comparison.best(runs).knob!
                    if k == grid.min() || k == grid.max() {
                        notes.append("\(c.task), η = \(Gnuplot.number(c.learningRate)): the chosen \(name) = \(Gnuplot.number(k)) is at the edge of its grid; a value beyond it might do better.")
                    }
                }
            }
            return notes
        }

        /// The summary table: each shown run's final and scored loss and its largest gradient, ‖W_hh‖₂ and ρ(J).
        package var summaryTable: TextTable {
            var table = TextTable(title: "Training, each method at its best knob: final loss, largest gradient, ‖W_hh‖₂ and ρ(J) over the run (\(iterations) iterations)",
                                  columns: ["task", "η", "method", "knob", "final loss", "mean loss, last 10 %", "max ‖g‖", "max ‖W_hh‖₂", "max ρ(J)", "projected its"],
                                  formats: ["", "%g", "", "", "%.2e", "%.2e", "%.3e", "%.4f", "%.4f", ""])
            for run in shown {
                let r = run.records
                let (method, knob): (String, TableCell) = switch run.method.family {
                case .clip: ("clipping, tuned", .text(run.method.knob))
                case .project: ("P_δ, tuned", .text(run.method.knob))
                default: (run.label, .empty)
                }
                let head: [TableCell] = [.text(run.task), .number(run.learningRate), .text(method), knob]
                guard let last = r.last else { table.add(head + Array(repeating: .empty, count: 6)); continue }
                table.add(head + [.number(last.loss), .number(run.score),
                                  .number(r.map(\.gradientNorm).max()!), .number(r.map(\.spectralNorm).max()!),
                                  .number(r.map(\.spectralRadius).max()!), .integer(r.filter(\.projected).count)])
            }
            return table
        }

        /// `training-compare.dat`: one index block per shown run, every iteration's record.
        package func trainingData(hidden: Int, examples: Int, steps: Int, fadeSteps: Int, clipGridText: String, deltaGridText: String) -> DataTable {
            let comments = [
                "Chapter 4: full-batch SGD on two tasks of the input-free GRU (H = \(hidden), K = \(examples)), one index block per run",
                "(task, method, learning rate in the block's title line): at each learning rate plain SGD, the best clipping run of",
                "c in {\(clipGridText)} and the best projected run of delta in {\(deltaGridText)}, best = the lowest mean loss over the last",
                "\(tail) iterations (training-tuning.dat has every score).",
                "memory: h_0 = +-0.1 p -> +-0.6 p after T = \(steps) steps; fade: h_0 = +-0.5 p -> +-0.15 p after T = \(fadeSteps) steps.",
                "grad_norm before clipping; spectral_norm = ||W_hh||_2 and rho = rho(I/2 + W_hh/4) at the weights the gradient was taken at;",
                "projected = 1 when this iteration's projection (threshold 2 - delta, delta in the block's title) changed W_hh.",
            ]
            var blocks: [DataBlock] = []
            for run in shown {
                var b = DataBlock(columns: ["iteration", "loss", "grad_norm", "spectral_norm", "rho", "projected"],
                                  title: "task \(run.task), method \(run.label), learning rate \(Gnuplot.number(run.learningRate))")
                for r in run.records {
                    b.append([Double(r.iteration), r.loss, r.gradientNorm, r.spectralNorm, r.spectralRadius, r.projected ? 1 : 0])
                }
                blocks.append(b)
            }
            return DataTable(blocks: blocks, comments: comments)
        }

        /// `training-tuning.dat`: every tuning score, one block per task, learning rate and method family.
        package var tuningData: DataTable {
            var blocks: [DataBlock] = []
            for c in comparisons {
                for (family, knob, runs) in [("clipping", "c", c.clipped), ("projection", "delta", c.projected)] {
                    var b = DataBlock(columns: [knob, "score"],
                                      title: "task \(c.task), learning rate \(Gnuplot.number(c.learningRate)), \(family)")
                    for r in runs { b.append([r.knob!, r.score]) }
                    blocks.append(b)
                }
            }
            return DataTable(blocks: blocks, comments: [
                "Chapter 4: the tuning of clipping and of P_delta. One index block per task, learning rate and method family;",
                "rows: the knob (clipping threshold c, or delta) and its score, the mean training loss over the last \(tail) of the",
                "\(iterations) iterations (Inf: the run stopped on a non-finite loss or gradient). The lowest score is the run shown.",
            ])
        }

        /// The invariant the method promises, checked on the logs of every projected run (each with its
        /// own δ): ‖W_hh‖₂ ≤ 2 − δ and ρ(J) < 1 at every iteration.
        package func checkConstraint() throws {
            for run in comparisons.flatMap(\.projected) {
                let d = run.knob!, threshold = SpectralProjection.threshold(delta: d)
                if let bad = run.records.first(where: { $0.spectralNorm > threshold + 1e-6 || $0.spectralRadius >= 1 }) {
                    throw ChapterError.message("projected run (\(run.task), δ = \(d), η = \(run.learningRate)) left the constraint at iteration \(bad.iteration): ‖W_hh‖₂ = \(bad.spectralNorm), ρ(J) = \(bad.spectralRadius)")
                }
            }
        }

        /// The largest gradient norms on the memory task, by name, for the prose and the claims ledger:
        /// `memory.sgd.max_gradient`, `memory.clip.max_gradient` and `memory.project.max_gradient` (the
        /// tuned runs shown), `memory.project.delta` and `memory.clip.c` (their knobs), and
        /// `memory.project<δ>.max_gradient` for every δ of the grid.
        package func record(into values: inout RecordedValues) {
            guard let memory = comparisons.first(where: { $0.task == "memory" }) else { return }
            func format(_ x: Double?) -> String { x.map { String(format: "%.3g", $0) } ?? "nan" }
            let (clip, project) = (Comparison.best(memory.clipped), Comparison.best(memory.projected))
            values["memory.sgd.max_gradient"] = format(memory.plain.largestGradient)
            values["memory.clip.max_gradient"] = format(clip.largestGradient)
            values["memory.clip.c"] = Gnuplot.number(clip.knob!)
            values["memory.project.max_gradient"] = format(project.largestGradient)
            values["memory.project.delta"] = Gnuplot.number(project.knob!)
            for run in memory.projected {
                values["memory.project\(Gnuplot.number(run.knob!)).max_gradient"] = format(run.largestGradient)
            }
        }
    }
}
