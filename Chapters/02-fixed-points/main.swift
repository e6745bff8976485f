//: # Chapter 2 — Fixed points and the bifurcation at 2
//:
//: Run it with `swift run ch02-fixed-points` (add `--help` for the options). It prints the fixed points
//: of the one-unit GRU around w_hh = 2, checks the Jacobian at the origin of the many-unit GRU against
//: the formula J = ½I + ¼W_hh, and hunts for the fixed points that appear once ‖W_hh‖₂ passes 2.
//: Figures go to `figures/02-fixed-points/`: `bifurcation-diagram`, `jacobian-eigenvalues` and `phase-portrait`,
//: and the animation `phase-sweep.gif`. The spectral norms of its matrices are flags (`--eigen-norms`,
//: `--finder-norms`, `--phase-norms`, `--phase-sweep`), as are their sizes (`--eigen-size`, `--hidden`).
import ArgumentParser
import Foundation
import GRUKit
import GRUKitChapterSupport
import GRUKitChapters
import GRUKitPresentation

/*:
 ## What you will learn

 1. how to find *all* fixed points of the one-unit GRU for every w_hh, gates on, with a root finder
    that does not know the answer, and how to draw them as a bifurcation diagram;
 2. why the Jacobian of the many-unit GRU at the origin is J = ½I + ¼W_hh, whatever the gate weights;
 3. why ‖W_hh‖₂ < 2 keeps the origin stable, and why the constant 2 cannot be raised — the constant in
    the paper's threshold 2 − δ;
 4. how to hunt the fixed points of an H-unit GRU numerically (Levenberg–Marquardt, then Newton) and
    classify them by the eigenvalues of their Jacobian.

 ## Before you start

 Read chapter 1 first (fixed points, the slope test |f′(h*)| < 1, the pitchfork at w_hh = 2). You need
 the chain rule in several variables (a Jacobian matrix), eigenvalues and the spectral norm ‖W‖₂ (the
 largest singular value), and the idea of Newton's method. The paper's threshold is summarised in
 book/the-paper.md.

 ## Time

 About forty minutes to read. The quick run (`ch02-fixed-points`, the default `--scale quick`) takes seconds.
 */

/*:
 ## All fixed points of the one-unit GRU

 Chapter 1 found the fixed points of f(h) = σ(w_hz h)h + (1 − σ(w_hz h))tanh(w_hh σ(w_hr h) h) for two
 weights by solving h = tanh(w_hh h/2). Here we want *all* of them, for every w_hh from 0 to 4 and
 with the gates switched on, so we need a root finder that does not know the answer.

 Every fixed point lies in (−1, 1): f(h) is a weighted average of h and a tanh, so |f(h)| < |h| once
 |h| ≥ 1. `ScalarGRU.fixedPoints()` samples g(h) = f(h) − h on a fine grid of [−1, 1], brackets every
 sign change and polishes it with Newton's method (falling back to bisection whenever a Newton step
 leaves the bracket). A root where g touches zero without changing sign (a double root, where two
 fixed points are born together) has no bracket; those are caught at the local minima of |g|. The
 origin is always a root and is included exactly. Each fixed point h* is stable when |f′(h*)| < 1.

 `ScalarBifurcation.scan(from:to:step:)` repeats this for a range of w_hh: the rows of the bifurcation
 diagram. Two cases:

 - w_hz = w_hr = 0: the gates are constant ½ and the fixed points solve h = tanh(w_hh h/2).
 - w_hr = 1, w_hz = 0: the reset gate now depends on h.
 */

/*:
 ## The Jacobian at the origin, in many dimensions

 With H units the input-free GRU is a map F: ℝᴴ → ℝᴴ. At h = 0 both gate vectors are σ(0) = ½ and the
 candidate is tanh(0) = 0, so every term of ∂F/∂h that carries a gate derivative is multiplied by
 h or by the candidate, both zero. What is left is

     J = ∂F/∂h(0) = ½I + ¼W_hh

 for the paper's reset-before form and for PyTorch's reset-after form alike (this identity and the
 argument of the next section are derived here from the model's equations; the paper itself states the
 threshold 2 − δ on the singular values of W_hh, not this derivation): the recurrent gate
 matrices W_hz and W_hr drop out. `InputFreeGRU` implements both forms with PyTorch's weight layout
 (one 3H×H matrix with row blocks r, z, n) and an analytic Jacobian at any h; here we check the
 identity against central finite differences for random weights. The analytic Jacobian, term by term:

 [[library: gru-jacobian]]
 */

