import ArgumentParser
import Foundation
import GRUKit

/// `gru inspect`: the spectrum of each GRU layer's W_hn and the stability of h* = 0.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report each GRU layer's W_hn singular values, ‖W_hn‖₂ and ρ(J) at h* = 0.",
        discussion: """
            For each GRU layer: its name, H, input size, whether it has biases, the top singular \
            values of W_hn, ‖W_hn‖₂, and ρ(J) for J = ½I + ¼W_hn — the Jacobian of the input-free, \
            bias-free GRU at its fixed point h* = 0. ‖W_hn‖₂ < 2 guarantees ρ(J) < 1 (a sufficient \
            condition with margin 2 − ‖W_hn‖₂); ρ(J) < 1 itself says whether h* = 0 is stable. \
            A layer with non-zero biases is different: its input-free map sends 0 elsewhere, so h* = 0 \
            is not a fixed point and those numbers describe the bias-free map only; for such a layer \
            inspect finds the fixed points of the map with its biases (x = 0), each with its residual, \
            spectral radius and stability, and reports the largest spectral radius as the verdict.
            """)

    @Argument(help: "A safetensors file holding a PyTorch state dict.")
    var model: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Option(parsing: .unconditional, help: "How many of the largest singular values to print (text output; JSON lists all).")
    var top = 5

    @Option(parsing: .unconditional, help: ArgumentHelp("Random starts of the fixed-point finder for layers with non-zero biases, at most 1000000 (minutes for H in the hundreds).",
                               valueName: "n"))
    var starts = 20

    @Option(help: ArgumentHelp("GRU form of the layers: reset-after (PyTorch's, the default) or reset-before.", valueName: "form"))
    var cell: String = GRUCell.resetAfter.rawValue

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be at least 1, got \(top)") }
        try GRUChecks.validateStarts(starts)
        guard GRUCell(rawValue: cell) != nil else {
            throw ValidationError("--cell must be reset-after or reset-before, got \(cell)")
        }
    }

    func run() throws {
        let file = try SafetensorsFile(contentsOf: URL(fileURLWithPath: model), displayName: model)
        let found = try GRUStateDict(file)
        // A file without a GRU layer is an error, not an empty report: a script that inspects a
        // model to check its stability must not read "nothing to say" as success.
        guard !found.layers.isEmpty else {
            var reason = "no GRU layer found (no 3H×H tensor named …weight_hh_l{k} or …weight_hh) among its \(file.count) tensors"
            for key in found.skipped { reason += "; skipped \"\(key.key.escapingControlCharacters)\": \(key.reason)" }
            throw SafetensorsError(file: model, problem: .notApplicable(reason))
        }
        try GRUChecks.requireFinite(file, layers: found.layers, displayName: model)
        for layer in found.layers where layer.hasBiases {
            if let refusal = GRUChecks.startsRefusal(starts: starts, hidden: layer.hiddenSize, file: model) { throw refusal }
        }
        let form = GRUCell(rawValue: cell) ?? .resetAfter
        let reports = try found.layers.map { layer in
            var r = try GRUCandidateAnalysis.report(file, layer: layer)
            // Only the biases decide whether the origin's analysis applies; the finder runs when it does not.
            if layer.hasBiases, try GRUCandidateAnalysis.inputFreeMap(file, layer: layer, form: form).hasBiases {
                r.inputFreeDynamics = try GRUCandidateAnalysis.inputFreeDynamics(file, layer: layer, form: form, starts: starts)
            }
            return r
        }
        if json {
            print(try jsonText(reports, found))
        } else {
            print(text(reports, found, file))
        }
    }

    struct Output: Encodable {
        var file: String
        var layers: [GRUCandidateReport]
        var skipped: [[String: String]]
    }

    func jsonText(_ reports: [GRUCandidateReport], _ found: GRUStateDict) throws -> String {
        let encoder = GRUChecks.jsonEncoder()
        let out = Output(file: model, layers: reports, skipped: found.skipped.map { ["key": $0.key, "reason": $0.reason] })
        return String(decoding: try encoder.encode(out), as: UTF8.self)
    }

    func text(_ reports: [GRUCandidateReport], _ found: GRUStateDict, _ file: SafetensorsFile) -> String {
        var lines = ["\(model): \(file.count) tensors, \(reports.count) GRU layer\(reports.count == 1 ? "" : "s")"]
        // Names come from the file: their control characters are escaped, never sent to the terminal.
        for key in found.skipped { lines.append("  skipped \(key.key.escapingControlCharacters): \(key.reason)") }
        for r in reports {
            let shown = r.singularValues.prefix(top).map { number($0) }.joined(separator: "  ")
            let more = r.singularValues.count > top ? "  (top \(top) of \(r.singularValues.count))" : ""
            var rows: [(String, String)] = [
                ("weight_hh", "\(r.weightHH.escapingControlCharacters) (\(r.dtype), \(3 * r.hiddenSize)×\(r.hiddenSize))"),
                ("hidden size H", "\(r.hiddenSize)"),
                ("input size", "\(r.inputSize)"),
                ("biases", r.hasBiases ? (r.inputFreeDynamics == nil ? "yes, all zero: the bias-free analysis applies" : "yes") : "no"),
                ("σ(W_hn)", shown + more),
                ("‖W_hn‖₂", number(r.spectralNorm)),
            ]
            if let d = r.inputFreeDynamics {
                rows += biasedRows(r, d)
            } else {
                rows += [
                    ("‖W_hn‖₂ < 2", (r.sufficientConditionHolds ? "yes" : "no") + " (margin 2 − ‖W_hn‖₂ = \(number(r.margin)))"
                        + (r.sufficientConditionHolds ? " ⇒ ρ(J) < 1" : "")),
                    ("ρ(J)", number(r.spectralRadiusJ) + "  (J = ½I + ¼W_hn at h* = 0)"),
                    ("ρ(J) < 1", r.stableAtOrigin ? "yes: h* = 0 is stable" : "no: h* = 0 is unstable"),
                ]
            }
            lines.append("")
            lines.append("layer \(r.layer.escapingControlCharacters)")
            let width = rows.map { $0.0.count }.max() ?? 0
            for (label, value) in rows {
                lines.append("  " + label + String(repeating: " ", count: width - label.count) + "  " + value)
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension Inspect {
    /// The rows of a layer with non-zero biases: what the bias-free numbers do not say, and the
    /// fixed points of the map with the biases, the largest spectral radius as the verdict.
    func biasedRows(_ r: GRUCandidateReport, _ d: GRUInputFreeDynamics) -> [(String, String)] {
        var rows: [(String, String)] = [
            ("h* = 0", "not a fixed point of this layer's input-free map: ‖F(0)‖₂ = \(number(d.originResidual)) (the biases)"),
            ("‖W_hn‖₂ < 2", (r.sufficientConditionHolds ? "yes" : "no")
                + ": the paper's sufficient condition, for the bias-free map only"),
            ("ρ(½I + ¼W_hn)", number(r.spectralRadiusJ) + "  (the bias-free map's Jacobian at 0, not this layer's)"),
            ("fixed points", "\(d.fixedPoints.count) found from \(d.starts) random starts (x = 0, with the biases)"),
        ]
        for (k, p) in d.fixedPoints.enumerated() { rows.append(("  h*\(k + 1)", fixedPointLine(p))) }
        let verdict: String
        if let rho = d.largestSpectralRadius {
            verdict = "largest ρ over the fixed points = \(number(rho)): "
                + (d.allStable ? "every fixed point found is stable" : "a fixed point found is unstable")
        } else {
            verdict = "no fixed point found from \(d.starts) starts (try more with --starts)"
        }
        rows.append(("verdict", verdict))
        return rows
    }
}

/// One fixed point as `inspect` and `fixed-points` print it: norm, residual, ρ and stability.
func fixedPointLine(_ p: GRUFixedPointSummary) -> String {
    let kind = p.stable ? "stable" : "unstable (\(p.unstableDirections) unstable direction\(p.unstableDirections == 1 ? "" : "s"))"
    return "‖h*‖₂ = \(number(p.norm))  residual \(String(format: "%.1e", p.residual))  ρ = \(number(p.spectralRadius))  \(kind)"
}

/// Six decimals, the precision the tests and a reader need.
func number(_ x: Double) -> String { String(format: "%.6f", x) }
