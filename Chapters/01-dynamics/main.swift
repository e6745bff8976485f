//: # Chapter 1 — The GRU as a dynamical system
//:
//: Run it with `swift run ch01-dynamics` (add `--help` for the options). It prints a small table and
//: writes two figures into `figures/01-dynamics/`: `trajectories` and `return-map`, each as a gnuplot
//: script (`.gp`) with its data (`.dat`), drawn to `.png` and `.svg` when gnuplot is installed, and
//: one animation, `cobweb-sweep.gif`. The weights are flags: `--w-hh 1.9,2.1`, `--w-hz`, `--w-hr`.
import ArgumentParser
import Foundation
import GRUKit
import GRUKitChapterSupport
import GRUKitChapters
import GRUKitPresentation

/*:
 ## What you will learn

 1. how a GRU with its input switched off becomes a map h ↦ F(h), iterated step after step: a
    discrete-time dynamical system;
 2. what a fixed point is, and how the slope f′(h*) decides whether it attracts or repels;
 3. why the origin of the one-unit GRU is stable for w_hh < 2 and unstable beyond, from f′(0) = ½ + w_hh/4;
 4. how to read trajectories, a return map and a cobweb, and what a pitchfork bifurcation looks like in them.

 ## Before you start

 You need the derivative of a function of one variable and the chain rule, and the logistic sigmoid
 σ and tanh with their values and slopes at 0. No earlier chapter is needed; the paper's setting is
 summarised in book/the-paper.md (Kanai, Fujiwara & Iwamura, NeurIPS 2017).

 ## Time

 About twenty minutes to read. The quick run (`ch01-dynamics`, the default `--scale quick`) takes seconds.
 */

/*:
 ## The model

 A gated recurrent unit reads an input x_t and updates its state h_{t−1} ∈ ℝⁿ. We write it in the form
 of Cho et al. (2014), in which the reset gate acts *before* the recurrent product:

     z_t = σ(W_xz x_t + W_hz h_{t−1})               update gate
     r_t = σ(W_xr x_t + W_hr h_{t−1})               reset gate
     h̃_t = tanh(W_xh x_t + W_hh (r_t ⊙ h_{t−1}))    candidate state
     h_t = z_t ⊙ h_{t−1} + (1 − z_t) ⊙ h̃_t          new state: a gated average

 with σ the logistic sigmoid and ⊙ the element-wise product (biases left out). That the paper means
 this form is our reading of its notation (the-paper §1 marks it [derived], not [paper]). PyTorch and
 cuDNN apply the reset gate *after* the product, h̃_t = tanh(W_xh x_t + r_t ⊙ (W_hh h_{t−1})), the
 form the training chapters use by default. Nothing in this chapter depends on the choice: with one
 unit and no biases w_hh·(r h) = r·(w_hh h), so the two forms are the same map.

 The paper's question is why training such a network sometimes produces a sudden, huge gradient.
 Its answer lies in the network *without input*: set x_t = 0 and the GRU becomes a map h ↦ F(h) that
 is iterated step after step, a discrete-time dynamical system. Everything in this book starts here.

 ## The smallest case: one unit

 With one hidden unit every weight is a number, and the map is a function of one variable:

     f(h) = σ(w_hz h)·h + (1 − σ(w_hz h))·tanh(w_hh·σ(w_hr h)·h)

 GRUKit has it as `ScalarGRU(wHH:wHZ:wHR:)`: call it like a function, ask for `derivative(at:)`
 (analytic, checked against finite differences in the tests) or a `trajectory(from:steps:)`. The step
 and its slope are a few lines each:

 [[library: scalar-gru-step]]

 Two facts can be read off the formula. First, f(0) = 0 whatever the weights: the origin is a
 *fixed point*. Second, at h = 0 both gates equal σ(0) = ½, and differentiating gives

     f′(0) = ½ + w_hh/4.

 A fixed point attracts nearby states when |f′| < 1 there and repels them when |f′| > 1. So the origin
 is stable for −6 < w_hh < 2 and unstable beyond w_hh = 2. We keep w_hz = w_hr = 0 in this chapter and
 look at one weight on each side of 2: w_hh = 1.5 (f′(0) = 0.875) and w_hh = 2.5 (f′(0) = 1.125).
 Other weights are flags: `--w-hh 1.9,2.1` draws those two instead, and `--w-hz`, `--w-hr` switch the
 gates on (the table and figures then find the fixed points with the library's root finder of chapter 2).

 ## Where do the states go?

 With w_hz = w_hr = 0 both gates are constant ½ and f(h) = ½h + ½tanh(w_hh h/2), so a fixed point
 solves h = tanh(w_hh h/2). Besides h = 0, a positive root exists exactly when the slope of the
 right-hand side at 0, w_hh/2, exceeds 1. Bisection finds it to machine precision: on (0, 1]
 g(h) = tanh(w_hh h/2) − h is positive near 0 and negative at 1.

 [[library: chapter01-symmetric-fixed-point]]

 With the gates switched on (`--w-hz`, `--w-hr`) the fixed points are no longer ±h* of one equation;
 the run then takes every nonzero root that the library's root finder of chapter 2 brackets on [−1, 1].
 */

