import Foundation
import GRUKit

/// Where the training windows come from: the PTB training split, or uniform random tokens when
/// the data is absent (or `--random-tokens` asks for them).
struct TokenSource {
    /// The token sequence the windows are cut from.
    var tokens: [Int32]
    /// V, the vocabulary size the model is built for.
    var vocabulary: Int
    /// True for PTB, false for random tokens.
    var isReal: Bool
    /// One line for the screen and the data files.
    var description: String

    /// PTB's training split if it loads and `random` is false; otherwise `count` uniform tokens
    /// over `vocabulary` ids drawn with `seed`. `note` receives the reason when PTB is not used.
    static func load(data: DataDirectory, random: Bool, vocabulary: Int, count: Int, seed: UInt64,
                     note: (String) -> Void) -> TokenSource {
        if !random {
            do {
                let ptb = try PennTreebank(directory: data)
                return TokenSource(tokens: ptb.train, vocabulary: ptb.vocabulary.count, isReal: true,
                                   description: "PTB training split (\(ptb.train.count) tokens, V = \(ptb.vocabulary.count))")
            } catch {
                note("Penn Treebank not available (\(error)); timing on uniform random tokens instead.")
            }
        }
        var rng = SeededGenerator(seed: seed)
        let tokens = (0..<count).map { _ in Int32(truncatingIfNeeded: Int(rng.next() % UInt64(vocabulary))) }
        return TokenSource(tokens: tokens, vocabulary: vocabulary, isReal: false,
                           description: "uniform random tokens (\(count) tokens, V = \(vocabulary)) — not PTB")
    }
}

/// Full training windows of B streams × T steps, read in order and cycled.
struct WindowFeed {
    let streams: TokenStreams
    let steps: Int
    /// The number of full-length windows (a shorter last window is never used, so every timed
    /// iteration does the same amount of work).
    let count: Int
    var inputs: [Int32]
    var targets: [Int32]
    var next = 0

    init(tokens: [Int32], batchSize: Int, steps: Int) throws {
        streams = try TokenStreams(tokens, batchSize: batchSize)
        self.steps = steps
        count = (streams.length - 1) / steps
        guard count >= 1 else {
            throw ChapterError.message("\(tokens.count) tokens do not fill one window of \(batchSize) × \(steps)")
        }
        inputs = Array(repeating: 0, count: batchSize * steps)
        targets = inputs
    }

    /// Copies the next window into `inputs`/`targets`.
    mutating func advance() {
        _ = streams.copyWindow(next % count, steps: steps, inputs: &inputs, targets: &targets)
        next += 1
    }
}

/// The candidate block of W_hh (rows 2H..<3H of `weight_hh`, the paper's W_hh) and its gradient.
enum CandidateBlock {
    /// ‖∇W_hh‖_F of the candidate block after a backward pass, summed in Double and inflated by
    /// (1 + 2⁻³⁰) so that it is an upper bound of the exact norm of the stored Float gradient
    /// (relative rounding of the sum ≤ n²·2⁻⁵³). An underestimate would void the Weyl certificate.
    static func gradientNorm(_ layer: GRULayer<Float>) -> Double {
        let h = layer.hiddenSize
        return layer.weightHH.gradient.elements.withUnsafeBufferPointer { g in
            var s = 0.0
            for i in (2 * h * h)..<(3 * h * h) { let x = Double(g[i]); s += x * x }
            return s.squareRoot() * (1 + 0x1p-30)
        }
    }

    /// P_c of the candidate block, in place, by `projector` (which must be H×H).
    static func project(_ layer: GRULayer<Float>, with projector: SpectralProjector<Float>, stepNorm: Double?) throws -> ProjectionReport {
        let h = layer.hiddenSize
        return try layer.weightHH.value.elements.withUnsafeMutableBufferPointer { w in
            try projector.project(block: w.baseAddress! + 2 * h * h, rowStride: h, stepFrobeniusNorm: stepNorm.map(Float.init))
        }
    }

    /// σ_1 of the candidate block, from a Double SVD (the independent check of a run).
    static func largestSingularValue(_ layer: GRULayer<Float>) throws -> Double {
        let block: Matrix<Float> = layer.candidateRecurrentWeight
        return try block.converted(to: Double.self).spectralNorm()
    }

    /// Multiplies the candidate block by `factor` (to start a run with the constraint active).
    static func scale(_ layer: GRULayer<Float>, by factor: Float) {
        let h = layer.hiddenSize
        layer.weightHH.value.elements.withUnsafeMutableBufferPointer { w in
            for i in (2 * h * h)..<(3 * h * h) { w[i] *= factor }
        }
    }
}

