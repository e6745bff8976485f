// gru-bench: seconds per training iteration of the paper's PTB language model (forward,
// backward and SGD update, Float32), tokens per second, the cost of one active projection P_δ,
// and the projection's average share of an iteration over a short training run with the
// projection in the loop (on random tokens, or on the first windows of PTB with --data).
import ArgumentParser
import Foundation
import GRUKit

struct GRUBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gru-bench",
        abstract: "Time one training iteration of the GRU language model (Float32) and the projection P_δ.",
        discussion: """
        Wall-clock times on a shared machine are noisy: the iteration time reported is the \
        minimum over the timed iterations (the median is reported too), and the 1-minute load \
        average before and after the run is printed with the results.
        """)

    @Option(help: "GRU form: reset-after (PyTorch/cuDNN) or reset-before (the paper's), as the chapters spell it.")
    var cell: String = GRUCell.resetAfter.rawValue
    @Option(help: "Vocabulary size V (with --data: PTB's own, 10,000).") var vocabulary = 10_000
    @Option(help: "Embedding size E.") var embedding = 650
    @Option(help: "Hidden size H.") var hidden = 650
    @Option(help: "Batch size B.") var batch = 20
    @Option(help: "Steps per window T.") var steps = 35
    @Option(help: "Dropout probability.") var dropout = 0.5
    @Option(help: "BLAS threads.") var threads = 2
    @Option(help: "Timed iterations of plain SGD (the minimum and the median are reported).") var iterations = 10
    @Option(help: "Untimed warm-up iterations.") var warmup = 2
    @Option(help: "Timed calls of one active projection (a matrix with σ_1 > c).") var projections = 10
    @Option(help: "Iterations of the training run with the projection in the loop (0 = none).") var runIterations = 30
    @Option(help: "δ of the projection in the training run (threshold c = 2 − δ).") var delta = 0.2
    @Option(help: "Learning rate of the training run.") var learningRate = 1.0
    @Option(help: "Data folder holding ptb/ptb.train.txt: the training run uses PTB's first windows instead of random tokens.")
    var data: String?
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Flag(help: "Print one JSON object instead of a table.") var json = false
    @Flag(help: "Only time every projection method on H×H test matrices (one and 10 % of the values above c) and exit.")
    var projectionMethods = false

    func validate() throws {
        guard Self.form(cell) != nil else {
            throw ValidationError("--cell must be one of \(GRUCell.allCases.map(\.rawValue).joined(separator: ", ")), got '\(cell)'")
        }
        for (name, v) in [("--vocabulary", vocabulary), ("--embedding", embedding), ("--hidden", hidden), ("--batch", batch),
                          ("--steps", steps), ("--threads", threads), ("--iterations", iterations), ("--projections", projections)] where v <= 0 {
            throw ValidationError("\(name) must be positive, got \(v)")
        }
        guard warmup >= 0 else { throw ValidationError("--warmup must be non-negative, got \(warmup)") }
        guard runIterations >= 0 else { throw ValidationError("--run-iterations must be non-negative, got \(runIterations)") }
        guard dropout >= 0 && dropout < 1 else { throw ValidationError("--dropout must lie in [0, 1), got \(dropout)") }
        guard delta > 0 && delta < 2 else { throw ValidationError("--delta must lie in (0, 2), got \(delta)") }
        guard learningRate > 0 && learningRate.isFinite else { throw ValidationError("--learning-rate must be positive, got \(learningRate)") }
    }

    /// The GRU form named by `--cell` (`reset-after`, `reset-before`; the camel-case spelling of
    /// older scripts is still accepted).
    static func form(_ name: String) -> GRUCell? {
        GRUCell(spelling: name)
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

    /// Peak resident memory of this process in MiB (getrusage: ru_maxrss is in KiB on Linux).
    static func peakResidentMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// The 1-minute load average (/proc/loadavg), or nil where it cannot be read.
    static func loadAverage() -> Double? {
        guard let s = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return nil }
        return s.split(separator: " ").first.flatMap { Double($0) }
    }

    /// The CPU's model string (/proc/cpuinfo) and the number of online cores.
    static func cpu() -> (model: String, cores: Int) {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard let s = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = s.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
              let colon = line.firstIndex(of: ":") else { return ("unknown", cores) }
        return (line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces), cores)
    }

    /// What the training run with the projection in the loop measured.
    struct RunSummary {
        var name: String
        var iterations = 0
        var totalSeconds = 0.0
        var projectionSeconds = 0.0
        var skipped = 0, unchanged = 0, projected = 0, clippedTotal = 0
        var firstLoss = 0.0, lastLoss = 0.0
        var share: Double { totalSeconds > 0 ? projectionSeconds / totalSeconds : 0 }
    }

    func trainingRun(form: GRUCell, vocabularySize: Int, windows: (Int) -> ([Int32], [Int32]), name: String) throws -> RunSummary {
        let config = GRULanguageModel<Float>.Configuration(vocabularySize: vocabularySize, embeddingSize: embedding, hiddenSize: hidden,
                                                           cell: form, dropout: dropout)
        let model = GRULanguageModel<Float>(configuration: config, seed: seed)
        var s = RunSummary(name: name)
        for i in 0..<runIterations {
            let (x, y) = windows(i)
            let t0 = Self.now()
            let r = try model.trainStep(inputs: x, targets: y, batchSize: batch, learningRate: learningRate,
                                        method: .project(delta: delta))
            s.totalSeconds += Self.now() - t0
            s.iterations += 1
            if i == 0 { s.firstLoss = r.loss }
            s.lastLoss = r.loss
            if let p = r.projection {
                s.projectionSeconds += p.seconds
                switch p.action {
                case .skipped: s.skipped += 1
                case .unchanged: s.unchanged += 1
                case .projected(let k): s.projected += 1; s.clippedTotal += k
                }
            }
        }
        return s
    }

    func run() throws {
        BLAS.threads = threads
        if projectionMethods {
            let timings = try ProjectionCost.measure(n: [hidden], methods: ProjectionMethod.allCases, cases: [.oneAbove, .tenPercentAbove],
                                                     threshold: SpectralProjection.threshold(delta: delta), repeats: projections, seed: seed)
            for t in timings {
                print("\(t.method.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)) \(String(describing: t.testCase).padding(toLength: 16, withPad: " ", startingAt: 0)) "
                      + String(format: "min %8.2f ms  median %8.2f ms  clipped %d", t.minimumMilliseconds, t.milliseconds, t.clipped))
            }
            print("load average: \(Self.loadAverage().map { String(format: "%.2f", $0) } ?? "unknown")")
            return
        }
        let form = Self.form(cell)!
        let loadBefore = Self.loadAverage()

        // The data of the training run: PTB's first windows with --data, else random tokens.
        var vocabularySize = vocabulary
        var runName: String
        let n = steps * batch
        var ptbStreams: TokenStreams?
        if let data {
            let ptb = try PennTreebank(directory: DataDirectory(path: data, source: .option))
            vocabularySize = ptb.vocabulary.count
            ptbStreams = try TokenStreams(ptb.train, batchSize: batch)
            runName = "PTB train windows 1–\(runIterations)"
        } else {
            runName = "random tokens"
        }
        var rng = SeededGenerator(seed: seed &+ 100)
        func randomWindow() -> [Int32] { (0..<n).map { _ in Int32(rng.next() % UInt64(vocabularySize)) } }
        let randomWindows = (0..<4).map { _ in (randomWindow(), randomWindow()) }
        var inputs = [Int32](repeating: 0, count: n), targets = [Int32](repeating: 0, count: n)
        func window(_ i: Int) -> ([Int32], [Int32]) {
            guard let streams = ptbStreams else { return randomWindows[i % randomWindows.count] }
            let s = streams.copyWindow(i % streams.windowCount(steps: steps), steps: steps, inputs: &inputs, targets: &targets)
            return s == steps ? (inputs, targets) : (Array(inputs[0..<(s * batch)]), Array(targets[0..<(s * batch)]))
        }

        // 1. Plain SGD iterations (forward, backward, update), the PyTorch baseline's loop.
        let config = GRULanguageModel<Float>.Configuration(vocabularySize: vocabularySize, embeddingSize: embedding, hiddenSize: hidden,
                                                           cell: form, dropout: dropout)
        let model = GRULanguageModel<Float>(configuration: config, seed: seed)
        var times: [Double] = []
        var lastLoss = 0.0
        for i in 0..<(warmup + iterations) {
            let (x, y) = randomWindows[i % randomWindows.count]
            let t0 = Self.now()
            let r = try model.trainStep(inputs: x, targets: y, batchSize: batch, learningRate: 0.1)
            let dt = Self.now() - t0
            lastLoss = r.loss
            if i >= warmup { times.append(dt) }
        }
        let perIteration = times.min()!
        let medianIteration = Self.median(times)

        // 2. One active projection (σ_1 > c, so nothing can be skipped): the training path's
        //    projector (leading eigenpairs of WᵀW) and the full-SVD reference.
        let c = Float(SpectralProjection.threshold(delta: delta))
        let initial = model.gru.candidateRecurrentWeight
        // Late in training σ_1 sits just above c after each step: a few values are clipped.
        let sigma1 = try initial.converted(to: Double.self).spectralNorm()
        let nearThreshold = Float(1.02 * Double(c) / sigma1) * initial
        func timeProjection(_ method: ProjectionMethod, _ base: Matrix<Float>) throws -> (ms: Double, clipped: Int) {
            let projector = try SpectralProjector<Float>(n: hidden, threshold: c, method: method)
            var ptimes: [Double] = []
            var clipped = 0
            for _ in 0..<projections {
                var w = base
                projector.resetBound()
                let t0 = Self.now()
                let report = try projector.project(&w)
                ptimes.append(Self.now() - t0)
                clipped = report.clippedCount
            }
            return (ptimes.min()! * 1e3, clipped)
        }
        let active = try timeProjection(.automatic, 3 * initial)
        let fullSVD = try timeProjection(.fullSVD, 3 * initial)
        let near = try timeProjection(.automatic, nearThreshold)

        // 3. A training run with the projection in every step.
        let summary = try trainingRun(form: form, vocabularySize: vocabularySize, windows: window, name: runName)
        let loadAfter = Self.loadAverage()
        let tokensPerSecond = Double(n) / perIteration
        let (cpuModel, cores) = Self.cpu()
        let runDescription = summary.iterations > 0
            ? "\(summary.iterations) iterations of project(δ = \(delta)) at lr \(learningRate) on \(summary.name)"
            : "none"
        func load(_ x: Double?) -> String { x.map { String(format: "%.2f", $0) } ?? "null" }
        func quoted(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }

        if json {
            let fields: [(String, String)] = [
                ("cell", quoted(form.rawValue)), ("vocabulary", "\(vocabularySize)"), ("embedding", "\(embedding)"),
                ("hidden", "\(hidden)"), ("batch", "\(batch)"), ("steps", "\(steps)"), ("dropout", "\(dropout)"),
                ("threads", "\(threads)"), ("blas_core", quoted(BLAS.coreName)), ("cpu", quoted(cpuModel)), ("cores", "\(cores)"),
                ("iterations", "\(iterations)"),
                ("seconds_per_iteration", String(format: "%.5f", perIteration)),
                ("seconds_per_iteration_median", String(format: "%.5f", medianIteration)),
                ("tokens_per_second", String(format: "%.1f", tokensPerSecond)),
                ("projection_ms", String(format: "%.3f", active.ms)),
                ("projection_full_svd_ms", String(format: "%.3f", fullSVD.ms)),
                ("projection_clipped", "\(active.clipped)"),
                ("projection_near_threshold_ms", String(format: "%.3f", near.ms)),
                ("projection_near_threshold_clipped", "\(near.clipped)"),
                ("projection_share", String(format: "%.4f", summary.share)),
                ("projection_run", quoted(runDescription)),
                ("run_seconds_per_iteration", String(format: "%.5f", summary.iterations > 0 ? summary.totalSeconds / Double(summary.iterations) : 0)),
                ("run_projection_ms_mean", String(format: "%.3f", summary.iterations > 0 ? summary.projectionSeconds / Double(summary.iterations) * 1e3 : 0)),
                ("run_skipped", "\(summary.skipped)"), ("run_unchanged", "\(summary.unchanged)"), ("run_projected", "\(summary.projected)"),
                ("run_first_loss", String(format: "%.4f", summary.firstLoss)), ("run_last_loss", String(format: "%.4f", summary.lastLoss)),
                ("final_loss", String(format: "%.4f", lastLoss)),
                ("peak_rss_mb", String(format: "%.1f", Self.peakResidentMiB())),
                ("load_before", load(loadBefore)), ("load_after", load(loadAfter)),
            ]
            print("{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
        } else {
            let rows: [(String, String)] = [
                ("cell", form.rawValue),
                ("shape (V, E, H, B, T)", "\(vocabularySize), \(embedding), \(hidden), \(batch), \(steps)"),
                ("dropout", "\(dropout)"),
                ("CPU, cores", "\(cpuModel), \(cores)"),
                ("BLAS threads, kernels", "\(threads), \(BLAS.coreName)"),
                ("iterations", "\(iterations) after \(warmup) warm-up"),
                ("seconds per iteration (min, median)", String(format: "%.4f, %.4f", perIteration, medianIteration)),
                ("tokens per second", String(format: "%.0f", tokensPerSecond)),
                ("one active projection, ms", String(format: "%.2f (full SVD %.2f), %d clipped", active.ms, fullSVD.ms, active.clipped)),
                ("  σ_1 = 1.02c (late training), ms", String(format: "%.2f, %d clipped", near.ms, near.clipped)),
                ("training run", runDescription),
                ("  projection share of an iteration", String(format: "%.2f %%", summary.share * 100)),
                ("  skipped / unchanged / projected", "\(summary.skipped) / \(summary.unchanged) / \(summary.projected)"),
                ("  loss first → last", String(format: "%.3f → %.3f", summary.firstLoss, summary.lastLoss)),
                ("peak resident memory, MiB", String(format: "%.1f", Self.peakResidentMiB())),
                ("load average before, after", "\(load(loadBefore)), \(load(loadAfter))"),
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
