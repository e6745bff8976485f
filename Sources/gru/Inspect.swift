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
            condition with margin 2 − ‖W_hn‖₂); ρ(J) < 1 itself says whether h* = 0 is stable.
            """)

    @Argument(help: "A safetensors file holding a PyTorch state dict.")
    var model: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Option(help: "How many of the largest singular values to print (text output; JSON lists all).")
    var top = 5

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be at least 1, got \(top)") }
    }

    func run() throws {
        let file = try SafetensorsFile(contentsOf: URL(fileURLWithPath: model), displayName: model)
        let found = try GRUStateDict(file)
        let reports = try found.layers.map { try GRUCandidateAnalysis.report(file, layer: $0) }
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
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let out = Output(file: model, layers: reports, skipped: found.skipped.map { ["key": $0.key, "reason": $0.reason] })
        return String(decoding: try encoder.encode(out), as: UTF8.self)
    }

    func text(_ reports: [GRUCandidateReport], _ found: GRUStateDict, _ file: SafetensorsFile) -> String {
        var lines = ["\(model): \(file.count) tensors, \(reports.count) GRU layer\(reports.count == 1 ? "" : "s")"]
        for key in found.skipped { lines.append("  skipped \(key.key): \(key.reason)") }
        for r in reports {
            let shown = r.singularValues.prefix(top).map { number($0) }.joined(separator: "  ")
            let more = r.singularValues.count > top ? "  (top \(top) of \(r.singularValues.count))" : ""
            let rows: [(String, String)] = [
                ("weight_hh", "\(r.weightHH) (\(r.dtype), \(3 * r.hiddenSize)×\(r.hiddenSize))"),
                ("hidden size H", "\(r.hiddenSize)"),
                ("input size", "\(r.inputSize)"),
                ("biases", r.hasBiases ? "yes" : "no"),
                ("σ(W_hn)", shown + more),
                ("‖W_hn‖₂", number(r.spectralNorm)),
                ("‖W_hn‖₂ < 2", (r.sufficientConditionHolds ? "yes" : "no") + " (margin 2 − ‖W_hn‖₂ = \(number(r.margin)))"
                    + (r.sufficientConditionHolds ? " ⇒ ρ(J) < 1" : "")),
                ("ρ(J)", number(r.spectralRadiusJ) + "  (J = ½I + ¼W_hn at h* = 0)"),
                ("ρ(J) < 1", r.stableAtOrigin ? "yes: h* = 0 is stable" : "no: h* = 0 is unstable"),
            ]
            lines.append("")
            lines.append("layer \(r.layer)")
            let width = rows.map { $0.0.count }.max() ?? 0
            for (label, value) in rows {
                lines.append("  " + label + String(repeating: " ", count: width - label.count) + "  " + value)
            }
        }
        if reports.isEmpty { lines.append("no GRU layer found (no 3H×H tensor named …weight_hh_l{k})") }
        return lines.joined(separator: "\n")
    }
}

/// Six decimals, the precision the tests and a reader need.
func number(_ x: Double) -> String { String(format: "%.6f", x) }
