import Foundation
import GRUKit
import GRUKitChapterSupport
import GRUKitPresentation

extension Chapter03 {
    /// The loss L(w_hh) = (h_T − 0.6)² of the one-unit task and its gradient for w_hh from 0 to
    /// ``maximum`` in steps of 0.001, the cliff (the largest |dL/dw_hh|) and the solution.
    package struct Landscape {
        /// w_hh from 0 to 7: past the solution and the far plateau where plain SGD's iterates land, the
        /// range both panels of the figure show.
        package static let maximum = 7.0
        package var task: ScalarExplosionTask
        package var w: [Double] = [], loss: [Double] = [], gradient: [Double] = []
        /// The signed gradient, for the data file.
        package var signedGradient: [Double] = []

        package init(steps: Int) {
            task = ScalarExplosionTask(h0: 0.1, target: 0.6, steps: steps)
            for i in 0...Int(Self.maximum * 1000) {
                let w = Double(i) * 0.001
                let (l, g) = task.lossAndGradient(wHH: w)
                self.w.append(w); loss.append(l); gradient.append(abs(g)); signedGradient.append(g)
            }
        }

        /// Where |dL/dw_hh| is largest, and how large.
        package var cliff: (w: Double, height: Double) { zip(w, gradient).max { $0.1 < $1.1 }.map { ($0.0, $0.1) }! }
        /// The solution h* = 0.6 = tanh(0.3·w_hh).
        package var solution: Double { atanh(0.6) / 0.3 }

        /// `landscape.dat`: rows `w_hh loss dL_dw`.
        package var data: DataTable {
            var landscape = DataTable(columns: ["w_hh", "loss", "dL_dw"], comments: [
                "Chapter 3: L(w_hh) = (h_T - 0.6)^2 from h_0 = 0.1 after T = \(task.steps) steps (w_hz = w_hr = 0) and dL/dw_hh (exact).",
            ])
            for k in w.indices { landscape.append([w[k], loss[k], signedGradient[k]]) }
            return landscape
        }

        /// `loss-landscape`: the loss with where each SGD run's iterates land on it, and |dL/dw_hh| below.
        package func figure(none: [ExplosionTrainingRecord], clip: [ExplosionTrainingRecord], learningRate: Double,
                            maxNorm: Double) -> Figure {
            let landscapeMax = Self.maximum, steps = task.steps
            var landscapeFigure = Figure("loss-landscape", layout: .init(rows: 2, columns: 1), panelSize: (820, 330))
            var lossPanel = Panel(xLabel: nil, yLabel: "loss (h_T − 0.6)^2", xRange: 0...landscapeMax, yRange: 0...0.4, key: .custom("top right opaque box"))
            lossPanel.plot(.xy(w, loss, columns: ("w_hh", "loss"), title: "loss, T = \(steps)", style: .lines.color("#000000").width(2)))
            // Where the SGD iterates go: each run's w_hh on the loss curve, its loss evaluated afresh.
            for (label, r, lt, pt) in [("plain SGD, η = \(learningRate)", none, 2, 7), ("clipped at \(maxNorm)", clip, 1, 9)] {
                let ws = r.map(\.spectralNorm)
                lossPanel.plot(.xy(ws, ws.map { task.lossAndGradient(wHH: $0).loss }, columns: ("w_hh", "loss"), title: label,
                                   style: .points.lineType(lt).pointType(pt).pointSize(lt == 2 ? 1.1 : 0.8)))
            }
            lossPanel.command("set lmargin 12")   // both panels: the two x axes line up
            lossPanel.command("set arrow 2 from \(solution), graph 0 to \(solution), graph 1 nohead dt 3 lc rgb '#555555'")
            lossPanel.command("set label 2 'solution w_{hh} = \(String(format: "%.3f", solution))' at \(solution + 0.08), graph 0.62 left")
            if let last = none.last, last.spectralNorm > landscapeMax {
                lossPanel.command("set label 3 'plain SGD ends at w_{hh} = \(String(format: "%.2f", last.spectralNorm)) →' at graph 0.98, first \(last.loss + 0.03) right")
            } else {
                lossPanel.command("unset label 3")
            }
            var gradPanel = Panel(xLabel: "w_{hh}", yLabel: "|dL / dw_{hh}|", xRange: 0...landscapeMax, yRange: 1e-8...10, logScale: [.y], key: .off)
            gradPanel.plot(.xy(w, gradient, columns: ("w_hh", "abs_dL_dw"), style: .lines.color("#000000").width(2)))
            gradPanel.command("set lmargin 12")
            gradPanel.command("set format y '10^{%L}'")
            gradPanel.command("unset label 2")
            gradPanel.command("unset label 3")
            landscapeFigure.addPanel(lossPanel)
            landscapeFigure.addPanel(gradPanel)
            return landscapeFigure
        }

        /// The note on the cliff and `cliff.w_hh`, `cliff.height`, `steps`, `solution.w_hh`.
        package func note(into values: inout RecordedValues) -> String {
            values["cliff.w_hh"] = String(format: "%.4f", cliff.w)
            values["cliff.height"] = String(format: "%.3f", cliff.height)
            values["steps"] = "\(task.steps)"
            values["solution.w_hh"] = String(format: "%.4f", solution)
            return String(format: "The cliff: |dL/dw_hh| peaks at %.4f (height %.3f) for T = %d; the loss is solved at w_hh = %.4f.",
                          cliff.w, cliff.height, task.steps, solution)
        }
    }

