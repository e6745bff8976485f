import ArgumentParser
import Foundation
import GRUKit

/// `gru fixed-points`: the fixed points of one layer's input-free map, with or without biases.
struct FixedPoints: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fixed-points",
        abstract: "Find the fixed points of a GRU layer's input-free map (x = 0), each with its residual, ρ(J) and stability.",
        discussion: """
            The map is PyTorch's layer with x = 0: reset-after form (--cell reset-before for the paper's), \
            with the layer's biases when the file has them (then the origin is in general not a fixed point). \
            The finder is the one `gru inspect` runs for layers with biases: Levenberg–Marquardt on \
            ½‖F(h) − h‖² from the origin, random starts in (−1, 1)^H and the ends of long trajectories, \
            then Newton with the analytic Jacobian; a point is kept when ‖F(h*) − h*‖₂ < 1e-12 and \
            duplicates are merged. Each point is reported with its residual, the spectral radius ρ of the \
            Jacobian there and its stability (ρ < 1). --json prints one object \
            {"fixed_points": [{"h": [...], "residual": r, "spectral_radius": ρ, "stable": true|false}, ...]}.
            """)

    @Argument(help: "A safetensors file holding a PyTorch state dict.")
    var model: String

    // `.unconditional`: a negative value (`--layer -1`) is read as the value and refused by
    // validate(), not taken for a flag ("Missing value").
    @Option(parsing: .unconditional, help: "Which layer k of the GRU (the tensors …weight_hh_l{k}).")
    var layer = 0

    @Option(help: "The GRU module's key prefix (e.g. rnn.), when the file holds several.")
    var prefix: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Option(parsing: .unconditional, help: ArgumentHelp("Random starts of the finder, at most 1000000 (minutes for H in the hundreds).", valueName: "n"))
    var starts = 20

    @Option(parsing: .unconditional, help: "Seed of the random starts (0 … 2^64 − 1).")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("GRU form of the layer: reset-after (PyTorch's, the default) or reset-before.", valueName: "form"))
    var cell: String = GRUCell.resetAfter.rawValue

    /// The form `--cell` names (validated).
    var form: GRUCell { GRUCell(rawValue: cell) ?? .resetAfter }

    func validate() throws {
        guard layer >= 0 else { throw ValidationError("--layer must be at least 0, got \(layer)") }
        guard GRUCell(rawValue: cell) != nil else {
            throw ValidationError("--cell must be reset-after or reset-before, got \(cell)")
        }
        try GRUChecks.validateStarts(starts)
    }

    /// The JSON form of one point: exactly the four documented keys.
    struct Point: Encodable {
        var h: [Double]
        var residual: Double
        var spectralRadius: Double
        var stable: Bool
        enum CodingKeys: String, CodingKey { case h, residual, spectralRadius = "spectral_radius", stable }
    }

    func run() throws {
        let file = try SafetensorsFile(contentsOf: URL(fileURLWithPath: model), displayName: model)
        let keys = try GRUVjp.selectLayer(in: file, layer: layer, prefix: prefix)
        try GRUChecks.requireFinite(file, layers: [keys], displayName: model)
        if let refusal = GRUChecks.startsRefusal(starts: starts, hidden: keys.hiddenSize, file: model) { throw refusal }
        let d = try GRUCandidateAnalysis.inputFreeDynamics(file, layer: keys, form: form, starts: starts, seed: seed)
        if json {
            let encoder = GRUChecks.jsonEncoder()
            let points = d.fixedPoints.map { Point(h: $0.h, residual: $0.residual, spectralRadius: $0.spectralRadius, stable: $0.stable) }
            print(String(decoding: try encoder.encode(["fixed_points": points]), as: UTF8.self))
            return
        }
        print("\(model): layer \(keys.name) (H = \(keys.hiddenSize), \(form.rawValue), "
              + (d.hasNonZeroBiases ? "with biases: ‖F(0)‖₂ = \(number(d.originResidual))" : "no non-zero biases: F(0) = 0") + ")")
        print("\(d.fixedPoints.count) fixed point\(d.fixedPoints.count == 1 ? "" : "s") from \(d.starts) random starts (x = 0)")
        for (k, p) in d.fixedPoints.enumerated() { print("  h*\(k + 1)  " + fixedPointLine(p)) }
        if let rho = d.largestSpectralRadius {
            print("largest ρ = \(number(rho)): " + (d.allStable ? "every fixed point found is stable" : "a fixed point found is unstable"))
        }
    }
}
