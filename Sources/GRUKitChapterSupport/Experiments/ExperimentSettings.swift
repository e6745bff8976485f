import GRUKit

/// The constants of the paper's Penn Treebank protocol (the-paper §4, `book/the-paper.md`), written
/// down once: the settings of the `paper` scale and the chapters read them from here.
///
/// A 650-unit GRU language model with a 650-wide embedding scaled by 0.01, dropout 0.5, minibatches
/// of 20 streams, truncated BPTT over windows of 35 steps, 75 epochs, the learning rate η₀ held for
/// 10 epochs and then divided by 1.1 per epoch (``LearningRateSchedule/paper(initial:)``), at η₀ = 1
/// and 10; gradient clipping at c = 5 and the projection with margin δ = 0.2 (‖W_hn‖₂ ≤ 2 − δ = 1.8).
package struct PaperProtocol: Sendable, Equatable {
    /// Streams per minibatch: 20.
    package var batchSize: Int
    /// Steps per truncated-BPTT window: 35.
    package var bptt: Int
    /// Hidden units of the GRU: 650.
    package var hidden: Int
    /// Width of the word embedding: 650 (= hidden).
    package var embedding: Int
    /// The factor the embedding's output is scaled by: 0.01.
    package var embeddingScale: Double
    /// Dropout on the GRU's input and output: 0.5.
    package var dropout: Double
    /// Epochs per run: 75.
    package var epochs: Int
    /// The initial learning rates compared: 1 and 10.
    package var learningRates: [Double]
    /// Epochs at the initial rate before it decays: 10.
    package var constantEpochs: Int
    /// The factor the rate is divided by per epoch after that: 1.1.
    package var decay: Double
    /// The gradient-clipping threshold c: 5.
    package var clip: Double
    /// The projection's margin δ: 0.2 (the bound 2 − δ = 1.8 on ‖W_hn‖₂).
    package var delta: Double

    /// The paper's values.
    package static let ptb = PaperProtocol(batchSize: 20, bptt: 35, hidden: 650, embedding: 650, embeddingScale: 0.01,
                                           dropout: 0.5, epochs: 75, learningRates: [1, 10], constantEpochs: 10,
                                           decay: 1.1, clip: 5, delta: 0.2)

    /// The learning-rate schedule of the protocol from η₀ = `initial`.
    package func schedule(initial: Double) -> LearningRateSchedule {
        LearningRateSchedule(initial: initial, constantEpochs: constantEpochs, decay: decay)
    }
}

/// A learning rate above a tuning grid, trained only at the knobs the grid picked at its largest
/// rate (and with plain SGD): where the grid's best configuration sits at the grid's largest rate, the
/// usable range may go further, and this rate finds where it ends at three configurations of a grid
/// rate's seven.
package struct ProbeRate: Sendable, Equatable {
    /// η₀, above every rate of the grid.
    package var learningRate: Double
    /// The clipping threshold tuned at the grid's largest rate.
    package var clip: Double
    /// The projection margin tuned at the grid's largest rate.
    package var delta: Double

    /// A probe at `learningRate` with the knobs `clip` and `delta`.
    package init(learningRate: Double, clip: Double, delta: Double) {
        self.learningRate = learningRate; self.clip = clip; self.delta = delta
    }

    /// The methods trained at the probe rate: plain SGD, clipping at ``clip``, the projection at ``delta``.
    package var methods: [TrainingMethod] { [.sgd, .clip(maxNorm: clip), .project(delta: delta)] }

    /// The flags of the chapters' `--tune` that train it (`--lrs R --clips C --deltas D`).
    package var tuneArguments: [String] {
        ["--lrs", RunConfiguration.number(learningRate), "--clips", RunConfiguration.number(clip), "--deltas", RunConfiguration.number(delta)]
    }
}

