import Foundation
import GRUKit

/// The two figures of a training chapter, drawn from the runs' results and JSON Lines logs.
public enum TrainingFigures {
    /// The validation metric after each epoch, one line per run (log y axis for perplexity).
    /// Runs that diverged before their first epoch ended have no point and are named in the key
    /// as such.
    package static func validation(_ results: [RunResult], name: String = "valid-metric", title: String) -> Figure {
        let metric = results.first?.metricName ?? "metric"
        var panel = Panel(title: title, xLabel: "epoch", yLabel: "validation \(metric)",
                          logScale: metric == "perplexity" ? [.y] : [], key: .outsideRight)
        // Epochs are whole numbers: one tic per epoch.
        panel.command("set xtics 1")
        for (k, r) in results.enumerated() {
            let style = Style.linesPoints.lineType(k % Figure.palette.count + 1)
            let label = r.configuration.name
            let points = r.validMetrics.enumerated().filter { $0.element.isFinite }
            if points.isEmpty {
                // A series needs a point; one at NaN draws nothing but keeps the run in the key.
                panel.plot(.xy([1], [.nan], columns: ("epoch", metric), title: label + " (diverged)", style: style))
            } else {
                panel.plot(.xy(points.map { Double($0.offset + 1) }, points.map(\.element), columns: ("epoch", metric),
                               title: label + (r.diverged ? " (diverged)" : ""), style: style))
            }
        }
        return Figure(name, layout: .single, panelSize: (820, 480), panels: [panel])
    }

    /// Three panels against the iteration, all on log axes (an exploding run spans decades): the
    /// largest pre-clip gradient norm between log points (every iteration of the `trace` a diverged
    /// run writes, and a cross where it diverged), ‖W_hh‖₂ (with the bound 2 of the-paper §2)
    /// and ρ(J) at h* = 0 (with the stability limit 1), one line per log; the key sits below the
    /// last panel so that the three panels share one width and their iteration axes line up. `logs` pairs a run name with its records.
    ///
    /// `early`, when given, adds a second column that shows iterations 0 … `early` of the same
    /// series (read from the same blocks of the data file, which does not change): a divergence in
    /// the first per cent of a long run gets a panel of its own.
    package static func dynamics(_ logs: [(name: String, records: [LogRecord])], name: String = "gradient-dynamics",
                                title: String, early: Double? = nil) -> Figure {
        var figure = Figure(name, title: title, layout: .init(rows: 3, columns: early == nil ? 1 : 2),
                            panelSize: early == nil ? (820, 320) : (640, 320))
        var dataIndex = 0
        let panels: [(String, String, Bool, String?)] = [
            ("max_gradient_norm", "gradient norm", true, nil),
            ("spectral_norm", "‖W_{hh}‖_2", true, "2"),
            ("spectral_radius", "ρ(J),  J = I/2 + W_{hh}/4", true, "1"),
        ]
        for (p, (key, label, log, line)) in panels.enumerated() {
            var panel = Panel(title: early != nil && p == 0 ? "the whole run" : nil, xLabel: p == 2 ? "iteration" : nil,
                              yLabel: label, logScale: log ? [.y] : [], key: p == 2 ? .below : .off)
            let first = dataIndex
            var divergences: [[Double]] = []
            for (k, entry) in logs.enumerated() {
                // The `trace` records of a diverged run add its last iterations one by one (gradient norm only).
                let rows = series(entry.records, key: key, traceKey: p == 0 ? "gradient_norm" : key, positive: log)
                let points = rows.isEmpty ? [[0, Double.nan]] : rows
                // A run that diverged before its first record has no line: its key entry says so.
                let label = entry.name + (rows.isEmpty ? " (diverged before its first record)" : "")
                panel.plot(.data(points, columns: ["iteration", key], title: p == 2 ? label : nil,
                                 style: .lines.lineType(k % Figure.palette.count + 1)))
                if p == 0, let d = divergencePoints(entry.records) { divergences.append(d) }
            }
            if !divergences.isEmpty {
                panel.plot(.data(divergences, columns: ["iteration", "norm"], title: nil,
                                 style: .points.color("#000000").pointType(2).pointSize(2)))
            }
            if let line {
                panel.plot(.function(line, title: nil, style: .lines.color("#555555").width(1).dashed))
            }
            figure.addPanel(panel)
            // The same blocks again, from the data file, on iterations 0 … early (the key repeated, so
            // that both bottom panels keep one height; the dashes of coinciding curves kept).
            let blocks = panel.series.filter { if case .data = $0.source { return true } else { return false } }.count
            if let early {
                var zoom = panel, index = first
                let dashes = Figure.coincidingDashes(panel.series)
                zoom.title = p == 0 ? "iterations 0–\(Gnuplot.number(early))" : nil
                zoom.xRange = 0 ... early
                zoom.series = panel.series.enumerated().map { k, s in
                    guard case .data = s.source else { return s }
                    defer { index += 1 }
                    var style = s.style
                    if let dash = dashes[k] { style.dash = dash }
                    return .file(figure.dataFileName, index: index, using: s.using, title: s.title, style: style)
                }
                figure.addPanel(zoom)
            }
            dataIndex = first + blocks
        }
        return figure
    }
}
