import Foundation
import GRUKit
import GRUKitChapterSupport
import GRUKitPresentation

extension Chapter07 {
    /// Where the training windows come from: the PTB training split, or uniform random tokens when
    /// the data is absent (or `--random-tokens` asks for them).
    package struct TokenSource {
        /// The token sequence the windows are cut from.
        package var tokens: [Int32]
        /// V, the vocabulary size the model is built for.
        package var vocabulary: Int
        /// True for PTB, false for random tokens.
        package var isReal: Bool
        /// One line for the screen and the data files.
        package var description: String

        /// PTB's training split if it loads and `random` is false; otherwise `count` uniform tokens
        /// over `vocabulary` ids drawn with `seed`. `note` receives the reason when PTB is not used.
        package static func load(data: DataDirectory, random: Bool, vocabulary: Int, count: Int, seed: UInt64,
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
    package struct WindowFeed {
        package let streams: TokenStreams
        package let steps: Int
        /// The number of full-length windows (a shorter last window is never used, so every timed
        /// iteration does the same amount of work).
        package let count: Int
        package var inputs: [Int32]
        package var targets: [Int32]
        package var next = 0

        package init(tokens: [Int32], batchSize: Int, steps: Int) throws {
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
        package mutating func advance() {
            _ = streams.copyWindow(next % count, steps: steps, inputs: &inputs, targets: &targets)
            next += 1
        }
    }

    /// The candidate block W_hn of `weight_hh` (the paper's W_hh).
    package enum CandidateBlock {
        /// σ_1 of the candidate block, from a Double SVD (the independent check of a run).
        package static func largestSingularValue(_ layer: GRULayer<Float>) throws -> Double {
            let block: Matrix<Float> = layer.candidateBlock
            return try block.converted(to: Double.self).spectralNorm()
        }

        /// Rescales the candidate block so that its σ_1 is `sigma` (from a Double SVD): a start with
        /// the constraint active, whatever n.
        package static func rescale(_ layer: GRULayer<Float>, toLargestSingularValue sigma: Double) throws {
            let factor = Float(sigma / (try largestSingularValue(layer)))
            layer.candidateBlock = factor * layer.candidateBlock
        }
    }

    /// What one training iteration does with the candidate recurrent matrix, for the timing. Every
    /// projecting row is the engine's own `TrainingMethod.project(delta:)` step, with the
    /// optimiser's ``SGD/projectionMethod`` set as stated.
    package enum Treatment: String, CaseIterable {
        /// Plain SGD.
        case sgd
        /// Global-norm gradient clipping, then SGD.
        case clip
        /// SGD, then P_δ by a full SVD (xGESDD) at every step: the paper's algorithm as written.
        case projectSVD = "project-svd"
        /// SGD, then P_δ from the leading eigenpairs of WᵀW at every step, never skipping: what the
        /// automatic projector pays whenever its certificate fails (less its O(n²) scan).
        case projectLeading = "project-leading"
        /// SGD, then the automatic projector on a W_hh whose constraint binds at every step
        /// (candidate block rescaled to σ_1 = ``activeSigma`` before the first step). After a clip
        /// the carried bound is c itself, so no step can be certified: the cost of actually clipping.
        case projectActive = "project-active"
        /// SGD, then the automatic projector as in training: the Weyl bound carried from step to
        /// step, a certified skip whenever it allows one.
        case projectAutomatic = "project-automatic"

        /// The candidate block's initial σ_1 for ``projectActive`` (PyTorch's initialisation gives
        /// σ_1 ≈ 1.15): just outside the ball of the default δ = 0.2, so that a few values are clipped,
        /// as in training at a large learning rate.
        package static let activeSigma = 1.9

        package var projects: Bool { ![.sgd, .clip].contains(self) }

        package var projectionMethod: ProjectionMethod {
            switch self {
            case .projectSVD: return .fullSVD
            case .projectLeading: return .leadingEigen
            default: return .automatic
            }
        }

        package func trainingMethod(maxNorm: Double, delta: Double) -> TrainingMethod {
            switch self {
            case .sgd: return .sgd
            case .clip: return .clip(maxNorm: maxNorm)
            default: return .project(delta: delta)
            }
        }

        package var label: String {
            switch self {
            case .sgd: return "plain SGD"
            case .clip: return "gradient clipping"
            case .projectSVD: return "P_δ by full SVD"
            case .projectLeading: return "P_δ by leading eigenpairs"
            case .projectActive: return "P_δ automatic, clipping"
            case .projectAutomatic: return "P_δ automatic, as trained"
            }
        }
    }

    /// One timed iteration: the whole iteration and the projection's part of it (seconds).
    package struct IterationSample {
        package var total: Double
        package var projection: Double
        package var report: ProjectionReport?

        package init(total: Double, projection: Double, report: ProjectionReport?) {
            self.total = total
            self.projection = projection
            self.report = report
        }
    }

    /// Times every treatment on its own model (all built by `makeModel`, so from the same initial
    /// weights, each reading the same windows in order): `warmup` untimed and then `iterations`
    /// timed iterations, **round-robin** — iteration i of every treatment before iteration i + 1 of
    /// any — so that a change in the load of a shared machine falls on all rows alike. An iteration
    /// is one `trainStep` (forward, backward, update, projection); the projection's part is the
    /// projector's own clock (``ProjectionReport/seconds``).
    package static func timeTreatments(_ treatments: [Treatment], makeModel: () -> GRULanguageModel<Float>, feed: WindowFeed, batchSize: Int,
                        iterations: Int, warmup: Int, learningRate eta: Double, maxNorm: Double, delta: Double,
                        progress: ProgressBar) throws -> [Treatment: [IterationSample]] {
        var models: [GRULanguageModel<Float>] = []
        var feeds: [WindowFeed] = []
        for t in treatments {
            let model = makeModel()
            model.optimizer.projectionMethod = t.projectionMethod
            if t == .projectActive { try CandidateBlock.rescale(model.gru, toLargestSingularValue: Treatment.activeSigma) }
            models.append(model)
            var f = feed
            f.next = 0
            feeds.append(f)
        }
        var samples: [Treatment: [IterationSample]] = [:]
        for i in 0..<(warmup + iterations) {
            for (k, t) in treatments.enumerated() {
                feeds[k].advance()
                let t0 = MonotonicClock.seconds()
                let step = try models[k].trainStep(inputs: feeds[k].inputs, targets: feeds[k].targets, batchSize: batchSize,
                                                   learningRate: eta, method: t.trainingMethod(maxNorm: maxNorm, delta: delta))
                let t1 = MonotonicClock.seconds()
                guard step.isFinite else { throw ChapterError.message("\(t.rawValue): non-finite loss or gradient at timed iteration \(i + 1)") }
                if i >= warmup {
                    samples[t, default: []].append(IterationSample(total: t1 - t0, projection: step.projection?.seconds ?? 0,
                                                                   report: step.projection))
                }
            }
            progress.advance()
        }
        return samples
    }

    /// One row of `iteration-time.dat`.
    package struct IterationTime {
        package var name: String
        package var label: String
        /// Seconds per iteration (the whole iteration): the fastest timed iteration.
        package var seconds: Double
        /// Seconds of the projection within it (0 without projection): the fastest timed projection.
        package var projection: Double
        /// The median iteration (for an estimate row: the median plain-SGD iteration plus the estimated projection).
        package var median: Double
        /// The slowest timed iteration (NaN for an estimate row, which has no spread).
        package var slowest: Double = .nan
        /// The median of the timed projections (0 without projection; the estimate itself for an estimate row).
        package var medianProjection: Double = 0
        package var measured: Bool
        package var share: Double { seconds > 0 ? projection / seconds : 0 }
    }

    /// What the automatic projector did at one iteration of a training run.
    package struct ActivityRecord {
        package var iteration: Int
        package var action: ProjectionReport.Action
        /// The projector's seconds and the whole iteration's.
        package var projection: Double
        package var total: Double

        package init(iteration: Int, action: ProjectionReport.Action, projection: Double, total: Double) {
            self.iteration = iteration
            self.action = action
            self.projection = projection
            self.total = total
        }

        package var actionName: String {
            switch action {
            case .skipped: return "skipped"
            case .unchanged: return "unchanged"
            case .projected: return "clipped"
            }
        }

        package var clipped: Int { if case .projected(let k) = action { return k } else { return 0 } }
    }

    /// A short real training run with SGD + P_δ by the automatic projector, and what it did.
    package struct ActivityRun {
        package var learningRate: Double
        package var records: [ActivityRecord]
        /// The largest σ_1 of the candidate block after a projection, from the independent Double SVD.
        package var largestCheckedSigma: Double
        package var checks: Int
        /// The iteration at which the loss or gradient became non-finite (the run stops there).
        package var stoppedAt: Int?

        package init(learningRate: Double, records: [ActivityRecord], largestCheckedSigma: Double, checks: Int, stoppedAt: Int?) {
            self.learningRate = learningRate
            self.records = records
            self.largestCheckedSigma = largestCheckedSigma
            self.checks = checks
            self.stoppedAt = stoppedAt
        }

        package func count(_ name: String) -> Int { records.filter { $0.actionName == name }.count }
        package func fraction(_ name: String) -> Double { records.isEmpty ? 0 : Double(count(name)) / Double(records.count) }
        package var meanClipped: Double {
            let k = records.filter { $0.clipped > 0 }.map { Double($0.clipped) }
            return k.isEmpty ? 0 : k.reduce(0, +) / Double(k.count)
        }
        /// Σ projection seconds / Σ iteration seconds over the run.
        package var share: Double {
            let total = records.map(\.total).reduce(0, +)
            return total > 0 ? records.map(\.projection).reduce(0, +) / total : 0
        }
    }

    // book: chapter07-automatic-projector-run
    /// Trains `model` for `iterations` windows with SGD + P_δ (`TrainingMethod.project(delta:)`, the
    /// engine's automatic projector), recording each projection's action and time. Every
    /// `checkEvery` iterations the block's σ_1 is recomputed by a Double SVD and must be
    /// ≤ c (1 + 10⁻⁵): the certificate and the decompositions checked against an independent
    /// oracle, untimed.
    package static func trainWithAutomaticProjector(model: GRULanguageModel<Float>, feed: inout WindowFeed, batchSize: Int, iterations: Int,
                                     learningRate eta: Double, delta: Double, checkEvery: Int,
                                     progress: ProgressBar) throws -> ActivityRun {
        let c = SpectralProjection.threshold(delta: delta)
        model.optimizer.projectionMethod = .automatic
        var run = ActivityRun(learningRate: eta, records: [], largestCheckedSigma: 0, checks: 0, stoppedAt: nil)
        for i in 1...iterations {
            feed.advance()
            let t0 = MonotonicClock.seconds()
            let step = try model.trainStep(inputs: feed.inputs, targets: feed.targets, batchSize: batchSize, learningRate: eta,
                                           method: .project(delta: delta))
            let t1 = MonotonicClock.seconds()
            guard step.isFinite, let report = step.projection else { run.stoppedAt = i; progress.advance(by: iterations - i + 1); break }
            run.records.append(ActivityRecord(iteration: i, action: report.action, projection: report.seconds, total: t1 - t0))
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
    // book: end

    /// The fastest time (s) of a certified skip of an n×n matrix (``ProjectionCost/certifiedSkipSeconds(n:threshold:repeats:seed:)``),
    /// for when a run has no skipped iteration to time.
    package static func certifiedSkipSeconds(n: Int, threshold c: Double, repeats: Int, seed: UInt64) throws -> Double {
        guard let s = try ProjectionCost.certifiedSkipSeconds(n: n, threshold: c, repeats: repeats, seed: seed) else {
            throw ChapterError.message("the Weyl bound did not certify a skip at n = \(n)")
        }
        return s
    }
}
