import ArgumentParser
import Foundation
import GRUKit

/// `gru project`: clip the singular values of every GRU layer's W_hn at 2 − δ.
struct Project: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the projection P_δ to each GRU layer's W_hn and write the model back.",
        discussion: """
            P_δ(W) = U diag(min(σ_i, 2 − δ)) Vᵀ (Kanai et al. 2017, eq. 12–14) is computed in double \
            precision and stored back in the tensor's own dtype. Only the rows 2H..<3H (W_hn) of a \
            layer's weight_hh change, and only when σ_1 > 2 − δ; every other tensor and the metadata \
            are copied byte for byte. The output is written to a temporary file and renamed, so a \
            failed run leaves no output. -o may not name MODEL itself: use --in-place for that. An \
            existing regular file at -o is replaced, keeping its mode and owner; a device, FIFO or \
            folder there is refused; a symbolic link (at -o or MODEL) is followed and its target written.
            """)

    @Argument(help: "A safetensors file holding a PyTorch state dict.")
    var model: String

    @Option(parsing: .unconditional, help: "δ in (0, 2): singular values are clipped at 2 − δ.")
    var delta: Double = 0.2

    @Option(name: [.short, .customLong("output")], help: "Where to write the projected model.")
    var output: String?

    @Flag(help: "Replace MODEL itself (atomically) instead of writing -o.")
    var inPlace = false

    @Flag(help: "Print the per-layer outcome as JSON.")
    var json = false

    func validate() throws {
        if let problem = SpectralProjection.deltaProblem(delta) { throw ValidationError("--delta \(problem)") }
        if inPlace {
            if let output, !Project.sameFile(output, model) {
                throw ValidationError("--in-place writes MODEL itself; drop -o \(output) or drop --in-place")
            }
        } else {
            guard let output else { throw ValidationError("missing -o OUT.safetensors (or --in-place to replace MODEL)") }
            if Project.sameFile(output, model) {
                throw ValidationError("-o \(output) is the input file; use --in-place to replace it")
            }
        }
    }

    /// True when the two paths name the same file (same resolved path, or same device and inode).
    static func sameFile(_ a: String, _ b: String) -> Bool {
        let ua = URL(fileURLWithPath: a).standardizedFileURL.resolvingSymlinksInPath()
        let ub = URL(fileURLWithPath: b).standardizedFileURL.resolvingSymlinksInPath()
        if ua.path == ub.path { return true }
        let fm = FileManager.default
        guard let x = try? fm.attributesOfItem(atPath: ua.path), let y = try? fm.attributesOfItem(atPath: ub.path),
              let ix = x[.systemFileNumber] as? NSNumber, let iy = y[.systemFileNumber] as? NSNumber,
              let dx = x[.systemNumber] as? NSNumber, let dy = y[.systemNumber] as? NSNumber else { return false }
        return ix == iy && dx == dy
    }

    func run() throws {
        var file = try SafetensorsFile(contentsOf: URL(fileURLWithPath: model), displayName: model)
        // The projection reads weight_hh only (its W_hn block), so only weight_hh must be finite.
        try GRUChecks.requireFinite(file, layers: try GRUStateDict(file).layers, displayName: model, using: { [$0.weightHH] })
        let outcomes = try GRUCandidateAnalysis.project(&file, delta: delta)
        let destination = inPlace ? model : output!
        try file.write(to: URL(fileURLWithPath: destination), displayName: destination)
        if json {
            struct Output: Encodable { var input: String; var output: String; var delta: Double; var threshold: Double; var layers: [GRUProjectionOutcome] }
            let encoder = GRUChecks.jsonEncoder()
            let out = Output(input: model, output: destination, delta: delta, threshold: 2 - delta, layers: outcomes)
            print(String(decoding: try encoder.encode(out), as: UTF8.self))
            return
        }
        let names = outcomes.map(\.layer.escapingControlCharacters)
        let nameWidth = names.map(\.count).max() ?? 0
        print("P_δ with δ = \(delta): singular values of W_hn clipped at 2 − δ = \(number(2 - delta))")
        for (o, name) in zip(outcomes, names) {
            let pad = String(repeating: " ", count: nameWidth - name.count)
            print("  \(name)\(pad)  σ_1 \(number(o.spectralNormBefore)) → \(number(o.spectralNormAfter))  clipped \(o.clippedCount)")
        }
        let changed = outcomes.filter { $0.clippedCount > 0 }.count
        print("wrote \(destination) (\(changed) of \(outcomes.count) layer\(outcomes.count == 1 ? "" : "s") changed)")
    }
}
