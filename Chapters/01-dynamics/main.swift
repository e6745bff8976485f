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
 */

/// The recurrent weights of the figures by default (`--w-hh`), one on each side of w_hh = 2.
let defaultFigureWeights: [Double] = [1.5, 2.5]
/// The table shows the figures' weights and these two: the critical value 2, and 3 for comparison.
let tableReferenceWeights: [Double] = [2.0, 3.0]
/// Initial states of the trajectories, in pairs ±h_0.
let initialStates: [Double] = [0.9, 0.5, 0.1, 0.02]

/// The gate weights w_hz and w_hr (`--w-hz`, `--w-hr`; both 0 by default, which makes both gates ½).
struct Gates {
    var wHZ = 0.0
    var wHR = 0.0
    /// True for w_hz = w_hr = 0, where the nonzero fixed points solve h = tanh(w_hh h/2).
    var areOff: Bool { wHZ == 0 && wHR == 0 }
    /// The one-unit map with recurrent weight `wHH` and these gates.
    func gru(_ wHH: Double) -> ScalarGRU { ScalarGRU(wHH: wHH, wHZ: wHZ, wHR: wHR) }
    /// "w_hz = w_hr = 0", or both values.
    var text: String { areOff ? "w_hz = w_hr = 0" : "w_hz = \(wHZ), w_hr = \(wHR)" }
    /// The same in gnuplot's enhanced text (subscripts in braces).
    var figureText: String { areOff ? "w_{hz} = w_{hr} = 0" : "w_{hz} = \(wHZ), w_{hr} = \(wHR)" }
}

/// The fixed points other than the origin: ±h* (in that order) from ``symmetricFixedPoint(_:)`` when the
/// gates are off; otherwise every nonzero root the library's finder brackets on [−1, 1] (chapter 2).
func nonzeroFixedPoints(_ w: Double, gates: Gates) -> [Double] {
    if gates.areOff { return symmetricFixedPoint(w).map { [$0, -$0] } ?? [] }
    return gates.gru(w).fixedPoints().map(\.h).filter { $0 != 0 }
}

//: ## Trajectories
//:
//: Iterate f from several starting states and plot h_t against t: one panel per weight.

func trajectoriesFigure(weights: [Double], gates: Gates, steps: Int) -> Figure {
    var figure = Figure("trajectories", layout: .init(rows: 1, columns: weights.count), panelSize: (560, 420))
    for w in weights {
        let gru = gates.gru(w)
        let t = (0...steps).map(Double.init)
        var panel = Panel(title: "w_{hh} = \(w)   (f′(0) = \(gru.derivative(at: 0)))",
                          xLabel: "step t", yLabel: "state h_t",
                          xRange: 0...Double(steps), yRange: -1...1,
                          key: w == weights[0] ? .topRight : .off)
        // One colour per |h_0|; the legend names each pair once.
        for (k, h0) in initialStates.enumerated() {
            for sign in [1.0, -1.0] {
                let h = gru.trajectory(from: sign * h0, steps: steps)
                panel.plot(.xy(t, h, columns: ("t", "h"), title: sign > 0 ? "h_0 = ±\(h0)" : nil,
                               style: .lines.lineType(k + 1)))
            }
        }
        // Where the states settle when the origin is unstable: the two new fixed points ±h*.
        let others = nonzeroFixedPoints(w, gates: gates)
        for hStar in others {
            panel.plot(.function("\(hStar)", style: .lines.color("#555555").width(1).dashed))
        }
        if gates.areOff, let hStar = others.first {
            panel.command("set label 1 \"±h^* = ±\(String(format: "%.4f", hStar))\" at graph 0.97, first \(hStar + 0.08) right")
        } else if let top = others.max() {
            let list = others.sorted().map { String(format: "%.4f", $0) }.joined(separator: ", ")
            panel.command("set label 1 \"h^* = \(list)\" at graph 0.97, first \(top + 0.08) right")
        } else {
            panel.command("unset label 1")   // raw commands persist across panels; the label is panel 2's
        }
        figure.addPanel(panel)
    }
    return figure
}

