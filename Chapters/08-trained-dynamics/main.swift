//: # Chapter 8 — Trained GRUs that crossed
//:
//: Run it with `swift run -c release ch08-trained-dynamics` (add `--help` for the options). It reads
//: three language models that chapter 5's standard scale trained (small excerpts of them, committed in
//: `results/ptb-standard/models/`), their training logs (`results/ptb-standard/`) and the PTB validation
//: text (`make data`), in well under a minute on two cores. It writes into `figures/08-trained-dynamics/`
//: the tables `fixed-points.dat` and `along-data.dat`, the figures `crossing`, `trained-fixed-points`
//: and `jacobian-along-data`, and `values.tsv`.
//: Time: about thirty minutes to read.
import ArgumentParser
import Foundation
import GRUKit
import GRUKitChapterSupport
import GRUKitChapters
import GRUKitPresentation

/*:
 ## The question

 The paper says the gradient of a GRU explodes when training carries W_hh across the bifurcation of
 the origin, where ρ(J) at h* = 0, J = ½I + ¼W_hh, passes 1 (chapters 2 and 3), and it keeps W_hh
 away from there with the projection P_δ (chapter 4). Chapter 5's standard scale trained models that
 learn — they beat the unigram model — and its logs show that plain SGD *did* cross: ρ(J) at h* = 0
 went past 1 during training, and two of its three seeds trained on. So:

 1. when did the models cross, and what did the gradient do then?
 2. what does the input-free map of a model that crossed look like — which fixed points replace the
    origin, and are they stable?
 3. along real text, how do perturbations and gradients through time grow or shrink: the spectral
    radius of the state Jacobian J_t = ∂h_t/∂h_{t−1} and the finite-time Lyapunov exponent λ_1;
 4. for the plain-SGD model whose origin is unstable but whose training went on, what kept it
    from exploding — and what happened in the seed that did explode?

 ## The protocol

 The models are chapter 5's standard scale (book/the-paper.md §4 for the paper's model): a GRU of
 {{hidden}} units without biases in PyTorch's reset-after form, behind an embedding scaled by 0.01,
 trained on the whole PTB training text for three epochs at η = {{learning_rate}} (dropout 0.5, BPTT
 35, batch 20). We take three final models of that grid: plain SGD (the seed that crossed and went on
 training), clipping at 0.25 (the best clip at this rate) and the projection with δ = 0.1. A full
 checkpoint holds the embedding and the output layer of all 10,000 words, about 10.7 MB; the chapter
 needs only the GRU layer and the embedding rows of the words it reads, so
 `results/ptb-standard/models/` keeps that excerpt of each model (its README says how it was cut,
 with `--excerpt-from`). The logs, committed beside them, hold ρ(J) at h* = 0, ‖W_hh‖₂ and the gradient
 norm every 25 iterations and the validation perplexity after each epoch: the crossing is read from
 them, not retrained.

 Along the first {{tokens}} tokens of the validation text (one stream, from h_0 = 0) the chapter
 computes each model's states, the Jacobians J_t, their spectral radii and norms, λ_1 by the QR
 method (`LyapunovExponents.finiteTime`), and the gates. The fixed and slow points of the input-free
 map come from chapter 2's finder started from states along the text (Sussillo & Barak's method), as
 earlier editions of this chapter did on models trained at η = 57 for one epoch — models that never
 beat the unigram model and whose stabilisers hardly acted, so they could not show what training does;
 they are gone.
 */

/// The runs the chapter reads by default: the models (excerpts) and the logs.
enum Defaults {
    static let models = ["sgd-lr10-s2", "clip0.25-lr10-s1", "project0.1-lr10-s1"]
    static let logs = ["sgd-lr10-s2", "sgd-lr10-s3", "sgd-lr10-s1", "clip0.25-lr10-s1", "project0.1-lr10-s1"]
}