/*:
 ## Why ‖W_hh‖₂ < 2 is enough, and why 2 is the right number

 The origin is asymptotically stable when every eigenvalue μ of J lies inside the unit circle. The
 eigenvalues of J are μ = ½ + λ/4 for the eigenvalues λ of W_hh, so |μ| < 1 is |λ + 2| < 4: λ must lie in
 the disc of radius 4 centred at −2. Every eigenvalue satisfies |λ| ≤ ‖W_hh‖₂, and the disc |λ| ≤ r is
 inside the stability disc when r < 2 — the two discs touch at a single point, λ = +2 (the stability
 disc reaches from −6 to +2 on the real axis, and to the left it has plenty of room). So

     ‖W_hh‖₂ < 2   ⇒   ρ(J) ≤ ‖J‖₂ ≤ ½ + ‖W_hh‖₂/4 < 1,

 and the constant 2 cannot be raised: W_hh = (2 + ε)·u uᵀ has ‖W_hh‖₂ = 2 + ε and gives J the
 eigenvalue μ = 1 + ε/4 > 1. The bound is tight only along the positive real axis: eigenvalues
 of W_hh with modulus above 2 elsewhere (negative, or complex away from +2) can leave the origin stable.
 This is the constant in the paper's threshold 2 − δ: keeping σ_1(W_hh) below 2 keeps the origin stable
 whatever the gates do.

 The run below draws this, in "The eigenvalues of J at the origin".
 */

/*:
 ## New fixed points after the bifurcation

 In one dimension, the unstable origin hands its stability to two new fixed points ±h*. Does the same
 happen with H units? The finder `InputFreeGRU.fixedPoints(starts:seed:)` minimises ½‖F(h) − h‖² by
 Levenberg–Marquardt steps from many random starts in (−1, 1)ᴴ (and from the end points of long
 trajectories, which land on attractors), finishes with Newton's method on F(h) − h = 0 using the
 analytic Jacobian, keeps points with ‖F(h) − h‖ < 10⁻¹², merges duplicates, and reports the eigenvalues
 of the Jacobian at each. We take W_hh symmetric with its leading eigenvalue +‖W_hh‖₂ (the direction in
 which the bound is tight) and random gates.
 */

/*:
 ## A picture in two dimensions

 With two units the vector field F(h) − h can be drawn: an arrow at h points to where one step takes it.
 Before the bifurcation (‖W_hh‖₂ = 1.5) every arrow leads to the origin; after it (2.5) the origin is a
 saddle or a source and the flow splits towards two new stable fixed points.

 The run below draws this in "Phase portraits in two dimensions", with an animation of the passage.
 */