/// The sizes of chapter 5's Penn Treebank experiment at each ``Scale``: what `--scale` chooses when
/// the size flags (`--hidden`, `--train-tokens`, `--eval-tokens`, `--epochs`, `--lrs`, `--seeds`,
/// `--log-every`) are left unset. One value per scale, so that the chapter, its tests and the README
/// of the committed logs read the same numbers.
///
/// - `quick`: a 128-unit GRU on the first 60,000 training tokens, two epochs, rate 40, five seeds:
///   a sweep that ends in minutes and shows the mechanism (how many seeds blow up), not a model that
///   learns (its runs end near the unigram model's perplexity).
/// - `standard`: the whole training split, a 128-unit GRU and three epochs: one run takes about three
///   minutes on two cores and the best configuration ends well below the unigram model (see
///   chapter 5, "Choosing the standard scale"); rates 1, 10 and 40 and three seeds, and the tuning
///   grids c ∈ {0.1, 0.25, 1, 5}, δ ∈ {0.1, 0.5}; then rate 100 at the knobs tuned at 40 (c = 0.25,
///   δ = 0.5), where the grid's best configuration sat (``ProbeRate``).
/// - `paper`: the paper's protocol (650 units, all tokens, 75 epochs, rates 1 and 10, one seed).
package struct PennTreebankSetting: Sendable, Equatable {
    /// Hidden units of the GRU (and the embedding size).
    package var hidden: Int
    /// The first n training tokens; nil: the whole split.
    package var trainTokens: Int?
    /// The first n validation and test tokens; nil: the whole splits.
    package var evalTokens: Int?
    /// Epochs per run.
    package var epochs: Int
    /// The sweep's initial learning rates η₀.
    package var learningRates: [Double]
    /// The sweep's methods (without `--tune`).
    package var methods: [TrainingOptions.MethodName]
    /// Seeds 1…n of every configuration.
    package var seeds: Int
    /// A log record every n iterations.
    package var logEvery: Int
    /// The clipping thresholds and projection margins that `--tune` tries.
    package var clipGrid: [Double], deltaGrid: [Double]
    /// A rate above the grid, trained at the knobs tuned at its largest rate (nil: none).
    package var probe: ProbeRate? = nil

    /// The setting of `scale`.
    package static func at(_ scale: Scale) -> PennTreebankSetting {
        switch scale {
        case .quick:
            return PennTreebankSetting(hidden: 128, trainTokens: 60_000, evalTokens: 10_000, epochs: 2, learningRates: [40],
                                       methods: [.sgd, .clip, .project], seeds: 5, logEvery: 5,
                                       clipGrid: TunedComparison.clipGrid, deltaGrid: TunedComparison.deltaGrid)
        case .standard:
            return PennTreebankSetting(hidden: 128, trainTokens: nil, evalTokens: nil, epochs: 3, learningRates: [1, 10, 40],
                                       methods: [.sgd, .clip, .project], seeds: 3, logEvery: 25,
                                       clipGrid: [0.1, 0.25, 1, 5], deltaGrid: [0.1, 0.5],
                                       probe: ProbeRate(learningRate: 100, clip: 0.25, delta: 0.5))
        case .paper:
            let paper = PaperProtocol.ptb
            return PennTreebankSetting(hidden: paper.hidden, trainTokens: nil, evalTokens: nil, epochs: paper.epochs,
                                       learningRates: paper.learningRates,
                                       methods: [.sgd, .clip, .project, .clipAndProject], seeds: 1, logEvery: 50,
                                       clipGrid: TunedComparison.clipGrid, deltaGrid: TunedComparison.deltaGrid)
        }
    }
}

/// The sizes of chapter 6's Nottingham experiment at each ``Scale`` (see ``PennTreebankSetting``
/// for how the scales differ in purpose).
///
/// - `quick`: a 64-unit GRU on the first 300 training tunes and 60 validation and test tunes, two
///   epochs, five seeds.
/// - `standard`: the whole data set, a 200-unit GRU and 10 epochs at rates 1, 3 and 10 (a projected
///   run at rate 1 reached a validation NLL of 4.93 after 5 epochs and 4.78 after 8, against the
///   per-key predictor's 10.01; at rate 10 it diverged within 7 iterations); three seeds; the same
///   tuning grids as PTB's standard scale; then rate 30 at the knobs tuned at 10 (c = 0.25, δ = 0.1:
///   both margins diverged in every seed at 10, and the tuning rule keeps the first of a tie), where
///   the grid's best configuration sat (``ProbeRate``).
/// - `paper`: our reading of the paper's setting (200 units, 75 epochs, one seed).
package struct NottinghamSetting: Sendable, Equatable {
    /// Hidden units of the GRU.
    package var hidden: Int
    /// The first n training tunes; nil: all.
    package var trainTunes: Int?
    /// The first n validation and test tunes; nil: all.
    package var evalTunes: Int?
    /// Epochs per run.
    package var epochs: Int
    /// Seeds 1…n of every configuration.
    package var seeds: Int
    /// The sweep's methods (without `--tune`).
    package var methods: [TrainingOptions.MethodName]
    /// The clipping thresholds and projection margins that `--tune` tries.
    package var clipGrid: [Double], deltaGrid: [Double]
    /// The sweep's initial learning rates η₀ for the model under the theory's assumptions.
    package var assumptionRates: [Double]
    /// The sweep's initial learning rates η₀ for the raw model.
    package var rawRates: [Double]
    /// A rate above the grid of the model under the theory's assumptions, trained at the knobs tuned
    /// at its largest rate (nil: none).
    package var probe: ProbeRate? = nil

    /// The setting of `scale`.
    package static func at(_ scale: Scale) -> NottinghamSetting {
        switch scale {
        case .quick:
            return NottinghamSetting(hidden: 64, trainTunes: 300, evalTunes: 60, epochs: 2, seeds: 5, methods: [.sgd, .clip, .project],
                                     clipGrid: TunedComparison.clipGrid, deltaGrid: TunedComparison.deltaGrid,
                                     assumptionRates: [1, 6], rawRates: [6])
        case .standard:
            return NottinghamSetting(hidden: 200, trainTunes: nil, evalTunes: nil, epochs: 10, seeds: 3, methods: [.sgd, .clip, .project],
                                     clipGrid: [0.1, 0.25, 1, 5], deltaGrid: [0.1, 0.5],
                                     assumptionRates: [1, 3, 10], rawRates: [1, 3, 10],
                                     probe: ProbeRate(learningRate: 30, clip: 0.25, delta: 0.1))
        case .paper:
            return NottinghamSetting(hidden: 200, trainTunes: nil, evalTunes: nil, epochs: PaperProtocol.ptb.epochs, seeds: 1, methods: [.sgd, .clip, .project],
                                     clipGrid: TunedComparison.clipGrid, deltaGrid: TunedComparison.deltaGrid,
                                     assumptionRates: [1, 10], rawRates: [1, 10])
        }
    }
}
