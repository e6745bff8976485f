import ArgumentParser
import Foundation
import GRUKit

/// The checks every `gru` command makes before it computes: finite values in the tensors it uses,
/// a number of random starts that fits in memory, and JSON that always encodes.
enum GRUChecks {
    /// The most random starts `--starts` accepts: far beyond what the finder needs (its default is
    /// 20; each start costs a Levenberg–Marquardt run of its own), and small enough that the count
    /// itself cannot overflow an allocation.
    static let maximumStarts = 1_000_000

    /// `--starts n` refused above ``maximumStarts``.
    /// - Throws: `ValidationError` naming the flag and the bound.
    static func validateStarts(_ starts: Int) throws {
        guard starts >= 0 else { throw ValidationError("--starts must be at least 0, got \(starts)") }
        guard starts <= maximumStarts else {
            throw ValidationError("--starts must be at most \(maximumStarts), got \(starts)")
        }
    }

    /// nil when the finder fits in memory (``MemoryEstimate/startsRefusal(starts:hidden:budget:)``);
    /// otherwise the refusal naming the file, the estimate and `--starts`.
    static func startsRefusal(starts: Int, hidden: Int, file: String) -> SafetensorsError? {
        MemoryEstimate.startsRefusal(starts: starts, hidden: hidden).map { SafetensorsError(file: file, problem: .notApplicable($0)) }
    }

    /// The tensors of a layer whose values the analyses read: weight_hh and the biases it has (the
    /// input-free map, x = 0, uses b_ih but not weight_ih, of which only the shape is read).
    static func tensors(of layer: GRULayerKeys) -> [String] {
        [layer.weightHH] + [layer.biasIH, layer.biasHH].compactMap { $0 }
    }

    /// The block of a gate tensor that row `row` lies in, as the paper names it: rows r, z, n of
    /// weight_hh are W_hr, W_hz, W_hn (weight_ih: W_ir, W_iz, W_in; biases b_hr… / b_ir…).
    static func block(_ name: String, layer: GRULayerKeys, row: Int) -> String? {
        guard let gate = GateBlock.locate(row: row, hiddenSize: layer.hiddenSize)?.gate.letter else { return nil }
        switch name {
        case layer.weightHH: return "W_h\(gate)"
        case layer.weightIH: return "W_i\(gate)"
        case layer.biasHH: return "b_h\(gate)"
        case layer.biasIH: return "b_i\(gate)"
        default: return nil
        }
    }

    /// Throws when a tensor of `layers` that the command uses (`used`: by default every one of
    /// ``tensors(of:)``) holds NaN or ±∞, naming the tensor, the first such value,
    /// where it is and the gate block: the analyses (SVD, eigenvalues, the fixed-point finder) would
    /// otherwise report NaN numbers or "no fixed point found" as if they meant something.
    /// - Throws: ``SafetensorsError`` (`unusable`) naming `file` and the tensor.
    static func requireFinite(_ file: SafetensorsFile, layers: [GRULayerKeys], displayName: String,
                              using used: (GRULayerKeys) -> [String] = tensors(of:)) throws {
        for layer in layers {
            for name in used(layer) {
                let tensor = try file.tensor(name)
                let values = tensor.doubles()
                guard let k = values.firstIndex(where: { !$0.isFinite }) else { continue }
                let shape = tensor.shape
                let cols = shape.count >= 2 ? shape.dropFirst().reduce(1, *) : 1
                let row = k / max(cols, 1), col = k % max(cols, 1)
                let place = shape.count >= 2 ? "row \(row), column \(col)" : "element \(k)"
                let what = block(name, layer: layer, row: row).map { " (in \($0))" } ?? ""
                let count = values.lazy.filter { !$0.isFinite }.count
                throw SafetensorsError(file: displayName, problem: .unusable(tensor: name,
                    reason: "it holds \(values[k]) at \(place)\(what)"
                        + (count > 1 ? " and \(count - 1) more non-finite value\(count == 2 ? "" : "s")" : "")
                        + "; the analysis needs finite weights"))
            }
        }
    }

    /// A JSON encoder that cannot fail on a number: NaN and ±∞ (a residual that overflowed, a
    /// spectral radius of a degenerate matrix) are written as the strings "NaN", "Infinity" and
    /// "-Infinity", the spellings Python's `float()` reads back.
    static func jsonEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }
}
