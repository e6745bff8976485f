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

/// The two cases of the bifurcation diagram: (file stem, w_hz, w_hr, panel title).
let cases: [(name: String, wHZ: Double, wHR: Double, title: String)] = [
    ("bifurcation", 0, 0, "w_{hz} = w_{hr} = 0: pitchfork"),
    ("bifurcation-wr1", 0, 1, "w_{hr} = 1, w_{hz} = 0: transcritical"),
]

/// Splits scan rows into continuous branches for drawing: a branch is identified by its sign, its
/// rank by |h*| among the fixed points of that sign counted from the outermost (so a branch passing
/// through the origin does not renumber the others), and its stability; a gap in w_hh starts a new
/// piece (a blank line in the data, where gnuplot lifts the pen).
func branchBlocks(_ rows: [BifurcationRow], step: Double) -> (stable: DataBlock, unstable: DataBlock) {
    var pieces: [String: [[Double]]] = [:]
    let byW = Dictionary(grouping: rows, by: \.wHH)
    for (w, group) in byW {
        for sign in [-1.0, 0.0, 1.0] {
            let same = group.filter { sign == 0 ? $0.point.h == 0 : $0.point.h * sign > 0 }
                .sorted { abs($0.point.h) > abs($1.point.h) }
            for (rank, r) in same.enumerated() {
                pieces["\(sign) \(rank) \(r.point.isStable)", default: []].append([w, r.point.h])
            }
        }
    }
    var stable = DataBlock(columns: ["w_hh", "h_star"], title: "stable branches")
    var unstable = DataBlock(columns: ["w_hh", "h_star"], title: "unstable branches")
    for key in pieces.keys.sorted() {
        let pts = pieces[key]!.sorted { $0[0] < $1[0] }
        let isStable = key.hasSuffix("true")
        for (i, p) in pts.enumerated() {
            if i > 0 && p[0] - pts[i - 1][0] > 1.5 * step {
                if isStable { stable.endScan() } else { unstable.endScan() }
            }
            if isStable { stable.append(p) } else { unstable.append(p) }
        }
        if isStable { stable.endScan() } else { unstable.endScan() }
    }
    return (stable, unstable)
}

/// Where the first nonzero *stable* fixed point of the one-unit map appears: the first w_hh of the
/// scan `rows` with one, refined by bisection between it and the scan point before it (the test at
/// each w_hh is a fresh root search on `gridPoints` points). With w_hr = 0 this is the pitchfork at 2;
/// with w_hr = 1 it is the fold (saddle-node) where the outer stable branch and its unstable partner
/// are born together. nil when the scan has no nonzero stable point.
func firstNonzeroStable(_ rows: [BifurcationRow], wHZ: Double, wHR: Double, gridPoints: Int) -> Double? {
    func has(_ w: Double) -> Bool {
        ScalarGRU(wHH: w, wHZ: wHZ, wHR: wHR).fixedPoints(gridPoints: gridPoints).contains { $0.h != 0 && $0.isStable }
    }
    let ws = Array(Set(rows.map(\.wHH))).sorted()
    guard let k = ws.firstIndex(where: { w in rows.contains { $0.wHH == w && $0.point.h != 0 && $0.point.isStable } }) else { return nil }
    guard k > 0 else { return ws[0] }
    var lo = ws[k - 1], hi = ws[k]
    for _ in 0..<30 where hi - lo > 1e-7 {
        let mid = (lo + hi) / 2
        if has(mid) { hi = mid } else { lo = mid }
    }
    return hi
}

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

/// A random 3H×H weight_hh whose W_hh block is `wHH` and whose gate blocks are N(0, (gateScale/√H)²).
func gruWith(wHH: Matrix<Double>, gateScale: Double, form: GRUCell, rng: inout SeededGenerator) -> InputFreeGRU {
    let n = wHH.rows
    let wr = Matrix<Double>.randomNormal(rows: n, cols: n, std: gateScale / Double(n).squareRoot(), using: &rng)
    let wz = Matrix<Double>.randomNormal(rows: n, cols: n, std: gateScale / Double(n).squareRoot(), using: &rng)
    return InputFreeGRU(wHR: wr, wHZ: wz, wHH: wHH, form: form)
}