struct Chapter1: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ch01-dynamics",
        abstract: "Chapter 1: the input-free one-unit GRU as a dynamical system.",
        discussion: """
            Iterates f(h) = σ(w_hz h)h + (1 − σ(w_hz h))tanh(w_hh σ(w_hr h) h) for w_hh = 1.5 and 2.5 \
            (w_hz = w_hr = 0), prints f′(0), where the state settles and the fixed point h*, and writes \
            the figures `trajectories` and `return-map` (.gp + .dat, and .png/.svg when gnuplot is installed).
            """)

    @OptionGroup var common: ChapterOptions
    @OptionGroup var options: Chapter01.Options

    func validate() throws { try common.requireScale() }

    func run() throws {
        let o = options, gates = o.gates, steps = o.trajectorySteps(scale: common.scale)
        let output = try ChapterOutput(options: common, slug: "01-dynamics")
        let report = Report(chapter: 1, title: "The GRU as a dynamical system")
        o.header(report, scale: common.scale)  // the weights are listed when a flag changed them

        /*:
         ### The table

         For each weight: the slope at the origin, the state reached from h_0 = 0.5 after many steps, and
         the nonzero fixed point h* with its slope f′(h*). Two independent routes meet: iterating the map
         (h_∞) and solving the fixed-point equation (h*) give the same number when h* exists. One row is
         computed like this:

         [[library: chapter01-table-row]]

         The table has a row for each weight of the figures and for 2 and 3; it is also saved as `summary.dat`.
         */
        report.section("The table")
        let table = Chapter01.Table(weights: o.tableWeights, gates: gates, limitSteps: o.limitSteps)
        report.table(table.text)
        try output.write(table.data, name: "summary.dat")
        var values = RecordedValues()  // what the run measured, by name (values.tsv), for the prose that cites it
        table.record(into: &values)

        /*:
         ### What the table shows

         Below 2 every orbit is pulled into the origin, geometrically at the rate f′(0) per step. Above 2
         the origin pushes states away, yet they stay bounded (|tanh| < 1) and settle on one of two new
         stable fixed points ±h*, which move out of the origin as w_hh grows: ±{{h_star.2.5}} at 2.5, ±{{h_star.3}} at 3.
         At exactly w_hh = 2, f′(0) = 1 and the origin attracts only algebraically (h_t ~ t^{-1/2}), which
         is why h_∞ is still visibly nonzero there after many steps.

         This is a *pitchfork bifurcation*: one stable fixed point turns unstable and gives birth to two.
         Chapter 2 maps all fixed points as w_hh varies (the bifurcation diagram) and adds the gates back;
         chapter 3 shows what the bifurcation does to the gradient ∂h_T/∂w_hh — the explosion the paper prevents.
         */

        /*:
         ## Trajectories

         Iterate f from several starting states and plot h_t against t: one panel per weight. Each colour
         is one pair of starting states ±h_0; the dashed grey lines are the nonzero fixed points of the table.
         */
        try output.write(Chapter01.trajectoriesFigure(weights: o.figureWeights, gates: gates, steps: steps))

        /*:
         ![Two panels of the state h_t against the step t, from eight starting states ±0.9, ±0.5, ±0.1, ±0.02. Left, w_hh = 1.5: every orbit decays to 0. Right, w_hh = 2.5: the orbits leave the origin and settle on the dashed lines ±h*, the ones starting near 0 last.](trajectories.png)

         *Trajectories of the one-unit GRU on each side of the bifurcation: below w_hh = 2 the origin attracts
         every state, above it the states settle on the two new fixed points ±h*.*
         */

        /*:
         ## Return map and cobweb

         The same dynamics in one picture: plot h_{t+1} = f(h_t) against h_t together with the identity
         line h_{t+1} = h_t. Fixed points are where the curve crosses the identity. A *cobweb* follows one
         orbit: go up to the curve (apply f), across to the identity (the output becomes the next input), repeat.

         For these weights f stays so close to the identity that curve, diagonal and cobweb nearly merge.
         The lower panels therefore plot the distance from the diagonal, f(h) − h: the map crosses the
         diagonal where this curve crosses zero, and each step of the orbit, h_{t+1} − h_t, is drawn as a
         stem from zero at h_t — a step towards the origin points back to it, steps shrink near a stable
         fixed point and grow away from an unstable one.

         The cobweb itself is a short loop over the map:

         [[library: chapter01-cobweb]]
         */
        try output.write(Chapter01.returnMapFigure(weights: o.figureWeights, gates: gates))

        /*:
         ![Upper row: h_{t+1} = f(h_t) against h_t with the dashed diagonal and a cobweb, for w_hh = 1.5 (from h_0 = 0.9, stepping down into the one filled fixed point at 0) and w_hh = 2.5 (from h_0 = 0.05, moving out to the filled point h*; ±h* are filled, the origin is an open circle). Lower row: f(h) − h with the orbit's steps as stems: one zero crossing with a negative slope at 1.5, three at 2.5.](return-map.png)

         *The return map with a cobweb (top) and its distance from the diagonal with the orbit's steps
         (bottom): filled points are stable fixed points, open ones unstable.*
         */

        /*:
         ## The bifurcation in motion

         The two weights above are two stills of one film. The animation `cobweb-sweep` runs w_hh through 2
         (from 1.5 to 2.5 by default, `--sweep-w-hh`): on the left the return map with two cobwebs, one from
         far out (h_0 = 0.9) and one from near the origin (h_0 = 0.05); on the right the distance from the
         diagonal, f(h) − h, with the steps of both orbits as stems. Watch the curve on the right: below 2 it
         crosses zero once, with a negative slope (the origin attracts); at 2 it becomes flat at the origin;
         past 2 the origin's crossing turns upwards and two new crossings ±h* move out of it — the pitchfork.
         Every frame uses the same axes, so the motion is the map's, not the plot's.
         */
        try output.write(Chapter01.cobwebSweepAnimation(sweep: o.sweep, frames: o.frames, gates: gates))
        report.section("The bifurcation in motion")
        report.note(table.note(defaults: o.isDefault))

        /*:
         ![An animation as w_hh runs from 1.5 through 2 to 2.5: left, the return map with cobwebs from h_0 = 0.9 and 0.05; right, f(h) − h with the steps of both orbits, its one zero crossing at the origin flattening at w_hh = 2 and splitting into three past it.](cobweb-sweep.gif)

         *The pitchfork in motion: each frame's title gives w_hh, f′(0) and whether the origin is stable.*

         ## Summary

         - With x_t = 0 the GRU is a map h ↦ f(h) iterated in time; the origin is always a fixed point,
           and at h = 0 both gates equal ½, so f′(0) = ½ + w_hh/4.
         - A fixed point attracts nearby states when |f′| < 1 there and repels them when |f′| > 1: the
           origin is stable for −6 < w_hh < 2 and unstable beyond w_hh = 2.
         - Past 2 the states do not run away: they settle on two new stable fixed points ±h*, which solve
           h = tanh(w_hh h/2) (with w_hz = w_hr = 0). Iterating the map and solving for h* agree in the table above.
         - This is a pitchfork bifurcation; the trajectories and the return map show it from two sides,
           and at w_hh = 2 itself the origin attracts only slowly.

         ## Exercises

         1. Predict how h_∞ in the row w_hh = 2 of the table changes when the map is iterated longer, then
            run `ch01-dynamics --limit-steps 1000000` and explain the change with h_t ~ t^{-1/2}.
         2. Predict whether the orbits in the `trajectories` figure for w_hh = 2.5 reach ±h* within 40 steps,
            then run `ch01-dynamics --steps 200` and explain, from f′(0) = 1.125, why the orbits that start
            near 0 take longest to leave it.
         3. Predict the rows of the table for w_hh = 1.9 and w_hh = 2.1 (stable or not, where h settles, how
            large h* is), then run `ch01-dynamics --w-hh 1.9,2.1` (the figures show those two weights and the
            table adds 2 and 3) and explain why h* is so small just past 2.
         4. Predict where ±h* lies for w_hh = 4, then run `ch01-dynamics --w-hh 4` and check that f′(h*) is
            below 1: why must the new fixed points be stable?
         5. *By hand.* (a) Differentiate f(h) = σ(w_hz h)h + (1 − σ(w_hz h))tanh(w_hh σ(w_hr h) h) at h = 0
            for any w_hz, w_hr, and show that f′(0) = ½ + w_hh/4: say which terms vanish, and why. (b) With
            w_hz = w_hr = 0, expand f to third order, f(h) = (½ + w_hh/4)h − (w_hh³/48)h³ + O(h⁵), so that at
            w_hh = 2 the map is f(h) = h − h³/6 + …: the coefficient of the pitchfork's cubic term is −1/6.
            (c) From the same expansion, show that just past 2 the new fixed points satisfy
            h*² ≈ 12(w_hh − 2)/w_hh³, i.e. h* ≈ √(3(w_hh − 2)/2). Then check (a) with
            `ch01-dynamics --w-hh 1.9,2.1 --w-hz 0.7 --w-hr -0.4` (the column f′(0) does not move with the
            gates) and (c) against the table's h* for `--w-hh 2.02,2.1`.
         */
        report.files(output.written + [try values.write(to: output.directory)])
    }
}

Chapter1.main()
