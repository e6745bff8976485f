// `gru` — inspect, project and differentiate the GRU layers of PyTorch state dicts stored as safetensors.
//
//   gru inspect MODEL.safetensors [--json] [--top 5]
//   gru fixed-points MODEL.safetensors [--layer k] [--json]
//   gru project MODEL.safetensors [--delta 0.2] -o OUT.safetensors
//   gru project MODEL.safetensors [--delta 0.2] --in-place
//   gru vjp MODEL.safetensors INPUTS.safetensors -o OUT.safetensors [--layer 0] [--dtype f32]
//   gru music-text Nottingham.mat [--out DIR]     (the plain-text form of a piano-roll MAT-file)
//
// Errors go to standard error as `Error: FILE: problem` with exit status 1; a bad flag prints the
// usage with exit status 64 (swift-argument-parser's conventions).
import ArgumentParser
import GRUKit

struct GRUTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gru",
        abstract: "Inspect, project and differentiate the GRU layers of PyTorch models saved as safetensors, and find their fixed points.",
        discussion: """
            A model saved with `safetensors.torch.save_file(model.state_dict(), path)` holds each GRU \
            layer as weight_ih_l{k} (3H×I), weight_hh_l{k} (3H×H) and optional biases, gate rows r, z, n. \
            The candidate's recurrent matrix W_hn is rows 2H..<3H of weight_hh; when ‖W_hn‖₂ < 2 the \
            input-free GRU is stable at h* = 0 (Kanai, Fujiwara & Iwamura, NeurIPS 2017).
            """,
        subcommands: [Inspect.self, FixedPoints.self, Project.self, Vjp.self, MusicTextCommand.self])
}

// OpenBLAS may have picked generic kernels on this CPU: restart with the right ones before any
// BLAS call (the numbers `gru vjp` writes then come from the kernels training uses).
BLAS.restartWithRecommendedCoreTypeIfNeeded()
GRUTool.main()
