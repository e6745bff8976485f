//: # Chapter 7 — What the projection costs
//:
//: Run it with `swift run -c release ch07-cost` (add `--help` for the options). The quick default
//: takes about a minute on two cores; `--scale paper` times more iterations, trains the
//: activity runs at the paper's size and adds n = 1024. It writes into `figures/07-cost/`: the data files
//: `iteration-time.dat`, `projection-vs-n.dat`, `projection-activity.dat`,
//: `projection-activity-summary.dat`, and the figures `iteration-time`, `projection-vs-n` and
//: `projection-activity`.
import ArgumentParser
import Foundation
import GRUKit
import GRUKitChapterSupport
import GRUKitChapters
import GRUKitPresentation

/*:
 ## What you will learn

 1. What one training iteration of the paper's language model costs with plain SGD, with gradient
    clipping and with the projection, and which share of it the projection takes.
 2. Why a skip decided by Weyl's inequality is exact — it never leaves ‖W_hh‖₂ > 2 − δ — and why one
    decided by a power iteration is not.
 3. How often the projection actually changes W_hh in training: at a learning rate where the
    constraint never binds, and at one where it does.
 4. How the cost of one projection grows with the hidden size n, and why its share of an iteration
    grows with n.
 5. Where the rest of an iteration goes: which phases of a training step take its time.

 ## Before you start

 Chapter 4: the projection P_δ and its exact variants (the full SVD, the eigendecomposition of WᵀW,
 the leading and selective eigenpairs, the automatic projector). Chapter 5: the PTB language model
 whose iterations are timed here, and the learning rate 40 at which plain SGD blows up. The cost
 model: a product of an m × k and a k × n matrix takes about 2mkn floating-point operations, a full
 SVD of an n × n matrix O(n³). Timings on a shared machine are noisy; read them as the chapter does,
 the fastest of several repeats, with the spread beside it.

 ## Time

 About forty-five minutes to read.
 The quick default takes a few minutes on two cores. `--scale paper` (more timed iterations, the
 training runs at the paper's size, n = 1024 added) takes hours.
 */

/*:
 ## The question

 The paper's method adds one singular value decomposition of the 650 × 650 matrix W_hh to every SGD
 step. A full SVD costs O(n³) — about 20n³ ≈ 5.5 GFLOP at n = 650 with LAPACK's divide-and-conquer
 `gesdd` — a real fraction of an iteration, whose largest products (the softmax layer, 700 × 650 ×
 10,000 forward and twice that backward) cost about 27 GFLOP. The paper measures this in its Section
 4.4 and Figure 2, and proposes a cheaper variant; its numbers are not available to us, but the
 NeurIPS reviews say that the figure showed no real time saving from the cheaper variant (the-paper §3).
 So the questions are ours to answer, with our own measurements:

 1. What does one training iteration of the paper's model cost with plain SGD, with gradient
    clipping, with the projection by a full SVD at every step, and with GRUKit's fastest exact
    projector? How much of the iteration is the projection?
 2. How often does the projection actually change W_hh during real training — and when it does not,
    can we *prove* that without decomposing anything?
 3. How does one projection scale with the hidden size n?

 ## An exact skip: Weyl's inequality

 Most of the time W_hh is inside the ball ‖W‖₂ ≤ c = 2 − δ and P_δ is the identity. The expensive
 part of the method is finding that out. GRUKit's automatic projector (`SpectralProjector` with
 method `.automatic`, chapter 4) skips the decomposition when a *rigorous* upper bound b ≥ σ_1(W)
 is at most c. The bound is carried from step to step by Weyl's inequality for singular values,

     σ_1(W − ηG) ≤ σ_1(W) + σ_1(ηG) ≤ σ_1(W) + η‖G‖_F,

 so after each SGD step b ← b + η‖G‖_F (plus an explicit allowance for the Float rounding of the
 step). After a decomposition b restarts from the computed σ_1 (or from c after a clip), inflated by
 the decomposition's backward-error allowance. The test costs one pass over the candidate block's
 gradient for ‖G‖_F (O(n²), about 0.1 ms at n = 650) and O(1) arithmetic. When b > c, one pass over W
 tries ‖W‖_F and √(‖W‖₁‖W‖_∞), both ≥ σ_1; when those fail too, the projector computes the leading
 eigenpairs of WᵀW and clips through P(W) = W − W V_k diag(1 − c/σ_i) V_kᵀ — exact, and cheaper than
 the full SVD (chapter 4).

 Why not a power iteration, the usual cheap estimate of ‖W‖₂? Because it gives the wrong side.
 For any unit vector x, ‖Wx‖ ≤ σ_1: every iterate is a *lower* bound, and no finite number of
 iterations turns it into an upper bound — a starting vector nearly orthogonal to v_1, or a σ_2 close
 to σ_1, leaves σ_1 underestimated by any amount at any iteration count. A skip decided by a power
 iteration would sometimes leave ‖W_hh‖₂ > 2 − δ, which is exactly what the method exists to forbid.
 A skip must be decided by an upper bound, and Weyl's inequality gives one for free because SGD tells
 us the size of each step. The chapter checks the certificate against an independent oracle: during
 the training runs below, the candidate block's σ_1 is recomputed by a Double-precision SVD after the
 projector (every iteration at the quick size), and must never exceed c.
 */

