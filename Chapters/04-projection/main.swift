//: # Chapter 4 — The SVD projection
//:
//: Run it with `swift run ch04-projection` (add `--help` for the options). It takes the paper's projection
//: P_δ apart on a 2×2 matrix, reruns the training of chapter 3 with it beside plain SGD and gradient
//: clipping, and measures what one exact projection costs. Figures go to `figures/04-projection/`:
//: `ellipse`, `training-compare` and `projection-cost`, and the animation `projection-sweep.gif`.
import ArgumentParser
import Foundation
import GRUKit
import GRUKitChapterSupport
import GRUKitChapters
import GRUKitPresentation

/*:
 ## What you will learn

 1. what the paper's projection P_δ does, step by step: an SVD, every singular value clipped at 2 − δ,
    and the matrix put back together — and, on a 2×2 example, what that does to the image of the unit circle;
 2. why P_δ(Ŵ) is the nearest matrix to Ŵ with ‖W‖₂ ≤ 2 − δ, so that SGD followed by P_δ is projected SGD;
 3. what the projection buys and what it costs in training: it keeps the origin stable at every step, so it
    cannot solve a task that needs the bifurcation, and it makes a large learning rate usable on one that does not;
 4. how to compare it fairly with gradient clipping (each method tuned on its own grid);
 5. what one exact projection costs for an n×n matrix, and the cheaper exact ways to compute it.

 ## Before you start

 Read chapters 2 and 3: the bound ‖W_hh‖₂ < 2 ⇒ ρ(J) < 1, and the explosion it is meant to prevent. You
 need the singular value decomposition (W = UΣVᵀ, ‖W‖₂ = σ_1), the Frobenius norm, and the idea of a
 projection onto a convex set. The method is the paper's [paper, eq. 12–14]; see book/the-paper.md.

 ## Time

 About forty-five minutes to read. The quick run (`ch04-projection`, the default `--scale quick`) takes
 under a minute: it trains every method at every value of its grid and times the projections.
 */

/*:
 ## P_δ, step by step

 Chapter 2 showed that ‖W_hh‖₂ < 2 keeps the origin of the input-free GRU stable:
 ρ(J) ≤ ½ + ‖W_hh‖₂/4 < 1 for J = ½I + ¼W_hh. Chapter 3 showed that the gradient explodes near
 ρ(J) = 1, where training pushes the weights across the bifurcation (‖W_hh‖₂ = 2 is a sufficient bound:
 a run can pass it with ρ(J) < 1 and not explode). The paper's remedy is to forbid the crossing. After
 every SGD step Ŵ_hh = W_hh − η∇C it replaces the candidate's recurrent matrix by P_δ(Ŵ_hh) [paper,
 eq. 12–14]:

     Step 1   Ŵ = U Σ Vᵀ                                    singular value decomposition
     Step 2   Σ̄ = diag(min(σ_1, 2 − δ), …, min(σ_n, 2 − δ))  clip every singular value at 2 − δ
     Step 3   W = U Σ̄ Vᵀ

 so that ‖W_hh‖₂ = σ_1 ≤ 2 − δ after every step: the origin stays stable with a margin, ρ(J) ≤ 1 − δ/4,
 and no step can carry the dynamics across the bifurcation (ρ(J) = 1, which needs ‖W_hh‖₂ ≥ 2). All other weights (here the gate
 matrices W_hz, W_hr) take the plain SGD step. The threshold is 2 − δ rather than 2 because the bound
 ‖W_hh‖₂ < 2 ⇒ ρ(J) < 1 is strict and tight (chapter 2: W_hh = 2uuᵀ puts an eigenvalue of J exactly on
 the unit circle); δ > 0 keeps a margin, and the paper's value of δ is unknown to us [choice: δ = 0.2 by
 default, `--delta` to change it].

 The three steps, as GRUKit's reference implementation writes them (the faster methods of "What it
 costs" below compute the same matrix):

 [[library: projection-full-svd]]

 A 2×2 matrix shows everything. The SVD says what W does to the unit circle: it maps the right singular
 vector v_i to σ_i u_i, so the image of the circle is an ellipse with semi-axes σ_1 u_1 and σ_2 u_2.
 Clipping shortens every semi-axis longer than 2 − δ to exactly 2 − δ and leaves the others alone: the
 ellipse is pulled inside the circle of radius 2 − δ along its long axis only.

 Why this particular matrix? Among all X with ‖X‖₂ ≤ c it is the one nearest to Ŵ in the Frobenius
 norm [derived]. Mirsky's inequality (the singular-value form of Hoffman–Wielandt) says
 ‖Ŵ − X‖_F² ≥ Σ_i (σ_i(Ŵ) − σ_i(X))², and with every σ_i(X) ≤ c the right side is at least
 Σ_{σ_i > c} (σ_i − c)², which is exactly ‖Ŵ − P_δ(Ŵ)‖_F². The feasible set {‖X‖₂ ≤ c} is convex (a
 norm ball), so SGD followed by P_δ is *projected* SGD, the textbook method for minimising over a convex
 set: a step, then the nearest feasible point. The chapter checks the inequality numerically by drawing
 random feasible matrices around P_δ(Ŵ) and confirming none is nearer to Ŵ.
 */