/// `m` rescaled to spectral norm `target`.
func rescaled(_ m: Matrix<Double>, toNorm target: Double) throws -> Matrix<Double> {
    (target / (try m.spectralNorm())) * m
}

/// A random symmetric matrix whose eigenvalue of largest magnitude is positive (so that it equals ‖W‖₂).
func symmetricWithPositiveTop(_ n: Int, rng: inout SeededGenerator) throws -> Matrix<Double> {
    let a = Matrix<Double>.randomNormal(rows: n, cols: n, std: 1, using: &rng)
    var s = 0.5 * (a + a.transposed)
    let values = try s.symmetricEigen().values
    if let top = values.max(by: { abs($0) < abs($1) }), top < 0 { s = -1 * s }
    return s
}

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

 The figure `jacobian-eigenvalues` shows this for two random matrices rescaled to ‖W_hh‖₂ = 1.5, 2 and 2.5: a
 Gaussian one (upper row, the complex plane), whose eigenvalues fill a disc of radius about ‖W_hh‖₂/2 and
 stay well inside the unit circle even at 2.5, and a symmetric one (lower row) whose leading eigenvalue is
 +‖W_hh‖₂, which reaches the unit circle exactly at ‖W_hh‖₂ = 2 and leaves it beyond. The symmetric
 matrix has real eigenvalues only, which on the real axis would merge into one bar, so the lower row
 spreads them out by rank: each point is one μ, and the unit circle is the two lines μ = ±1. In every
 panel the ringed point is the eigenvalue of largest modulus, the one that decides stability (|μ| = ρ(J)).

 ![The eigenvalues of J = ½I + ¼W_hh](jacobian-eigenvalues.png)
 */

/// ‖W_hh‖₂ of the eigenvalue figure's columns by default (`--eigen-norms`).
let defaultEigenNorms: [Double] = [1.5, 2.0, 2.5]

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

/// ‖W_hh‖₂ of the finder's table by default (`--finder-norms`).
let defaultFinderNorms: [Double] = [1.5, 1.8, 1.9, 2.0, 2.2, 2.5, 3.0]

/*:
 ## A picture in two dimensions

 With two units the vector field F(h) − h can be drawn: an arrow at h points to where one step takes it.
 Before the bifurcation (‖W_hh‖₂ = 1.5) every arrow leads to the origin; after it (2.5) the origin is a
 saddle or a source and the flow splits towards two new stable fixed points.

 ![Phase portraits before and after the bifurcation](phase-portrait.png)

 The animation `phase-sweep` shows the whole passage: the same two-unit GRU (same direction of W_hh,
 same gates) with ‖W_hh‖₂ running from 1.5 to 2.5 (`--phase-sweep`). Watch the origin: its point is
 filled (stable) while ρ(J(0)) < 1 and open past 2, where ρ(J(0)) = ½ + ‖W_hh‖₂/4 crosses 1 (this W_hh is
 symmetric with positive eigenvalues, so the bound is attained). Before 2 the trajectories gather along
 one line through the origin, the direction of W_hh's leading eigenvector, the one that loses stability
 first; past 2 the orbits from near the origin leave it along that line for the new stable points.

 ![The two-unit phase portrait as ‖W_hh‖₂ runs from 1.5 through 2 to 2.5](phase-sweep.gif)
 */

/// The ‖W_hh‖₂ of the phase portrait's panels by default (`--phase-norms`): one on each side of 2.
let defaultPhaseNorms: [Double] = [1.5, 2.5]