//: ## Return map and cobweb
//:
//: The same dynamics in one picture: plot h_{t+1} = f(h_t) against h_t together with the identity
//: line h_{t+1} = h_t. Fixed points are where the curve crosses the identity. A *cobweb* follows one
//: orbit: go up to the curve (apply f), across to the identity (the output becomes the next input), repeat.
//:
//: For these weights f stays so close to the identity that curve, diagonal and cobweb nearly merge.
//: The lower panels therefore plot the distance from the diagonal, f(h) − h: the map crosses the
//: diagonal where this curve crosses zero, and each step of the orbit, h_{t+1} − h_t, is drawn as a
//: stem from zero at h_t — a step towards the origin points back to it, steps shrink near a stable
//: fixed point and grow away from an unstable one.

/// The cobweb path from h_0: (h_0, h_0) → (h_0, h_1) → (h_1, h_1) → (h_1, h_2) → …
func cobweb(_ gru: ScalarGRU, from h0: Double, steps: Int) -> [[Double]] {
    var points: [[Double]] = [[h0, h0]]
    var h = h0
    for _ in 0..<steps {
        let next = gru(h)
        points.append([h, next])
        points.append([next, next])
        h = next
    }
    return points
}

/// The return map with its cobweb (upper row) and the distance from the diagonal, f(h) − h, with
/// the same orbit's steps h_{t+1} − h_t as stems (lower row); one column per weight.
func returnMapFigure(weights: [Double], gates: Gates) -> Figure {
    var figure = Figure("return-map", layout: .init(rows: 2, columns: weights.count), panelSize: (520, 480))
    var lower: [Panel] = []
    for w in weights {
        let gru = gates.gru(w)
        let grid = (0...400).map { -1 + 2 * Double($0) / 400 }
        // The cobweb starts where it shows the most: far out when the origin attracts, near it when it repels.
        let h0 = abs(gru.derivative(at: 0)) < 1 ? 0.9 : 0.05
        var panel = Panel(title: "w_{hh} = \(w)", xLabel: "h_t", yLabel: "h_{t+1}",
                          xRange: -1...1, yRange: -1...1, key: .bottomRight, equalAxes: true)
        panel.plot(.xy(grid, grid.map { gru($0) }, columns: ("h", "f"), title: "h_{t+1} = f(h_t)",
                       style: .lines.lineType(1)))
        panel.plot(.function("x", title: "h_{t+1} = h_t", style: .lines.color("#555555").width(1).dashed))
        panel.plot(.data(cobweb(gru, from: h0, steps: 40), columns: ["h_t", "h_next"],
                         title: "orbit from h_0 = \(h0)", style: .lines.lineType(2).width(0.8)))
        // Fixed points: filled if stable (|f′| < 1), open if unstable.
        let fixed: [Double] = [0] + nonzeroFixedPoints(w, gates: gates)
        let stable = fixed.filter { abs(gru.derivative(at: $0)) < 1 }
        let unstable = fixed.filter { abs(gru.derivative(at: $0)) >= 1 }
        panel.plot(.xy(stable, stable, columns: ("h_star", "h_star"), title: "stable fixed point",
                       style: .points.lineType(7).pointType(7).pointSize(1.3)))
        if !unstable.isEmpty {
            panel.plot(.xy(unstable, unstable, columns: ("h_star", "h_star"), title: "unstable fixed point",
                           style: .points.lineType(7).pointType(6).pointSize(1.3)))
        }
        figure.addPanel(panel)

        // The same, measured from the diagonal: f(h) − h, and the orbit's steps as stems at h_t.
        var orbit = [h0]
        for _ in 0..<40 { orbit.append(gru(orbit.last!)) }
        let starts = Array(orbit.dropLast()), steps = zip(orbit.dropFirst(), orbit).map { $0 - $1 }
        var distance = Panel(title: "w_{hh} = \(w): distance from the diagonal", xLabel: "h_t", yLabel: "f(h_t) − h_t",
                             xRange: -1...1, key: .below)
        distance.plot(.xy(grid, grid.map { gru($0) - $0 }, columns: ("h", "f_minus_h"), title: "f(h_t) − h_t",
                          style: .lines.lineType(1)))
        distance.plot(.function("0", title: "diagonal (f(h) = h)", style: .lines.color("#555555").width(1).dashed))
        distance.plot(.xy(starts, steps, columns: ("h_t", "step"), title: "orbit steps h_{t+1} − h_t from h_0 = \(h0)",
                          style: .impulses.lineType(2).width(1)))
        distance.plot(.xy(starts, steps, columns: ("h_t", "step"), style: .points.lineType(2).pointType(7).pointSize(0.5)))
        distance.plot(.xy(stable, stable.map { _ in 0 }, columns: ("h_star", "zero"), title: "stable fixed point",
                          style: .points.lineType(7).pointType(7).pointSize(1.3)))
        if !unstable.isEmpty {
            distance.plot(.xy(unstable, unstable.map { _ in 0 }, columns: ("h_star", "zero"), title: "unstable fixed point",
                              style: .points.lineType(7).pointType(6).pointSize(1.3)))
        }
        lower.append(distance)
    }
    for panel in lower { figure.addPanel(panel) }
    return figure
}