struct Chapter7: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ch07-cost",
        abstract: "Chapter 7: what the projection costs per training iteration, how often it acts, and how it scales with n.",
        discussion: """
            Times training iterations of the PTB model (V = 10,000, embedding = hidden = 650, batch 20, 35 steps, \
            dropout 0.5, Float32, 2 BLAS threads) with plain SGD, clipping and the projection; trains short runs \
            with the automatic projector and counts what it did; times one projection against n. Uses the PTB \
            training split when it is found (--data), else uniform random tokens (said on screen).
            """)

    @OptionGroup var common: ChapterOptions
    @OptionGroup var data: DataOptions
    @OptionGroup var options: Chapter07.Options

    func validate() throws {
        try common.requireScale()
        try options.checkMemory(paper: common.scale == .paper)
    }

    func run() throws {
        // The logs are read first: a bad folder stops the chapter before minutes of timing.
        let paperLogs = try options.fromLogs.map { try LoggedRun.load(directory: URL(fileURLWithPath: $0)) } ?? []
        let o = options, paper = common.scale == .paper, hidden = o.hidden
        let (timedIterations, runIterations, runHidden) = (o.timedIterations(paper: paper), o.runIterations(paper: paper), o.runHidden(paper: paper))
        let c = SpectralProjection.threshold(delta: o.delta)
        BLAS.threads = 2
        let report = Report(chapter: 7, title: "What the projection costs")
        let output = try ChapterOutput(options: common, slug: "07-cost")
        var values = RecordedValues(), extraFiles: [URL] = [], notes: [String] = []
        let tokenCount = (max(timedIterations + 1, runIterations) + 2) * Chapter07.batchSize * Chapter07.bptt
        let source = Chapter07.TokenSource.load(data: data.directory, random: o.randomTokens, vocabulary: o.vocabulary ?? 10_000,
                                                count: tokenCount, seed: common.seed) { notes.append($0) }
        report.header(settings: [
            "scale": common.scale.rawValue, "tokens": source.isReal ? "PTB" : "random", "V": "\(source.vocabulary)",
            "timed model": "E = H = \(hidden), batch \(Chapter07.batchSize) × \(Chapter07.bptt) steps, dropout 0.5, Float32",
            "BLAS": "\(BLAS.threads) threads (\(BLAS.coreName))", "δ": "\(o.delta)", "clip": "\(o.clip)", "seed": "\(common.seed)",
        ])
        for n in notes { report.note(n) }
        report.note("Windows: " + source.description + ".")

        /*:
         ## One iteration, by method

         The timed model is the paper's: a 10,000-word vocabulary, embedding and GRU of 650 units, batch 20,
         35 steps of truncated BPTT, dropout 0.5, Float32, OpenBLAS with two threads, the learning rate 1
         of the paper's first epochs. Each method starts from the same initial weights (PyTorch's default
         initialisation, seed 1, as in chapter 5) and reads the same PTB training windows in order: two
         untimed warm-up iterations (first touch of every buffer, and for the automatic projector the first
         decomposition that establishes its bound), then the timed ones (eight at the quick scale, thirty
         at `--scale paper`). An iteration is one `trainStep`: the forward and backward pass, the SGD
         update, and for the projecting methods the projection of the candidate block (the O(n²) norm of
         the step, which the certificate needs, is part of the update). The table reports the **fastest** of
         the timed iterations, for the iteration and for the projection separately: the machine is shared
         with other work, which only ever adds time, so the fastest is the least disturbed measurement (the
         median is printed beside it). The figure shows the spread instead: each bar is the median timed
         iteration with the median projection shaded, and its error bar runs from the fastest to the slowest
         timed iteration, so that a difference between two bars can be told from the noise of the load.

         Six rows. `plain SGD` and `gradient clipping` (global norm 5) are the baselines. Every projecting
         row is the engine's own `TrainingMethod.project(delta:)` step (δ = 0.2), with the optimiser's
         `projectionMethod` set as stated, and its projection time is the projector's own clock
         (`StepResult.projection.seconds`). `P_δ by full SVD` is the paper's algorithm as written.
         `P_δ by leading eigenpairs` decomposes at every step and never skips: what the automatic projector
         pays whenever its certificate fails. The automatic projector itself appears twice, because its cost
         depends on the state of W_hh: `automatic: clipping` starts from a candidate block rescaled to
         σ_1 = 1.9, just outside the ball, so that a few values are clipped at every step (after a clip the
         carried bound is c itself, and no later step can be certified); `automatic, as trained` starts from
         the initialisation, as a training run does, and skips whenever Weyl's inequality allows. The rows
         run round-robin — iteration i of every method before iteration i + 1 of any — so that a change in
         the load of the machine falls on all of them alike. The last bars are estimates, not measurements:
         the cost the automatic projector would have at this size with the mix of skips, checks and clips
         observed in the training runs of the next section.
         */
        let feed = try Chapter07.WindowFeed(tokens: source.tokens, batchSize: Chapter07.batchSize, steps: Chapter07.bptt)
        report.section("One iteration, by method")
        let timingProgress = ProgressBar(total: Chapter07.warmup + timedIterations, label: "timing iterations (all methods)", unit: "round")
        let config = GRULanguageModel<Float>.Configuration(vocabularySize: source.vocabulary, embeddingSize: hidden,
                                                           hiddenSize: hidden, cell: .resetAfter, dropout: 0.5)
        let timed = try Chapter07.timeTreatments(Chapter07.Treatment.allCases, makeModel: { GRULanguageModel<Float>(configuration: config, seed: common.seed) },
                                                 feed: feed, batchSize: Chapter07.batchSize, iterations: timedIterations, warmup: Chapter07.warmup,
                                                 learningRate: 1, maxNorm: o.clip, delta: o.delta, progress: timingProgress)
        timingProgress.finish()
        var rows = Chapter07.iterationRows(timed)

        /*:
         ## Where an iteration goes

         The projection's share is a share of an iteration: what does the rest of the iteration spend its
         time on? The engine can say, phase by phase. With a `StepProfile` set on a model (one clock
         reading as each phase ends, nine per step), every training step adds its time to eight phases:
         the embedding with its dropout; the GRU's forward sweep (one GEMM for all the window's inputs, then
         35 small recurrent GEMMs and the gates); the output layer's GEMM against its 10,000 rows of weights;
         the softmax cross-entropy with its gradient (which also adds the output bias, so that the GEMM need
         not write it into every row first); the output layer's two gradient GEMMs; the GRU's backward
         sweep; the embedding's row-sparse gradient; and the SGD update. On two cores two of them overlap:
         the GRU's backward sweep, a chain of small products that a second BLAS thread barely speeds up,
         runs on one core while the other computes the output layer's weight gradient in blocks of rows,
         and the sweep's core takes the remaining blocks when it is done. The GRU's backward phase is then
         wall time shared with part of the output layer's work, and the output layer's backward phase
         holds its input gradient plus what its weight gradient still took after the sweep. Plain SGD, a
         fresh model, the same windows and warm-up as above, the mean over the timed iterations. In this run the output layer
         took {{phase.outputLayer}} of the iteration and the GRU's two sweeps {{phase.gru}}: nearly all of
         it is matrix products, which is why a projection that costs a few milliseconds is a few per cent.
         (`gru-bench --phases` also times the step's GEMMs alone, the floor under it.)
         */
        report.section("Where an iteration goes")
        let phases = Chapter07.Phases(try Chapter07.profile(configuration: config, seed: common.seed, feed: feed, iterations: timedIterations))
        report.table(phases.table(hidden: hidden, iterations: timedIterations))
        extraFiles.append(try output.writeText(phases.data(hidden: hidden, iterations: timedIterations), name: "iteration-phases.dat"))
        phases.record(into: &values)

        /*:
         ## How often the projection acts

         The timing above is of the first iterations after initialisation, where W_hh is far inside the
         ball: PyTorch's U(−1/√H, 1/√H) gives σ_1 ≈ 2/√3 ≈ 1.15 < 1.8 at any H. What happens later depends on
         the learning rate, as chapter 5 showed: at rate 1 the weights drift slowly; at rate 40 plain SGD
         blows up within a hundred iterations and the projection holds W_hh on the boundary. So we train,
         as chapter 5's quick setting does, a 128-unit model (the paper's 650 at `--scale paper`) on PTB
         for a few hundred iterations at rates 1 and 40 with SGD + P_δ by the automatic projector, and
         record at every iteration what the projector did: **skipped** (the Weyl certificate proved
         σ_1 ≤ c), **unchanged** (the bound failed, a decomposition found nothing above c), or **clipped**
         k values. The summary reports the fractions, the projection's measured share of the iterations
         at this size, and the share it would have at the paper's size: the fractions combined with the
         per-action costs measured above (skip: the as-trained row; unchanged: the leading-eigenpairs row;
         clipped: the clipping row), added to the plain-SGD iteration.

         Each run is one model trained window by window with the engine's `TrainingMethod.project(delta:)` step, its
         projector's report recorded, and its σ_1 checked against an independent Double SVD:

         [[library: chapter07-automatic-projector-run]]
         */
        let runConfig = GRULanguageModel<Float>.Configuration(vocabularySize: source.vocabulary, embeddingSize: runHidden,
                                                              hiddenSize: runHidden, cell: .resetAfter, dropout: 0.5)
        let checkEvery = runHidden <= 256 ? 1 : 10
        report.section("How often the projection acts")
        let activityProgress = ProgressBar(total: runIterations * o.learningRates.count, label: "training with the projector", unit: "it")
        let runs = try o.learningRates.map { eta in
            var runFeed = feed
            return try Chapter07.trainWithAutomaticProjector(model: GRULanguageModel<Float>(configuration: runConfig, seed: common.seed), feed: &runFeed,
                                                             batchSize: Chapter07.batchSize, iterations: runIterations, learningRate: eta,
                                                             delta: o.delta, checkEvery: checkEvery, progress: activityProgress)
        }
        activityProgress.finish()
        let estimates = try Chapter07.Estimates(rows: rows, timed: timed, runs: runs, hidden: hidden, threshold: c, seed: common.seed)
        rows += estimates.rows

        // The time table needs the activity runs (its estimated rows use their action fractions), so
        // it prints here; the book shows it under "One iteration, by method" with the timing itself.
        report.section("One iteration, by method")
        report.table(Chapter07.iterationTimeTable(rows, hidden: hidden, timedIterations: timedIterations))
        extraFiles.append(try output.writeText(Chapter07.iterationTimeData(rows, estimates: estimates, vocabulary: source.vocabulary, hidden: hidden,
                                                                           realData: source.isReal, timedIterations: timedIterations,
                                                                           blasThreads: BLAS.threads), name: "iteration-time.dat"))
        Chapter07.record(rows, hidden: hidden, into: &values)
        for note in Chapter07.paperShares(paperLogs, estimates: estimates, into: &values) { report.note(note) }
        extraFiles.append(try values.write(to: output.directory))
        for note in Chapter07.timingNotes(timed) + [estimates.note].compactMap({ $0 }) { report.note(note) }
        try output.write(Chapter07.iterationTimeFigure(rows, hidden: hidden, vocabulary: source.vocabulary,
                                                       measuredCount: rows.filter(\.measured).count, realData: source.isReal))

        let activity = Chapter07.activityFiles(estimates, threshold: c, realData: source.isReal, runHidden: runHidden,
                                               runIterations: runIterations, hidden: hidden)
        extraFiles.append(try output.writeText(activity.data, name: "projection-activity.dat"))
        extraFiles.append(try output.writeText(activity.summary, name: "projection-activity-summary.dat"))
        report.section("How often the projection acts")
        report.table(activity.table)
        for run in runs { if let s = run.stoppedAt { report.note("η = \(Gnuplot.number(run.learningRate)): non-finite loss at iteration \(s); the run stopped there.") } }
        report.note(Chapter07.activityCheckNote(runs, checkEvery: checkEvery, threshold: c))
        try output.write(Chapter07.activityFigure(runs, threshold: c, hidden: runHidden))

        /*:
         ## One projection against n

         Finally the projection alone, as in chapter 4 but in the frame of the paper's Figure 2: the time
         of one exact projection of an n × n Float matrix with one singular value above c (the typical
         case once the constraint is active), fastest of repeated calls, for the full SVD, the
         eigendecomposition of WᵀW, the selective eigensolver, and the automatic projector when its
         certificate fails (scan + leading eigenpairs), beside the certified skip. The black point is the
         whole plain-SGD iteration of the timed model at its size, for scale.
         */
        report.section("One projection against n")
        let nProgress = ProgressBar(total: o.projectionSizes(paper: paper).count, label: "timing projections", unit: "n")
        let againstN = try Chapter07.ProjectionAgainstN(sizes: o.projectionSizes(paper: paper), threshold: c, repeats: o.timingRepeats(paper: paper),
                                                        seed: common.seed, progress: nProgress)
        nProgress.finish()
        extraFiles.append(try output.writeText(againstN.data(blasThreads: BLAS.threads), name: "projection-vs-n.dat"))
        report.table(againstN.table)
        try output.write(Chapter07.projectionFigure(sizes: againstN.sizes, names: Chapter07.ProjectionAgainstN.names,
                                                    stepMilliseconds: 1000 * estimates.stepSeconds, hidden: hidden, smallest: againstN.smallest))

        /*:
         ## What the measurements say

         (The default run on a shared two-core machine; its numbers move by tens of per cent from run to
         run, so the prose quotes none of them: the printed tables above are the record.)

         ![One bar per method: the median seconds of a training iteration of the language model, the projection's part shaded dark with its share written above, error bars from the fastest to the slowest timed iteration; the last two bars, hatched, are estimates for the automatic projector's mix of actions at rates 1 and 40.](iteration-time.png)

         *One training iteration at H = 650 by method: the median iteration, the projection's part shaded,
         fastest to slowest as error bars; hatched bars are estimates from the training runs.*

         **The full SVD is a large share of an iteration.** At the paper's size one projection by `gesdd`
         takes a sizeable share of the fastest plain-SGD iteration (see the table above, `share`),
         and training takes that much longer, for an operation that at the paper's learning rate 1 almost
         never changes anything. Gradient clipping costs nothing measurable: one more scaling pass over the
         gradients, lost in the noise. (The unshaded parts of the bars are the same computation in every
         row; their differences are the load of the machine, not the method, as the overlapping error
         bars show.)

         **A cheaper decomposition is not enough.** The exact variants that decompose WᵀW instead of W
         (leading or selective eigenpairs, chapter 4) cut a projection to a fraction of the full SVD's
         time — a saving, but the same kind of cost, paid at every step. This is consistent with what the
         reviews say of the paper's own figure: a cheaper variant that still decomposes at every step does
         not change the picture much.

         ![For each learning rate, the milliseconds of every projector call against the iteration on a log scale, one marker per action (skipped, unchanged, clipped), and the number of values clipped as grey impulses on a second axis.](projection-activity.png)

         *What the automatic projector did at each iteration of training, and what each call cost: at
         rate 1 it decomposes once and skips after that; at rate 40 it skips until W_hh reaches the
         boundary, then clips and checks.*

         **Not decomposing is what saves.** The automatic projector skipped every timed iteration of the
         as-trained row, for a few microseconds each (a share too small to see in the figure), and in the
         training run at rate 1 it decomposed only at the first iteration, before any bound existed;
         Weyl's bound then never reached c. The estimated share at the paper's size, in the table above
         (the estimate row at rate 1), is correspondingly negligible.

         **When the constraint binds, the saving is gone — honestly.** At rate 40 the run starts like the
         one at rate 1 (skips), but the gradient soon pushes W_hh to the boundary, and from then on it is
         clipped at most steps, one or two values at a time, with the other steps decomposed and found
         unchanged (the counts are in the table of the automatic projector above). After a clip the
         carried bound is c itself, so no step can be certified and every later iteration pays for a
         decomposition until the weights move back inside. The projection's share rises accordingly, both
         measured at the training size and estimated at 650 (see the tables above): the cost of the
         leading eigenpairs at almost every step, below the full SVD's but no longer free. That is the
         regime where the projection matters (chapter 5: plain SGD blows up at this rate), so this is the
         price of the method where it earns its keep.

         ![Milliseconds of one exact projection against n on log–log axes: four rising lines for the full SVD, the eigendecomposition of WᵀW, the selective eigensolver and the automatic projector when its bound fails, a line orders of magnitude lower for the certified skip, and one black triangle for a whole plain-SGD iteration at n = 650.](projection-vs-n.png)

         *One exact projection against n, in the frame of the paper's Figure 2; the triangle is a whole
         training iteration of the language model, for scale.*

         **Against n.** All decomposing methods grow steeply with n (at these sizes fixed overheads still
         blunt the n³), and the ranking is stable (see the table above): the full SVD slowest, then the
         full eigendecomposition of WᵀW, then the selective and leading eigenpairs. The certified skip
         stays at microseconds at every size: its O(n²) step norm is part of the update. At n = 650 the
         full SVD is a visible part of a plain-SGD iteration of the whole language model (the black point
         of the figure); at larger hidden sizes its share grows, since the iteration grows like n² for a
         fixed vocabulary while the projection grows like n³.

         All numbers are ours, measured on a CPU; the paper's Figure 2 measured its own implementation, and
         its numbers are not available to us (the-paper §4).
         */
        /*:
         ## Summary

         - Projecting by a full SVD at every step, the paper's algorithm as written, makes every
           iteration noticeably slower (the `share` column of the table above). It is not for nothing:
           in the paper-scale training logs of chapter 5 the projection changed W_hh in
           {{05.paper.project0.2-lr1.projected}} iterations at η = 1 ({{05.paper.project0.2-lr1.projected_percent}}) and in
           {{05.paper.project0.2-lr10.projected}} at η = 10, each time at the price of a decomposition.
         - A cheaper decomposition lowers that cost but keeps it at every step; not decomposing is what
           saves, and Weyl's inequality says when that is safe, exactly, from the size of each SGD step.
         - When the constraint binds (rate 40, where chapter 5's plain SGD blows up) the certificate
           fails after every clip and the projector decomposes at most steps: the cost comes back where
           the method is needed, smaller than the full SVD's but not free.
         - Every projection grows steeply with n while the rest of the iteration grows more slowly, so
           the projection's share grows with the hidden size (the `projection-vs-n` figure).
         - The rest of an iteration is matrix products, most of them the output layer's: the phases
           table puts the output layer and the GRU's two sweeps at nearly all of a plain-SGD step.

         ## Exercises

         1. Predict how the projection's share of an iteration changes at a smaller model, then run
            `ch07-cost --hidden 256 --sizes 64,128,256` and compare the `share` column with the default
            run at 650.
         2. Predict at which learning rate the automatic projector starts clipping, then run
            `ch07-cost --lr 1,10,40` and read the skipped, unchanged and clipped counts of the table of the
            automatic projector and the `projection-activity` figure.
         3. Predict what a tighter bound does to the projector's activity at rate 1, then run
            `ch07-cost --delta 0.8 --lr 1,40` (the bound becomes ‖W_hh‖₂ ≤ 1.2) and compare the counts and
            the estimated share with the default δ = 0.2. Does the SVD check still never exceed c?
         4. Predict how much longer one full SVD takes when n doubles from 512 to 1024, then run
            `ch07-cost --sizes 256,512,1024 --repeats 3` and compare the ratio with the n³ law. Which
            method comes closest to it, and why does the certified skip not follow it?
         5. Predict which phase of a step grows fastest with the hidden size, then run
            `gru-bench --phases --hidden 128 --embedding 128` and the same at 1024, and compare the
            phase tables and the GEMMs-alone floor under each step.
         */
        report.files(output.written + extraFiles)
    }
}

BLAS.restartWithRecommendedCoreTypeIfNeeded()
Chapter7.main()
