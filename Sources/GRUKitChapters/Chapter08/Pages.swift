import Foundation
import GRUKit
import GRUKitChapterSupport
import GRUKitPresentation

extension Chapter08 {
    /// A run's name as a reader reads it: `sgd-lr10-s2` → "plain SGD, seed 2".
    package static func label(_ name: String) -> String {
        let parts = name.split(separator: "-")
        let method = String(parts.first ?? "")
        let seed = parts.last.flatMap { $0.hasPrefix("s") ? ", seed \($0.dropFirst())" : nil } ?? ""
        if method == "sgd" { return "plain SGD" + seed }
        if method.hasPrefix("clip") { return "clipping at \(method.dropFirst(4))" + seed }
        if method.hasPrefix("project") { return "P_δ, δ = \(method.dropFirst(7))" + seed }
        return name
    }

    /// The style of run k: plain SGD (listed first) thick and solid, the others in their own colour
    /// and dash pattern, so that curves that coincide stay apart.
    static func style(_ k: Int) -> Style {
        let dashes: [Style.Dash] = [.solid, .dashed, .dotted, .dashDot]
        return Style.lines.lineType(k + 1).width(k == 0 ? 2.5 : 1.5).dash(dashes[k % dashes.count])
    }

    /// `x` with `digits` decimals.
    static func fixed(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }

    /// The training logs: table, figure `crossing` and values (`NAME.valid`, `NAME.records_above_1`,
    /// `NAME.first_above_1`, `NAME.max_rho`, `NAME.max_gradient_above_1`, `NAME.max_gradient_below_1`,
    /// `NAME.outcome`, `unigram`).
    package static func crossings(_ logs: [LogCrossing], unigram: Double, report: Report, output: ChapterOutput,
                                  values: inout RecordedValues) throws {
        var table = TextTable(title: "ρ(J) at h* = 0 during training (logged every 25 iterations; η = 10, standard scale)",
                              columns: ["run", "valid ppl (last epoch)", "beats unigram", "records ρ(J) > 1", "first > 1", "max ρ(J)", "final ρ(J)",
                                        "max ‖∇‖, ρ(J) > 1", "max ‖∇‖, ρ(J) ≤ 1", "outcome"],
                              formats: ["", "%.1f", "", "", "", "%.4f", "%.4f", "%.3g", "%.3g", ""])
        var rhoPanel = Panel(title: "ρ(J) at h^* = 0 (½I + ¼W_{hh})", xLabel: "iteration", yLabel: "ρ(J)", yRange: 0.5...1.5, key: .below)
        var gradPanel = Panel(title: "gradient norm", xLabel: "iteration", yLabel: "‖∇‖ (log scale)", logScale: [.y], key: .below)
        values["unigram"] = fixed(unigram, 2)
        var notes: [String] = []
        let completed = logs.filter { $0.divergedAt == nil }
        values["beats_unigram"] = "\(completed.filter { $0.validPerplexity < unigram }.count)/\(completed.count)"
        for (k, log) in logs.enumerated() {
            let key = RecordedValues.safeName(log.name)
            let outcome = log.divergedAt.map { "diverged at iteration \($0)" } ?? "completed"
            let beats = log.divergedAt != nil ? "—" : log.validPerplexity < unigram ? "yes" : "no"
            table.add([.text(label(log.name)), .number(log.validPerplexity), .text(beats),
                       .text("\(log.recordsAbove)/\(log.rho.count)"), .text(log.firstAbove.map(String.init) ?? "never"),
                       .number(log.maxRho), .number(log.finalRho), log.recordsAbove == 0 ? .empty : .number(log.maxGradientAbove),
                       .number(log.maxGradientBelow), .text(outcome)])
            values["\(key).valid"] = fixed(log.validPerplexity, 1)
            values["\(key).records_above_1"] = "\(log.recordsAbove)/\(log.rho.count)"
            values["\(key).first_above_1"] = log.firstAbove.map(String.init) ?? "never"
            values["\(key).max_rho"] = fixed(log.maxRho, 4)
            values["\(key).final_rho"] = fixed(log.finalRho, 4)
            values["\(key).max_gradient_above_1"] = log.recordsAbove == 0 ? "none" : String(format: "%.3g", log.maxGradientAbove)
            values["\(key).max_gradient_below_1"] = String(format: "%.3g", log.maxGradientBelow)
            values["\(key).outcome"] = outcome
            if let spike = log.spike {
                values["\(key).spike_iteration"] = "\(spike.iteration)"
                values["\(key).spike_gradient"] = String(format: "%.3g", spike.gradient)
                values["\(key).spike_largest_gradient"] = String(format: "%.3g", spike.largest)
                values["\(key).rho_before_spike"] = fixed(spike.rhoBefore, 4)
                let gap = spike.iteration - spike.recordBefore
                values["\(key).spike_gap"] = "\(gap)"
                let crossedBefore = zip(log.iterations, log.rho).contains { $0.0 < Double(spike.iteration) && $0.1 > 1 }
                values["\(key).spike_reading"] = spike.rhoBefore >= 1 ? "its explosion came after ρ(J) at h* = 0 had passed 1"
                    : crossedBefore ? "it had crossed earlier, but the last ρ(J) at h* = 0 logged before its explosion, \(gap) iterations earlier, was below 1"
                    : "the last ρ(J) at h* = 0 logged before its explosion, \(gap) iterations earlier, was below 1, and ρ(J) exceeded 1 only in "
                        + "a record after the blow-up had thrown W_hh away: the logs show no crossing before this explosion"
                notes.append("\(label(log.name)): the gradient norm jumped to " + String(format: "%.3g", spike.gradient) + " at iteration \(spike.iteration) "
                            + "(the largest of its last 100 iterations: " + String(format: "%.3g", spike.largest) + "); the last record before it had ρ(J) = "
                            + fixed(spike.rhoBefore, 4) + " at h* = 0.")
            }
            // A diverged run's last records reach ρ(J) in the thousands: the panel shows up to 1.5.
            rhoPanel.plot(.xy(log.iterations, log.rho.map { min($0, 1.5) }, columns: ("iteration", "rho"), title: label(log.name), style: style(k)))
            gradPanel.plot(.xy(log.iterations, log.gradient, columns: ("iteration", "gradient_norm"), title: label(log.name), style: style(k)))
            if let at = log.divergedAt, let last = log.gradient.last {
                gradPanel.plot(.xy([Double(at)], [last], columns: ("iteration", "gradient_norm"), title: "diverged",
                                   style: .points.lineType(k + 1).pointType(2).pointSize(2.5)))
            }
        }
        rhoPanel.plot(.function("1", title: "ρ(J) = 1", style: .lines.color("#000000").width(1)))
        var figure = Figure("crossing", layout: .init(rows: 1, columns: 2), panelSize: (600, 440))
        figure.addPanel(rhoPanel)
        figure.addPanel(gradPanel)
        report.table(table)
        report.note("Unigram model of the training text (the trivial predictor): validation perplexity " + fixed(unigram, 2) + ".")
        notes.forEach(report.note)
        try output.write(figure)
    }