//: ## The bifurcation in motion
//:
//: The two weights above are two stills of one film. The animation `cobweb-sweep` runs w_hh through 2
//: (from 1.5 to 2.5 by default, `--sweep-w-hh`): on the left the return map with two cobwebs, one from
//: far out (h_0 = 0.9) and one from near the origin (h_0 = 0.05); on the right the distance from the
//: diagonal, f(h) − h, with the steps of both orbits as stems. Watch the curve on the right: below 2 it
//: crosses zero once, with a negative slope (the origin attracts); at 2 it becomes flat at the origin;
//: past 2 the origin's crossing turns upwards and two new crossings ±h* move out of it — the pitchfork.
//: Every frame uses the same axes, so the motion is the map's, not the plot's.

/// The animation of the return map and f(h) − h as w_hh runs over `sweep` in `frames` steps (both ends
/// included), with the cobwebs from h_0 = 0.9 and 0.05 and the fixed points (filled: stable, open: not).
func cobwebSweepAnimation(sweep: (from: Double, to: Double), frames: Int, gates: Gates) -> AnimatedFigure {
    var animation = AnimatedFigure("cobweb-sweep", layout: .init(rows: 1, columns: 2), panelSize: (480, 470),
                                   fontSize: 11, delay: 12, restFrames: 6)
    let grid = (0...200).map { -1 + 2 * Double($0) / 200 }
    let weights = (0..<frames).map { sweep.from + (sweep.to - sweep.from) * Double($0) / Double(max(frames - 1, 1)) }
    let starts = [0.9, 0.05]
    // One y-range for every frame of the right panel: the largest |f(h) − h| of the sweep, plus a margin.
    let reach = weights.map { w in grid.map { abs(gates.gru(w)($0) - $0) }.max()! }.max()!
    let distanceRange = -1.15 * reach ... 1.15 * reach
    for w in weights {
        let gru = gates.gru(w)
        let fixed = [0] + nonzeroFixedPoints(w, gates: gates)
        let stable = fixed.filter { abs(gru.derivative(at: $0)) < 1 }, unstable = fixed.filter { abs(gru.derivative(at: $0)) >= 1 }
        var map = Panel(title: "return map h_{t+1} = f(h_t)", xLabel: "h_t", yLabel: "h_{t+1}",
                        xRange: -1...1, yRange: -1...1, key: .custom("top left Left reverse"), equalAxes: true)
        var distance = Panel(title: "distance from the diagonal f(h_t) − h_t", xLabel: "h_t", yLabel: "f(h_t) − h_t",
                             xRange: -1...1, yRange: distanceRange, key: .custom("top left Left reverse"))
        map.plot(.xy(grid, grid.map { gru($0) }, columns: ("h", "f"), title: "f(h)", style: .lines.lineType(1)))
        map.plot(.function("x", title: "diagonal", style: .lines.color("#555555").width(1).dashed))
        distance.plot(.xy(grid, grid.map { gru($0) - $0 }, columns: ("h", "f_minus_h"), title: "f(h) − h", style: .lines.lineType(1)))
        distance.plot(.function("0", style: .lines.color("#555555").width(1).dashed))
        for (k, h0) in starts.enumerated() {
            map.plot(.data(cobweb(gru, from: h0, steps: 60), columns: ["h_t", "h_next"], title: "orbit from h_0 = \(h0)",
                           style: .lines.lineType(k + 2).width(0.8)))
            let orbit = gru.trajectory(from: h0, steps: 60)
            distance.plot(.xy(Array(orbit.dropLast()), zip(orbit.dropFirst(), orbit).map { $0 - $1 }, columns: ("h_t", "step"),
                              title: "steps from h_0 = \(h0)", style: .impulses.lineType(k + 2).width(1)))
        }
        for panel in [0, 1] {
            let points: [(values: [Double], title: String, pointType: Int)] = [(stable, "stable", 7), (unstable, "unstable", 6)]
            for p in points where !p.values.isEmpty {
                let ys = panel == 0 ? p.values : p.values.map { _ in 0 }
                let series = Series.xy(p.values, ys, columns: ("h_star", panel == 0 ? "h_star" : "zero"), title: p.title,
                                       style: .points.lineType(7).pointType(p.pointType).pointSize(1.4))
                if panel == 0 { map.plot(series) } else { distance.plot(series) }
            }
        }
        let slope = gru.derivative(at: 0)
        let verdict = slope < 1 - 1e-12 ? "origin stable" : slope > 1 + 1e-12 ? "origin unstable" : "critical"
        animation.addFrame(title: String(format: "w_{hh} = %.3f   (%@):   f′(0) = %.4f, %@", w, gates.figureText, slope, verdict),
                           panels: [map, distance])
    }
    return animation
}