    /// The per-iteration trace as a table with a header naming the columns.
    package static func traceTable(_ records: [ExplosionTrainingRecord], normColumn: String, comments: [String]) -> DataTable {
        var t = DataTable(columns: ["iteration", "loss", "grad_norm", normColumn, "rho"], comments: comments)
        for r in records { t.append([Double(r.iteration), r.loss, r.gradientNorm, r.spectralNorm, r.spectralRadius]) }
        return t
    }

    /// A few numbers that summarise one training run.
    package static func summaryRow(_ name: String, _ records: [ExplosionTrainingRecord]) -> [TableCell] {
        guard let peak = records.max(by: { $0.gradientNorm < $1.gradientNorm }), let last = records.last else {
            return [.text(name), .empty, .empty, .empty, .empty, .empty, .empty, .empty]
        }
        let crossing = records.first { $0.spectralRadius >= 1 }
        let tail = records.suffix(max(1, records.count / 10))
        return [.text(name), crossing.map { .integer($0.iteration) } ?? .empty, .number(peak.gradientNorm), .integer(peak.iteration),
                .number(peak.spectralRadius), .number(last.spectralNorm), .number(last.loss),
                .number(tail.map(\.loss).reduce(0, +) / Double(tail.count))]
    }

    /// The table of plain SGD against clipping, `title` above, `normColumn` naming the final norm.
    package static func summaryTable(_ title: String, normColumn: String, none: [ExplosionTrainingRecord], clip: [ExplosionTrainingRecord],
                                     clipName: String) -> TextTable {
        var table = TextTable(title: title,
                              columns: ["method", "first ρ ≥ 1 at", "max ‖g‖", "at iteration", "ρ(J) there", normColumn, "final loss", "mean loss, last 10 %"],
                              formats: ["", "", "%.4f", "", "%.4f", "%.4f", "%.2e", "%.2e"])
        table.add(summaryRow("plain SGD", none))
        table.add(summaryRow(clipName, clip))
        return table
    }