struct Chapter2: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ch02-fixed-points",
        abstract: "Chapter 2: fixed points of the input-free GRU and the bifurcation at ‖W_hh‖₂ = 2.",
        discussion: """
            Scans every fixed point of the one-unit GRU for w_hh from 0 to 4 (bifurcation.dat, \
            bifurcation-wr1.dat), checks J = ½I + ¼W_hh at the origin by finite differences, draws the \
            eigenvalues of J for ‖W_hh‖₂ = 1.5, 2, 2.5 (--eigen-norms), finds the fixed points of an H-unit GRU, and \
            draws a two-unit phase portrait before and after the bifurcation.
            """)

    @OptionGroup var common: ChapterOptions
    @OptionGroup var options: Chapter02.Options

    func validate() throws { try common.requireScale() }

    func run() throws {
        let o = options, starts = o.startCount(scale: common.scale)
        let report = Report(chapter: 2, title: "Fixed points and the bifurcation at 2")
        report.header(settings: ["scale": common.scale.rawValue, "w_hh step": String(o.step), "grid": String(o.grid),
                                 "H": String(o.hidden), "starts": String(starts), "seed": String(common.seed)])
        let output = try ChapterOutput(options: common, slug: "02-fixed-points")
        var values = RecordedValues()  // what the run measured, by name (values.tsv), for pages that cite it

        /*:
         ### The one-unit GRU, computed

         Both cases are scanned over w_hh = 0 … 4 in steps of 0.01 (`--step`), each w_hh a fresh root search on
         4001 grid points of [−1, 1] (`--grid`); the table lists the fixed points at four weights, with the
         slope f′(h*) that decides their stability.
         */
        report.section("The one-unit GRU, computed")
        let oneUnit = Chapter02.OneUnit(step: o.step, grid: o.grid)
        for k in Chapter02.cases.indices { try output.write(oneUnit.data(k), name: Chapter02.cases[k].name + ".dat") }
        report.table(oneUnit.branchTable)

        /*:
         ![Two panels of the fixed points h* against w_hh from 0 to 4, stable branches solid and unstable ones dashed. Left, without gates: the origin alone and stable up to w_hh = 2, then unstable, with two stable branches ±h* growing out of it (a pitchfork). Right, with w_hr = 1: a stable outer branch and its unstable partner born together in a fold below 2, and a branch crossing the origin at w_hh = 2 (transcritical).](bifurcation-diagram.png)

         *Every fixed point of the one-unit GRU against w_hh: a pitchfork at 2 without gates (left); with the
         reset gate (right) a transcritical crossing at 2 and a fold below it. In both the origin loses
         stability at w_hh = 2.*

         Where does the origin lose stability? `ScalarBifurcation.originLosesStability(in:_:)` bisects
         f′(0; w_hh) − 1 = 0 using the analytic derivative of the map (not the formula ½ + w_hh/4), and the
         scan tells where the first nonzero branch appears. With w_hz = w_hr = 0 this is a supercritical
         pitchfork: for w_hh ≤ 2 the origin is the only fixed point, beyond 2 it is unstable and two stable
         points ±h* grow from it like √(w_hh − 2). With w_hr = 1 the picture changes shape but not place:
         f(h) − h now has a quadratic term w_hr h²/4 at w_hh = 2, so a nonzero branch passes *through* the
         origin and the two exchange stability (a transcritical bifurcation); the branch turns back in a
         fold (a saddle-node, where a double root appears) and continues as the outer stable branch. That
         fold lies *below* 2: the table's last column gives the first w_hh with a nonzero stable fixed point
         (the scan, refined by bisection), which is the bifurcation itself without the reset gate and the
         fold with it, where the diagram shows the outer branch born; the column before it looks only near
         the origin (|h*| < 0.3), where the new stable branch does start at 2. In both
         cases the origin loses stability at exactly w_hh = 2: the gates do not move the critical point.
         (At w_hh = 2 itself f′(0) = 1: linearisation cannot decide, and the diagram marks it unstable.)

         The refinement by bisection, a fresh root search at every midpoint:

         [[library: chapter02-first-stable]]
         */
        report.table(oneUnit.criticalTable(into: &values))
        try output.write(oneUnit.figure)

        /*:
         ### The Jacobian identity, checked

         For each cell form, a random H-unit GRU (H = 8, `--hidden`), its Jacobian at the origin by central
         finite differences and analytically, each against ½I + ¼W_hh:

         [[library: chapter02-jacobian-check]]
         */
        report.section("The Jacobian identity, checked")
        var rng = SeededGenerator(seed: common.seed)
        let identity = Chapter02.jacobianReport(hidden: o.hidden, rng: &rng, into: &values)
        report.table(identity.table)
        report.note(identity.note)

        /*:
         ### The eigenvalues of J at the origin

         A Gaussian and a symmetric W_hh of size 100 (`--eigen-size`), each rescaled to ‖W_hh‖₂ = 1.5, 2 and 2.5
         (`--eigen-norms`): the eigenvalues of J = ½I + ¼W_hh, and ρ(J) against the bound ½ + ‖W_hh‖₂/4.
         */
        report.section("The eigenvalues of J at the origin")
        let eigen = try Chapter02.Eigenvalues(size: o.eigenSize, norms: o.eigenNorms.values, seed: common.seed, rng: &rng)
        report.table(eigen.rhoTable)
        try output.write(eigen.data.gaussian, name: "eigenvalues.dat")
        try output.write(eigen.data.symmetric, name: "eigenvalues-symmetric.dat")
        try output.write(eigen.figure)

        /*:
         The figure `jacobian-eigenvalues` shows this for two random matrices rescaled to ‖W_hh‖₂ = 1.5, 2 and 2.5: a
         Gaussian one (upper row, the complex plane), whose eigenvalues fill a disc of radius about ‖W_hh‖₂/2 and
         stay well inside the unit circle even at 2.5, and a symmetric one (lower row) whose leading eigenvalue is
         +‖W_hh‖₂, which reaches the unit circle exactly at ‖W_hh‖₂ = 2 and leaves it beyond. The symmetric
         matrix has real eigenvalues only, which on the real axis would merge into one bar, so the lower row
         spreads them out by rank: each point is one μ, and the unit circle is the two lines μ = ±1. In every
         panel the ringed point is the eigenvalue of largest modulus, the one that decides stability (|μ| = ρ(J)).

         ![Six panels of the eigenvalues μ of J = ½I + ¼W_hh at ‖W_hh‖₂ = 1.5, 2 and 2.5. Upper row, a Gaussian W_hh in the complex plane: a cloud of points well inside the unit circle, within the disc |μ − ½| ≤ ‖W_hh‖₂/4. Lower row, a symmetric W_hh, its real eigenvalues against their rank: the largest, ringed, lies inside μ = 1 at 1.5, on it at 2 and beyond it at 2.5.](jacobian-eigenvalues.png)

         *The eigenvalues of J = ½I + ¼W_hh: a Gaussian W_hh stays stable past ‖W_hh‖₂ = 2 (upper row); a
         symmetric one with leading eigenvalue +‖W_hh‖₂ reaches |μ| = 1 exactly at 2 (lower row).*

         ### Fixed points of an H-unit GRU

         The finder from 200 random starts (`--starts`) for an H = 8 GRU (`--hidden`) at each ‖W_hh‖₂ of
         `--finder-norms`, the same direction of W_hh and the same gates throughout; one row per fixed point.
         */
        report.section("Fixed points of an H-unit GRU")
        report.table(try Chapter02.finderTable(hidden: o.hidden, norms: o.finderNorms.values, starts: starts, seed: common.seed, rng: &rng))

        /*:
         Below the bifurcation (‖W_hh‖₂ = 1.5 … 1.9) the finder returns only the origin, with ρ = ½ + ‖W_hh‖₂/4 < 1
         (W_hh's leading eigenvalue is +‖W_hh‖₂, so the bound is attained). Past 2 the origin's ρ exceeds 1 and
         stable fixed points appear away from it, growing in norm with ‖W_hh‖₂; at 3 further unstable ones
         (saddles) have joined them. Two differences from the one-unit pitchfork come from the gates, which
         vanish at the origin but not away from it: the two stable points are no longer mirror images ±h*
         (the gates break the symmetry h ↦ −h), and at ‖W_hh‖₂ = 2 exactly, where the origin is marginal, a
         stable point already exists at some distance — as in the w_hr = 1 diagram above, where a fold creates
         the outer stable branch before w_hh reaches 2. What does not move is the loss of stability of the
         origin at ‖W_hh‖₂ = 2 for this W_hh. From a state near the origin the network now ends on one of the
         new attractors: its long-run state changes abruptly as the weights cross the bifurcation, which is
         what chapter 3 turns into a gradient explosion.

         ### Phase portraits in two dimensions

         One two-unit GRU, W_hh = [[1, 0.35], [0.35, 0.55]] rescaled to each ‖W_hh‖₂ of `--phase-norms`, with
         one pair of random gates for every norm; the animation runs through 41 norms (`--frames`).
         */
        report.section("Phase portraits in two dimensions")
        let twoUnitGRU = Chapter02.twoUnitGRUs(seed: common.seed)
        try output.write(Chapter02.phasePortrait(try o.phaseNorms.values.map { (try twoUnitGRU($0), $0) }, starts: min(starts, 200), seed: common.seed))
        try output.write(try Chapter02.phaseSweepAnimation(twoUnitGRU, sweep: (o.phaseSweep.values[0], o.phaseSweep.values[1]), frames: o.frames,
                                                           starts: min(starts, 200), seed: common.seed))
        report.note("""
            The origin loses stability where f′(0) = ½ + w_hh/4 crosses 1, at w_hh = 2, with or without gates; \
            in H dimensions J(0) = ½I + ¼W_hh, so ‖W_hh‖₂ < 2 keeps the origin stable. Chapter 3 shows what \
            crossing this line does to the gradient.
            """)
        /*:
         ![Two phase portraits of a two-unit GRU, grey arrows of the field F(h) − h over the square [−1, 1]² with ten trajectories. At ‖W_hh‖₂ = 1.5 every trajectory runs into the origin, a filled (stable) point. At 2.5 the origin is an open (unstable) point and the trajectories leave it for two filled stable fixed points on either side.](phase-portrait.png)

         *The two-unit GRU before (left) and after (right) the bifurcation: the flow that led to the origin
         splits towards two new stable fixed points.*

         The animation `phase-sweep` shows the whole passage: the same two-unit GRU (same direction of W_hh,
         same gates) with ‖W_hh‖₂ running from 1.5 to 2.5 (`--phase-sweep`). Watch the origin: its point is
         filled (stable) while ρ(J(0)) < 1 and open past 2, where ρ(J(0)) = ½ + ‖W_hh‖₂/4 crosses 1 (this W_hh is
         symmetric with positive eigenvalues, so the bound is attained). Before 2 the trajectories gather along
         one line through the origin, the direction of W_hh's leading eigenvector, the one that loses stability
         first; past 2 the orbits from near the origin leave it along that line for the new stable points.

         ![An animation of the two-unit phase portrait as ‖W_hh‖₂ runs from 1.5 through 2 to 2.5, its title giving ρ(J(0)): the origin's point is filled while ρ(J(0)) < 1, and past 2 it opens and the trajectories from near it leave along W_hh's leading eigenvector for the stable fixed points away from it.](phase-sweep.gif)

         *The passage through the bifurcation, one frame per ‖W_hh‖₂.*

         ## Summary

         - The root finder maps every fixed point of the one-unit GRU as w_hh runs from 0 to 4: without gates
           a pitchfork at 2; with the reset gate w_hr = 1 a transcritical bifurcation at 2 and a fold below
           it. In both, the origin loses stability at exactly w_hh = 2 (the second table above).
         - With H units the Jacobian at the origin is J = ½I + ¼W_hh: the gate matrices drop out, which the
           finite-difference check in the table above confirms for both cell forms.
         - The origin is stable when every eigenvalue λ of W_hh lies in |λ + 2| < 4; ‖W_hh‖₂ < 2 guarantees
           this, and the bound is tight along the positive real axis (the symmetric rows of the figure).
         - Past ‖W_hh‖₂ = 2 new stable fixed points, and later saddles, appear away from the origin, as the
           finder's table and the phase portrait show: the network's long-run state jumps when the weights
           cross the bifurcation.

         ## Exercises

         1. Predict whether the origin of a different random H-unit GRU still loses stability at exactly
            ‖W_hh‖₂ = 2, and whether the other fixed points stay the same, then run
            `ch02-fixed-points --seed 2` and compare the finder's table with the default run.
         2. Predict how the number of fixed points the finder reports changes with fewer random starts, then
            run `ch02-fixed-points --starts 1` and explain which kind of point is missed first.
         3. Predict whether a bigger Gaussian W_hh changes how far its eigenvalues μ stay from the unit
            circle at ‖W_hh‖₂ = 2.5, then run `ch02-fixed-points --eigen-size 400` and explain with the
            ratio of spectral radius to spectral norm of a Gaussian matrix.
         4. Predict whether a finer scan moves the numbers in the table "Where the origin loses stability",
            then run `ch02-fixed-points --step 0.002` and explain which columns move and which cannot.
         5. Predict how a larger network changes the count of fixed points at ‖W_hh‖₂ = 3, then run
            `ch02-fixed-points --hidden 16` and explain what the extra points are.
         6. *By hand.* (a) Differentiate the H-unit input-free GRU at h = 0 and show that J = ½I + ¼W_hh:
            which factor kills every term that carries W_hz or W_hr? (b) For one unit with any w_hz and w_hr,
            expand f(h) − h to second order at w_hh = 2 and show that its quadratic term is (w_hr/4)h²,
            whatever w_hz is: the coefficient of the transcritical term. (c) Deduce that for w_hh = 2 + ε the
            branch through the origin is h* ≈ −ε/w_hr. Then predict the small nonzero fixed point for
            w_hh = 2.05, w_hr = 1, and find it in `bifurcation-wr1.dat` (the row w_hh = 2.05); and predict
            ρ(J(0)) for `ch02-fixed-points --finder-norms 1.95,2.05` before running it.
         */
        report.files(output.written + [try values.write(to: output.directory)])
    }
}

Chapter2.main()
