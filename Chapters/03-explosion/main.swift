//: # Chapter 3 — The explosion
//:
//: Run it with `swift run ch03-explosion` (add `--help` for the options). It computes the exact
//: derivative ∂h_T/∂w_hh of the one-unit GRU across the bifurcation, draws the loss landscape of a task
//: that can only be solved beyond it, and trains that task and a small many-unit GRU with plain SGD and
//: with gradient clipping. Figures go to `figures/03-explosion/`: `spike`, `loss-landscape`,
//: `training-scalar` and `training`.
import ArgumentParser
import Foundation
import GRUKit
import GRUKitChapterSupport
import GRUKitChapters
import GRUKitPresentation

/*:
 ## What you will learn

 1. how to compute the exact derivative ∂h_T/∂w_hh of a recurrent state by forward-mode
    differentiation, a recursion that runs alongside the state;
 2. why that derivative spikes at the bifurcation w_hh = 2, and why the spike grows with the horizon T;
 3. how the spike becomes a cliff in a loss landscape, and how one plain SGD step on the cliff face
    throws the weights onto a far plateau — the gradient explosion the paper sets out to prevent;
 4. what gradient clipping does about it (it bounds the step) and what it leaves alone (the bifurcation).

 ## Before you start

 Read chapters 1 and 2 (the pitchfork at w_hh = 2, J = ½I + ¼W_hh at the origin). You need the chain
 rule, gradient descent w ← w − η·dL/dw, and the idea of backpropagation through time; the paper's
 claim this chapter illustrates is summarised in book/the-paper.md.

 ## Time

 About thirty minutes to read. The quick run (`ch03-explosion`, the default `--scale quick`) takes seconds.
 */

/*:
 ## The derivative of the state after T steps

 Chapter 2 found that the one-unit GRU's long-run state jumps as w_hh crosses 2: for w_hh ≤ 2 every
 state decays to 0, beyond 2 it settles on ±h*(w_hh), and h* grows like √(w_hh − 2) — a curve with an
 infinite slope at the bifurcation. A network is trained by the derivative of its state with respect to
 its weights, so we compute it exactly. With h_{t+1} = f(h_t; w_hh), the chain rule gives a recursion for
 s_t = ∂h_t/∂w_hh (forward-mode differentiation):

     s_0 = 0,    s_{t+1} = f′(h_t)·s_t + ∂f/∂w_hh(h_t).

 `ScalarGRU.stateAndSensitivity(from:steps:)` runs it alongside the state; the tests check it against
 central finite differences. The whole recursion is one line in a loop:

 [[library: sensitivity-recursion]]

 Near w_hh = 2 two things conspire: f′(h_t) ≈ 1 for many steps (the
 dynamics are critically slow, so s_t accumulates instead of decaying), and the end state depends on
 w_hh through √(w_hh − 2). The result is a spike of |∂h_T/∂w_hh| at the bifurcation that grows with T.
 */