struct Chapter8: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ch08-trained-dynamics",
        abstract: "Chapter 8: trained GRU language models that crossed ρ(J) = 1 at h* = 0, as dynamical systems.",
        discussion: """
            Reads chapter 5's standard-scale models (excerpts: the GRU layer and the embedding rows of the \
            validation text) and their training logs: the crossing of ρ(J) = 1 at h* = 0 during training, the \
            fixed and slow points of each final model, ρ(J_t), the gates and the Lyapunov exponent along \
            validation text. --excerpt-from DIR cuts the excerpts from full checkpoints first.
            """)

    @OptionGroup var common: ChapterOptions
    @OptionGroup var data: DataOptions

    @Option(help: ArgumentHelp("Folder of the model excerpts NAME.safetensors.", valueName: "dir"))
    var models = "results/ptb-standard/models"
    @Option(help: ArgumentHelp("Folder of the training logs NAME.jsonl.", valueName: "dir"))
    var logs = "results/ptb-standard"
    @Option(help: ArgumentHelp("Models to analyse, comma-separated run names; plain SGD first.", valueName: "list"))
    var runs = Defaults.models.joined(separator: ",")
    @Option(name: .customLong("log-runs"), help: ArgumentHelp("Training logs to draw, comma-separated run names.", valueName: "list"))
    var logRuns = Defaults.logs.joined(separator: ",")
    @Option(parsing: .unconditional, help: ArgumentHelp("Validation tokens along which the models are analysed.", valueName: "n"))
    var tokens = 500
    @Option(parsing: .unconditional, help: ArgumentHelp("States along the text the fixed-point finder starts from.", valueName: "n"))
    var starts = 16
    @Option(parsing: .unconditional, help: ArgumentHelp("Slow points: speed below this fraction of the median step along the text.", valueName: "f"))
    var slow = 0.5
    @Option(name: .customLong("excerpt-from"), help: ArgumentHelp("Cut the excerpts of --runs from NAME.checkpoint.safetensors in this folder into --models first.", valueName: "dir"))
    var excerptFrom: String?
    @Option(name: .customLong("excerpt-tokens"), parsing: .unconditional, help: ArgumentHelp("Validation tokens an excerpt covers.", valueName: "n"))
    var excerptTokens = 1000

    func validate() throws {
        try common.requireScale([.quick])
        if tokens < 40 { throw ValidationError("--tokens must be at least 40 (got \(tokens)).") }
        if starts < 1 { throw ValidationError("--starts must be at least 1 (got \(starts)).") }
        if excerptTokens < tokens { throw ValidationError("--excerpt-tokens must be at least --tokens (\(tokens)).") }
        if !(slow > 0 && slow < 1) { throw ValidationError("--slow must lie in (0, 1) (got \(slow)).") }
        for (flag, list) in [("--runs", runs), ("--log-runs", logRuns)] where Chapter08.names(list).isEmpty {
            throw ValidationError("\(flag) names no run.")
        }
    }

    func run() throws {
        let report = Report(chapter: 8, title: "Trained GRUs that crossed")
        let ptb = try PennTreebank(directory: data.directory)
        let output = try ChapterOutput(options: common, slug: "08-trained-dynamics")
        let modelDir = URL(fileURLWithPath: models), logDir = URL(fileURLWithPath: logs)
        report.header(settings: ["models": models, "logs": logs, "tokens": "\(tokens)", "starts": "\(starts)", "seed": "\(common.seed)"])
        if let excerptFrom {
            let written = try Chapter08.names(runs).map { name in
                try Chapter08.ModelExcerpt.write(checkpoint: URL(fileURLWithPath: excerptFrom).appendingPathComponent(name + ".checkpoint.safetensors"),
                                                 valid: ptb.valid, tokens: excerptTokens, to: modelDir.appendingPathComponent(name + ".safetensors"))
            }
            report.files(written, title: "Excerpts written")
        }
        var values = RecordedValues()

        /*:
         ## The crossing, in the training logs

         Each log gives ρ(J) at h* = 0 — a function of W_hh alone — and the gradient norm every 25
         iterations. The table counts the records with ρ(J) > 1, the first iteration that had one, and
         the largest gradient norm on each side of 1; the validation perplexity after the third epoch is
         set against the unigram model's.
         */
        report.section("The crossing, in the training logs")
        let logged = try Chapter08.names(logRuns).map { try Chapter08.LogCrossing(directory: logDir, name: $0) }
        let unigram = TrivialPredictor.unigramPerplexity(train: ptb.train, vocabularySize: ptb.vocabulary.count, on: ptb.valid)
        try Chapter08.crossings(logged, unigram: unigram, report: report, output: output, values: &values)

        /*:
         ![ρ(J) at h* = 0 and the gradient norm during training, from the logs](crossing.png)

         *Figure: left, ρ(J) at h* = 0 every 25 iterations (capped at 1.5; the line marks 1); right, the
         gradient norm on a log scale, a cross where a run diverged. Plain SGD, seed 2, is the thick line.*

         Of the runs that completed, {{beats_unigram}} beat the unigram model ({{unigram}}): plain SGD,
         seed 2, ends at {{sgd-lr10-s2.valid}}, clipping at {{clip0.25-lr10-s1.valid}}, the projection at
         {{project0.1-lr10-s1.valid}}. Plain SGD, seed 2, first had ρ(J) > 1 at iteration
         {{sgd-lr10-s2.first_above_1}} and had it in {{sgd-lr10-s2.records_above_1}} records, with gradient
         norms of at most {{sgd-lr10-s2.max_gradient_above_1}} there (at most {{sgd-lr10-s2.max_gradient_below_1}}
         in the records with ρ(J) ≤ 1), and it ended with ρ(J) = {{sgd-lr10-s2.final_rho}}. Seed 3 first
         crossed at {{sgd-lr10-s3.first_above_1}} ({{sgd-lr10-s3.records_above_1}} records) and also trained on.
         Seed 1 {{sgd-lr10-s1.outcome}}; its gradient norm jumped to {{sgd-lr10-s1.spike_gradient}} at
         iteration {{sgd-lr10-s1.spike_iteration}}, when the last record before had ρ(J) =
         {{sgd-lr10-s1.rho_before_spike}}: {{sgd-lr10-s1.spike_reading}}. Clipping had ρ(J) > 1 in
         {{clip0.25-lr10-s1.records_above_1}} records: it bounds the step, not W_hh. The projection keeps
         ‖W_hh‖₂ ≤ 2 − δ, so ρ(J) ≤ ½ + (2 − δ)/4 < 1 throughout (at most {{project0.1-lr10-s1.max_rho}}).
         */

        /*:
         ## Fixed and slow points of the final models

         The input-free map (x = 0) of each final model: ‖W_hh‖₂, ρ(J) at the origin and its number of
         unstable directions, and the fixed and slow points the finder reaches from {{starts}} states along
         the text and from where 200 input-free steps take them.
         */
        report.section("Fixed and slow points of the final models")
        let excerpts = try Chapter08.names(runs).map { try Chapter08.ModelExcerpt(contentsOf: modelDir.appendingPathComponent($0 + ".safetensors")) }
        let text = Array(ptb.valid.prefix(tokens))
        // Many small (H×H) problems: one BLAS thread is faster, and the numbers do not depend on the thread count.
        BLAS.threads = 1
        let dynamics = try excerpts.map { e in
            try Chapter08.analyse(e, inputs: e.inputs(text, checkedAgainst: ptb.valid), starts: starts, slowFraction: slow, seed: common.seed)
        }
        try Chapter08.fixedPoints(dynamics, report: report, output: output, values: &values)

        /*:
         ![The states along the text and the fixed points of x = 0, in each model's principal plane](trained-fixed-points.png)

         *Figure: each model's states along the text (grey) in the plane of their first two principal
         components, with the input-free map's stable (filled) and unstable (open) fixed points and its
         slow points (crosses).*

         Plain SGD's final model has ρ(J) = {{sgd-lr10-s2.rho_origin}} at the origin with ‖W_hh‖₂ =
         {{sgd-lr10-s2.sigma1}} (W_hh is far from normal: ρ(J) is set by its eigenvalues, ‖W_hh‖₂ by its
         singular values). Its origin has {{sgd-lr10-s2.unstable_at_origin}} unstable direction(s), and the
         finder finds {{sgd-lr10-s2.fixed_points}}: {{sgd-lr10-s2.reading}}. Clipping's model: {{clip0.25-lr10-s1.reading}}.
         The projected model's origin is {{project0.1-lr10-s1.origin}} (ρ(J) = {{project0.1-lr10-s1.rho_origin}}).
         A bifurcation of the input-free map changes where the state goes when the input stops; whether
         it makes the gradient through the text large is a question about the Jacobians along the text.
         */

        /*:
         ## Along validation text

         A language model never runs input-free: each token moves the gates. J_t multiplies every
         perturbation of h_{t−1}, and its transpose every gradient flowing back. The table gives the mean
         and largest ρ(J_t), how many steps had ρ(J_t) > 1, the mean ‖J_t‖₂, λ_1 over the whole text and
         over its second half, and the gates averaged over units and steps: the update gate z, the reset
         gate r, the candidate's slope 1 − n² and the product g = (1 − z)(1 − n²) r, the factor in front of
         W_hh in J_t = diag(z) + diag(g) W_hh + (the gates' own derivative terms). At h* = 0 with x = 0,
         g = ¼: that is where J = ½I + ¼W_hh comes from.
         */
        report.section("Along validation text")
        try Chapter08.alongData(dynamics, report: report, output: output, values: &values)

        /*:
         ![ρ(J_t) and the gain g along the validation text](jacobian-along-data.png)

         *Figure: left, ρ(J_t) along the text for each model, its ρ(J) at h* = 0 dashed in the same colour;
         right, the gain g = (1 − z)(1 − n²) r averaged over the units, against ¼ at h* = 0.*

         ## What kept plain SGD from exploding

         Plain SGD's final model has ρ(J) = {{sgd-lr10-s2.rho_origin}} at h* = 0 (its origin is
         {{sgd.origin}}), yet along the text its Jacobians have a mean spectral radius of
         {{sgd-lr10-s2.rho_along_mean}} (largest {{sgd-lr10-s2.rho_along_max}}; above 1 at
         {{sgd-lr10-s2.rho_along_above_1}} steps) and λ_1 = {{sgd-lr10-s2.lyapunov}} per step
         ({{sgd-lr10-s2.lyapunov_late}} over the second half): {{sgd.verdict}}. The reason is in the gates.
         At h* = 0 with x = 0 every gate sits at σ(0) = ½; along the text the inputs move them, since
         W_ir x_t and W_iz x_t enter their sums. The gain in front of W_hh averages {{sgd-lr10-s2.gain_mean}}
         instead of ¼, {{sgd.gain_ratio}} times smaller; most of that comes from {{sgd.damper}}, while
         {{sgd.update_gate}}. (The state itself has an RMS of {{sgd-lr10-s2.state_rms}} per unit.) ρ(J) at
         h* = 0 is the stability of the state h = 0 under the input x = 0, which a language model never
         gets; what multiplies the gradient is J_t along the data. ‖J_t‖₂ averages
         {{sgd-lr10-s2.norm_along_mean}}: a single step can stretch a vector; λ_1 says what the product of the steps does.
         The projected model, for comparison: λ_1 = {{project0.1-lr10-s1.lyapunov}}, gain
         {{project0.1-lr10-s1.gain_mean}}.
         */
        report.section("What kept plain SGD from exploding")
        Chapter08.explain(dynamics, report: report, values: &values)
        values["hidden"] = "\(excerpts.first?.map.hiddenSize ?? 0)"
        values["learning_rate"] = RunConfiguration.number(logged[0].learningRate)
        values["tokens"] = "\(tokens)"
        values["starts"] = "\(starts)"
        report.files(output.written + [try values.write(to: output.directory)])

        /*:
         ## Summary

         - Models that learned crossed. Plain SGD at η = {{learning_rate}} (seed 2) had ρ(J) > 1 at h* = 0 in
           {{sgd-lr10-s2.records_above_1}} logged records and ended at a validation perplexity of
           {{sgd-lr10-s2.valid}} against the unigram model's {{unigram}}; the projection kept ρ(J) ≤
           {{project0.1-lr10-s1.max_rho}} and ended at {{project0.1-lr10-s1.valid}}.
         - A crossing changes the input-free map: {{sgd-lr10-s2.reading}}.
         - Along the text, {{sgd.verdict}} (λ_1 = {{sgd-lr10-s2.lyapunov}}): the gates make the factor in
           front of W_hh {{sgd.gain_ratio}} times smaller than the ¼ of h* = 0, mostly through {{sgd.damper}}.
         - The seed that exploded: {{sgd-lr10-s1.spike_reading}}. ρ(J) at h* = 0 is a property of W_hh
           alone; it tells where an explosion becomes possible in the input-free map, not when one happens.

         ## Exercises

         1. Predict whether λ_1 of the plain-SGD model changes sign on a longer text, then run
            `ch08-trained-dynamics --tokens 1000` (the excerpts cover 1,000 tokens; cut longer ones from
            chapter 5's checkpoints with `--excerpt-from DIR --excerpt-tokens 3000 --models DIR2`).
         2. J_t = diag(z) + diag(g) W_hh + …: with z and g frozen at their means along the text, compute
            ρ(diag(z̄) + ḡ W_hh) for plain SGD's W_hh (`fixed-points.dat` and the excerpt hold what you
            need). Is it below 1? What does that say about which gate does the work?
         3. Predict in which parameter group seed 1's explosion started, then read the per-group gradient
            norms (`gradient_norm[weight_hh_l0[n]]`, `gradient_norm[decoder.weight]`, …) of the `trace`
            records of `results/ptb-standard/sgd-lr10-s1.jsonl` around iteration {{sgd-lr10-s1.spike_iteration}}.
         */
    }
}

BLAS.restartWithRecommendedCoreTypeIfNeeded()
Chapter8.main()