struct Chapter4: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ch04-projection",
        abstract: "Chapter 4: the SVD projection P_δ — what it does, what it buys, what it costs.",
        discussion: """
            Takes P_δ apart on a 2×2 matrix (example.dat, figure ellipse), trains the memory task of chapter 3 \
            and a fading task with plain SGD, gradient clipping and SGD + P_δ, the clipping threshold and δ each \
            tuned per learning rate over a small grid (training-compare.dat, training-tuning.dat), and times \
            one exact projection by each method for several n (projection-cost.dat), checking every method \
            against the full SVD.
            """)

    @OptionGroup var common: ChapterOptions
    @OptionGroup var task: MemoryTaskOptions
    @OptionGroup var options: Chapter04.Options

    func validate() throws { try common.requireScale() }

    func run() throws {
        let o = options, iterations = task.iterations(scale: common.scale)
        let sizes = o.sizeList(scale: common.scale), repeats = o.repeatCount(scale: common.scale)
        let c = SpectralProjection.threshold(delta: o.delta)
        let report = Report(chapter: 4, title: "The SVD projection")
        report.header(settings: ["scale": common.scale.rawValue, "δ": Gnuplot.number(o.delta), "2 − δ": Gnuplot.number(c),
                                 "iterations": String(iterations), "H": String(task.hidden), "sizes": sizes.map(String.init).joined(separator: ","),
                                 "repeats": String(repeats), "seed": String(common.seed), "BLAS core": BLAS.coreName])
        let output = try ChapterOutput(options: common, slug: "04-projection")
        var values = RecordedValues()  // what the run measured, by name (values.tsv), for the prose that cites it
        var extraFiles: [URL] = []

        /*:
         ### The 2×2 example, computed

         The example is Ŵ = [[2.2, 1.2], [0, 0.8]] (`--example`), with δ = 0.2 (`--delta`). The three steps
         are the library's reference projection above, written out for the 2×2 case so that the run can print
         U, Σ, Σ̄ and V, followed by the nearest-point check against 20,000 random feasible matrices:

         [[library: chapter04-two-by-two]]
         */
        report.section("The 2×2 example, computed")
        let example = try Chapter04.TwoByTwoExample(o.exampleMatrix, threshold: c, samples: 20_000, seed: common.seed)
        for table in example.tables(threshold: c) { report.table(table) }
        report.note(try example.note(threshold: c))
        try example.checkNearest()
        try example.record(into: &values, threshold: c)
        try output.write(example.data(threshold: c), name: "example.dat")
        try output.write(Chapter04.ellipseFigure(example, threshold: c))
        try output.write(try Chapter04.projectionSweepAnimation(example.w, sweep: (o.deltaSweep.values[0], o.deltaSweep.values[1]),
                                                                frames: o.frames))

        /*:
         ### What P_δ does to the unit circle

         σ_1 = {{example.sigma1}} lies above 2 − δ = {{example.threshold}} and σ_2 = {{example.sigma2}} below it,
         so Step 2 clips one value: ‖W‖₂ falls to exactly 2 − δ, and ρ(J) at the origin from
         {{example.rho_before}} to {{example.rho_after}}. No random feasible matrix came nearer to Ŵ than
         P_δ(Ŵ), as Mirsky's inequality says.

         ![Left: the unit circle's image under Ŵ, an ellipse reaching beyond the dashed circle of radius 2 − δ along σ_1u_1. Right: its image under P_δ(Ŵ), whose long semi-axis is cut to 2 − δ while the short one is unchanged.](ellipse.png)

         *The unit circle under Ŵ (left) and under P_δ(Ŵ) (right): the projection pulls the ellipse inside
         the circle of radius 2 − δ along its long axis only, and leaves the singular vectors alone.*

         The animation `projection-sweep` lets δ vary (from 0.05 to 1.5, `--delta-sweep`) for the same Ŵ. As long
         as 2 − δ lies between σ_2 and σ_1, only the long semi-axis moves: it shrinks with the dashed circle of
         radius 2 − δ while the short one stays put. Once 2 − δ falls below σ_2 both are clipped, and the image
         of the unit circle becomes that circle itself: P_δ(Ŵ) is then 2 − δ times an orthogonal matrix. Each
         frame's title gives ρ(½I + ¼P_δ(Ŵ)) beside the bound 1 − δ/4 that the exercises derive.

         ![An animation of the same picture as δ runs from 0.05 to 1.5: the dashed circle of radius 2 − δ shrinks, first the long and then both semi-axes of the projected ellipse follow it, and the title gives ρ(½I + ¼P_δ(Ŵ)) against 1 − δ/4.](projection-sweep.gif)

         *P_δ(Ŵ) as δ grows: once 2 − δ < σ_2 the image is the circle of radius 2 − δ itself.*
         */

        /*:
         ## Training with the projection

         Now the runs of chapter 3 again, three ways from the same initial weights: plain SGD, gradient clipping
         (PyTorch's `clip_grad_norm_`), and SGD + P_δ (`TrainingMethod.project(delta:)`: the engine's `SGD` applies
         the projection to the candidate block of `weight_hh` after each step).

         A comparison at one fixed clipping threshold would not be fair: clipping limits a step to η·c, so the
         threshold that works depends on the learning rate, and the projection's δ may too. At every learning
         rate each method therefore gets a small grid of its own [choice]: c ∈ {0.0003, 0.001, 0.003, 0.01, 0.03,
         0.1, 0.3, 1} (`--clip-grid`) and δ ∈ {0.05, 0.1, 0.2, 0.5} (`--delta-grid`), and the comparison shows each
         at its best. The grids reach further down than a first guess of {0.01, …, 1} and {0.1, 0.2, 0.5}
         because on those both methods chose the smallest value. The δ grid stops at 0.05: as δ → 0 the margin
         ρ(J) ≤ 1 − δ/4, which is what the method is for, disappears. Whenever a choice lies at the edge of its
         grid the chapter says so below the tuning tables.
         The tasks are optimisation problems on one fixed full batch, with no held-out examples, so "best" is
         measured on the loss the table reports: the lowest mean loss over the last 10 % of the iterations (a run
         that stops on a non-finite loss scores +∞). Choosing on the reported number flatters both tuned methods
         alike; clipping chooses among eight values and the projection among four, which if anything favours
         clipping. Every score is printed and written to `training-tuning.dat`.

         Projected SGD starts from a feasible point, P_δ(W_0): the initial W_hh of chapter 3 has ‖W_hh‖₂ = 1.9, which P_δ scales to 2 − δ
         (it is orthogonal times 1.9, so every singular value is clipped). Every iteration logs the loss, the
         gradient norm (before clipping), ‖W_hh‖₂ and ρ(J) at the weights the gradient was taken at, and
         whether the projection changed W_hh.

         Two tasks, both our own [choice], both the input-free GRU with H units and K examples from
         `GRUExplosionTask`:

         - **memory** (chapter 3's task): from h_0 ≈ ±0.1·p reach ±0.6·p after T = 100 steps. The state has to
           grow away from the origin, which (heuristically, and in every run of chapter 3) needs the origin to be
           unstable, ρ(J) > 1, and therefore ‖W_hh‖₂ > 2. The projection forbids exactly that: the constrained
           model cannot solve this task. This is the honest price of the method — it restricts the dynamics the
           network can represent.
         - **fade**: from h_0 ≈ ±0.5·p reach ±0.15·p after T = 20 steps: the state must decay, but slowly. A
           stable origin can do this (decay by roughly ρ(J) per step near 0, and the gates slow it further), so
           a solution exists inside ‖W_hh‖₂ ≤ 2 − δ. Its solutions lie near that boundary, and the gradient keeps
           pushing W_hh outwards; with a large learning rate an unconstrained step can carry W_hh past
           ‖W_hh‖₂ = 2, where the sufficient bound of chapter 2 stops guaranteeing stability, and on to ρ(J) ≥ 1,
           the bifurcation of the origin (the ρ(J) panel shows whether a run gets there), where the states can be
           captured by new fixed points and the loss jumps. This is the setting of the paper's claim: with the
           projection a large learning rate becomes usable.

         The comparison trains every method of the grids from the same initial weights:

         [[library: chapter04-tuned-comparison]]

         ### Tuning each method's knob
         */
        report.section("Tuning each method's knob")
        let (clips, deltas, rates) = (o.clipThresholds, o.deltas, o.fadeRates)
        let memory = GRUExplosionTask(hiddenSize: task.hidden, examples: task.examples, steps: task.steps, seed: common.seed)
        let memoryInitial = try memory.initialWeights(recurrentNorm: 1.9, gateScale: 0.5, seed: common.seed &+ 1)
        let fade = GRUExplosionTask(hiddenSize: task.hidden, examples: task.examples, steps: o.fadeSteps, start: 0.5, target: 0.15, seed: common.seed)
        let fadeInitial = try fade.initialWeights(recurrentNorm: 1.5, gateScale: 0.5, seed: common.seed &+ 1)
        let progress = ProgressBar(total: iterations * (1 + clips.count + deltas.count) * (1 + rates.count), label: "training", unit: "it")
        var comparisons = [try Chapter04.Comparison(task: memory, name: "memory", initial: memoryInitial, learningRate: task.learningRate,
                                                    clipGrid: clips, deltaGrid: deltas, iterations: iterations, progress: progress)]
        for eta in rates {
            comparisons.append(try Chapter04.Comparison(task: fade, name: "fade", initial: fadeInitial, learningRate: eta,
                                                        clipGrid: clips, deltaGrid: deltas, iterations: iterations, progress: progress))
        }
        progress.finish()
        let study = Chapter04.TrainingStudy(comparisons: comparisons, iterations: iterations, clipGrid: clips, deltaGrid: deltas)
        for table in study.tuningTables { report.table(table) }
        for note in study.edgeNotes { report.note(note) }

        /*:
         ### Training with and without P_δ

         Each method at its chosen knob, per task and learning rate; the run then checks on every projected
         run's log that ‖W_hh‖₂ ≤ 2 − δ and ρ(J) < 1 held at every iteration.
         */
        report.section("Training with and without P_δ")
        report.table(study.summaryTable)
        try study.checkConstraint()
        study.record(into: &values)
        try output.write(study.trainingData(hidden: task.hidden, examples: task.examples, steps: task.steps, fadeSteps: o.fadeSteps,
                                            clipGridText: o.clipGrid.text, deltaGridText: o.deltaGrid.text), name: "training-compare.dat")
        try output.write(study.tuningData, name: "training-tuning.dat")
        let largest = rates.max()!
        try output.write(Chapter04.trainingFigure(study.shown, tasks: [
            ("memory", task.learningRate, "memory: ±0.1p → ±0.6p, T = \(task.steps), η = \(Gnuplot.number(task.learningRate))"),
            ("fade", largest, "fade: ±0.5p → ±0.15p, T = \(o.fadeSteps), η = \(Gnuplot.number(largest))"),
        ]))

        /*:
         ### What the runs show

         ![Four rows of panels against the iteration, memory task left and fading task at the largest learning rate right: the loss, the gradient norm (both log scale), ‖W_hh‖₂ with the lines 2 and 2 − δ, and ρ(J) with the line 1; plain SGD, tuned clipping and tuned P_δ in each.](training-compare.png)

         *Plain SGD, tuned clipping and tuned P_δ on both tasks. The projected run (thick) sits on 2 − δ in the
         ‖W_hh‖₂ panels and below 1 in the ρ(J) panels; the others cross both lines.*

         Read the tables with the figure (default settings). The tuning tables come first because they change
         the story one fixed threshold would tell: clipping's best c falls as the learning rate rises — what
         the choice keeps roughly constant is the longest step, η·c — so a single c for every rate handicaps
         clipping at all rates but one.

         On the memory task the projected run does what it promises — ‖W_hh‖₂ sits at 2 − δ, ρ(J) stays at or
         below ½ + (2 − δ)/4 — and it fails the task at every δ of the grid: its loss stays well above that
         of the other two methods, at the larger δ on the plateau where every state decays towards 0. The
         projection is active at every iteration, because the gradient keeps asking for a larger W_hh. Plain
         SGD and clipping bring the loss far below that plateau, through the spikes of chapter 3, tuned
         clipping furthest. That is the trade-off, stated plainly: P_δ removes the bifurcation at the origin
         from the reachable weights, and with it every solution that needs it.

         What the projection bounds is ‖W_hh‖₂, not the gradient. It does not prevent gradient spikes: on
         the memory task the projected run's largest gradient norm (at its tuned δ = {{memory.project.delta}})
         was {{memory.project.max_gradient}}, against {{memory.sgd.max_gradient}} for plain SGD and
         {{memory.clip.max_gradient}} for tuned clipping — the spikes of the gradient-norm panel, which the
         projected run shows as well. A gradient grows large near the bifurcation, ρ(J) = 1, and the
         projected run, pressed against 2 − δ, sits at ρ(J) = 1 − δ/4, close to it.

         On the fading task, at the smallest learning rate the three methods end within a small factor of each
         other: nothing to choose. At the larger rates plain SGD is carried well past ‖W_hh‖₂ = 2 and on to ρ(J) > 1, and its
         loss bounces and stays high. Tuned clipping does much better than plain SGD; it too goes past
         ‖W_hh‖₂ = 2, while ρ(J) stays below 1 — the line at 2 ends a sufficient bound, it is not the
         bifurcation. The projected run at its best δ still ends lowest, by orders of magnitude at the larger
         rates. But the δ tuning table qualifies this: at those rates some other values of δ in the grid end
         worse than tuned clipping, so the projection's advantage here needs its δ chosen for the
         learning rate, just as clipping needs its c. With that, a larger learning rate helps the constrained
         model and not the unconstrained one: the paper's claim, in miniature, on a task of our own.
         */

        /*:
         ## What it costs

         The projection needs the singular values of an n×n matrix after every step; for the paper's language
         model n = 650. A full SVD costs O(n³) (LAPACK's divide-and-conquer `gesdd`, ≈ 20n³ flops with vectors),
         paid on every step on top of the step's own matrix products; chapter 7 measures what share of a
         training step that is. GRUKit's `SpectralProjector` computes the same matrix in cheaper ways; each is
         exact, by an identity:

         - **fullSVD** (`gesdd`): the definition, P(W) = W − Σ_{σ_i > c} (σ_i − c) u_i v_iᵀ (only clipped triplets
           change W, so the update is one matrix product of inner dimension k, the number clipped).
         - **eigen**: the eigendecomposition of M = WᵀW (`syrk` + `syevd`). Its eigenpairs are (σ_i², v_i), and
           W v_i = σ_i u_i gives P(W) = W · V diag(min(1, c/σ_i)) Vᵀ = W − Σ_{σ_i > c} (1 − c/σ_i) (W v_i) v_iᵀ
           [derived, the-paper §3]: no u_i is needed. A symmetric eigensolver is cheaper than an SVD.
         - **selectiveEigen**: the same identity needs only the eigenpairs with λ > c², and LAPACK's `syevr` can
           compute just those (range "V"). The tridiagonal reduction (4n³/3 flops) remains; each wanted vector
           costs O(n²). Exact because the clipped triplets are exactly the eigenpairs above c².
         - **automatic** (the certified skip): first try to *prove* that nothing needs clipping. A rigorous upper
           bound b on σ_1 with b ≤ c means P(W) = W. Two bounds are tried, both with explicit allowances for their own
           rounding: the bound carried from the previous step by Weyl's inequality σ_1(W + E) ≤ σ_1(W) + ‖E‖_F
           (an SGD step has E = −η∇, so O(1) work), and one pass over W for ‖W‖_F and √(‖W‖₁‖W‖_∞). Only if both
           fail it computes the leading eigenpairs of WᵀW (as above, requesting a few more than last time's k).
           The timings below use `ProjectionCost.measure`, which passes no step size, so they measure the scan
           plus the decomposition; the row "weyl skip" times a step whose Weyl bound certifies σ_1 ≤ c, which is
           what the method costs when the weights stay comfortably inside the ball.

         The test matrices have random singular vectors and prescribed singular values (`ProjectionCase`):
         `oneAbove` (σ_1 = 1.25c, the rest in [0.05c, 0.95c]) is typical of training, where the matrix was
         projected one step earlier; times are the fastest of repeated Float projections (training precision; on
         a machine shared with other work the fastest run is the least disturbed, the median is printed by
         `ProjectionCost.measure` too).

         ### The cost of the projection
         */
        report.section("The cost of the projection")
        let timing = ProgressBar(total: sizes.count, label: "timing", unit: "n")
        let cost = try Chapter04.CostMeasurement(sizes: sizes, threshold: c, repeats: repeats, seed: common.seed, progress: timing)
        timing.finish()
        for table in cost.tables { report.table(table) }
        report.note(cost.exactnessNote)
        try cost.checkExactness()
        cost.record(into: &values)
        extraFiles.append(try output.writeText(cost.data(blasCore: BLAS.coreName, blasThreads: BLAS.threads), name: "projection-cost.dat"))
        try output.write(Chapter04.costFigure(sizes: sizes))

        /*:
         ### What the cost says

         ![Milliseconds per projection against n on log–log axes: four rising lines for the full SVD, the eigendecomposition of WᵀW, the selective eigensolver and the automatic method, and a flat line far below them for the certified skip.](projection-cost.png)

         *The time of one exact projection against n, fastest of repeated Float runs: every decomposition grows
         like n³; only the certified skip stays flat.*

         The measured times (default sizes, Float; they vary by tens of per cent from run to run on a shared
         machine, the tables are the record of one run). All four decomposing methods grow like n³. At
         n = {{cost.n}}, with one value clipped, this run's full SVD took {{cost.oneAbove.fullSVD}} ms, the
         eigendecomposition of WᵀW {{cost.oneAbove.eigen}} ms, and the selective solver, which forms only the
         clipped eigenvectors, {{cost.oneAbove.selectiveEigen}} ms; the automatic method pays a scan and asks
         for a few leading eigenpairs ({{cost.oneAbove.automatic}} ms). The saving depends on how many values
         are clipped: when all of them are (`allAbove`) the selective solver took {{cost.allAbove.selectiveEigen}} ms
         against {{cost.allAbove.fullSVD}} ms for the full SVD, and the automatic method falls back on the full
         eigendecomposition ({{cost.allAbove.automatic}} ms). None of them is free: a cubic cost per step is what
         the NeurIPS reviewers objected to. The certified skip is the one saving of a different order —
         {{cost.weylSkip}} here, and exact — but it applies only to steps that provably cannot reach the threshold,
         and the training above shows the other regime too: on the memory task the projection is active at
         every step.

         ## Summary

         - P_δ clips every singular value of Ŵ_hh at 2 − δ and leaves the singular vectors alone; on the 2×2
           example only the long axis of the ellipse moves. It is the nearest matrix in the Frobenius norm
           with ‖W‖₂ ≤ 2 − δ, which the chapter checks against random feasible matrices.
         - After every step ‖W_hh‖₂ ≤ 2 − δ, so ρ(J) at the origin stays at most 1 − δ/4: the bifurcation of
           chapters 2 and 3 cannot be reached, and the logs of every projected run confirm it.
         - That is a restriction as well as a protection: on the memory task, which needs an unstable origin,
           the projected model cannot reach the loss of the other methods (the tables above).
         - On the fading task, whose solutions lie inside the ball, the projection with a tuned δ makes the
           larger learning rates usable where plain SGD is not — the paper's claim in miniature; the tuning
           tables show that δ, like clipping's c, has to suit the learning rate.
         - One exact projection costs O(n³); eigen-based and selective methods are cheaper by constant
           factors, and only the certified skip avoids the decomposition (the `projection-cost` figure).

         ## Exercises

         1. Predict what P_δ does to a matrix whose singular values are both below 2 − δ, and to one whose
            singular values are both above, then run `ch04-projection --example 1,0.5,0,1` and
            `ch04-projection --example 3,0,0,2.5` and explain the 2×2 tables and the `ellipse` figure.
         2. Predict how the fading task turns out when the projection may not choose its δ, then run
            `ch04-projection --delta-grid 0.5` and compare the comparison table with the default run.
         3. Predict what one clipping threshold for every learning rate does to clipping's results, then run
            `ch04-projection --clip-grid 0.03` and explain with the longest step η·c.
         4. Predict what a much larger learning rate does to plain SGD and to the projected run on the
            fading task, then run `ch04-projection --fade-learning-rates 3,100` and read the ρ(J) panel of
            `training-compare`.
         5. Predict by what factor the time of one projection grows when n doubles, then run
            `ch04-projection --sizes 128,256,512,1024` and check the cost table against n³.
         6. *By hand.* (a) Show that after W = P_δ(Ŵ) every eigenvalue μ of J = ½I + ¼W satisfies
            |μ| ≤ 1 − δ/4: bound ρ(J) by ‖J‖₂ and use ‖W‖₂ = min(σ_1, 2 − δ). (b) Find a Ŵ for which the bound
            is attained, and one (any 2×2 with σ_1 > 2 − δ) for which ρ(J) stays strictly below it; why the
            difference? (c) Show that ‖Ŵ − P_δ(Ŵ)‖_F² = Σ_i (σ_i − (2 − δ))₊². Then check (a) and (c) on the
            default run's note under the 2×2 tables, and (a) on every frame of `projection-sweep.gif`.
         */
        extraFiles.append(try values.write(to: output.directory))
        report.files(output.written + extraFiles)
    }
}

BLAS.restartWithRecommendedCoreTypeIfNeeded()
Chapter4.main()
