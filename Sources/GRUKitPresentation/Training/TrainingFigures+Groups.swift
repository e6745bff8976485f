import Foundation
import GRUKit

extension TrainingFigures {
    /// The records a dynamics figure draws from one log: the every-`logEvery` `iteration` records
    /// and, for a diverged run, the per-iteration `trace` records written at the divergence, merged
    /// by iteration (`key` from an `iteration` record, `traceKey` from a `trace` record).
    package static func series(_ records: [LogRecord], key: String, traceKey: String, positive: Bool) -> [[Double]] {
        var byIteration: [Double: Double] = [:]
        for r in records {
            let k = r.recordType == .iteration ? key : (r.recordType == .trace ? traceKey : nil)
            guard let k, let i = r.double("iteration"), let v = r.double(k), v.isFinite, !positive || v > 0 else { continue }
            byIteration[i] = max(byIteration[i] ?? v, v)
        }
        return byIteration.keys.sorted().map { [$0, byIteration[$0]!] }
    }

    /// Where each diverged run of `logs` diverged: (iteration, the last finite gradient norm before it).
    package static func divergencePoints(_ records: [LogRecord]) -> [Double]? {
        guard let d = records.last(where: { $0.recordType == .diverged }), let i = d.double("iteration") else { return nil }
        let norms = series(records, key: "max_gradient_norm", traceKey: "gradient_norm", positive: true)
        let g = d.double("gradient_norm").flatMap { $0.isFinite && $0 > 0 ? $0 : nil } ?? norms.last?[1] ?? .nan
        return [i, g]
    }

    /// A parameter group's name in the paper's notation for a figure's key (gnuplot enhanced text):
    /// `weight_hh_l0[n]` → W_{hn}, `encoder.weight` → embedding; other names with `_` escaped.
    package static func groupLabel(_ name: String) -> String {
        var known = ["encoder.weight": "embedding / input layer", "weight_ih_l0": "W_{ih} (r, z, n)",
                     "bias_ih_l0": "b_{ih}", "bias_hh_l0": "b_{hh}", "decoder.weight": "output weight", "decoder.bias": "output bias"]
        for gate in GateBlock.allCases { known["weight_hh_l0[\(gate.letter)]"] = "W_{h\(gate.letter)}" }
        return known[name] ?? name.replacingOccurrences(of: "_", with: "\\_")
    }

    /// The gradient norm of each parameter group (``GradientGroups``) against the iteration, one panel
    /// per run, on a log axis, with the divergence marked: whether a blow-up starts in W_hh's blocks
    /// (the paper's mechanism) or elsewhere. Uses the `gradient_norm[NAME]` keys of the log records
    /// (and of the `trace` records written at a divergence).
    public static func gradientGroups(_ logs: [(name: String, records: [LogRecord])], name: String = "gradient-groups",
                                      title: String) -> Figure {
        // Every panel has its key on the right, so that all panels have one width and their iteration axes line up.
        var figure = Figure(name, title: title, layout: .init(rows: max(1, logs.count), columns: 1), panelSize: (1000, 280))
        for (p, entry) in logs.enumerated() {
            let keys = (entry.records.first { $0.recordType == .iteration || $0.recordType == .trace }?.fields.map(\.key) ?? []).filter { $0.hasPrefix("gradient_norm[") }
            let last = p == logs.count - 1
            var panel = Panel(title: entry.name, xLabel: last ? "iteration" : nil, yLabel: "gradient norm",
                              logScale: [.y], key: .outsideRight)
            panel.command("set format y \"10^{%L}\"")
            for (k, key) in keys.enumerated() {
                let rows = series(entry.records, key: key, traceKey: key, positive: true)
                let group = groupLabel(String(key.dropFirst("gradient_norm[".count).dropLast()))
                panel.plot(.data(rows.isEmpty ? [[0, .nan]] : rows, columns: ["iteration", "norm"],
                                 title: group + (rows.isEmpty ? " (no record before the divergence)" : ""),
                                 style: .lines.lineType(k % Figure.palette.count + 1)))
            }
            if let d = divergencePoints(entry.records) {
                panel.plot(.data([d], columns: ["iteration", "norm"], title: "divergence",
                                 style: .points.color("#000000").pointType(2).pointSize(2)))
            }
            figure.addPanel(panel)
        }
        return figure
    }
}
