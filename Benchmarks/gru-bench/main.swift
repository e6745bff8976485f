// gru-bench: seconds per training iteration of the paper's PTB language model on random data
// (forward, backward and SGD update), tokens per second, and the cost of the exact projection.
import ArgumentParser
import Foundation
import GRUKit

struct GRUBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gru-bench",
        abstract: "Time one training iteration of the GRU language model (Float32) and the projection P_δ.")

    @Option(help: "GRU form: resetAfter (PyTorch/cuDNN) or resetBefore (the paper's).")
    var cell: String = "resetAfter"
    @Option(help: "Vocabulary size V.") var vocabulary = 10_000
    @Option(help: "Embedding size E.") var embedding = 650
    @Option(help: "Hidden size H.") var hidden = 650
    @Option(help: "Batch size B.") var batch = 20
    @Option(help: "Steps per window T.") var steps = 35
    @Option(help: "Dropout probability.") var dropout = 0.5
    @Option(help: "BLAS threads.") var threads = 2
    @Option(help: "Timed iterations (the median is reported).") var iterations = 10
    @Option(help: "Untimed warm-up iterations.") var warmup = 2
    @Option(help: "Timed projection calls.") var projections = 10
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Flag(help: "Print one JSON object instead of a table.") var json = false

    func validate() throws {
        guard GRUCell(rawValue: cell) != nil else {
            throw ValidationError("--cell must be one of \(GRUCell.allCases.map(\.rawValue).joined(separator: ", ")), got '\(cell)'")
        }
        for (name, v) in [("--vocabulary", vocabulary), ("--embedding", embedding), ("--hidden", hidden), ("--batch", batch),
                          ("--steps", steps), ("--threads", threads), ("--iterations", iterations), ("--projections", projections)] where v <= 0 {
            throw ValidationError("\(name) must be positive, got \(v)")
        }
        guard warmup >= 0 else { throw ValidationError("--warmup must be non-negative, got \(warmup)") }
        guard dropout >= 0 && dropout < 1 else { throw ValidationError("--dropout must lie in [0, 1), got \(dropout)") }
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    func run() throws {
        BLAS.threads = threads
        let form = GRUCell(rawValue: cell)!
        let config = GRULanguageModel<Float>.Configuration(vocabularySize: vocabulary, embeddingSize: embedding, hiddenSize: hidden,
                                                           cell: form, dropout: dropout)
        let model = GRULanguageModel<Float>(configuration: config, seed: seed)
        var rng = SeededGenerator(seed: seed &+ 100)
        let n = steps * batch
        func window() -> [Int32] { (0..<n).map { _ in Int32(rng.next() % UInt64(vocabulary)) } }
        let windows = (0..<4).map { _ in (window(), window()) }

        var times: [Double] = []
        var lastLoss = 0.0
        for i in 0..<(warmup + iterations) {
            let (x, y) = windows[i % windows.count]
            let t0 = Self.now()
            let r = try model.trainStep(inputs: x, targets: y, batchSize: batch, learningRate: 0.1)
            let dt = Self.now() - t0
            lastLoss = r.loss
            if i >= warmup { times.append(dt) }
        }
        let perIteration = Self.median(times)

        // The projection: a full SVD of an H×H matrix scaled so that singular values are clipped.
        let projector = CandidateProjector<Float>(size: hidden)
        let base = 3 * model.gru.candidateRecurrentWeight
        var w = base.elements
        var ptimes: [Double] = []
        var clipped = 0
        for _ in 0..<projections {
            w = base.elements
            let t0 = Self.now()
            let outcome = try w.withUnsafeMutableBufferPointer { try projector.project($0.baseAddress!, threshold: 1.8) }
            ptimes.append(Self.now() - t0)
            clipped = outcome.clippedCount
        }
        let projectionMs = Self.median(ptimes) * 1e3
        let tokensPerSecond = Double(n) / perIteration
        let share = projectionMs / 1e3 / (perIteration + projectionMs / 1e3)

        if json {
            let fields: [(String, String)] = [
                ("cell", "\"\(form.rawValue)\""), ("vocabulary", "\(vocabulary)"), ("embedding", "\(embedding)"),
                ("hidden", "\(hidden)"), ("batch", "\(batch)"), ("steps", "\(steps)"), ("dropout", "\(dropout)"),
                ("threads", "\(threads)"), ("blas_core", "\"\(BLAS.coreName)\""), ("iterations", "\(iterations)"),
                ("seconds_per_iteration", String(format: "%.5f", perIteration)),
                ("tokens_per_second", String(format: "%.1f", tokensPerSecond)),
                ("projection_ms", String(format: "%.3f", projectionMs)),
                ("projection_share", String(format: "%.4f", share)),
                ("projection_clipped", "\(clipped)"),
                ("final_loss", String(format: "%.4f", lastLoss)),
            ]
            print("{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
        } else {
            let rows: [(String, String)] = [
                ("cell", form.rawValue),
                ("shape (V, E, H, B, T)", "\(vocabulary), \(embedding), \(hidden), \(batch), \(steps)"),
                ("dropout", "\(dropout)"),
                ("BLAS threads, kernels", "\(threads), \(BLAS.coreName)"),
                ("iterations (median of)", "\(iterations) after \(warmup) warm-up"),
                ("seconds per iteration", String(format: "%.4f", perIteration)),
                ("tokens per second", String(format: "%.0f", tokensPerSecond)),
                ("projection (full SVD), ms", String(format: "%.2f", projectionMs)),
                ("projection share of an iteration", String(format: "%.1f %%", share * 100)),
            ]
            let w = rows.map(\.0.count).max()!
            for (k, v) in rows { print(k.padding(toLength: w, withPad: " ", startingAt: 0) + "  " + v) }
        }
    }
}

// OpenBLAS may not recognise this CPU and fall back to generic SSE3 kernels; restart with
// the AVX2/AVX-512 kernels the CPU supports (unless OPENBLAS_CORETYPE is already set).
BLAS.restartWithRecommendedCoreTypeIfNeeded()
GRUBench.main()
