//: # Chapter 8 — The dynamics of trained GRUs
//:
//: Run it with `swift run -c release ch08-trained-dynamics` (add `--help` for the options). The quick
//: default trains four small PTB language models (plain SGD, clipping, the projection P_δ and spectral
//: rescaling) and analyses each as a dynamical system, in a minute or two on two cores. With
//: `--checkpoints DIR` it analyses chapter 5's checkpoints (`runs/` of its output) instead of training.
//: It writes into `figures/08-trained-dynamics/`: the tables `stabiliser-summary.dat`, `origin.dat`,
//: `fixed-points.dat`, `along-data.dat` and the figures `trained-fixed-points`, `whh-eigenvalues`,
//: `jacobian-along-data` and `stabilisers`.
//: Time: about thirty minutes to read.
import ArgumentParser
import Foundation
import GRUKit
import GRUKitChapterSupport
import GRUKitPresentation

/*:
 ## What you will learn

 Chapters 1–4 studied the GRU's map h ↦ F(h) with weights we chose; chapter 5 trained the paper's
 language model and watched only ‖W_hh‖₂ and ρ(J) at the origin. Here we open trained models up:

 1. where a trained GRU's *fixed points and slow points* are, for no input and for the inputs of
    frequent words, and what kind they are (stable, or saddles with k unstable directions) — the
    method of Sussillo & Barak (2013);
 2. whether the origin of the input-free map is still stable after training, read off the eigenvalues
    of W_hh against the exact stability region |λ + 2| < 4 and the disc |λ| < 2 the paper's bound uses;
 3. how stable the network is *along real data*: the spectrum of the state Jacobian ∂h_t/∂h_{t−1} and
    the finite-time maximal Lyapunov exponent, next to the norm of the loss gradient (the link Miller &
    Hardt, ICLR 2019, make between stable recurrent models and well-behaved gradients);
 4. how three stabilisers compare at one learning rate: clipping the gradient, the paper's projection
    P_δ (clip the singular values of W_hh at 2 − δ), and spectral rescaling (multiply W_hh by
    (2 − δ)/σ_1 whenever σ_1 > 2 − δ, as spectral normalisation does).

 ## The models

 The model is chapter 5's (the-paper §4): embedding × 0.01, a GRU without biases in PyTorch's
 reset-after form, dropout 0.5, a softmax over the 10,000 words, truncated BPTT over 35 steps with 20
 streams. The quick setting shrinks it, as chapter 5 does, to something trained in seconds: a small
 hidden size (the embedding has the same size), a slice of the training text and one epoch, at one
 learning rate for every method. We want a rate at which plain SGD pushes ‖W_hh‖₂ past 2 − δ, so that
 the stabilisers have something to do, and at which every method still trains. Trying rates for seed 1
 (`--lr`), we found that at 50 and below ‖W_hh‖₂ hardly moves from its initial value within the epoch,
 so no stabiliser ever acts, and that at 60 and above plain SGD blows up near the end of the epoch;
 the default lies in between. Such a rate is close to the edge, so the stabilisers table says what
 happened in this run (for another seed, or another thread count, which changes BLAS's rounding,
 plain SGD may blow up). `--checkpoints DIR` replaces the training by chapter 5's checkpoints (same
 model, any size).

 Spectral rescaling is a training method of the library (`TrainingMethod.rescale(delta:)`, applied
 by `SGD` to the same block as P_δ, the candidate's W_hh). The two agree on what they are for —
 afterwards σ_1 = 2 − δ with the same leading singular vectors — and differ in what else they do:
 rescaling shrinks every singular value by (2 − δ)/σ_1, P_δ only those above 2 − δ (it is the
 nearest matrix in the ball, so it moves W_hh less; `SpectralRescaling` states both and the tests
 check them).
 */

/// The paper's fixed sizes: batch and BPTT window.
let batchSize = 20, bptt = 35

/// The quick setting; every number is a flag.
struct QuickSetting {
    static let hidden = 48
    static let trainTokens = 60_000
    static let evalTokens = 10_000
    static let epochs = 1
    static let learningRate = 57.0
    static let tokens = 300
    static let starts = 32
    static let words = 3
    static let methods: [TrainingOptions.MethodName] = [.none, .clip, .project, .rescale]
}