    /// The fixed and slow points of x = 0: table, figure `trained-fixed-points` and values (`NAME.sigma1`,
    /// `NAME.rho_origin`, `NAME.unstable_at_origin`, `NAME.fixed_points`, `NAME.stable_away`,
    /// `NAME.stable_away_rho`, `NAME.slow_points`).
    package static func fixedPoints(_ models: [Dynamics], report: Report, output: ChapterOutput, values: inout RecordedValues) throws {
        var table = TextTable(title: "The input-free map (x = 0) of each final model",
                              columns: ["model", "‖W_hh‖₂", "ρ(J) at h* = 0", "unstable directions", "fixed points", "stable, away from 0",
                                        "their ρ(J)", "slow points"],
                              formats: ["", "%.3f", "%.4f", "", "", "", "%.4f", ""])
        var dat = DataTable(columns: ["model", "pc1", "pc2", "norm", "residual", "spectral_radius", "unstable_directions", "slow"],
                            comments: ["Chapter 8: fixed (slow = 0) and slow (slow = 1) points of each model's input-free map;",
                                       "model = row of the table, 1-based; pc1, pc2 in the plane of the trajectory's first two principal components."])
        var figure = Figure("trained-fixed-points", layout: .init(rows: 1, columns: models.count), panelSize: (460, 460))
        for (k, m) in models.enumerated() {
            let key = RecordedValues.safeName(m.name)
            let fixedPoints = m.points.filter { !$0.isSlowPoint }
            var kinds: [String: Int] = [:]
            for p in fixedPoints { kinds[p.classification, default: 0] += 1 }
            let summary = kinds.keys.sorted().map { "\(kinds[$0]!) \($0)" }.joined(separator: ", ")
            let away = m.stableAway
            let awayRho = away.map(\.spectralRadius).max() ?? .nan
            table.add([.text(label(m.name)), .number(m.sigma1), .number(m.rhoOrigin), .integer(m.unstableAtOrigin), .text(summary),
                       .integer(away.count), away.isEmpty ? .empty : .number(awayRho), .integer(m.points.count - fixedPoints.count)])
            values["\(key).sigma1"] = fixed(m.sigma1, 3)
            values["\(key).rho_origin"] = fixed(m.rhoOrigin, 4)
            values["\(key).unstable_at_origin"] = "\(m.unstableAtOrigin)"
            values["\(key).fixed_points"] = summary
            values["\(key).stable_away"] = "\(away.count)"
            values["\(key).stable_away_norm"] = away.isEmpty ? "none" : fixed(away.map(\.norm).max()!, 3)
            values["\(key).stable_away_rho"] = away.isEmpty ? "none" : fixed(awayRho, 4)
            values["\(key).slow_points"] = "\(m.points.count - fixedPoints.count)"
            values["\(key).origin"] = m.rhoOrigin < 1 ? "stable" : "unstable"
            // The reading of the model's input-free map, by a written rule from these numbers.
            values["\(key).reading"] = m.unstableAtOrigin > 0 && !away.isEmpty
                ? "the origin lost its stability and \(away.count) stable fixed point(s) appeared beside it (‖h*‖ up to \(fixed(away.map(\.norm).max()!, 3)), "
                    + "ρ(J) = \(fixed(awayRho, 4)) there): chapter 2's pitchfork, in a trained network"
                : m.unstableAtOrigin > 0 ? "the origin is unstable and the finder reached no stable fixed point beside it"
                : "the origin is stable"

            let plane = PrincipalPlane(m.states)
            var panel = Panel(title: label(m.name), xLabel: "PC 1", yLabel: "PC 2", key: .below)
            panel.plot(.data(m.states.map(plane.project), columns: ["pc1", "pc2"], title: "states along the text",
                             style: .lines.color("#bbbbbb").width(1)))
            let groups: [(String, [GRUFixedPoint], Style)] = [
                ("stable fixed point", fixedPoints.filter(\.isStable), .points.lineType(k + 1).pointType(7).pointSize(1.8)),
                ("unstable fixed point", fixedPoints.filter { !$0.isStable }, .points.lineType(k + 1).pointType(6).pointSize(2).width(2)),
                ("slow point", m.points.filter(\.isSlowPoint), .points.lineType(k + 1).pointType(2).pointSize(1.4)),
            ]
            for (title, points, style) in groups where !points.isEmpty {
                panel.plot(.data(points.map { plane.project($0.h) }, columns: ["pc1", "pc2"], title: title, style: style))
            }
            figure.addPanel(panel)
            for p in m.points {
                let xy = plane.project(p.h)
                dat.append([Double(k + 1), xy[0], xy[1], p.norm, p.residual, p.spectralRadius, Double(p.unstableDirections), p.isSlowPoint ? 1 : 0])
            }
        }
        report.table(table)
        try output.write(dat, name: "fixed-points.dat")
        try output.write(figure)
    }