struct Chapter3: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ch03-explosion",
        abstract: "Chapter 3: the gradient explodes at the bifurcation.",
        discussion: """
            Computes |∂h_T/∂w_hh| of the one-unit GRU exactly for T = 20, 100, 1000 (gradient-spike.dat), \
            the loss landscape of a task solvable only beyond w_hh = 2 (landscape.dat), and trains it and an \
            H-unit GRU with plain SGD and with gradient clipping (training-*.dat).
            """)

    @OptionGroup var common: ChapterOptions
    @OptionGroup var task: MemoryTaskOptions
    @OptionGroup var options: Chapter03.Options

    func validate() throws { try common.requireScale() }

    func run() throws {
        let o = options, iterations = task.iterations(scale: common.scale)
        let (hidden, examples, steps, learningRate) = (task.hidden, task.examples, task.steps, task.learningRate)
        let report = Report(chapter: 3, title: "The explosion")
        report.header(settings: ["scale": common.scale.rawValue, "spike step": String(o.spikeStep), "T": String(steps),
                                 "H": String(hidden), "iterations": String(iterations), "η": String(learningRate),
                                 "clip": String(o.maxNorm), "seed": String(common.seed)])
        let output = try ChapterOutput(options: common, slug: "03-explosion")
        var values = RecordedValues()  // what the run measured, by name (values.tsv), for pages that cite it

        /*:
         ### The spike, computed

         The run scans w_hh over [0, 4] in steps of 0.001 (`--spike-step`) for T = 20, 100 and 1000, each value
         exact, and then finds each peak more finely (`GradientSpike.peak`):

         [[library: chapter03-spike-scan]]

         It then measures the peak height for log-spaced T and fits a power of T through the peaks.
         */
        report.section("The spike, computed")
        let spike = Chapter03.Spike(step: o.spikeStep)
        report.table(spike.table)
        spike.record(into: &values)
        try output.write(spike.data, name: "gradient-spike.dat")
        try output.write(spike.figure)
        let scaling = Chapter03.SpikeScaling(step: o.spikeStep)
        try output.write(scaling.figure)
        report.note(scaling.note)
        scaling.record(into: &values)

        /*:
         ### What the spike shows

         ![|∂h_T/∂w_hh| against w_hh from 0 to 4 on a log scale, one curve for each of T = 20, 100 and 1000: flat and small away from w_hh = 2, a sharp peak at the dotted line w_hh = 2 that is higher and narrower the larger T.](spike.png)

         *|∂h_T/∂w_hh| of the one-unit GRU across the bifurcation: a spike at w_hh = 2 that grows with T.*

         A remark on the numbers. At w_hh = 2.00 exactly, the T = 1000 height is {{spike.at_two.1000}}, and a scan in
         steps of 0.01 would report that as the peak; but the spike is only about 0.01 wide, and the finer scan used
         here (steps of 0.001, then 10⁻⁶ around the best point) finds the true maximum a little to the right,
         {{spike.peak.1000}} at w_hh ≈ {{spike.peak_w.1000}}. (Numbers like these, which a run measures, are recorded
         by the chapter under a name that the source's prose cites; the book shows the values of its quick run.)

         ![The peak height of |∂h_T/∂w_hh| against T from 10 to 5000 on log–log axes: the points lie on the dashed least-squares line.](spike-scaling.png)

         *How the spike grows with T: a power law, the slope of the dashed line.*

         The `spike-scaling` figure draws the peak height against T on log–log axes for T from
         {{spike.scaling.t_min}} to {{spike.scaling.t_max}}: the points lie on a line, and the least-squares fit of
         log height on log T (the dashed line) has slope {{spike.scaling.exponent}}. The spike grows like a power
         of T, polynomially, not exponentially: a single unit at its bifurcation is critically slow (f′ ≈ 1), so
         the sensitivity s_t accumulates over the steps the state lingers near the fixed point instead of
         decaying, but nothing multiplies it geometrically.

         That is not the mechanism of the blow-ups of chapter 5, where the gradient norm of the Penn Treebank
         model jumps by orders of magnitude within a few iterations. There the gradient is a sum
         over time of products of state Jacobians, ∂h_T/∂h_t = J_T ⋯ J_{t+1}, and once the Jacobians along the
         data have spectral radius above 1 (ρ(J_t) > 1 for many steps in a row) such a product grows
         geometrically in T − t: an exponential explosion. The one-unit spike shows why a bifurcation makes the
         gradient large; the Jacobian products show how large it can get once the linearised dynamics are
         expanding. Chapter 5 pools every logged iteration to ask how closely ρ(J) at h* = 0 signals the second.

         ## A loss with a cliff

         Now make it a learning problem. (The tasks of this chapter are our own, chosen to make the mechanism
         visible; they are not experiments of the paper, whose claim — that the gradient explodes when a small
         change of the parameters changes the dynamics abruptly — they illustrate.) Start from h_0 = 0.1 and ask for h_T = 0.6 after T = 100 steps, with
         the loss L(w_hh) = (h_T − 0.6)². Below the bifurcation h_T is essentially 0 and the loss sits on a
         plateau at 0.36 with a vanishing gradient; the solution, where h* = 0.6 = tanh(0.3·w_hh), is at
         w_hh = atanh(0.6)/0.3 ≈ 2.31, just past the bifurcation; beyond it the loss rises slowly again as h*
         approaches 1. Between plateau and solution the loss drops by a cliff whose face is the gradient spike
         — the picture Pascanu, Mikolov and Bengio (2013) drew for the exploding gradient of a simple RNN.

         ### The loss landscape and the one-unit runs
         */
        report.section("The loss landscape and the one-unit runs")
        let landscape = Chapter03.Landscape(steps: steps)
        try output.write(landscape.data, name: "landscape.dat")
        let w0 = 1.8
        let scalarNone = landscape.task.train(method: .sgd, learningRate: o.scalarLearningRate, iterations: o.scalarIterations, initial: w0)
        let scalarClip = landscape.task.train(method: .clip(maxNorm: o.scalarMaxNorm), learningRate: o.scalarLearningRate,
                                              iterations: o.scalarIterations, initial: w0)
        let scalarComments = ["Chapter 3: SGD on w_hh of the one-unit task (T = \(steps), h_0 = 0.1, target 0.6) from w_hh = \(w0),",
                              "learning rate \(o.scalarLearningRate); w_hh column = |w_hh| = ||W_hh||_2, rho = |1/2 + w_hh/4|."]
        try output.write(Chapter03.traceTable(scalarNone, normColumn: "w_hh", comments: scalarComments + ["method: plain SGD"]),
                         name: "training-scalar-none.dat")
        try output.write(Chapter03.traceTable(scalarClip, normColumn: "w_hh", comments: scalarComments + ["method: clip_grad_norm_ at \(o.scalarMaxNorm)"]),
                         name: "training-scalar-clip.dat")
        try output.write(landscape.figure(none: scalarNone, clip: scalarClip, learningRate: o.scalarLearningRate, maxNorm: o.scalarMaxNorm))
        report.note(landscape.note(into: &values))
        report.table(Chapter03.summaryTable("One unit: SGD from w_hh = \(w0), η = \(o.scalarLearningRate) (solution w_hh = \(String(format: "%.4f", landscape.solution)))",
                                            normColumn: "final w_hh", none: scalarNone, clip: scalarClip, clipName: "clip at \(o.scalarMaxNorm)"))
        try output.write(Chapter03.trainingFigure("training-scalar", none: scalarNone, clip: scalarClip, clipLabel: "clipped at \(o.scalarMaxNorm)",
                                                  normLabel: "|w_{hh}|", critical: 2))

        /*:
         ### What the one-unit runs show

         ![Top: the loss (h_T − 0.6)² against w_hh from 0 to 7, a plateau at 0.36, a cliff just past 2 down to the solution and a slow rise beyond, with the iterates of plain SGD and of clipped SGD marked on it; bottom: |dL/dw_hh| on a log scale, peaking at the cliff.](loss-landscape.png)

         *The loss and its gradient across the bifurcation, with where each SGD run's iterates land.*

         ![Three panels against the iteration for the one-unit runs, plain SGD and clipped SGD: the loss, the gradient norm (log scale), and |w_hh| with ρ(J) and the reference lines 2 and 1.](training-scalar.png)

         *SGD on the one-unit task from w_hh = 1.8: plain SGD jumps off the cliff, clipped SGD walks down it.*

         In one dimension the story is the one the landscape promised (numbers for the default settings,
         η = 5, clipping at 0.01, from w_hh = 1.8). Both runs creep along the plateau while
         ρ(J) = ½ + w_hh/4 < 1 and reach the cliff within a few iterations. Plain SGD is thrown off it: the
         step from the cliff face lands near w_hh ≈ 5 on the far slope, it walks back, falls off again, and
         on the third fall (the largest gradient of the run, about 2.2, taken right at ρ(J) ≈ 1) lands at
         w_hh ≈ 13 where the gradient is 10⁻⁶ and the loss stays at 0.16 for good. The clipped run walks down
         the cliff in steps of at most η·c = 0.05 and stays at the solution, oscillating in a band of width
         about η·c: at this learning rate even the bottom of the valley is unstable for plain gradient
         descent (η exceeds 2/L″(w*) ≈ 1.8), and clipping is what keeps the oscillation small. Smaller
         learning rates (try `--scalar-learning-rate 1.5`) overshoot once and recover; larger ones fall off
         sooner.

         ## Training across the cliff

         Plain SGD takes w ← w − η·dL/dw. Far from the cliff the gradient is tiny and the steps are small; on the
         cliff the gradient is large and one step can throw w_hh far beyond the solution, onto the far plateau
         where h* ≈ 1, the loss is (1 − 0.6)² = 0.16 and the gradient again vanishes: training stalls there.
         Gradient clipping (PyTorch's `clip_grad_norm_`: rescale the gradient to norm c when it is larger)
         bounds every step by η·c, so SGD walks down the cliff instead of jumping off it.

         The same happens with many units. `GRUExplosionTask` (in GRUKit, so that chapter 4 can rerun it with
         the projection) is a bistable memory: 32 initial states ±0.1·p (p a fixed ±1 pattern, plus noise) must
         become ±0.6·p after T = 100 steps of an input-free GRU with H = 8 units, all three recurrent matrices
         trained. The state has to grow away from 0 and stay there, which from so close to the origin needs the
         origin to be unstable: ρ(J) = ρ(½I + ¼W_hh) > 1, and so ‖W_hh‖₂ > 2 (a heuristic argument; in the runs
         below the loss is low only while ρ(J) > 1). The run uses the training engine (`GRULayer` in
         Double with a zero input, backpropagation through time, `SGD` with its clipping), from an orthogonal
         W_hh with ‖W_hh‖₂ = 1.9 and small random gates, full batch, logging at every iteration the loss, the
         gradient norm (before clipping), ‖W_hh‖₂ and ρ(J).

         ### Training H units
         */
        report.section("Training H units")
        let explosion = GRUExplosionTask(hiddenSize: hidden, examples: examples, steps: steps, seed: common.seed)
        let initial = try explosion.initialWeights(recurrentNorm: 1.9, gateScale: 0.5, seed: common.seed &+ 1)
        let progress = ProgressBar(total: 2 * iterations, label: "training", unit: "it")
        let none = try explosion.train(method: .sgd, learningRate: learningRate, iterations: iterations, initial: initial).records
        progress.advance(by: iterations)
        let clip = try explosion.train(method: .clip(maxNorm: o.maxNorm), learningRate: learningRate, iterations: iterations, initial: initial).records
        progress.advance(by: iterations)
        progress.finish()
        let comments = ["Chapter 3: full-batch SGD on the H = \(hidden) bistable-memory task (K = \(examples), T = \(steps)), learning rate \(learningRate),",
                        "orthogonal initial W_hh with ||W_hh||_2 = 1.9; grad_norm before clipping; rho = rho(I/2 + W_hh/4)."]
        try output.write(Chapter03.traceTable(none, normColumn: "spectral_norm", comments: comments + ["method: plain SGD"]), name: "training-none.dat")
        try output.write(Chapter03.traceTable(clip, normColumn: "spectral_norm", comments: comments + ["method: clip_grad_norm_ at \(o.maxNorm)"]),
                         name: "training-clip.dat")
        report.table(Chapter03.summaryTable("H = \(hidden): full-batch SGD, η = \(learningRate), \(iterations) iterations", normColumn: "final ‖W_hh‖₂",
                                            none: none, clip: clip, clipName: "clip at \(o.maxNorm)"))
        Chapter03.recordTrainingValues(none: none, clip: clip, stepBound: learningRate * o.maxNorm, into: &values)
        try output.write(Chapter03.trainingFigure("training", none: none, clip: clip, clipLabel: "clipped at \(o.maxNorm)",
                                                  normLabel: "‖W_{hh}‖_2", critical: 2))

        /*:
         ### What the H-unit runs show

         ![Three panels against the iteration for the eight-unit runs, plain SGD and clipped SGD: the loss, the gradient norm (both log scale), and ‖W_hh‖₂ with ρ(J) and the reference lines 2 and 1.](training.png)

         *Training the H-unit GRU with and without clipping: plain SGD's gradient spikes as ρ(J) nears 1.*

         With eight units (default settings: η = 3, clipping at 0.03) the picture repeats. The first gradient
         spike comes in the first iterations, exactly as ρ(J) crosses 1 (iteration {{none.crossing}}): plain
         SGD's ‖W_hh‖₂ jumps from {{none.crossing_from}} to {{none.crossing_to}} in one step, yet the loss keeps
         falling (to {{none.low_loss}} by iteration {{none.low_loss_iteration}}). Then a second cliff — the
         many-unit system has more than one bifurcation to cross as its fixed points move — produces the
         largest gradient of the run ({{none.peak_gradient}} at iteration {{none.peak_iteration}}, with ρ(J)
         back near 1), one step throws ‖W_hh‖₂ from {{none.jump_from}} to {{none.jump_to}}, the loss jumps by
         two orders of magnitude and then sits near {{none.tail_loss}} on a plateau where the gradient, though
         far below its peak, does not vanish: the loss creeps down only slowly. With clipping no step exceeds
         η·c = {{clip.step_bound}}: ‖W_hh‖₂ rises smoothly to {{clip.final_norm}}, the loss reaches
         {{clip.tail_loss}} (mean of the last 10 % of the iterations) and stays there, bouncing between two
         values with the gradient clipped on every other step. Clipping tames the symptom; the cause — dynamics that change
         abruptly as the weights cross a bifurcation — is still there. Chapter 4 reruns this training with the
         paper's projection, which keeps ‖W_hh‖₂ ≤ 2 − δ and so never lets the origin lose stability — at the
         price, on this task, of not being able to represent the solution, which needs ‖W_hh‖₂ > 2.

         ## Summary

         - The sensitivity s_t = ∂h_t/∂w_hh obeys a recursion driven by f′(h_t); near w_hh = 2, f′ ≈ 1 for many
           steps, so s_t accumulates, and |∂h_T/∂w_hh| has a spike at the bifurcation that grows with T (the
           `spike` figure and the peak table above).
         - In a loss that can only be solved past the bifurcation, the spike is the face of a cliff between a
           flat plateau and the solution (the `loss-landscape` figure).
         - Plain SGD reaches the cliff, takes one huge step off it and can stall on the far plateau where the
           gradient vanishes again; clipping bounds every step by η·c and walks down the cliff instead.
         - The same happens with eight units: the largest gradients come where ρ(J) at the origin is near 1,
           that is, where the weights cross a bifurcation (the tables and `training` figures above).
         - Clipping treats the symptom; the cause, a bifurcation in the weights' path, remains — which is what
           chapter 4's projection addresses.

         ## Exercises

         1. Predict how plain SGD on the one-unit task behaves with a smaller learning rate, then run
            `ch03-explosion --scalar-learning-rate 1.5` and explain the one-unit table with the cliff height.
         2. Predict whether the cliff is steeper or gentler for a shorter horizon, and whether plain SGD still
            falls off it, then run `ch03-explosion --steps 20` and compare the note on the cliff and both training
            tables with the default run.
         3. Predict what a looser clipping threshold does to the eight-unit clipped run, then run
            `ch03-explosion --max-norm 0.3` and explain the largest step it can take.
         4. Predict whether the first gradient spike of the eight-unit runs still comes as ρ(J) crosses 1 for
            other random patterns and weights, then run `ch03-explosion --seed 2` and read the column
            "first ρ ≥ 1 at" against "at iteration".
         5. Predict how a larger learning rate changes the clipped one-unit run, then run
            `ch03-explosion --scalar-learning-rate 20` and explain the width of the band it ends in.
         6. *By hand* (w_hz = w_hr = 0, so f(h) = ½h + ½tanh(w_hh h/2)). (a) Past the bifurcation h_T → h*(w_hh)
            as T → ∞. Differentiate the fixed-point equation h* = tanh(½w_hh h*) with respect to w_hh and show
            dh* / dw_hh = ½h*(1 − h*²) / (1 − ½w_hh(1 − h*²)). (b) With h*² ≈ 12(w_hh − 2)/w_hh³ (chapter 1,
            exercise 5) show that this is about (√6/4)/√(w_hh − 2) just past 2: the long-horizon spike is
            infinite at w_hh = 2⁺. (c) At w_hh = 2 itself, linearise the recursion s_{t+1} = f′(h_t)s_t + ∂f/∂w_hh(h_t)
            around a small orbit (f′ ≈ 1, ∂f/∂w_hh ≈ h/4, h_t ≈ h_0) and show s_T ≈ T·h_0/4: the spike grows
            with the horizon. Then evaluate (a) at w_hh = 2.5 (h* = 0.7104) and compare it with the spike
            figure's T = 1000 curve there.
         */
        report.files(output.written + [try values.write(to: output.directory)])
    }
}

Chapter3.main()
