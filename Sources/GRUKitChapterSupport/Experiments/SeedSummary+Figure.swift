import Foundation
import GRUKit
import GRUKitPresentation

extension TrainingFigures {
    /// The validation metric after each epoch, one line per configuration: the mean over its seeds
    /// that had not diverged by then, with error bars for the 95 % interval (``MeanInterval``), so
    /// the spread over seeds is visible and one seed's luck is not mistaken for a method's effect.
    /// The key names how many seeds diverged ("3/5 diverged"); a configuration whose every seed
    /// diverged before its first epoch ended keeps a key entry, marked "no epoch completed", with no line.
    package static func validation(_ summary: SeedSummary, name: String = "valid-metric", title: String) -> Figure {
        let metric = summary.metricName
        // A linear metric (NLL) of runs near divergence can reach ten times the trivial predictor's and
        // crush the range that tells methods apart: the axis then stops at twice the trivial predictor
        // (drawn as a line). When a configuration's mean leaves that range the axis turns logarithmic
        // instead, so that every configuration is drawn (a mean above a fixed axis would leave an empty
        // frame); an interval's lower end at or below zero is drawn down to a tenth of its mean.
        let means = summary.groups.flatMap { g in
            (0 ..< (g.runs.map(\.validMetrics.count).max() ?? 0)).compactMap { e in
                MeanInterval(g.runs.compactMap { $0.validMetrics.indices.contains(e) ? $0.validMetrics[e] : nil })?.mean
            }
        }
        let bound: Double? = metric == "perplexity" ? nil : summary.baseline.map { 2 * $0.metric }
        let logarithmic = metric == "perplexity" || (bound.map { b in means.contains { $0 > b } } ?? false)
        let ceiling = logarithmic ? nil : bound
        var panel = Panel(title: title, xLabel: "epoch", yLabel: "validation \(metric) (mean ± 95 % over seeds)",
                          yRange: ceiling.map { 0 ... $0 }, logScale: logarithmic ? [.y] : [], key: .outsideRight)
        panel.command("set xtics 1")
        if let baseline = summary.baseline, bound != nil {
            panel.plot(.function("\(baseline.metric)", title: baseline.name, style: .lines.color("#555555").width(1).dashed))
        }
        for (k, g) in summary.groups.enumerated() {
            let epochs = g.runs.map(\.validMetrics.count).max() ?? 0
            var rows: [[Double]] = []
            for e in 0 ..< epochs {
                guard let m = MeanInterval(g.runs.compactMap { $0.validMetrics.indices.contains(e) ? $0.validMetrics[e] : nil }) else { continue }
                rows.append([Double(e + 1) + 0.04 * Double(k - summary.groups.count / 2), m.mean, m.lower, m.upper])
            }
            var label = g.name + (g.diverged.isEmpty ? "" : " (\(g.diverged.count)/\(g.count) diverged)")
            if rows.isEmpty { label += ", no epoch completed" }
            if let ceiling, rows.contains(where: { $0[1] > ceiling }) { label += ", mean above the axis" }
            let style = Style(kind: .custom("yerrorlines"), lineType: k % Figure.palette.count + 1)
            panel.plot(.data(rows.isEmpty ? [[1, .nan, .nan, .nan]] : rows, columns: ["epoch", "mean", "low", "high"],
                             using: logarithmic && metric != "perplexity" ? "1:2:($3 > 0 ? $3 : $2/10):4" : "1:2:3:4", title: label, style: style))
        }
        return Figure(name, layout: .single, panelSize: (860, 480), panels: [panel])
    }
}