/// What one training iteration does with the candidate recurrent matrix, for the timing.
enum Treatment: String, CaseIterable {
    /// Plain SGD.
    case sgd
    /// Global-norm gradient clipping, then SGD.
    case clip
    /// SGD, then P_δ by a full SVD (xGESDD) at every step: the paper's algorithm as written.
    case projectSVD = "project-svd"
    /// SGD, then the automatic projector with its bound forgotten before every call: the bound
    /// check (one pass over W) and the leading eigenpairs of WᵀW at every step. What the
    /// automatic method costs whenever the certificate fails.
    case projectCheck = "project-check"
    /// As ``projectCheck`` on a W_hh whose constraint binds at every step (candidate block
    /// started at `activeScale` × its initial scale): the cost of actually clipping.
    case projectActive = "project-active"
    /// SGD, then the automatic projector as in training: the Weyl bound carried from step to
    /// step, a certified skip whenever it allows one.
    case projectAutomatic = "project-automatic"

    /// The candidate block's initial scale for ``projectActive``: σ_1 ≈ 1.15 at PyTorch's
    /// initialisation, so ×2 puts the top few per cent of the singular values above 1.8.
    static let activeScale: Float = 2

    var projects: Bool { ![.sgd, .clip].contains(self) }

    var label: String {
        switch self {
        case .sgd: return "plain SGD"
        case .clip: return "gradient clipping"
        case .projectSVD: return "P_δ by full SVD"
        case .projectCheck: return "P_δ automatic, bound check"
        case .projectActive: return "P_δ automatic, clipping"
        case .projectAutomatic: return "P_δ automatic, as trained"
        }
    }
}

/// One timed iteration: the whole iteration and the projection's part of it (seconds).
struct IterationSample {
    var total: Double
    var projection: Double
    var report: ProjectionReport?
}

/// Runs `warmup` untimed and then `iterations` timed training iterations of `model` with the
/// treatment, learning rate η, clipping threshold and projection threshold c. The projection
/// time includes the O(n²) gradient norm the Weyl certificate needs.
func timeIterations(_ treatment: Treatment, model: GRULanguageModel<Float>, feed: inout WindowFeed, batchSize: Int,
                    iterations: Int, warmup: Int, learningRate eta: Double, maxNorm: Double, threshold c: Double) throws -> [IterationSample] {
    let h = model.configuration.hiddenSize
    let projector: SpectralProjector<Float>? = switch treatment {
    case .sgd, .clip: nil
    case .projectSVD: try SpectralProjector<Float>(n: h, threshold: Float(c), method: .fullSVD)
    default: try SpectralProjector<Float>(n: h, threshold: Float(c), method: .automatic)
    }
    if treatment == .projectActive { CandidateBlock.scale(model.gru, by: Treatment.activeScale) }
    let method: TrainingMethod = treatment == .clip ? .clip(maxNorm: maxNorm) : .none
    var samples: [IterationSample] = []
    for i in 0..<(warmup + iterations) {
        feed.advance()
        let t0 = GRUKit.Progress.monotonicSeconds()
        let step = try model.trainStep(inputs: feed.inputs, targets: feed.targets, batchSize: batchSize, learningRate: eta, method: method)
        guard step.isFinite else { throw ChapterError.message("\(treatment.rawValue): non-finite loss or gradient at timed iteration \(i + 1)") }
        let t1 = GRUKit.Progress.monotonicSeconds()
        var report: ProjectionReport? = nil
        if let projector {
            if treatment == .projectCheck || treatment == .projectActive { projector.resetBound() }
            let stepNorm = eta * CandidateBlock.gradientNorm(model.gru)
            report = try CandidateBlock.project(model.gru, with: projector, stepNorm: stepNorm)
        }
        let t2 = GRUKit.Progress.monotonicSeconds()
        if i >= warmup { samples.append(IterationSample(total: t2 - t0, projection: t2 - t1, report: report)) }
    }
    return samples
}

/// The median of a non-empty list (the mean of the two middle values for an even count).
func median(_ xs: [Double]) -> Double {
    precondition(!xs.isEmpty, "median of an empty list")
    let s = xs.sorted(), m = s.count / 2
    return s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2
}

/// One row of `iteration-time.dat`.
struct IterationTime {
    var name: String
    var label: String
    /// Median seconds per iteration (the whole iteration).
    var seconds: Double
    /// Median seconds of the projection within it (0 without projection).
    var projection: Double
    /// Fastest iteration, for the screen.
    var fastest: Double
    var measured: Bool
    var share: Double { seconds > 0 ? projection / seconds : 0 }
}

/// What the automatic projector did at one iteration of a training run.
struct ActivityRecord {
    var iteration: Int
    var action: ProjectionReport.Action
    /// The projection's seconds (gradient norm + projector call) and the whole iteration's.
    var projection: Double
    var total: Double

    var actionName: String {
        switch action {
        case .skipped: return "skipped"
        case .unchanged: return "unchanged"
        case .projected: return "clipped"
        }
    }