/*:
 ## Fixed points and slow points of a trained GRU

 For an input x held constant, the GRU is a map h ↦ F(h, x). The input enters only through W_ih x,
 which adds to the gate and candidate pre-activations exactly where the input biases do; so the map
 for a fixed x is the input-free map of chapter 2 with the input bias b_ih + W_ih x
 (`GRUStateMap.map(input:)`), and chapter 2's finder applies unchanged. Following Sussillo & Barak, the
 finder (`InputFreeGRU.criticalPoints(from:slowSpeed:)`) minimises

     q(h) = ½‖F(h, x) − h‖²

 by Levenberg–Marquardt steps with the analytic Jacobian, finished by Newton's method, from *states
 the network visits*: here the states along a stretch of validation text (and the origin). An end
 point with ‖F(h) − h‖ below 10⁻¹² is a fixed point; a local minimum of q whose speed ‖F(h) − h‖ is
 small but not zero is a *slow point*, where the dynamics nearly stop (slow means below a fraction of
 the typical step ‖h_t − h_{t−1}‖ along the data). Duplicates are merged. Each point is classified by
 the eigenvalues of ∂F/∂h there: stable (all inside the unit circle), or a saddle with k unstable
 directions. x = 0 is the paper's input-free map; the other inputs are the embeddings of the most
 frequent words of the training slice.

 The figure `trained-fixed-points` draws, for each model, the trajectory and the points in the plane
 of the trajectory's first two principal components (the share of the variance this plane explains
 is in the table).

 ![Trajectories, fixed and slow points of the trained models](trained-fixed-points.png)
 */

/*:
 How to read the table: for x = 0 the origin is always among the points (the models have no GRU
 biases, so F(0, 0) = 0). If training has pushed an eigenvalue of W_hh across λ = 2, the origin is now
 a saddle and a stable fixed point has appeared beside it: chapter 2's pitchfork, in a trained model.
 A model whose ‖W_hh‖₂ stayed below 2 − δ keeps the origin stable. The inputs of words move the fixed
 points (the input is small: the embedding is scaled by 0.01, but trained embeddings grow), and they
 can remove a pair of them, a saddle and a stable point meeting in a saddle-node bifurcation; what is
 left is a slow point whose Jacobian has an eigenvalue close to 1, the "ghost" of the pair, where the
 state lingers. `fixed-points.dat` lists every point with its speed and spectral radius.
 */

/// The points of one input in a few words: `2 stable, 1 saddle (1 unstable)`, and the slow points.
func pointSummary(_ points: [GRUFixedPoint]) -> (fixed: String, slow: Int, residual: Double) {
    let fixed = points.filter { !$0.isSlowPoint }
    var counts: [String: Int] = [:]
    for p in fixed { counts[p.classification, default: 0] += 1 }
    let text = counts.keys.sorted().map { "\(counts[$0]!) \($0)" }.joined(separator: ", ")
    return (text.isEmpty ? "none" : text, points.count - fixed.count, fixed.map(\.residual).max() ?? .nan)
}

/*:
 ## Is the origin still stable after training?

 The models have no GRU biases, so with x = 0 the origin is a fixed point and its Jacobian is
 J = ½I + ¼W_hh (chapter 2). The table below computes ρ(J) twice, from the formula and from the
 analytic Jacobian of the model's own map at h = 0, and counts the eigenvalues λ of W_hh outside the
 exact stability region |λ + 2| < 4 (each one is an unstable direction of the origin) and outside the
 disc |λ| < 2 that the paper's sufficient condition ‖W_hh‖₂ < 2 guarantees. The figure
 `whh-eigenvalues` shows the eigenvalues against both circles.

 ![Eigenvalues of the trained W_hh](whh-eigenvalues.png)

 ## Stability along real data

 The origin is one point; a language model lives along its trajectory. At every step the state
 Jacobian J_t = ∂h_t/∂h_{t−1} (the Jacobian of F(·, x_t) at h_{t−1}) multiplies every perturbation and,
 transposed, every gradient flowing back through time. The table gives the spectral radius and norm
 of J_t along a stretch of validation text, and the finite-time maximal Lyapunov exponent of the
 product J_T ⋯ J_1, by the QR method (`LyapunovExponents.finiteTime`): a perturbation grows or shrinks
 like e^{λ_1 t}. Next to it, the norm of the loss gradient on the same text, window by window. Miller
 & Hardt (ICLR 2019) study recurrent models that are stable in this sense, whose state map contracts:
 for them the influence of the distant past, and with it the gradient through time, decays
 geometrically, so it cannot explode; a λ_1 below zero with a moderate gradient is that picture. The third
 panel of `jacobian-along-data` shows the whole spectrum of J_t at five times against the unit circle.

 ![ρ(J_t), ‖J_t‖₂ and the spectrum of J_t along the data](jacobian-along-data.png)

 ## The stabilisers side by side

 One learning rate, three ways to keep the training stable: clipping acts on the gradient, P_δ and
 rescaling on W_hh after the step. For each the table gives the validation perplexity, how often the
 stabiliser acted, ‖ΔW_hh‖_F per step (the whole change of W_hh in a step) and the part of it the
 stabiliser made (for P_δ and rescaling the distance from the plain SGD step's W_hh; for clipping the
 part of the step it removed), and the time per training step (wall-clock, so on a busy machine it is
 noisy; at this small hidden size the softmax dominates a step, and chapter 7 measures the projection's
 cost properly). A stabiliser that never acted leaves its model identical to plain SGD's. The figure
 `stabilisers` draws σ_1(W_hh) and the gradient norm over the iterations.

 ![σ_1(W_hh) and the gradient norm during training](stabilisers.png)
 */