    /// The numbers the prose after the H-unit table cites, by name: where ρ(J) first reaches 1 and the
    /// jump of ‖W_hh‖₂ in that step, the lowest loss before the largest gradient, the largest gradient and
    /// the largest one-step jump of ‖W_hh‖₂ under plain SGD; the mean loss of the last 10 % of both runs;
    /// the clipped run's final ‖W_hh‖₂ and its bound η·c on a step.
    package static func recordTrainingValues(none: [ExplosionTrainingRecord], clip: [ExplosionTrainingRecord], stepBound: Double,
                                             into values: inout RecordedValues) {
        func tailLoss(_ r: [ExplosionTrainingRecord]) -> Double {
            let tail = r.suffix(max(1, r.count / 10))
            return tail.map(\.loss).reduce(0, +) / Double(tail.count)
        }
        if let c = none.firstIndex(where: { $0.spectralRadius >= 1 }), c + 1 < none.count {
            values["none.crossing"] = "\(none[c].iteration)"
            values["none.crossing_from"] = String(format: "%.1f", none[c].spectralNorm)
            values["none.crossing_to"] = String(format: "%.1f", none[c + 1].spectralNorm)
        }
        if let peak = none.indices.max(by: { none[$0].gradientNorm < none[$1].gradientNorm }) {
            values["none.peak_gradient"] = String(format: "%.1f", none[peak].gradientNorm)
            values["none.peak_iteration"] = "\(none[peak].iteration)"
            if let low = none[..<peak].indices.min(by: { none[$0].loss < none[$1].loss }) {
                values["none.low_loss"] = String(format: "%.1e", none[low].loss)
                values["none.low_loss_iteration"] = "\(none[low].iteration)"
            }
        }
        if none.count > 1, let j = (0 ..< none.count - 1).max(by: { none[$0 + 1].spectralNorm - none[$0].spectralNorm
                                                                      < none[$1 + 1].spectralNorm - none[$1].spectralNorm }) {
            values["none.jump_from"] = String(format: "%.1f", none[j].spectralNorm)
            values["none.jump_to"] = String(format: "%.1f", none[j + 1].spectralNorm)
        }
        if !none.isEmpty { values["none.tail_loss"] = String(format: "%.2f", tailLoss(none)) }
        if let last = clip.last {
            values["clip.final_norm"] = String(format: "%.1f", last.spectralNorm)
            values["clip.tail_loss"] = String(format: "%.1e", tailLoss(clip))
        }
        values["clip.step_bound"] = String(format: "%.2g", stepBound)
    }

    /// A training figure: loss, gradient norm, and the norm with ρ(J), plain SGD against clipping.
    package static func trainingFigure(_ name: String, none: [ExplosionTrainingRecord], clip: [ExplosionTrainingRecord],
                                       clipLabel: String, normLabel: String, critical: Double) -> Figure {
        var figure = Figure(name, layout: .init(rows: 3, columns: 1), panelSize: (960, 270))
        let runs: [(String, [ExplosionTrainingRecord], Int)] = [("plain SGD", none, 1), (clipLabel, clip, 2)]
        let xMax = Double(max(none.count, clip.count))
        // Every panel keeps its legend outside on the right so that the three x axes line up.
        var loss = Panel(xLabel: nil, yLabel: "loss", xRange: 0...xMax, logScale: [.y], key: .outsideRight)
        var grad = Panel(xLabel: nil, yLabel: "gradient norm", xRange: 0...xMax, logScale: [.y], key: .outsideRight)
        var norm = Panel(xLabel: "iteration", yLabel: normLabel + ",  ρ(J)", xRange: 0...xMax, key: .outsideRight)
        for (label, r, lt) in runs {
            let it = r.map { Double($0.iteration) }
            loss.plot(.xy(it, r.map(\.loss), columns: ("iteration", "loss"), title: label, style: .lines.lineType(lt).width(2)))
            grad.plot(.xy(it, r.map(\.gradientNorm), columns: ("iteration", "grad_norm"), title: label + " ", style: .lines.lineType(lt).width(2)))
            norm.plot(.xy(it, r.map(\.spectralNorm), columns: ("iteration", "norm"), title: "\(normLabel), \(label)",
                          style: .lines.lineType(lt).width(2)))
            norm.plot(.xy(it, r.map(\.spectralRadius), columns: ("iteration", "rho"), title: "ρ(J), \(label)",
                          style: .lines.lineType(lt).width(1.5).dashed))
        }
        // The two reference lines differ in colour and dash (and are named in the key): the norm bound
        // dash-dotted green, the stability line ρ(J) = 1 dotted black.
        norm.plot(.function("\(critical)", title: "\(normLabel) = \(Gnuplot.number(critical)) (reference)",
                            style: .lines.color("#009E73").width(1.5).dash(.dashDot)))
        norm.plot(.function("1", title: "ρ(J) = 1 (reference)", style: .lines.color("#000000").width(1.5).dotted))
        for var panel in [loss, grad, norm] {
            panel.command("set lmargin 11")
            panel.command("set rmargin 30")
            if panel.logScale.contains(.y) { panel.command("set format y '10^{%L}'") } else { panel.command("set format y '%g'") }
            figure.addPanel(panel)
        }
        return figure
    }
}