/// One phase portrait: the field F(h) − h as arrows of one length, ten trajectories, and the fixed
/// points the finder returns from `starts` random starts (filled: stable, open: not). With
/// `fullLegend` both kinds of fixed point are listed even when one is absent (an empty series is one
/// point at NaN, which gnuplot skips), so that an animation's plot area keeps its size from frame to frame.
func phasePanel(_ gru: InputFreeGRU, title: String, starts: Int, seed: UInt64, fullLegend: Bool = false) -> Panel {
    var panel = Panel(title: title, xLabel: "h_1", yLabel: "h_2",
                      xRange: -1...1, yRange: -1...1, key: .below, equalAxes: true)
    // Arrows F(h) − h on a grid, all drawn at one length (direction only) so that the slow
    // regions near fixed points stay visible; colour is not used for speed.
    var arrows: [[Double]] = []
    let k = 17
    for i in 0..<k {
        for j in 0..<k {
            let h = [-0.95 + 1.9 * Double(i) / Double(k - 1), -0.95 + 1.9 * Double(j) / Double(k - 1)]
            let f = gru(h)
            let d = [f[0] - h[0], f[1] - h[1]]
            let len = (d[0] * d[0] + d[1] * d[1]).squareRoot()
            guard len > 1e-9 else { continue }
            let s = 0.05 / len
            arrows.append([h[0], h[1], d[0] * s, d[1] * s])
        }
    }
    panel.plot(.data(arrows, columns: ["h1", "h2", "dh1", "dh2"], using: "1:2:3:4",
                     style: .vectors.color("#999999").width(1)))
    // A few trajectories, from the border of the square and from near the origin.
    var trajectories = DataBlock(columns: ["h1", "h2"])
    let startsOnBorder: [[Double]] = [[-0.9, 0.9], [0.9, -0.9], [0.9, 0.9], [-0.9, -0.9], [0.05, 0.02], [-0.05, -0.02],
                                      [0.0, 0.9], [0.0, -0.9], [0.9, 0.0], [-0.9, 0.0]]
    for s in startsOnBorder {
        for p in gru.trajectory(from: s, steps: 60) { trajectories.append(p) }
        trajectories.endScan()
    }
    panel.plot(.data(trajectories, title: "trajectories", style: .lines.lineType(1).width(1.5)))
    let fps = gru.fixedPoints(starts: starts, seed: seed)
    var stable = fps.filter(\.isStable).map { $0.h }, unstable = fps.filter { !$0.isStable }.map { $0.h }
    if fullLegend {
        if stable.isEmpty { stable = [[.nan, .nan]] }
        if unstable.isEmpty { unstable = [[.nan, .nan]] }
    }
    if !stable.isEmpty {
        panel.plot(.data(stable, columns: ["h1", "h2"], title: "stable fixed point",
                         style: .points.lineType(2).pointType(7).pointSize(1.8)))
    }
    if !unstable.isEmpty {
        panel.plot(.data(unstable, columns: ["h1", "h2"], title: "unstable fixed point",
                         style: .points.lineType(2).pointType(6).pointSize(1.8).width(2)))
    }
    return panel
}

/// The phase portraits of `grus`, one panel per (GRU, ‖W_hh‖₂), side by side.
func phasePortrait(_ grus: [(gru: InputFreeGRU, norm: Double)], starts: Int, seed: UInt64) -> Figure {
    var figure = Figure("phase-portrait", layout: .init(rows: 1, columns: grus.count), panelSize: (520, 500))
    for (gru, norm) in grus {
        figure.addPanel(phasePanel(gru, title: "‖W_{hh}‖_2 = \(norm)", starts: starts, seed: seed))
    }
    return figure
}