struct Chapter8: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ch08-trained-dynamics",
        abstract: "Chapter 8: fixed points, slow points and stability of trained GRU language models.",
        discussion: """
            Trains small PTB language models with plain SGD, clipping, the projection P_δ and spectral \
            rescaling (or loads chapter 5's checkpoints with --checkpoints DIR) and analyses each: fixed and \
            slow points for x = 0 and frequent words, the origin's stability and W_hh's eigenvalues, the \
            state Jacobian and the maximal Lyapunov exponent along validation text, and the stabilisers' cost.
            """)

    @OptionGroup var common: ChapterOptions
    @OptionGroup var data: DataOptions

    @Option(parsing: .unconditional, help: ArgumentHelp("Hidden units of the trained GRU (and embedding size; quick: 48, paper: 128).", valueName: "n"))
    var hidden: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Learning rate η of every method (default 57).", valueName: "η"))
    var lr: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("Epochs to train (quick: 1).", valueName: "n"))
    var epochs: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Methods, comma-separated: none, clip, project, clip+project, rescale (default: none,clip,project,rescale).", valueName: "list"))
    var methods: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Gradient-clipping threshold (global norm).", valueName: "x"))
    var clip: Double = 5

    @Option(parsing: .unconditional, help: ArgumentHelp("δ of the projection and the rescaling: ‖W_hh‖₂ ≤ 2 − δ.", valueName: "δ"))
    var delta: Double = 0.2

    @Option(name: .customLong("train-tokens"), parsing: .unconditional, help: ArgumentHelp("Train on the first n training tokens (quick: 60000; paper: all).", valueName: "n"))
    var trainTokens: Int?

    @Option(name: .customLong("eval-tokens"), parsing: .unconditional, help: ArgumentHelp("Validation tokens for the perplexity (quick: 10000; paper: all).", valueName: "n"))
    var evalTokens: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Validation tokens along which the dynamics are analysed (quick: 300; paper: 1000).", valueName: "n"))
    var tokens: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("States along the trajectory the fixed-point finder starts from (quick: 32; paper: 64).", valueName: "n"))
    var starts: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Frequent words whose input maps are analysed besides x = 0.", valueName: "n"))
    var words: Int = QuickSetting.words

    @Option(parsing: .unconditional, help: ArgumentHelp("Slow points: speed below this fraction of the median step along the data.", valueName: "f"))
    var slow: Double = 0.5

    @Option(help: ArgumentHelp("Analyse the checkpoints NAME.checkpoint.safetensors in this folder (chapter 5's runs/) instead of training.", valueName: "dir"))
    var checkpoints: String?

    func validate() throws {
        try common.requireScale()
        for (flag, v) in [("--hidden", hidden), ("--epochs", epochs), ("--train-tokens", trainTokens), ("--eval-tokens", evalTokens),
                          ("--starts", starts)] {
            if let v, v < 1 { throw ValidationError("\(flag) must be at least 1 (got \(v)).") }
        }
        if let tokens, tokens < 2 * bptt { throw ValidationError("--tokens must be at least \(2 * bptt) (got \(tokens)).") }
        if words < 0 { throw ValidationError("--words must be at least 0 (got \(words)).") }
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be a positive number (got \(lr)).") }
        if !(clip > 0 && clip.isFinite) { throw ValidationError("--clip must be a positive number (got \(clip)).") }
        if let problem = SpectralProjection.deltaProblem(delta) { throw ValidationError("--delta \(problem).") }
        if !(slow > 0 && slow < 1) { throw ValidationError("--slow must lie in (0, 1) (got \(slow)).") }
        if let methods { _ = try TrainingOptions.parseMethods(methods) }
    }

    func run() throws {
        let paper = common.scale == .paper
        let hidden = self.hidden ?? (paper ? 128 : QuickSetting.hidden)
        let lr = self.lr ?? QuickSetting.learningRate
        let epochs = self.epochs ?? QuickSetting.epochs
        let tokens = self.tokens ?? (paper ? 1000 : QuickSetting.tokens)
        let starts = self.starts ?? (paper ? 64 : QuickSetting.starts)
        let names = try methods.map(TrainingOptions.parseMethods) ?? QuickSetting.methods
        let report = Report(chapter: 8, title: "The dynamics of trained GRUs")

        let ptb = try PennTreebank(directory: data.directory)
        func slice(_ t: [Int32], _ limit: Int?) -> [Int32] { limit.map { Array(t.prefix($0)) } ?? t }
        let train = slice(ptb.train, trainTokens ?? (paper ? nil : QuickSetting.trainTokens))
        let valid = slice(ptb.valid, evalTokens ?? (paper ? nil : QuickSetting.evalTokens))
        let vocabulary = ptb.vocabulary.count
        let analysed = Array(ptb.valid.prefix(tokens + 1))
        guard analysed.count > 2 * bptt else { throw ChapterError.message("the validation split has only \(analysed.count) tokens") }
        // The most frequent words of the training slice, as inputs of their own maps.
        var counts = [Int](repeating: 0, count: vocabulary)
        for t in train { counts[Int(t)] += 1 }
        let frequent = counts.indices.sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }.prefix(words)
            .map { (word: ptb.vocabulary.word(for: Int32($0)) ?? "#\($0)", id: Int32($0)) }

        let output = try ChapterOutput(options: common, slug: "08-trained-dynamics")
        var models: [TrainedModel]
        if let checkpoints {
            report.header(settings: ["checkpoints": checkpoints, "analysed tokens": "\(tokens)", "starts": "\(starts)", "seed": "\(common.seed)"])
            models = try loadCheckpoints(URL(fileURLWithPath: checkpoints), vocabulary: vocabulary, report: report)
        } else {
            report.header(settings: ["scale": common.scale.rawValue, "GRU": "\(hidden) (reset-after, no biases)", "embedding": "\(hidden) × 0.01",
                                     "tokens": "\(train.count) / \(valid.count)", "epochs": "\(epochs)", "η": RunConfiguration.number(lr),
                                     "clip": RunConfiguration.number(clip), "δ": RunConfiguration.number(delta), "seed": "\(common.seed)"])
            let config = GRULanguageModel<Float>.Configuration(vocabularySize: vocabulary, embeddingSize: hidden, hiddenSize: hidden)
            //: ### Training the models
            report.section("Training the models")
            let progress = TrainingConsole(unit: "tok")
            models = try names.map { name in
                try trainModel(method: TrainingOptions.method(name, clip: clip, delta: delta), configuration: config, seed: common.seed,
                               train: train, valid: valid, learningRate: lr, epochs: epochs, divergenceLoss: 10 * log(Double(vocabulary)),
                               progress: progress)
            }
            print("")
        }
        guard !models.isEmpty else { throw ChapterError.message("no model to analyse") }

        //: ### Analysing the models
        report.section("Analysing the models")
        // The analysis solves many small (H×H) systems: one BLAS thread avoids OpenBLAS's threading
        // overhead on them (and makes its numbers independent of the thread count).
        let threads = BLAS.threads
        BLAS.threads = 1
        defer { BLAS.threads = threads }
        let bar = ProgressBar(total: models.count, label: "analysis", unit: "model")
        var analyses: [DynamicsAnalysis] = []
        for m in models {
            analyses.append(try analyse(m, tokens: analysed, words: frequent, starts: starts, slowFraction: slow, seed: common.seed))
            bar.advance()
        }
        bar.finish()

        if !models.allSatisfy({ $0.records.isEmpty }) {
            // A model counts as trained only if it beats a predictor that ignores context.
            let unigram = TrivialPredictor.unigramPerplexity(train: train, vocabularySize: vocabulary, on: valid)
            report.note("Trivial predictor: the unigram model of the training tokens scores a validation perplexity of "
                        + String(format: "%.2f", unigram) + "; a model must do better to count as trained. One epoch of the quick "
                        + "setting is not enough for that: these models are analysed as dynamical systems, not as language models.")
            try stabiliserSection(models, delta: delta, lr: lr, unigram: unigram, report: report, output: output)
        }
        try originSection(models, analyses, report: report, output: output)
        try pointsSection(models, analyses, report: report, output: output)
        try alongDataSection(models, analyses, report: report, output: output)

        /*:
         ## Summary

         - A trained GRU's fixed and slow points can be found the way Sussillo & Barak find them: minimise
           ½‖F(h, x) − h‖² from states the network visits. For an input held fixed the GRU is chapter 2's
           map with a shifted input bias, so one finder serves x = 0 and every word.
         - Whether the origin is still stable after training is a question about the eigenvalues of W_hh
           and the disc |λ + 2| < 4; the paper's projection answers it in advance through ‖W_hh‖₂ ≤ 2 − δ,
           which keeps every eigenvalue inside |λ| < 2, a disc inside the stability region.
         - Along real data the state Jacobian and the maximal Lyapunov exponent say how perturbations and
           gradients propagate; compare them with the gradient norm in the table above.
         - P_δ and spectral rescaling bound the same quantity; P_δ changes W_hh less, rescaling needs only
           σ_1. The stabilisers table puts their cost and effect side by side at one learning rate.

         ## Exercises

         1. Predict what plain SGD and clipping do at a slightly larger learning rate, and what the
            projection does, then run `ch08-trained-dynamics --lr 60`. Which rows of the stabilisers table
            change, and does the projected model's origin stay stable?
         2. The quick models are small. Predict whether a larger hidden size gives more fixed points of the
            input-free map, then run with `--hidden 96 --starts 48`.
         3. Predict whether tightening the bound changes the Lyapunov exponent of the projected model, then
            run `--methods project,rescale --delta 0.8` and compare the along-data table with the default run.
         */
        report.section("In short")
        report.note("In short (this run): " + zip(models, analyses).map { m, a in
            let origin = a.inputs[0].points.first { $0.norm == 0 }
            let kind = origin.map { $0.isStable ? "stable origin" : "origin a \($0.classification)" } ?? "origin not found"
            return "\(m.label): ‖W_hh‖₂ = " + String(format: "%.3f", a.sigma1) + ", \(kind), "
                + "\(a.inputs[0].points.filter { !$0.isSlowPoint }.count) fixed point(s) at x = 0, λ_1 = " + String(format: "%+.4f", a.lyapunov)
        }.joined(separator: "; ") + ".")
        // What the run measured, by name (values.tsv), for the pages that cite it (the claims ledger).
        var values = RecordedValues()
        values["learning_rate"] = RunConfiguration.number(lr)
        for (m, a) in zip(models, analyses) {
            let origin = a.inputs[0].points.first { $0.norm == 0 }
            values["\(m.name).sigma1"] = String(format: "%.3f", a.sigma1)
            values["\(m.name).rho_origin"] = String(format: "%.4f", a.rhoOrigin)
            values["\(m.name).origin"] = origin.map { $0.isStable ? "stable" : "a \($0.classification)" } ?? "not found"
            values["\(m.name).lyapunov"] = String(format: "%+.4f", a.lyapunov)
            values["\(m.name).rho_along_above_1"] = "\(a.rhoAlong.filter { $0 > 1 }.count)/\(a.rhoAlong.count)"
        }
        report.files(output.written + [try values.write(to: output.directory)])
    }

    // MARK: sections

    //: ### Computed: the stabilisers side by side
    /// The stabilisers table and figure (trained models only).
    /// `unigram`: the validation perplexity of the training slice's unigram model; a model counts as
    /// trained only if it beats it (otherwise "failed to learn").
    func stabiliserSection(_ models: [TrainedModel], delta: Double, lr: Double, unigram: Double, report: Report, output: ChapterOutput) throws {
        report.section("Computed: the stabilisers side by side")
        var table = TextTable(title: "The stabilisers at η = \(RunConfiguration.number(lr)) (ours)",
                              columns: ["method", "outcome", "valid ppl", "final ‖W_hh‖₂", "max ‖W_hh‖₂", "acted", "‖ΔW_hh‖_F/step",
                                        "stabiliser's part/step", "ms/step"],
                              formats: ["", "", "%.1f", "%.3f", "%.3f", "", "%.2e", "%.2e", "%.1f"])
        var dat = DataTable(columns: ["model", "diverged", "valid_ppl", "final_sigma1", "max_sigma1", "acted_fraction", "mean_change",
                                      "mean_correction", "ms_per_step"],
                            comments: ["Chapter 8: the stabilisers at learning rate \(lr), delta \(delta); model = row of the text table, 1-based."])
        var figure = Figure("stabilisers", layout: .init(rows: 1, columns: 2), panelSize: (560, 420))
        var sigmaPanel = Panel(title: "σ_1(W_{hh}) after each step", xLabel: "iteration", yLabel: "‖W_{hh}‖_2", key: .bottomRight)
        var gradPanel = Panel(title: "gradient norm (before clipping)", xLabel: "iteration", yLabel: "‖∇‖", logScale: [.y], key: .bottomRight)
        for (k, m) in models.enumerated() where !m.records.isEmpty {
            let r = m.records, n = Double(r.count)
            let acted = r.filter(\.acted).count
            let mean = { (f: (StepRecord) -> Double) in r.reduce(0) { $0 + f($1) } / n }
            let learned = (m.validPerplexity ?? .infinity) < unigram
            table.add([.text(m.label), .text(m.diverged.map { "diverged (\($0))" } ?? (learned ? "trained" : "failed to learn")), .optional(m.validPerplexity),
                       .number(r.last!.sigma1), .number(r.map(\.sigma1).max()!),
                       .text(m.method == .none ? "—" : String(format: "%d/%d", acted, r.count)),
                       .number(mean(\.change)), .number(mean(\.correction)), .number(1000 * mean(\.seconds))])
            dat.append([Double(k + 1), m.diverged == nil ? 0 : 1, m.validPerplexity ?? .nan, r.last!.sigma1, r.map(\.sigma1).max()!,
                        Double(acted) / n, mean(\.change), mean(\.correction), 1000 * mean(\.seconds)])
            let style = Style.lines.lineType(k + 1).width(2)
            sigmaPanel.plot(.xy(r.map { Double($0.iteration) }, r.map(\.sigma1), columns: ("iteration", "sigma1"), title: m.label, style: style))
            gradPanel.plot(.xy(r.map { Double($0.iteration) }, r.map(\.gradientNorm), columns: ("iteration", "gradient_norm"), title: m.label, style: style))
        }
        sigmaPanel.plot(.function("\(2 - delta)", title: "2 − δ", style: .lines.color("#000000").dashed))
        figure.addPanel(sigmaPanel)
        figure.addPanel(gradPanel)
        report.table(table)
        try output.write(dat, name: "stabiliser-summary.dat")
        try output.write(figure)
    }

    //: ### Computed: is the origin still stable?
    /// The origin table and the eigenvalue figure.
    func originSection(_ models: [TrainedModel], _ analyses: [DynamicsAnalysis], report: Report, output: ChapterOutput) throws {
        report.section("Computed: is the origin still stable?")
        var table = TextTable(title: "The origin of the input-free map after training",
                              columns: ["model", "‖W_hh‖₂", "ρ(½I + ¼W_hh)", "ρ(∂F/∂h(0))", "λ(W_hh) outside |λ+2|<4", "outside |λ|<2", "origin"],
                              formats: ["", "%.4f", "%.4f", "%.4f", "", "", ""])
        var dat = DataTable(columns: ["model", "sigma1", "rho_formula", "rho_jacobian", "outside_stability", "outside_disc"],
                            comments: ["Chapter 8: the origin of each trained model's input-free map; model = row of the text table, 1-based."])
        var figure = Figure("whh-eigenvalues", layout: .init(rows: 1, columns: models.count), panelSize: (360, 380))
        let reach = max(2.5, analyses.flatMap { $0.eigenvaluesW.map(\.magnitude) }.max() ?? 0)
        for (k, (m, a)) in zip(models, analyses).enumerated() {
            let outsideStability = a.eigenvaluesW.filter { (($0.re + 2) * ($0.re + 2) + $0.im * $0.im).squareRoot() >= 4 }.count
            let outsideDisc = a.eigenvaluesW.filter { $0.magnitude >= 2 }.count
            table.add([.text(m.label), .number(a.sigma1), .number(a.rhoFormula), .number(a.rhoOrigin), .integer(outsideStability),
                       .integer(outsideDisc), .text(a.rhoOrigin < 1 ? "stable" : "unstable")])
            dat.append([Double(k + 1), a.sigma1, a.rhoFormula, a.rhoOrigin, Double(outsideStability), Double(outsideDisc)])
            var panel = Panel(title: m.label, xLabel: "Re λ", yLabel: "Im λ", xRange: -6.5...(reach + 0.3), yRange: -4.5...7,
                              key: k == 0 ? .topLeft : .off, equalAxes: true)
            panel.command("set parametric")
            panel.command("set trange [0:2*pi]")
            panel.plot(.function("-2 + 4*cos(t), 4*sin(t)", title: "|λ + 2| = 4", style: .lines.color("#000000").width(1.5)))
            panel.plot(.function("2*cos(t), 2*sin(t)", title: "|λ| = 2", style: .lines.color("#555555").width(1).dashed))
            panel.plot(.xy(a.eigenvaluesW.map(\.re), a.eigenvaluesW.map(\.im), columns: ("re", "im"), title: "λ(W_{hh})",
                           style: .points.lineType(1).pointType(7).pointSize(0.6)))
            figure.addPanel(panel)
        }
        report.table(table)
        try output.write(dat, name: "origin.dat")
        try output.write(figure)
    }

    //: ### Computed: fixed and slow points
    /// The fixed-point table and the principal-plane figure.
    func pointsSection(_ models: [TrainedModel], _ analyses: [DynamicsAnalysis], report: Report, output: ChapterOutput) throws {
        report.section("Computed: fixed and slow points")
        var table = TextTable(title: "Fixed and slow points (finder from states along the data)",
                              columns: ["model", "input", "fixed points", "max residual", "slow points", "PC1–2 variance"],
                              formats: ["", "", "", "%.1e", "", "%.2f"])
        var dat = DataTable(columns: ["model", "input", "pc1", "pc2", "norm", "residual", "spectral_radius", "unstable_directions", "slow"],
                            comments: ["Chapter 8: every fixed (slow = 0) and slow (slow = 1) point; input 0 is x = 0, k > 0 the k-th frequent word;",
                                       "pc1, pc2 in the model's principal plane of the analysed trajectory."])
        let columns = min(2, models.count), rows = (models.count + columns - 1) / columns
        var figure = Figure("trained-fixed-points", layout: .init(rows: rows, columns: columns), panelSize: (520, 460))
        for (k, (m, a)) in zip(models, analyses).enumerated() {
            var panel = Panel(title: m.label, xLabel: "PC 1", yLabel: "PC 2", key: .below)
            panel.plot(.data(a.states.map(a.project), columns: ["pc1", "pc2"], title: "trajectory (validation text)",
                             style: .lines.color("#bbbbbb").width(1)))
            for (i, input) in a.inputs.enumerated() {
                let s = pointSummary(input.points)
                table.add([i == 0 ? .text(m.label) : .empty, .text(input.label), .text(s.fixed), .number(s.residual), .integer(s.slow),
                           i == 0 ? .number(a.explained) : .empty])
                for p in input.points {
                    let xy = a.project(p.h)
                    dat.append([Double(k + 1), Double(i), xy[0], xy[1], p.norm, p.residual, p.spectralRadius, Double(p.unstableDirections),
                                p.isSlowPoint ? 1 : 0])
                }
                let fixed = input.points.filter { !$0.isSlowPoint }, slow = input.points.filter(\.isSlowPoint)
                let stable = fixed.filter(\.isStable).map { a.project($0.h) }, unstable = fixed.filter { !$0.isStable }.map { a.project($0.h) }
                let color = Figure.palette[(i + 1) % Figure.palette.count]
                if !stable.isEmpty {
                    panel.plot(.data(stable, columns: ["pc1", "pc2"], title: "\(input.label): stable",
                                     style: .points.color(color).pointType(7).pointSize(1.6)))
                }
                if !unstable.isEmpty {
                    panel.plot(.data(unstable, columns: ["pc1", "pc2"], title: "\(input.label): saddle",
                                     style: .points.color(color).pointType(6).pointSize(1.8).width(2)))
                }
                if !slow.isEmpty {
                    panel.plot(.data(slow.map { a.project($0.h) }, columns: ["pc1", "pc2"], title: "\(input.label): slow",
                                     style: .points.color(color).pointType(2).pointSize(1.2)))
                }
            }
            figure.addPanel(panel)
        }
        report.table(table)
        report.note("Slow points: local minima of ½‖F(h, x) − h‖² with speed below \(slow) × the median step along the data "
                    + "(per model: " + analyses.map { String(format: "%.2e", $0.slowSpeed) }.joined(separator: ", ") + ").")
        try output.write(dat, name: "fixed-points.dat")
        try output.write(figure)
    }

    //: ### Computed: stability along real data
    /// The along-data table and figure.
    func alongDataSection(_ models: [TrainedModel], _ analyses: [DynamicsAnalysis], report: Report, output: ChapterOutput) throws {
        report.section("Computed: stability along real data")
        let steps = analyses.first?.rhoAlong.count ?? 0
        var table = TextTable(title: "Stability along \(steps) steps of validation text",
                              columns: ["model", "mean ρ(J_t)", "max ρ(J_t)", "ρ(J_t) > 1", "mean ‖J_t‖₂", "λ_1 (per step)",
                                        "‖∇loss‖ mean", "‖∇loss‖ max"],
                              formats: ["", "%.4f", "%.4f", "", "%.4f", "%+.4f", "%.3f", "%.3f"])
        var dat = DataTable(columns: ["model", "mean_rho", "max_rho", "fraction_rho_above_1", "mean_norm", "lyapunov", "gradient_mean", "gradient_max"],
                            comments: ["Chapter 8: state Jacobians J_t = dh_t/dh_(t-1) along validation text; lyapunov = finite-time maximal exponent (QR)."])
        var figure = Figure("jacobian-along-data", layout: .init(rows: 1, columns: 3), panelSize: (500, 440))
        var spectrumPanel = Panel(title: "eigenvalues of J_t at five times t", xLabel: "Re μ", yLabel: "Im μ", xRange: -1.2...1.2,
                                  yRange: -1.2...1.2, key: .below, equalAxes: true)
        spectrumPanel.command("set parametric")
        spectrumPanel.command("set trange [0:2*pi]")
        spectrumPanel.plot(.function("cos(t), sin(t)", title: "|μ| = 1", style: .lines.color("#000000").width(1.5)))
        var rhoPanel = Panel(title: "ρ(J_t)", xLabel: "t (validation tokens)", yLabel: "spectral radius", key: .below)
        // The script draws once per format; the third panel's parametric mode must not reach this one.
        rhoPanel.command("unset parametric")
        var normPanel = Panel(title: "‖J_t‖_2", xLabel: "t (validation tokens)", yLabel: "spectral norm", key: .below)
        for (k, (m, a)) in zip(models, analyses).enumerated() {
            let n = Double(a.rhoAlong.count)
            let above = a.rhoAlong.filter { $0 > 1 }.count
            let meanRho = a.rhoAlong.reduce(0, +) / n, meanNorm = a.normAlong.reduce(0, +) / n
            table.add([.text(m.label), .number(meanRho), .number(a.rhoAlong.max()!), .text("\(above)/\(a.rhoAlong.count)"),
                       .number(meanNorm), .number(a.lyapunov), .number(a.gradientMean), .number(a.gradientMax)])
            dat.append([Double(k + 1), meanRho, a.rhoAlong.max()!, Double(above) / n, meanNorm, a.lyapunov, a.gradientMean, a.gradientMax])
            let t = (1 ... a.rhoAlong.count).map(Double.init)
            let style = Style.lines.lineType(k + 1).width(1.5)
            rhoPanel.plot(.xy(t, a.rhoAlong, columns: ("t", "rho"), title: m.label, style: style))
            normPanel.plot(.xy(t, a.normAlong, columns: ("t", "norm"), title: m.label, style: style))
            spectrumPanel.plot(.xy(a.eigenvaluesAlong.map(\.re), a.eigenvaluesAlong.map(\.im), columns: ("re", "im"), title: m.label,
                                   style: .points.lineType(k + 1).pointType(Figure.palettePointTypes[k % Figure.palettePointTypes.count]).pointSize(0.6)))
        }
        rhoPanel.plot(.function("1", title: "1", style: .lines.color("#000000").dashed))
        figure.addPanel(rhoPanel)
        figure.addPanel(normPanel)
        figure.addPanel(spectrumPanel)
        report.table(table)
        try output.write(dat, name: "along-data.dat")
        try output.write(figure)
    }
}

BLAS.restartWithRecommendedCoreTypeIfNeeded()
Chapter8.main()