//: ## Where do the states go?
//:
//: With w_hz = w_hr = 0 both gates are constant ½ and f(h) = ½h + ½tanh(w_hh h/2), so a fixed point
//: solves h = tanh(w_hh h/2). Besides h = 0, a positive root exists exactly when the slope of the
//: right-hand side at 0, w_hh/2, exceeds 1. Bisection finds it to machine precision: on (0, 1]
//: g(h) = tanh(w_hh h/2) − h is positive near 0 and negative at 1.

/// The positive root h* of h = tanh(w h / 2), or nil when only h = 0 exists (w ≤ 2).
func symmetricFixedPoint(_ w: Double) -> Double? {
    guard w > 2 else { return nil }
    func g(_ h: Double) -> Double { tanh(w * h / 2) - h }
    var lo = 1e-9, hi = 1.0   // g(lo) > 0 because w/2 > 1; g(1) = tanh(w/2) − 1 < 0
    while true {
        let mid = (lo + hi) / 2
        if mid <= lo || mid >= hi { return lo }
        if g(mid) > 0 { lo = mid } else { hi = mid }
    }
}

/// h_T from h_0 after `steps` iterations.
func limit(_ gru: ScalarGRU, from h0: Double, steps: Int) -> Double {
    var h = h0
    for _ in 0..<steps { h = gru(h) }
    return h
}

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

    @Option(parsing: .unconditional, help: ArgumentHelp("Steps shown in the trajectory figure (default: 40, or 80 with --scale paper).", valueName: "n"))
    var steps: Int?

    @Option(name: .customLong("limit-steps"), parsing: .unconditional, help: ArgumentHelp("Steps taken to find where h settles from h_0 = 0.5.", valueName: "n"))
    var limitSteps: Int = 10_000

    @Option(name: .customLong("w-hh"), parsing: .unconditional,
            help: ArgumentHelp("Recurrent weights w_hh of the figures, comma-separated, one panel each (1 to 4 values in −10…10); the table adds 2 and 3.", valueName: "w,…"))
    var wHH = NumberList(defaultFigureWeights)

    @Option(name: .customLong("w-hz"), parsing: .unconditional, help: ArgumentHelp("Update-gate weight w_hz (in −10…10).", valueName: "w"))
    var wHZ: Double = 0

    @Option(name: .customLong("w-hr"), parsing: .unconditional, help: ArgumentHelp("Reset-gate weight w_hr (in −10…10).", valueName: "w"))
    var wHR: Double = 0

    @Option(name: .customLong("sweep-w-hh"), parsing: .unconditional,
            help: ArgumentHelp("First and last w_hh of the animation cobweb-sweep (two values in −10…10).", valueName: "from,to"))
    var sweepWHH = NumberList([1.5, 2.5])

    @Option(parsing: .unconditional, help: ArgumentHelp("Frames of the animation cobweb-sweep (2…400).", valueName: "n"))
    var frames: Int = 41

    func validate() throws {
        try common.requireScale()
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1 (got \(steps)).") }
        if steps ?? 0 > 1_000_000 { throw ValidationError("--steps is at most 1000000 (got \(steps!)).") }
        if limitSteps < 1 { throw ValidationError("--limit-steps must be at least 1 (got \(limitSteps)).") }
        try wHH.check("--w-hh", count: 1...4, within: -10...10)
        for (flag, value) in [("--w-hz", wHZ), ("--w-hr", wHR)] where !(value.isFinite && abs(value) <= 10) {
            throw ValidationError("\(flag) must be a number in −10…10 (got \(value)).")
        }
        try sweepWHH.check("--sweep-w-hh", count: 2...2, within: -10...10)
        if !(2...400).contains(frames) { throw ValidationError("--frames must lie in 2…400 (got \(frames)).") }
    }

    func run() throws {
        let steps = self.steps ?? (common.scale == .paper ? 80 : 40)
        let output = try ChapterOutput(options: common, slug: "01-dynamics")
        let report = Report(chapter: 1, title: "The GRU as a dynamical system")
        let gates = Gates(wHZ: wHZ, wHR: wHR), figureWeights = wHH.values
        let tableWeights = Array(Set(figureWeights + tableReferenceWeights)).sorted()
        // The weights are listed when a flag changed them (the default run prints what it always did).
        if figureWeights == defaultFigureWeights && gates.areOff {
            report.header(settings: ["scale": common.scale.rawValue, "steps": String(steps), "limit steps": String(limitSteps)])
        } else {
            report.header(settings: ["scale": common.scale.rawValue, "steps": String(steps), "limit steps": String(limitSteps),
                                     "w_hh": wHH.description, "w_hz": "\(wHZ)", "w_hr": "\(wHR)"])
        }

        /*:
         ### The table

         For each weight: the slope at the origin, the state reached from h_0 = 0.5 after many steps, and
         the nonzero fixed point h* with its slope f′(h*). Two independent routes meet: iterating the map
         (h_∞) and solving the fixed-point equation (h*) give the same number when h* exists.
         */
        report.section("The table")
        // As many decimals as the weights need (one for the defaults), so that 2.05 does not print as 2.0.
        let decimals = (1...4).first { d in tableWeights.allSatisfy { Double(String(format: "%.\(d)f", $0)) == $0 } } ?? 6
        var table = TextTable(title: "The one-unit GRU, \(gates.text)",
                              columns: ["w_hh", "f′(0) = ½ + w_hh/4", "origin", "h_∞ from h_0 = 0.5",
                                        gates.areOff ? "h* (h = tanh(w_hh h/2))" : "largest h* > 0", "f′(h*)"],
                              formats: ["%.\(decimals)f", "%.4f", "", "%.4f", "%.4f", "%.4f"])
        var summary = DataTable(columns: ["w_hh", "fprime_0", "h_inf", "h_star", "fprime_h_star"], comments: [
            "Chapter 1: the one-unit GRU with \(gates.text).",
            "fprime_0 = f'(0) = 1/2 + w_hh/4; h_inf = h after \(limitSteps) steps from h_0 = 0.5;",
            gates.areOff ? "h_star = positive root of h = tanh(w_hh h/2) (NaN when w_hh <= 2); fprime_h_star = f'(h_star)."
                : "h_star = largest positive fixed point of f (NaN when there is none); fprime_h_star = f'(h_star).",
        ])
        for w in tableWeights {
            let gru = gates.gru(w)
            let slope = gru.derivative(at: 0)
            let hStar = gates.areOff ? symmetricFixedPoint(w) : nonzeroFixedPoints(w, gates: gates).filter { $0 > 0 }.max()
            let slopeStar = hStar.map { gru.derivative(at: $0) }
            let hInf = limit(gru, from: 0.5, steps: limitSteps)
            table.add([.number(w), .number(slope), .text(slope < 1 ? "stable" : slope > 1 ? "unstable" : "critical"),
                       .number(hInf), .optional(hStar), .optional(slopeStar)])
            summary.append([w, slope, hInf, hStar ?? .nan, slopeStar ?? .nan])
        }
        report.table(table)
        try output.write(summary, name: "summary.dat")

        /*:
         Below 2 every orbit is pulled into the origin, geometrically at the rate f′(0) per step. Above 2
         the origin pushes states away, yet they stay bounded (|tanh| < 1) and settle on one of two new
         stable fixed points ±h*, which move out of the origin as w_hh grows: ±0.7104 at 2.5, ±0.8586 at 3.
         At exactly w_hh = 2, f′(0) = 1 and the origin attracts only algebraically (h_t ~ t^{-1/2}), which
         is why h_∞ is still visibly nonzero there after many steps.

         This is a *pitchfork bifurcation*: one stable fixed point turns unstable and gives birth to two.
         Chapter 2 maps all fixed points as w_hh varies (the bifurcation diagram) and adds the gates back;
         chapter 3 shows what the bifurcation does to the gradient ∂h_T/∂w_hh — the explosion the paper prevents.

         ### The figures

         The two figures and the animation, drawn by the functions of the sections above.
         */
        report.section("The figures")
        try output.write(trajectoriesFigure(weights: figureWeights, gates: gates, steps: steps))
        try output.write(returnMapFigure(weights: figureWeights, gates: gates))
        try output.write(cobwebSweepAnimation(sweep: (sweepWHH.values[0], sweepWHH.values[1]), frames: frames, gates: gates))

        if figureWeights == defaultFigureWeights && gates.areOff {
            report.note("""
                f′(0) crosses 1 at w_hh = 2: for w_hh = 1.5 every state decays to 0; for w_hh = 2.5 the origin \
                is unstable and states settle on ±h*. Chapter 2 follows the fixed points through this bifurcation.
                """)
        } else {
            report.note("""
                f′(0) = ½ + w_hh/4 crosses 1 at w_hh = 2 whatever w_hz and w_hr are: below it the states decay \
                to 0, past it they leave the origin for the fixed points h* of the table.
                """)
        }
        /*:
         ![Trajectories h_t from ±h_0 for w_hh = 1.5 (decay to 0) and w_hh = 2.5 (settle on ±h*)](trajectories.png)

         ![The return map of the one-unit GRU with a cobweb, for w_hh = 1.5 and 2.5](return-map.png)

         And the same pictures in motion, w_hh running from 1.5 to 2.5 (the animation `cobweb-sweep`):

         ![The return map and f(h) − h as w_hh runs from 1.5 through 2 to 2.5: the pitchfork in motion](cobweb-sweep.gif)

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
        report.files(output.written)
    }
}

Chapter1.main()