    var clipped: Int { if case .projected(let k) = action { return k } else { return 0 } }
}

/// A short real training run with SGD + P_δ by the automatic projector, and what it did.
struct ActivityRun {
    var learningRate: Double
    var records: [ActivityRecord]
    /// The largest σ_1 of the candidate block after a projection, from the independent Double SVD.
    var largestCheckedSigma: Double
    var checks: Int
    /// The iteration at which the loss or gradient became non-finite (the run stops there).
    var stoppedAt: Int?

    func count(_ name: String) -> Int { records.filter { $0.actionName == name }.count }
    func fraction(_ name: String) -> Double { records.isEmpty ? 0 : Double(count(name)) / Double(records.count) }
    var meanClipped: Double {
        let k = records.filter { $0.clipped > 0 }.map { Double($0.clipped) }
        return k.isEmpty ? 0 : k.reduce(0, +) / Double(k.count)
    }
    /// Σ projection seconds / Σ iteration seconds over the run.
    var share: Double {
        let total = records.map(\.total).reduce(0, +)
        return total > 0 ? records.map(\.projection).reduce(0, +) / total : 0
    }
}

/// Trains `model` for `iterations` windows with plain SGD steps followed by the automatic
/// projector (exactly `TrainingMethod.project(delta:)`: a step, then P_δ of the candidate block),
/// recording each projection's action and time. Every `checkEvery` iterations the returned
/// block's σ_1 is recomputed by a Double SVD and must be ≤ c (1 + 10⁻⁵): the certificate and the
/// decompositions are checked against an independent oracle, untimed.
func trainWithAutomaticProjector(model: GRULanguageModel<Float>, feed: inout WindowFeed, batchSize: Int, iterations: Int,
                                 learningRate eta: Double, threshold c: Double, checkEvery: Int,
                                 progress: GRUKit.Progress) throws -> ActivityRun {
    let projector = try SpectralProjector<Float>(n: model.configuration.hiddenSize, threshold: Float(c), method: .automatic)
    var run = ActivityRun(learningRate: eta, records: [], largestCheckedSigma: 0, checks: 0, stoppedAt: nil)
    for i in 1...iterations {
        feed.advance()
        let t0 = GRUKit.Progress.monotonicSeconds()
        let step = try model.trainStep(inputs: feed.inputs, targets: feed.targets, batchSize: batchSize, learningRate: eta, method: .none)
        guard step.isFinite else { run.stoppedAt = i; progress.advance(by: iterations - i + 1); break }
        let t1 = GRUKit.Progress.monotonicSeconds()
        let report = try CandidateBlock.project(model.gru, with: projector, stepNorm: eta * CandidateBlock.gradientNorm(model.gru))
        let t2 = GRUKit.Progress.monotonicSeconds()
        run.records.append(ActivityRecord(iteration: i, action: report.action, projection: t2 - t1, total: t2 - t0))
        if i % checkEvery == 0 || i == iterations {
            let sigma = try CandidateBlock.largestSingularValue(model.gru)
            run.largestCheckedSigma = max(run.largestCheckedSigma, sigma)
            run.checks += 1
            guard sigma <= c * (1 + 1e-5) else {
                throw ChapterError.message(String(format: "iteration %d at rate %g: σ_1 = %.7f > c = %.7f after the projector (%@)",
                                                  i, eta, sigma, c, "\(report.action)"))
            }
        }
        progress.advance()
    }
    return run
}

/// Writes `text` to `name` in the folder atomically (a temporary file, then a rename).
func writeText(_ text: String, name: String, in folder: URL) throws -> URL {
    let url = folder.appendingPathComponent(name)
    do { try Data(text.utf8).write(to: url, options: .atomic) }
    catch { throw ChapterError.message("cannot write \(url.path): \(error.localizedDescription)") }
    return url
}

/// The fastest time (s) of a certified skip of an n×n matrix (σ_1 ≤ 0.95c known from a first
/// projection, steps of Frobenius norm 0.01c), for when a run has no skipped iteration to time.
func certifiedSkipSeconds(n: Int, threshold c: Double, repeats: Int, seed: UInt64) throws -> Double {
    var w: Matrix<Float> = try ProjectionCost.testMatrix(n: n, testCase: .noneAbove, threshold: c, seed: seed).converted()
    let projector = try SpectralProjector<Float>(n: n, threshold: Float(c), method: .automatic)
    try projector.project(&w)
    var best = Double.infinity
    for _ in 0..<max(repeats, 1) {
        let report = try projector.project(&w, stepFrobeniusNorm: Float(0.01 * c))
        guard report.action == .skipped else { throw ChapterError.message("the Weyl bound did not certify a skip at n = \(n)") }
        best = min(best, report.seconds)
        projector.resetBound()
        try projector.project(&w)
    }
    return best
}