/// The animation: the phase portrait of `gru(norm)` for `frames` norms from `sweep.from` to `sweep.to`.
func phaseSweepAnimation(_ gru: (Double) throws -> InputFreeGRU, sweep: (from: Double, to: Double), frames: Int,
                         starts: Int, seed: UInt64) throws -> AnimatedFigure {
    var animation = AnimatedFigure("phase-sweep", panelSize: (600, 640), fontSize: 11, delay: 15, restFrames: 5)
    for k in 0..<frames {
        let norm = sweep.from + (sweep.to - sweep.from) * Double(k) / Double(max(frames - 1, 1))
        let map = try gru(norm)
        let rho = try FixedPointStability.spectralRadiusAtOrigin(map.wHH)
        let verdict = rho < 1 - 1e-12 ? "origin stable" : rho > 1 + 1e-12 ? "origin unstable" : "critical"
        animation.addFrame(panels: [phasePanel(map, title: String(format: "‖W_{hh}‖_2 = %.3f:  ρ(J(0)) = %.4f, %@", norm, rho, verdict),
                                               starts: starts, seed: seed, fullLegend: true)])
    }
    return animation
}

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

    @Option(parsing: .unconditional, help: ArgumentHelp("Step of w_hh in the bifurcation scan.", valueName: "dw"))
    var step: Double = 0.01

    @Option(parsing: .unconditional, help: ArgumentHelp("Grid points of [−1, 1] on which the 1-D root finder brackets roots.", valueName: "n"))
    var grid: Int = 4001

    @Option(name: .customLong("hidden"), parsing: .unconditional, help: ArgumentHelp("Units H of the GRU whose fixed points are hunted.", valueName: "H"))
    var hidden: Int = 8

    @Option(parsing: .unconditional, help: ArgumentHelp("Random starts of the N-dimensional fixed-point finder (default 200, 1000 with --scale paper).", valueName: "n"))
    var starts: Int?

    @Option(name: .customLong("eigen-size"), parsing: .unconditional, help: ArgumentHelp("Size of the random W_hh in the eigenvalue figure.", valueName: "n"))
    var eigenSize: Int = 100

    @Option(name: .customLong("eigen-norms"), parsing: .unconditional,
            help: ArgumentHelp("‖W_hh‖₂ of the eigenvalue figure's columns, comma-separated (1 to 4 values in (0, 10]).", valueName: "s,…"))
    var eigenNorms = NumberList(defaultEigenNorms)

    @Option(name: .customLong("finder-norms"), parsing: .unconditional,
            help: ArgumentHelp("‖W_hh‖₂ at which the H-unit fixed points are hunted, comma-separated (1 to 12 values in (0, 10]).", valueName: "s,…"))
    var finderNorms = NumberList(defaultFinderNorms)

    @Option(name: .customLong("phase-norms"), parsing: .unconditional,
            help: ArgumentHelp("‖W_hh‖₂ of the two-unit phase portraits, comma-separated, one panel each (1 to 4 values in (0, 10]).", valueName: "s,…"))
    var phaseNorms = NumberList(defaultPhaseNorms)

    @Option(name: .customLong("phase-sweep"), parsing: .unconditional,
            help: ArgumentHelp("First and last ‖W_hh‖₂ of the animation phase-sweep (two values in (0, 10]).", valueName: "from,to"))
    var phaseSweep = NumberList([1.5, 2.5])

    @Option(parsing: .unconditional, help: ArgumentHelp("Frames of the animation phase-sweep (2…200).", valueName: "n"))
    var frames: Int = 41

    /// A printf format with as many decimals as `values` need (one for the defaults), so that a norm
    /// of 1.95 does not print as 1.9.
    static func format(_ values: [Double]) -> String {
        let decimals = (1...4).first { d in values.allSatisfy { Double(String(format: "%.\(d)f", $0)) == $0 } } ?? 6
        return "%.\(decimals)f"
    }

    func validate() throws {
        try common.requireScale()
        if !(step > 0 && step <= 1) { throw ValidationError("--step must lie in (0, 1] (got \(step)).") }
        if grid < 101 || grid > 10_000_001 { throw ValidationError("--grid must lie in 101…10000001 (got \(grid)).") }
        if hidden < 2 || hidden > 512 { throw ValidationError("--hidden must lie in 2…512 (got \(hidden)).") }
        if let starts, starts < 1 { throw ValidationError("--starts must be at least 1 (got \(starts)).") }
        if eigenSize < 2 || eigenSize > 4000 { throw ValidationError("--eigen-size must lie in 2…4000 (got \(eigenSize)).") }
        // A spectral norm of 0 would rescale by 0/0; the lists' lower bound is therefore checked as > 0.
        try eigenNorms.check("--eigen-norms", count: 1...4, within: 0...10)
        try finderNorms.check("--finder-norms", count: 1...12, within: 0...10)
        try phaseNorms.check("--phase-norms", count: 1...4, within: 0...10)
        try phaseSweep.check("--phase-sweep", count: 2...2, within: 0...10)
        for (flag, list) in [("--eigen-norms", eigenNorms), ("--finder-norms", finderNorms), ("--phase-norms", phaseNorms),
                             ("--phase-sweep", phaseSweep)] where list.values.contains(where: { $0 <= 0 }) {
            throw ValidationError("\(flag): a spectral norm must be positive (got '\(list)').")
        }
        if !(2...200).contains(frames) { throw ValidationError("--frames must lie in 2…200 (got \(frames)).") }
    }

    func run() throws {
        let starts = self.starts ?? (common.scale == .paper ? 1000 : 200)
        let report = Report(chapter: 2, title: "Fixed points and the bifurcation at 2")
        report.header(settings: ["scale": common.scale.rawValue, "w_hh step": String(step), "grid": String(grid),
                                 "H": String(hidden), "starts": String(starts), "seed": String(common.seed)])
        let output = try ChapterOutput(options: common, slug: "02-fixed-points")
        var values = RecordedValues()  // what the run measured, by name (values.tsv), for pages that cite it

        //: ### The one-unit GRU, computed
        report.section("The one-unit GRU, computed")
        var bifurcationFigure = Figure("bifurcation-diagram", layout: .init(rows: 1, columns: 2), panelSize: (560, 440))
        var branchTable = TextTable(title: "Fixed points h* of the one-unit GRU (s = stable, u = unstable)",
                                    columns: ["case", "w_hh", "fixed points", "f′(h*)"], formats: ["", "%.2f", "", ""])
        for c in cases {
            let rows = ScalarBifurcation.scan(from: 0, to: 4, step: step, wHZ: c.wHZ, wHR: c.wHR, gridPoints: grid)
            var table = DataTable(columns: ["w_hh", "h_star", "stable"], comments: [
                "Chapter 2: every fixed point h* of f(h) = s(w_hz h) h + (1 - s(w_hz h)) tanh(w_hh s(w_hr h) h), s = sigmoid,",
                "for w_hz = \(c.wHZ), w_hr = \(c.wHR), w_hh = 0 ... 4 in steps of \(step); stable = 1 when |f'(h*)| < 1.",
            ])
            for r in rows { table.append([r.wHH, r.point.h, r.point.isStable ? 1 : 0]) }
            try output.write(table, name: c.name + ".dat")

            for w in [1.5, 2.5, 3.0, 4.0] {
                let fps = ScalarGRU(wHH: w, wHZ: c.wHZ, wHR: c.wHR).fixedPoints(gridPoints: grid)
                branchTable.add([.text(c.name == "bifurcation" ? "w_hr = 0" : "w_hr = 1"), .number(w),
                                 .text(fps.map { String(format: "%+.4f%@", $0.h, $0.isStable ? "s" : "u") }.joined(separator: " ")),
                                 .text(fps.map { String(format: "%.3f", $0.slope) }.joined(separator: " "))])
            }

            // For the drawing only, a finer scan where the branches are born (from just before the first
            // nonzero stable fixed point, the fold for w_hr = 1, to just past the bifurcation at 2), so
            // that the curves reach the points where they meet.
            let birth = min(firstNonzeroStable(rows, wHZ: c.wHZ, wHR: c.wHR, gridPoints: grid) ?? 2, 2)
            let fine = ScalarBifurcation.scan(from: birth - 0.03, to: 2.02, step: 0.0005, wHZ: c.wHZ, wHR: c.wHR, gridPoints: grid)
            let (stable, unstable) = branchBlocks(rows + fine.filter { $0.point.h != 0 }, step: step)
            var panel = Panel(title: c.title, xLabel: "w_{hh}", yLabel: "fixed point h^*", xRange: 0...4, yRange: -1...1,
                              key: .topLeft)
            panel.plot(.data(stable, title: "stable", style: .lines.lineType(1).width(2.5)))
            panel.plot(.data(unstable, title: "unstable", style: .lines.lineType(2).width(2).dashed))
            panel.plot(.xy([2], [0], columns: ("w_hh", "h"), title: "w_{hh} = 2", style: .points.lineType(7).pointType(6).pointSize(1.6)))
            bifurcationFigure.addPanel(panel)
        }
        report.table(branchTable)

        /*:
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

         ![The bifurcation diagrams](bifurcation-diagram.png)
         */
        var critical = TextTable(title: "Where the origin loses stability, and where nonzero stable fixed points appear",
                                 columns: ["case", "f′(0) = 1 at w_hh", "last w_hh with only h* = 0 (near 2)",
                                           "first stable |h*| < 0.3", "first nonzero stable h* (any |h*|)"],
                                 formats: ["", "%.6f", "%.2f", "%.2f", "%.4f"])
        for c in cases {
            let crossing = ScalarBifurcation.originLosesStability(in: 0, 4, wHZ: c.wHZ, wHR: c.wHR)
            let rows = ScalarBifurcation.scan(from: 1.5, to: 2.6, step: step, wHZ: c.wHZ, wHR: c.wHR, gridPoints: grid)
            let ws = Array(Set(rows.map(\.wHH))).sorted()
            let nonzeroNear = { (w: Double) in rows.contains { $0.wHH == w && $0.point.h != 0 && abs($0.point.h) < 0.3 } }
            let lastOnlyOrigin = ws.last { !nonzeroNear($0) && $0 <= 2 + 1e-12 }
            let firstStable = ws.first { w in rows.contains { $0.wHH == w && $0.point.h != 0 && $0.point.isStable && abs($0.point.h) < 0.3 } }
            let all = ScalarBifurcation.scan(from: 0, to: 2.6, step: step, wHZ: c.wHZ, wHR: c.wHR, gridPoints: grid)
            let birth = firstNonzeroStable(all, wHZ: c.wHZ, wHR: c.wHR, gridPoints: grid)
            critical.add([.text(c.name == "bifurcation" ? "w_hz = w_hr = 0" : "w_hr = 1"), .optional(crossing),
                          .optional(c.wHR == 0 ? lastOnlyOrigin : nil), .optional(firstStable), .optional(birth)])
            if let birth { values["first_nonzero_stable.\(c.name)"] = String(format: "%.4f", birth) }
        }
        report.table(critical)
        try output.write(bifurcationFigure)

        //: ### The Jacobian identity, checked
        report.section("The Jacobian identity, checked")
        var rng = SeededGenerator(seed: common.seed)
        var identity = TextTable(title: "J(0) against ½I + ¼W_hh (random weights, H = \(hidden))",
                                 columns: ["form", "max |J_fd − (½I + ¼W)|", "max |J_analytic − (½I + ¼W)|"], formats: ["", "%.2e", "%.2e"])
        var worst = 0.0
        for form in GRUCell.allCases {
            let w = Matrix<Double>.randomNormal(rows: 3 * hidden, cols: hidden, std: 1.5 / Double(hidden).squareRoot(), using: &rng)
            let gru = InputFreeGRU(weightHH: w, form: form)
            let zero = [Double](repeating: 0, count: hidden)
            let formula = FixedPointStability.jacobianAtOrigin(gru.wHH)
            let fd = (gru.finiteDifferenceJacobian(at: zero) - formula).maxAbs
            let an = (gru.jacobian(at: zero) - formula).maxAbs
            worst = max(worst, fd)
            identity.add([.text(form.rawValue), .number(fd), .number(an)])
        }
        report.table(identity)
        report.note(String(format: "Largest difference between the finite-difference Jacobian and ½I + ¼W_hh: %.2e (central differences, step 1e-6).", worst))
        values["jacobian.max_difference"] = String(format: "%.2e", worst)

        //: ### The eigenvalues of J at the origin
        report.section("The eigenvalues of J at the origin")
        var eigenData = DataTable(columns: ["norm", "re", "im"], comments: [
            "Chapter 2: eigenvalues mu = 1/2 + lambda/4 of J = I/2 + W_hh/4 for a Gaussian \(eigenSize)x\(eigenSize) W_hh",
            "rescaled to spectral norm `norm` (seed \(common.seed)).",
        ])
        var eigenSymmetric = DataTable(columns: ["norm", "re", "im"], comments: [
            "Chapter 2: as eigenvalues.dat for a symmetric W_hh whose leading eigenvalue is +||W_hh||_2.",
        ])
        let gaussian = Matrix<Double>.randomNormal(rows: eigenSize, cols: eigenSize, std: 1, using: &rng)
        let symmetric = try symmetricWithPositiveTop(eigenSize, rng: &rng)
        // Upper row: the Gaussian W_hh in the complex plane. Lower row: the symmetric W_hh, whose
        // eigenvalues are real and would merge into a bar on the real axis, spread out by rank.
        let eigenNorms = self.eigenNorms.values
        var eigenFigure = Figure("jacobian-eigenvalues", layout: .init(rows: 2, columns: eigenNorms.count), panelSize: (430, 470))
        var rhoTable = TextTable(title: "ρ(J) at the origin", columns: ["‖W_hh‖₂", "bound ½ + ‖W‖₂/4", "ρ(J) Gaussian W", "ρ(J) symmetric W"],
                                 formats: [Self.format(eigenNorms), "%.4f", "%.4f", "%.4f"])
        var lowerRow: [Panel] = []
        for norm in eigenNorms {
            let jg = FixedPointStability.jacobianAtOrigin(try rescaled(gaussian, toNorm: norm))
            let js = FixedPointStability.jacobianAtOrigin(try rescaled(symmetric, toNorm: norm))
            let eg = try jg.eigenvalues(), es = try js.eigenvalues()
            for e in eg { eigenData.append([norm, e.re, e.im]) }
            for e in es { eigenSymmetric.append([norm, e.re, e.im]) }
            // The eigenvalue of largest modulus decides stability: |μ| = ρ(J).
            let topG = eg.max { $0.magnitude < $1.magnitude }!, topS = es.max { $0.magnitude < $1.magnitude }!
            rhoTable.add([.number(norm), .number(0.5 + norm / 4), .number(topG.magnitude), .number(topS.magnitude)])
            var panel = Panel(title: "Gaussian W_{hh}, ‖W_{hh}‖_2 = \(norm)", xLabel: "Re μ", yLabel: "Im μ",
                              xRange: -1.3...1.3, yRange: -1.3...1.3, key: .below, equalAxes: true)
            panel.command("unset arrow 11")   // raw commands persist: the lines μ = ±1 are the lower row's
            panel.command("unset arrow 12")
            panel.command("set parametric")
            panel.command("set trange [0:2*pi]")
            panel.plot(.function("cos(t), sin(t)", title: "|μ| = 1", style: .lines.color("#000000").width(1.5)))
            panel.plot(.function("0.5 + \(norm / 4)*cos(t), \(norm / 4)*sin(t)", title: "|μ − ½| ≤ ‖W_{hh}‖_2/4",
                                 style: .lines.color("#555555").width(1).dashed))
            panel.plot(.xy(eg.map(\.re), eg.map(\.im), columns: ("re", "im"), title: "eigenvalues μ",
                           style: .points.lineType(1).pointType(7).pointSize(0.5)))
            panel.plot(.xy([topG.re], [topG.im], columns: ("re", "im"),
                           title: String(format: "largest |μ| = ρ(J) = %.3f", topG.magnitude),
                           style: .points.color("#D55E00").pointType(6).pointSize(2.2).width(2.5)))
            eigenFigure.addPanel(panel)

            // The symmetric W_hh: real eigenvalues, sorted, plotted against their rank.
            let sorted = es.map(\.re).sorted()
            var strip = Panel(title: "symmetric W_{hh}, ‖W_{hh}‖_2 = \(norm)", xLabel: "μ (real)", yLabel: "rank of μ (1 = smallest)",
                              xRange: -1.3...1.3, yRange: 0...Double(sorted.count + 1), key: .below)
            strip.command("unset parametric")
            strip.command("set arrow 11 from 1, graph 0 to 1, graph 1 nohead lc rgb '#000000' lw 1.5")
            strip.command("set arrow 12 from -1, graph 0 to -1, graph 1 nohead lc rgb '#000000' lw 1.5")
            strip.plot(.xy(sorted, sorted.indices.map { Double($0 + 1) }, columns: ("mu", "rank"), title: "eigenvalues μ",
                           style: .points.lineType(1).pointType(7).pointSize(0.5)))
            let topRank = Double(sorted.firstIndex(of: topS.re).map { $0 + 1 } ?? sorted.count)
            strip.plot(.xy([topS.re], [topRank], columns: ("mu", "rank"),
                           title: String(format: "largest |μ| = ρ(J) = %.3f", topS.magnitude),
                           style: .points.color("#D55E00").pointType(6).pointSize(2.2).width(2.5)))
            strip.plot(.function("NaN", title: "|μ| = 1  (μ = ±1)", style: .lines.color("#000000").width(1.5)))
            lowerRow.append(strip)
        }
        for strip in lowerRow { eigenFigure.addPanel(strip) }
        report.table(rhoTable)
        try output.write(eigenData, name: "eigenvalues.dat")
        try output.write(eigenSymmetric, name: "eigenvalues-symmetric.dat")
        try output.write(eigenFigure)

        //: ### Fixed points of an H-unit GRU
        report.section("Fixed points of an H-unit GRU")
        var finderTable = TextTable(title: "Fixed points of an H = \(hidden) GRU (symmetric W_hh, leading eigenvalue +‖W_hh‖₂, random gates)",
                                    columns: ["‖W_hh‖₂", "found", "‖h*‖₂", "ρ(∂F/∂h(h*))", "stable", "‖F(h*) − h*‖"],
                                    formats: [Self.format(finderNorms.values), "", "%.4f", "%.4f", "", "%.1e"])
        let baseW = try symmetricWithPositiveTop(hidden, rng: &rng)
        let gateRNGState = rng
        for norm in finderNorms.values {
            var gateRNG = gateRNGState
            let gru = gruWith(wHH: try rescaled(baseW, toNorm: norm), gateScale: 0.5, form: .resetBefore, rng: &gateRNG)
            let fps = gru.fixedPoints(starts: starts, seed: common.seed)
            for (i, p) in fps.enumerated() {
                finderTable.add([i == 0 ? .number(norm) : .empty, i == 0 ? .integer(fps.count) : .empty, .number(p.norm),
                                 .number(p.spectralRadius), .text(p.isStable ? "yes" : "no"), .number(p.residual)])
            }
        }
        report.table(finderTable)

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
         */

        //: ### Phase portraits in two dimensions
        report.section("Phase portraits in two dimensions")
        var prng = SeededGenerator(seed: common.seed &+ 7)
        let base2 = Matrix<Double>([[1.0, 0.35], [0.35, 0.55]])
        // One pair of gate matrices for every norm: each GRU draws them from this same state of prng.
        let gateDraws = prng
        func twoUnitGRU(_ norm: Double) throws -> InputFreeGRU {
            var gateState = gateDraws
            return gruWith(wHH: try rescaled(base2, toNorm: norm), gateScale: 0.6, form: .resetBefore, rng: &gateState)
        }
        _ = prng.next()
        try output.write(phasePortrait(try phaseNorms.values.map { (try twoUnitGRU($0), $0) }, starts: min(starts, 200), seed: common.seed))
        try output.write(try phaseSweepAnimation(twoUnitGRU, sweep: (phaseSweep.values[0], phaseSweep.values[1]), frames: frames,
                                                 starts: min(starts, 200), seed: common.seed))

        report.note("""
            The origin loses stability where f′(0) = ½ + w_hh/4 crosses 1, at w_hh = 2, with or without gates; \
            in H dimensions J(0) = ½I + ¼W_hh, so ‖W_hh‖₂ < 2 keeps the origin stable. Chapter 3 shows what \
            crossing this line does to the gradient.
            """)
        /*:
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