    /// The dynamics along the text: table, figure `jacobian-along-data` and values (`NAME.rho_along_mean`,
    /// `NAME.rho_along_max`, `NAME.rho_along_above_1`, `NAME.norm_along_mean`, `NAME.lyapunov`,
    /// `NAME.lyapunov_late`, `NAME.update_mean`, `NAME.reset_mean`, `NAME.slope_mean`, `NAME.gain_mean`,
    /// `NAME.state_rms`).
    package static func alongData(_ models: [Dynamics], report: Report, output: ChapterOutput, values: inout RecordedValues) throws {
        let steps = models.first?.rho.count ?? 0
        var table = TextTable(title: "Along \(steps) tokens of validation text, from h_0 = 0",
                              columns: ["model", "mean ρ(J_t)", "max ρ(J_t)", "ρ(J_t) > 1", "mean ‖J_t‖₂", "λ_1", "λ_1, 2nd half",
                                        "mean z", "mean r", "mean 1 − n²", "gain", "RMS h"],
                              formats: ["", "%.4f", "%.4f", "", "%.3f", "%+.4f", "%+.4f", "%.3f", "%.3f", "%.3f", "%.4f", "%.3f"])
        var dat = DataTable(columns: ["t"] + models.indices.flatMap { ["rho\($0 + 1)", "norm\($0 + 1)", "gain\($0 + 1)"] },
                            comments: ["Chapter 8: along the validation text, per model (1-based as in the table): ρ(J_t), ‖J_t‖₂ and the gain",
                                       "(1 − z)(1 − n²) r averaged over the units (¼ at h* = 0)."])
        var rhoPanel = Panel(title: "ρ(J_t) along the text (dashed: ρ(J) at h^* = 0)", xLabel: "t (validation tokens)", yLabel: "spectral radius",
                             key: .below)
        var gainPanel = Panel(title: "gain (1 − z)(1 − n^2) r, mean over the units", xLabel: "t (validation tokens)", yLabel: "gain",
                              key: .below)
        let t = (1 ... max(1, steps)).map(Double.init)
        for (k, m) in models.enumerated() {
            let key = RecordedValues.safeName(m.name)
            let mean = Dynamics.mean
            table.add([.text(label(m.name)), .number(mean(m.rho)), .number(m.rho.max() ?? .nan), .text("\(m.aboveOne)/\(m.rho.count)"),
                       .number(mean(m.norm)), .number(m.lyapunov), .number(m.lyapunovLate), .number(mean(m.update)), .number(mean(m.reset)),
                       .number(mean(m.slope)), .number(mean(m.gain)), .number(mean(m.stateRMS))])
            values["\(key).rho_along_mean"] = fixed(mean(m.rho), 4)
            values["\(key).rho_along_max"] = fixed(m.rho.max() ?? .nan, 4)
            values["\(key).rho_along_above_1"] = "\(m.aboveOne)/\(m.rho.count)"
            values["\(key).norm_along_mean"] = fixed(mean(m.norm), 3)
            values["\(key).norm_along_max"] = fixed(m.norm.max() ?? .nan, 3)
            values["\(key).lyapunov"] = String(format: "%+.4f", m.lyapunov)
            values["\(key).lyapunov_late"] = String(format: "%+.4f", m.lyapunovLate)
            values["\(key).update_mean"] = fixed(mean(m.update), 3)
            values["\(key).reset_mean"] = fixed(mean(m.reset), 3)
            values["\(key).slope_mean"] = fixed(mean(m.slope), 3)
            values["\(key).gain_mean"] = fixed(mean(m.gain), 4)
            values["\(key).state_rms"] = fixed(mean(m.stateRMS), 3)
            rhoPanel.plot(.xy(t, m.rho, columns: ("t", "rho"), title: label(m.name), style: style(k)))
            rhoPanel.plot(.function("\(m.rhoOrigin)", style: style(k).width(1).dash(.dashed)))
            gainPanel.plot(.xy(t, m.gain, columns: ("t", "gain"), title: label(m.name), style: style(k)))
        }
        rhoPanel.plot(.function("1", title: "1", style: .lines.color("#000000").width(1)))
        gainPanel.plot(.function("0.25", title: "¼ (at h^* = 0)", style: .lines.color("#000000").width(1)))
        for s in 0 ..< steps { dat.append([t[s]] + models.flatMap { [$0.rho[s], $0.norm[s], $0.gain[s]] }) }
        var figure = Figure("jacobian-along-data", layout: .init(rows: 1, columns: 2), panelSize: (600, 460))
        figure.addPanel(rhoPanel)
        figure.addPanel(gainPanel)
        report.table(table)
        try output.write(dat, name: "along-data.dat")
        try output.write(figure)
    }

    /// The plane of the two leading principal components of a set of states.
    struct PrincipalPlane {
        var mean: [Double], components: [[Double]]
        init(_ states: [[Double]]) {
            let n = states.first?.count ?? 0, t = Double(max(1, states.count))
            mean = (0 ..< n).map { i in states.reduce(0) { $0 + $1[i] } / t }
            var cov = Matrix<Double>(rows: n, cols: n)
            for s in states { for i in 0 ..< n { for j in 0 ..< n { cov[i, j] += (s[i] - mean[i]) * (s[j] - mean[j]) / t } } }
            let eig = try? cov.symmetricEigen()
            let order = eig.map { e in e.values.indices.sorted { e.values[$0] > e.values[$1] } } ?? []
            components = order.prefix(2).map { eig!.vectors.column($0) }
        }
        /// (PC1, PC2) of a state.
        func project(_ h: [Double]) -> [Double] {
            components.map { c in zip(c, zip(h, mean)).reduce(0) { $0 + $1.0 * ($1.1.0 - $1.1.1) } }
        }
    }
}
