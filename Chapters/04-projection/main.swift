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

 ![The unit circle under Ŵ and under P_δ(Ŵ)](ellipse.png)

 The animation `projection-sweep` lets δ vary (from 0.05 to 1.5, `--delta-sweep`) for the same Ŵ. As long
 as 2 − δ lies between σ_2 and σ_1, only the long semi-axis moves: it shrinks with the dashed circle of
 radius 2 − δ while the short one stays put. Once 2 − δ falls below σ_2 both are clipped, and the image
 of the unit circle becomes that circle itself: P_δ(Ŵ) is then 2 − δ times an orthogonal matrix. Each
 frame's title gives ρ(½I + ¼P_δ(Ŵ)) beside the bound 1 − δ/4 that the exercises derive.

 ![The unit circle under Ŵ and under P_δ(Ŵ) as δ runs from 0.05 to 1.5](projection-sweep.gif)

 Why this particular matrix? Among all X with ‖X‖₂ ≤ c it is the one nearest to Ŵ in the Frobenius
 norm [derived]. Mirsky's inequality (the singular-value form of Hoffman–Wielandt) says
 ‖Ŵ − X‖_F² ≥ Σ_i (σ_i(Ŵ) − σ_i(X))², and with every σ_i(X) ≤ c the right side is at least
 Σ_{σ_i > c} (σ_i − c)², which is exactly ‖Ŵ − P_δ(Ŵ)‖_F². The feasible set {‖X‖₂ ≤ c} is convex (a
 norm ball), so SGD followed by P_δ is *projected* SGD, the textbook method for minimising over a convex
 set: a step, then the nearest feasible point. The chapter checks the inequality numerically by drawing
 random feasible matrices around P_δ(Ŵ) and confirming none is nearer to Ŵ.
 */

/// The 2×2 example: the SVD, the clipped values, the projected matrix, and the nearest-point check.
struct TwoByTwoExample {
    var w: Matrix<Double>
    var svd: SVD<Double>
    var clipped: [Double]
    var projected: Matrix<Double>
    /// ‖Ŵ − P_δ(Ŵ)‖_F.
    var distance: Double
    /// The smallest ‖Ŵ − X‖_F over random feasible X (‖X‖₂ ≤ c).
    var nearestRandom: Double

    init(_ w: Matrix<Double>, threshold c: Double, samples: Int, seed: UInt64) throws {
        self.w = w
        svd = try w.svd()
        clipped = svd.singularValues.map { min($0, c) }
        projected = svd.reconstructed(with: clipped)
        distance = (w - projected).frobeniusNorm
        // Random feasible points: P_δ(Ŵ) plus a perturbation of random size, scaled back into the
        // ball ‖X‖₂ ≤ c when it left it (scaling towards 0 keeps it feasible).
        var rng = SeededGenerator(seed: seed)
        var best = Double.infinity
        for _ in 0..<samples {
            let size = 0.5 * rng.nextUniform()
            var x = projected + Matrix<Double>.randomNormal(rows: 2, cols: 2, std: size, using: &rng)
            let norm = try x.spectralNorm()
            if norm > c { x = (c / norm) * x }
            best = min(best, (w - x).frobeniusNorm)
        }
        nearestRandom = best
    }
}

/// Points of the ellipse {M x : ‖x‖ = 1} (a closed curve).
func ellipse(_ m: Matrix<Double>, points: Int = 361) -> [[Double]] {
    (0..<points).map { k in
        let t = 2 * Double.pi * Double(k) / Double(points - 1)
        let x = [cos(t), sin(t)]
        return [m[0, 0] * x[0] + m[0, 1] * x[1], m[1, 0] * x[0] + m[1, 1] * x[1]]
    }
}

func circle(radius r: Double) -> [[Double]] {
    (0..<361).map { k in let t = 2 * Double.pi * Double(k) / 360; return [r * cos(t), r * sin(t)] }
}

func ellipseFigure(_ ex: TwoByTwoExample, threshold c: Double) -> Figure {
    var figure = Figure("ellipse", layout: .init(rows: 1, columns: 2), panelSize: (560, 620))
    let s = ex.svd.singularValues
    let reach = max(2.2, (s.first ?? 1) * 1.1, c * 1.1)
    // A singular pair (u_i, v_i) is defined up to a common sign: draw the one with u_i pointing right.
    let sign = (0..<2).map { i in ex.svd.U[0, i] < 0 ? -1.0 : 1.0 }
    let u = (0..<2).map { i in [sign[i] * ex.svd.U[0, i], sign[i] * ex.svd.U[1, i]] }
    let v = (0..<2).map { i in [sign[i] * ex.svd.Vt[i, 0], sign[i] * ex.svd.Vt[i, 1]] }
    func axes(_ values: [Double]) -> [[Double]] { (0..<2).map { i in [0, 0, values[i] * u[i][0], values[i] * u[i][1]] } }
    let f = { (x: Double) in String(format: "%.3f", x) }
    let panels: [(String, Matrix<Double>, [Double])] = [
        ("Ŵ:  σ_1 = \(f(s[0])),  σ_2 = \(f(s[1]))", ex.w, s),
        ("P_δ(Ŵ):  σ̄_i = min(σ_i, 2 − δ) = \(f(ex.clipped[0])), \(f(ex.clipped[1]))", ex.projected, ex.clipped),
    ]
    for (k, (title, m, values)) in panels.enumerated() {
        var p = Panel(title: title, xLabel: "x_1", yLabel: "x_2", xRange: -reach...reach, yRange: -reach...reach,
                      key: .custom("below horizontal maxrows 3 width -2 samplen 2.5"), equalAxes: true)
        p.plot(.data(circle(radius: 1), columns: ["x1", "x2"], title: "unit circle", style: .lines.color("#999999").width(1.2)))
        p.plot(.data(circle(radius: c), columns: ["x1", "x2"], title: "radius 2 − δ = \(Gnuplot.number(c))",
                     style: .lines.color("#000000").width(1.2).dashed))
        if k == 1 {
            p.plot(.data(ellipse(ex.w), columns: ["x1", "x2"], title: "image under Ŵ",
                         style: .lines.lineType(1).width(1.5).dotted))
        }
        p.plot(.data(ellipse(m), columns: ["x1", "x2"], title: k == 0 ? "image under Ŵ" : "image under P_δ(Ŵ)",
                     style: .lines.lineType(k == 0 ? 1 : 2).width(2.5)))
        p.plot(.data(axes(values), columns: ["x", "y", "dx", "dy"], using: "1:2:3:4",
                     title: k == 0 ? "σ_i u_i" : "σ̄_i u_i", style: .vectors.lineType(k == 0 ? 1 : 2).width(2)))
        p.plot(.data((0..<2).map { i in [0, 0, v[i][0], v[i][1]] }, columns: ["x", "y", "dx", "dy"], using: "1:2:3:4",
                     title: k == 0 ? "v_i (↦ σ_i u_i)" : "v_i (↦ σ̄_i u_i)", style: .vectors.color("#777777").width(1.5)))
        for i in 0..<2 {
            let x = values[i] * u[i][0], y = values[i] * u[i][1], r = (x * x + y * y).squareRoot()
            let name = k == 0 ? "σ_\(i + 1)u_\(i + 1)" : "σ̄_\(i + 1)u_\(i + 1)"
            p.command("set label \(10 + i) '\(name)' at \(x + 0.28 * x / r), \(y + 0.28 * y / r) center front")
            p.command("set label \(12 + i) 'v_\(i + 1)' at \(1.18 * v[i][0]), \(1.18 * v[i][1]) center front tc rgb '#555555'")
        }
        p.command("set xtics 1")
        p.command("set ytics 1")
        figure.addPanel(p)
    }
    return figure
}

/// The animation: for `frames` values of δ from `sweep.from` to `sweep.to`, the unit circle's image
/// under Ŵ (dotted) and under P_δ(Ŵ) (solid, the library's full-SVD projection), the circles of radius
/// 1 and 2 − δ, and the clipped semi-axes σ̄_i u_i, on axes that do not move.
func projectionSweepAnimation(_ w: Matrix<Double>, sweep: (from: Double, to: Double), frames: Int) throws -> AnimatedFigure {
    var animation = AnimatedFigure("projection-sweep", panelSize: (600, 680), fontSize: 11, delay: 15, restFrames: 5)
    let svd = try w.svd()
    let s = svd.singularValues
    let reach = max(2.2, (s.first ?? 1) * 1.1)
    // A singular pair (u_i, v_i) is defined up to a common sign: draw u_i pointing right, as `ellipse` does.
    let u = (0..<2).map { i in svd.U[0, i] < 0 ? [-svd.U[0, i], -svd.U[1, i]] : [svd.U[0, i], svd.U[1, i]] }
    let rhoBefore = try FixedPointStability.spectralRadiusAtOrigin(w)
    for k in 0..<frames {
        let delta = sweep.from + (sweep.to - sweep.from) * Double(k) / Double(max(frames - 1, 1))
        let c = SpectralProjection.threshold(delta: delta)
        var projected = w
        try SpectralProjection.projectByFullSVD(&projected, threshold: c)
        let clipped = s.map { min($0, c) }
        let rhoAfter = try FixedPointStability.spectralRadiusAtOrigin(projected)
        var p = Panel(title: nil, xLabel: "x_1", yLabel: "x_2", xRange: -reach...reach, yRange: -reach...reach,
                      key: .custom("below horizontal maxrows 3 width -2 samplen 2.5"), equalAxes: true)
        p.plot(.data(circle(radius: 1), columns: ["x1", "x2"], title: "unit circle", style: .lines.color("#999999").width(1.2)))
        p.plot(.data(circle(radius: c), columns: ["x1", "x2"], title: "radius 2 − δ",
                     style: .lines.color("#000000").width(1.2).dashed))
        p.plot(.data(ellipse(w), columns: ["x1", "x2"], title: String(format: "image under Ŵ (ρ(½I + ¼Ŵ) = %.4f)", rhoBefore),
                     style: .lines.lineType(1).width(1.5).dotted))
        p.plot(.data(ellipse(projected), columns: ["x1", "x2"], title: "image under P_δ(Ŵ)", style: .lines.lineType(2).width(2.5)))
        p.plot(.data((0..<2).map { i in [0, 0, clipped[i] * u[i][0], clipped[i] * u[i][1]] }, columns: ["x", "y", "dx", "dy"],
                     using: "1:2:3:4", title: "σ̄_i u_i", style: .vectors.lineType(2).width(2)))
        p.command("set xtics 1")
        p.command("set ytics 1")
        let title = String(format: "δ = %.3f:  σ̄_i = min(σ_i, 2 − δ) = %.3f, %.3f\n"
                           + "ρ(½I + ¼P_δ(Ŵ)) = %.4f ≤ 1 − δ/4 = %.4f",
                           delta, clipped[0], clipped[1], rhoAfter, 1 - delta / 4)
        animation.addFrame(title: title, panels: [p])
    }
    return animation
}

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

 ![Plain SGD, clipping and the projection on both tasks](training-compare.png)
 */

/// One training run of the comparison.
struct Run {
    var task: String
    /// What trained it.
    var trainingMethod: TrainingMethod
    /// `plain SGD`, `clip at c` or `P_δ, δ = …` (the data file's block titles).
    var method: String
    /// The tuned knob: the clipping threshold c or the projection's δ; nil for plain SGD.
    var knob: Double?
    var learningRate: Double
    /// The iterations asked for; a run whose loss or gradient became non-finite has fewer records.
    var iterations: Int
    var records: [ExplosionTrainingRecord]

    /// What the knobs are tuned on: the mean loss over the last 10 % of the iterations (at least
    /// one), +∞ for a run that stopped early.
    var score: Double {
        guard records.count == iterations, !records.isEmpty else { return .infinity }
        let tail = records.suffix(max(1, iterations / 10))
        return tail.map(\.loss).reduce(0, +) / Double(tail.count)
    }
}

/// The runs of one task at one learning rate: plain SGD, clipping at every threshold of its grid,
/// and P_δ at every δ of its grid, all from the same initial weights (P_δ from their projection).
struct Comparison {
    var task: String
    var learningRate: Double
    var plain: Run
    var clipped: [Run]
    var projected: [Run]

    /// The run with the lowest ``Run/score``; on a tie the first in grid order.
    static func best(_ runs: [Run]) -> Run { runs.min { $0.score < $1.score }! }
    /// The runs shown in the table, the figure and `training-compare.dat`: plain SGD, the best
    /// clipping run and the best projected run.
    var shown: [Run] { [plain, Self.best(clipped), Self.best(projected)] }
}

/// W_0 with its candidate block (rows 2H..<3H) replaced by P_δ of it.
func projectedInitial(_ w: Matrix<Double>, hidden n: Int, threshold c: Double) throws -> Matrix<Double> {
    var block = w[block: .candidate]
    try SpectralProjection.projectByFullSVD(&block, threshold: c)
    var out = w
    out[block: .candidate] = block
    return out
}

func trainTuned(task: GRUExplosionTask, name: String, initial: Matrix<Double>, learningRate: Double, clipGrid: [Double],
                deltaGrid: [Double], iterations: Int, progress: ProgressBar) throws -> Comparison {
    func train(_ method: TrainingMethod, _ label: String, knob: Double?, from w: Matrix<Double>) throws -> Run {
        let records = try task.train(method: method, learningRate: learningRate, iterations: iterations, initial: w).records
        progress.advance(by: iterations)
        return Run(task: name, trainingMethod: method, method: label, knob: knob, learningRate: learningRate, iterations: iterations, records: records)
    }
    let plain = try train(.sgd, "plain SGD", knob: nil, from: initial)
    let clipped = try clipGrid.map { c in try train(.clip(maxNorm: c), "clip at \(Gnuplot.number(c))", knob: c, from: initial) }
    let projected = try deltaGrid.map { d in
        try train(.project(delta: d), "P_δ, δ = \(Gnuplot.number(d))", knob: d,
                  from: projectedInitial(initial, hidden: task.hiddenSize, threshold: SpectralProjection.threshold(delta: d)))
    }
    return Comparison(task: name, learningRate: learningRate, plain: plain, clipped: clipped, projected: projected)
}

func summaryRow(_ run: Run) -> [TableCell] {
    let r = run.records
    let (method, knob): (String, TableCell) = switch run.trainingMethod.family {
    case .clip: ("clipping, tuned", .text("c = \(Gnuplot.number(run.knob!))"))
    case .project: ("P_δ, tuned", .text("δ = \(Gnuplot.number(run.knob!))"))
    default: (run.method, .empty)
    }
    let head: [TableCell] = [.text(run.task), .number(run.learningRate), .text(method), knob]
    guard let last = r.last else { return head + Array(repeating: .empty, count: 6) }
    return head + [.number(last.loss), .number(run.score),
                   .number(r.map(\.gradientNorm).max()!), .number(r.map(\.spectralNorm).max()!),
                   .number(r.map(\.spectralRadius).max()!), .integer(r.filter(\.projected).count)]
}

/// The tuning scores of one method family (clipping or P_δ): one row per task and learning rate,
/// one column per knob, and the knob chosen.
func tuningTable(_ comparisons: [Comparison], knob: String, grid: [Double], runs: (Comparison) -> [Run]) -> TextTable {
    var t = TextTable(title: nil, columns: ["task", "η"] + grid.map { "\(knob) = \(Gnuplot.number($0))" } + ["chosen \(knob)"],
                      formats: ["", "%g"] + Array(repeating: "%.2e", count: grid.count) + ["%g"])
    for c in comparisons {
        let rs = runs(c)
        t.add([.text(c.task), .number(c.learningRate)] + rs.map { .number($0.score) } + [.number(Comparison.best(rs).knob!)])
    }
    return t
}

func trainingTable(_ runs: [Run], comments: [String]) -> DataTable {
    var blocks: [DataBlock] = []
    for run in runs {
        var b = DataBlock(columns: ["iteration", "loss", "grad_norm", "spectral_norm", "rho", "projected"],
                          title: "task \(run.task), method \(run.method), learning rate \(Gnuplot.number(run.learningRate))")
        for r in run.records {
            b.append([Double(r.iteration), r.loss, r.gradientNorm, r.spectralNorm, r.spectralRadius, r.projected ? 1 : 0])
        }
        blocks.append(b)
    }
    return DataTable(blocks: blocks, comments: comments)
}

/// Every tuning score: one block per task, learning rate and method family, rows `knob score`.
func tuningData(_ comparisons: [Comparison], comments: [String]) -> DataTable {
    var blocks: [DataBlock] = []
    for c in comparisons {
        for (family, knob, runs) in [("clipping", "c", c.clipped), ("projection", "delta", c.projected)] {
            var b = DataBlock(columns: [knob, "score"],
                              title: "task \(c.task), learning rate \(Gnuplot.number(c.learningRate)), \(family)")
            for r in runs { b.append([r.knob!, r.score]) }
            blocks.append(b)
        }
    }
    return DataTable(blocks: blocks, comments: comments)
}

/// Two columns (one per task) × four rows (loss, gradient norm, ‖W_hh‖₂, ρ(J)), read from
/// `training-compare.dat` (index block k = run k). Reference lines are drawn first so that the
/// runs lie on top of them (the projected run sits exactly on 2 − δ, δ the one tuned for that
/// column). Each column's loss panel has its own key: the tuned knobs differ between columns.
func trainingFigure(_ runs: [Run], tasks: [(name: String, learningRate: Double, title: String)]) -> Figure {
    var figure = Figure("training-compare", layout: .init(rows: 4, columns: tasks.count), panelSize: (640, 235))
    var rows: [[Panel]] = [[], [], [], []]
    for (column, task) in tasks.enumerated() {
        let mine = runs.enumerated().filter { $0.element.task == task.name && $0.element.learningRate == task.learningRate }
        let delta = mine.first { $0.element.trainingMethod.projects }?.element.knob ?? 0.2
        let c = 2 - delta
        let xMax = Double(mine.map { $0.element.records.count }.max() ?? 1)
        let first = column == 0
        var loss = Panel(title: task.title, xLabel: nil, yLabel: "loss", xRange: 0...xMax, logScale: [.y],
                         key: .custom("top right opaque box samplen 2"))
        var grad = Panel(xLabel: nil, yLabel: "gradient norm", xRange: 0...xMax, logScale: [.y], key: .off)
        var norm = Panel(xLabel: nil, yLabel: "‖W_{hh}‖_2", xRange: 0...xMax, key: first ? .custom("top left opaque box samplen 2") : .off)
        var rho = Panel(xLabel: "iteration", yLabel: "ρ(J)", xRange: 0...xMax, key: first ? .custom("top left opaque box samplen 2") : .off)
        let maxNorm = mine.flatMap { $0.element.records.map(\.spectralNorm) }.max() ?? 2
        let maxRho = mine.flatMap { $0.element.records.map(\.spectralRadius) }.max() ?? 1
        norm.yRange = 0...max(2.5, min(8, maxNorm * 1.1))
        rho.yRange = 0.5...max(1.2, min(3, maxRho * 1.05))
        // ‖W_hh‖₂ = 2 is where the sufficient bound ends, not the bifurcation: a run can cross it with ρ(J) < 1
        // (chapter 2). The bifurcation is ρ(J) = 1, in the panel below.
        norm.plot(.function("2", title: "‖W_{hh}‖_2 = 2 (sufficient bound)", style: .lines.color("#777777").width(1.2).dotted))
        norm.plot(.function("\(c)", title: "2 − δ = \(Gnuplot.number(c))", style: .lines.color("#000000").width(1).dashed))
        rho.plot(.function("1", title: "1 (stability: the bifurcation)", style: .lines.color("#777777").width(1.2).dotted))
        rho.plot(.function("\(1 - delta / 4)", title: "½ + (2 − δ)/4 = \(Gnuplot.number(1 - delta / 4))",
                           style: .lines.color("#000000").width(1).dashed))
        for (lt, (index, run)) in mine.enumerated() {
            let style = Style.lines.lineType(lt + 1).width(lt == 2 ? 2.5 : 1.6)
            loss.plot(.file("training-compare.dat", index: index, using: "1:2", title: run.method, style: style))
            grad.plot(.file("training-compare.dat", index: index, using: "1:3", style: style))
            norm.plot(.file("training-compare.dat", index: index, using: "1:4", style: style))
            rho.plot(.file("training-compare.dat", index: index, using: "1:5", style: style))
        }
        for (k, var p) in [loss, grad, norm, rho].enumerated() {
            p.command("set lmargin 10")
            p.command(p.logScale.contains(.y) ? "set format y '10^{%L}'" : "set format y '%g'")
            rows[k].append(p)
        }
    }
    for row in rows { for p in row { figure.addPanel(p) } }
    return figure
}

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

 ![The time of one exact projection against n](projection-cost.png)
 */

/// A name for the tables and the data file.
func methodName(_ m: ProjectionMethod) -> String { m.rawValue }

/// max |got − ref| / max |ref| over the entries.
func relativeDifference(_ got: Matrix<Float>, _ ref: Matrix<Double>) -> Double {
    var d = 0.0, m = 0.0
    for (g, r) in zip(got.elements, ref.elements) { d = max(d, abs(Double(g) - r)); m = max(m, abs(r)) }
    return m == 0 ? d : d / m
}

/// The fastest time (ms) of a certified skip (``ProjectionCost/certifiedSkipSeconds(n:threshold:repeats:seed:)``).
func weylSkipMilliseconds(n: Int, threshold c: Double, repeats: Int, seed: UInt64) throws -> Double {
    guard let s = try ProjectionCost.certifiedSkipSeconds(n: n, threshold: c, repeats: repeats, seed: seed) else {
        throw ChapterError.message("the Weyl bound did not certify a skip at n = \(n)")
    }
    return 1000 * s
}

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

    @Option(parsing: .unconditional, help: ArgumentHelp("δ of the threshold 2 − δ, in (0, 2), of the 2×2 example and the cost measurement (training tunes δ over --delta-grid).", valueName: "δ"))
    var delta: Double = 0.2

    @Option(parsing: .unconditional, help: ArgumentHelp("The 2×2 example Ŵ as four comma-separated entries, row by row.", valueName: "a,b,c,d"))
    var example: String = "2.2,1.2,0,0.8"






    @Option(name: .customLong("delta-sweep"), parsing: .unconditional,
            help: ArgumentHelp("First and last δ of the animation projection-sweep (two values, each in (0, 2)).", valueName: "from,to"))
    var deltaSweep = NumberList([0.05, 1.5])

    @Option(parsing: .unconditional, help: ArgumentHelp("Frames of the animation projection-sweep (2…200).", valueName: "n"))
    var frames: Int = 30

    @Option(name: .customLong("fade-steps"), parsing: .unconditional, help: ArgumentHelp("Time steps T of the fading task.", valueName: "T"))
    var fadeSteps: Int = 20

    @Option(name: .customLong("fade-learning-rates"),
            parsing: .unconditional, help: ArgumentHelp("Comma-separated learning rates of the fading task; the figure shows the largest.", valueName: "η,…"))
    var fadeLearningRates: String = "3,10,30"

    @Option(name: .customLong("clip-grid"), parsing: .unconditional,
            help: ArgumentHelp("Comma-separated clipping thresholds tried at each learning rate; the table shows the best.", valueName: "c,…"))
    var clipGrid: String = "0.0003,0.001,0.003,0.01,0.03,0.1,0.3,1"

    @Option(name: .customLong("delta-grid"), parsing: .unconditional,
            help: ArgumentHelp("Comma-separated δ of P_δ tried at each learning rate; the table shows the best.", valueName: "δ,…"))
    var deltaGrid: String = "0.05,0.1,0.2,0.5"

    @Option(parsing: .unconditional, help: ArgumentHelp("Comma-separated sizes n of the cost measurement (default 64,128,256,512; with --scale paper 64,128,256,512,650,1024).",
                               valueName: "n,…"))
    var sizes: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Timed repetitions per size and method (default 5, 10 with --scale paper).", valueName: "r"))
    var repeats: Int?

    /// Parses a comma-separated list, naming the flag on failure.
    static func list<T>(_ text: String, flag: String, _ parse: (String) -> T?) throws -> [T] {
        let parts = CommaList<String>.split(text)
        var out: [T] = []
        for p in parts {
            guard let v = parse(p) else { throw ValidationError("\(flag): cannot read '\(p)' in '\(text)' (expected comma-separated numbers).") }
            out.append(v)
        }
        return out
    }

    var exampleEntries: [Double] { (try? Self.list(example, flag: "--example") { Double($0) }) ?? [] }
    var fadeRates: [Double] { (try? Self.list(fadeLearningRates, flag: "--fade-learning-rates") { Double($0) }) ?? [] }
    var clipThresholds: [Double] { (try? Self.list(clipGrid, flag: "--clip-grid") { Double($0) }) ?? [] }
    var deltas: [Double] { (try? Self.list(deltaGrid, flag: "--delta-grid") { Double($0) }) ?? [] }
    var sizeList: [Int] {
        if let sizes { return (try? Self.list(sizes, flag: "--sizes") { Int($0) }) ?? [] }
        return common.scale == .paper ? [64, 128, 256, 512, 650, 1024] : [64, 128, 256, 512]
    }

    func validate() throws {
        try common.requireScale()
        if let problem = SpectralProjection.deltaProblem(delta) { throw ValidationError("--delta \(problem).") }
        let e = try Self.list(example, flag: "--example") { Double($0) }
        if e.count != 4 || !e.allSatisfy(\.isFinite) { throw ValidationError("--example needs four finite numbers a,b,c,d (got '\(example)').") }
        try deltaSweep.check("--delta-sweep", count: 2...2, within: -10...10)
        for d in deltaSweep.values {
            if let problem = SpectralProjection.deltaProblem(d) { throw ValidationError("--delta-sweep: δ = \(d) \(problem).") }
        }
        if !(2...200).contains(frames) { throw ValidationError("--frames must lie in 2…200 (got \(frames)).") }
        if fadeSteps < 1 || fadeSteps > 100_000 { throw ValidationError("--fade-steps must lie in 1…100000 (got \(fadeSteps)).") }
        let clips = try Self.list(clipGrid, flag: "--clip-grid") { Double($0) }
        if clips.isEmpty || !clips.allSatisfy({ $0 > 0 && $0.isFinite }) {
            throw ValidationError("--clip-grid must be positive numbers (got '\(clipGrid)').")
        }
        for d in try Self.list(deltaGrid, flag: "--delta-grid", { Double($0) }) {
            if let problem = SpectralProjection.deltaProblem(d) { throw ValidationError("--delta-grid: δ = \(d) \(problem).") }
        }
        let rates = try Self.list(fadeLearningRates, flag: "--fade-learning-rates") { Double($0) }
        if rates.isEmpty || !rates.allSatisfy({ $0 > 0 && $0.isFinite }) {
            throw ValidationError("--fade-learning-rates must be positive numbers (got '\(fadeLearningRates)').")
        }
        if let sizes {
            let s = try Self.list(sizes, flag: "--sizes") { Int($0) }
            if s.isEmpty || !s.allSatisfy({ $0 >= 2 && $0 <= 4096 }) { throw ValidationError("--sizes must be integers in 2…4096 (got '\(sizes)').") }
        }
        if let repeats, repeats < 1 || repeats > 1000 { throw ValidationError("--repeats must lie in 1…1000 (got \(repeats)).") }
    }

    func run() throws {
        let iterations = task.iterations(scale: common.scale)
        let (hidden, examples, steps, learningRate) = (task.hidden, task.examples, task.steps, task.learningRate)
        let repeats = self.repeats ?? (common.scale == .paper ? 10 : 5)
        let sizes = sizeList, rates = fadeRates
        let c = SpectralProjection.threshold(delta: delta)
        let report = Report(chapter: 4, title: "The SVD projection")
        report.header(settings: ["scale": common.scale.rawValue, "δ": Gnuplot.number(delta), "2 − δ": Gnuplot.number(c),
                                 "iterations": String(iterations), "H": String(hidden), "sizes": sizes.map(String.init).joined(separator: ","),
                                 "repeats": String(repeats), "seed": String(common.seed), "BLAS core": BLAS.coreName])
        let output = try ChapterOutput(options: common, slug: "04-projection")
        var values = RecordedValues()  // what the run measured, by name (values.tsv), for the prose that cites it
        var extraFiles: [URL] = []

        //: ### The 2×2 example, computed
        report.section("The 2×2 example, computed")
        let e = exampleEntries
        let ex = try TwoByTwoExample(Matrix([[e[0], e[1]], [e[2], e[3]]]), threshold: c, samples: 20_000, seed: common.seed)
        func matrixTable(_ title: String, _ m: Matrix<Double>) -> TextTable {
            var t = TextTable(title: title, columns: ["", "col 1", "col 2"], format: "% .6f")
            for i in 0..<2 { t.add([.text("row \(i + 1)"), .number(m[i, 0]), .number(m[i, 1])]) }
            return t
        }
        report.table(matrixTable("Ŵ", ex.w))
        report.table(matrixTable("Step 1: U", ex.svd.U))
        report.table(matrixTable("Step 1: V", ex.svd.Vt.transposed))
        var sigmaTable = TextTable(title: "Steps 1–2: Σ and Σ̄ = min(Σ, 2 − δ), 2 − δ = \(Gnuplot.number(c))",
                                   columns: ["i", "sigma", "sigma_clipped"], format: "%.6f")
        var exampleData = DataTable(columns: ["i", "sigma", "sigma_clipped"], comments: [
            "Chapter 4: the 2x2 example W = [[\(e[0]), \(e[1])], [\(e[2]), \(e[3])]], its singular values and min(sigma_i, 2 - delta),",
            "2 - delta = \(c).",
        ])
        for i in 0..<2 {
            sigmaTable.add([.integer(i + 1), .number(ex.svd.singularValues[i]), .number(ex.clipped[i])])
            exampleData.append([Double(i + 1), ex.svd.singularValues[i], ex.clipped[i]])
        }
        report.table(sigmaTable)
        report.table(matrixTable("Step 3: W = U Σ̄ Vᵀ", ex.projected))
        try output.write(exampleData, name: "example.dat")
        let projectedNorm = try ex.projected.spectralNorm()
        let rhoBefore = try FixedPointStability.spectralRadiusAtOrigin(ex.w)
        let rhoAfter = try FixedPointStability.spectralRadiusAtOrigin(ex.projected)
        report.note(String(format: """
            ‖W‖₂ = %.6f (2 − δ = %.6f);  ρ(½I + ¼Ŵ) = %.4f → ρ(½I + ¼W) = %.4f.
            Nearest point: ‖Ŵ − P_δ(Ŵ)‖_F = %.6f = √Σ(σ_i − c)₊² = %.6f; the nearest of 20000 random X with ‖X‖₂ ≤ 2 − δ is at %.6f.
            """, projectedNorm, c, rhoBefore, rhoAfter, ex.distance,
            zip(ex.svd.singularValues, ex.clipped).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot(), ex.nearestRandom))
        if ex.nearestRandom < ex.distance - 1e-12 {
            throw ChapterError.message("a random feasible matrix is nearer to Ŵ than P_δ(Ŵ): the projection is wrong")
        }
        try output.write(ellipseFigure(ex, threshold: c))
        try output.write(try projectionSweepAnimation(ex.w, sweep: (deltaSweep.values[0], deltaSweep.values[1]), frames: frames))

        //: ### Training with and without P_δ
        report.section("Training with and without P_δ")
        let memory = GRUExplosionTask(hiddenSize: hidden, examples: examples, steps: steps, seed: common.seed)
        let memoryInitial = try memory.initialWeights(recurrentNorm: 1.9, gateScale: 0.5, seed: common.seed &+ 1)
        let fade = GRUExplosionTask(hiddenSize: hidden, examples: examples, steps: fadeSteps, start: 0.5, target: 0.15, seed: common.seed)
        let fadeInitial = try fade.initialWeights(recurrentNorm: 1.5, gateScale: 0.5, seed: common.seed &+ 1)
        let clips = clipThresholds, deltas = self.deltas
        let perRate = iterations * (1 + clips.count + deltas.count)
        let progress = ProgressBar(total: perRate * (1 + rates.count), label: "training", unit: "it")
        var comparisons = [try trainTuned(task: memory, name: "memory", initial: memoryInitial, learningRate: learningRate,
                                          clipGrid: clips, deltaGrid: deltas, iterations: iterations, progress: progress)]
        for eta in rates {
            comparisons.append(try trainTuned(task: fade, name: "fade", initial: fadeInitial, learningRate: eta, clipGrid: clips,
                                              deltaGrid: deltas, iterations: iterations, progress: progress))
        }
        progress.finish()
        let largest = rates.indices.max { rates[$0] < rates[$1] }!
        let runs = comparisons.flatMap { $0.shown }
        let tail = max(1, iterations / 10)
        let comments = [
            "Chapter 4: full-batch SGD on two tasks of the input-free GRU (H = \(hidden), K = \(examples)), one index block per run",
            "(task, method, learning rate in the block's title line): at each learning rate plain SGD, the best clipping run of",
            "c in {\(clipGrid)} and the best projected run of delta in {\(deltaGrid)}, best = the lowest mean loss over the last",
            "\(tail) iterations (training-tuning.dat has every score).",
            "memory: h_0 = +-0.1 p -> +-0.6 p after T = \(steps) steps; fade: h_0 = +-0.5 p -> +-0.15 p after T = \(fadeSteps) steps.",
            "grad_norm before clipping; spectral_norm = ||W_hh||_2 and rho = rho(I/2 + W_hh/4) at the weights the gradient was taken at;",
            "projected = 1 when this iteration's projection (threshold 2 - delta, delta in the block's title) changed W_hh.",
        ]
        try output.write(trainingTable(runs, comments: comments), name: "training-compare.dat")
        try output.write(tuningData(comparisons, comments: [
            "Chapter 4: the tuning of clipping and of P_delta. One index block per task, learning rate and method family;",
            "rows: the knob (clipping threshold c, or delta) and its score, the mean training loss over the last \(tail) of the",
            "\(iterations) iterations (Inf: the run stopped on a non-finite loss or gradient). The lowest score is the run shown.",
        ]), name: "training-tuning.dat")
        try output.write(trainingFigure(runs, tasks: [
            ("memory", learningRate, "memory: ±0.1p → ±0.6p, T = \(steps), η = \(Gnuplot.number(learningRate))"),
            ("fade", rates[largest], "fade: ±0.5p → ±0.15p, T = \(fadeSteps), η = \(Gnuplot.number(rates[largest]))"),
        ]))
        var clipTuning = tuningTable(comparisons, knob: "c", grid: clips) { $0.clipped }
        clipTuning.title = "Tuning clipping: mean loss over the last \(tail) of \(iterations) iterations for each threshold c (Inf: stopped)"
        report.table(clipTuning)
        var deltaTuning = tuningTable(comparisons, knob: "δ", grid: deltas) { $0.projected }
        deltaTuning.title = "Tuning P_δ: mean loss over the last \(tail) of \(iterations) iterations for each δ (Inf: stopped)"
        report.table(deltaTuning)
        // A choice at the edge of its grid may not be the method's best: say so.
        for c in comparisons {
            for (name, runs, grid) in [("c", c.clipped, clips), ("δ", c.projected, deltas)] where grid.count > 1 {
                let k = Comparison.best(runs).knob!
                if k == grid.min() || k == grid.max() {
                    report.note("\(c.task), η = \(Gnuplot.number(c.learningRate)): the chosen \(name) = \(Gnuplot.number(k)) is at the edge of its grid; a value beyond it might do better.")
                }
            }
        }
        var table = TextTable(title: "Training, each method at its best knob: final loss, largest gradient, ‖W_hh‖₂ and ρ(J) over the run (\(iterations) iterations)",
                              columns: ["task", "η", "method", "knob", "final loss", "mean loss, last 10 %", "max ‖g‖", "max ‖W_hh‖₂", "max ρ(J)", "projected its"],
                              formats: ["", "%g", "", "", "%.2e", "%.2e", "%.3e", "%.4f", "%.4f", ""])
        for run in runs { table.add(summaryRow(run)) }
        report.table(table)

        // The invariant the method promises, checked on the logs of every projected run (each with its own δ).
        for run in comparisons.flatMap({ $0.projected }) {
            let threshold = SpectralProjection.threshold(delta: run.knob!)
            if let bad = run.records.first(where: { $0.spectralNorm > threshold + 1e-6 || $0.spectralRadius >= 1 }) {
                throw ChapterError.message("projected run (\(run.task), δ = \(run.knob!), η = \(run.learningRate)) left the constraint at iteration \(bad.iteration): ‖W_hh‖₂ = \(bad.spectralNorm), ρ(J) = \(bad.spectralRadius)")
            }
        }

        /*:
         Read the tables with the figure (default settings). The tuning tables come first because they change
         the story one fixed threshold would tell: clipping's best c falls as the learning rate rises — what
         the choice keeps roughly constant is the longest step, η·c — so a single c for every rate handicaps
         clipping at all rates but one.

         On the memory task the projected run does what it promises — ‖W_hh‖₂ sits at 2 − δ, ρ(J) stays at or
         below ½ + (2 − δ)/4 — and it fails the task at every δ of the grid: its loss stays well above that
         of the other two methods, at the larger δ on the plateau where every state decays towards 0. The projection is active at every
         iteration, because the gradient keeps asking for a larger W_hh. Plain SGD and clipping bring the loss
         far below that plateau, through the spikes of chapter 3, tuned clipping furthest. That is the trade-off, stated plainly: P_δ
         removes the bifurcation at the origin from the reachable weights, and with it every solution that
         needs it.

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

        //: ### The cost of the projection
        report.section("The cost of the projection")
        let methods: [ProjectionMethod] = [.fullSVD, .eigen, .selectiveEigen, .automatic]
        let mainCase = ProjectionCase.oneAbove
        let timingProgress = ProgressBar(total: sizes.count, label: "timing", unit: "n")
        var timings: [ProjectionTiming] = []
        var skips: [(Int, Double)] = []
        for n in sizes {
            timings += try ProjectionCost.measure(n: [n], methods: methods, cases: [mainCase], threshold: c, repeats: repeats, seed: common.seed)
            skips.append((n, try weylSkipMilliseconds(n: n, threshold: c, repeats: repeats, seed: common.seed)))
            timingProgress.advance()
        }
        timingProgress.finish()
        let names = methods.map(methodName) + ["weylSkip"]
        var text = """
            # Chapter 4: fastest wall-clock time (ms) of one exact projection P_delta of an n x n Float matrix,
            # threshold 2 - delta = \(c), test case \(mainCase.rawValue) (sigma_1 = 1.25 c, the rest below c), \(repeats) timed repeats,
            # BLAS core \(BLAS.coreName), \(BLAS.threads) BLAS thread(s). weylSkip: a step certified by the carried Weyl bound.
            # One index block per method (two blank lines apart).

            """
        for (k, name) in names.enumerated() {
            if k > 0 { text += "\n\n" }
            text += "# n method milliseconds\n"
            if name == "weylSkip" {
                for (n, ms) in skips { text += "\(n) \(name) \(DataTable.format(ms))\n" }
            } else {
                for t in timings where methodName(t.method) == name { text += "\(t.n) \(name) \(DataTable.format(t.minimumMilliseconds))\n" }
            }
        }
        extraFiles.append(try output.writeText(text, name: "projection-cost.dat"))

        var costTable = TextTable(title: "One projection, case \(mainCase.rawValue): fastest of \(repeats) repeats, ms (Float)",
                                  columns: ["n"] + names, formats: ["%g"] + Array(repeating: "%.4f", count: names.count))
        for n in sizes {
            var row: [TableCell] = [.integer(n)]
            for m in methods { row.append(.optional(timings.first { $0.n == n && $0.method == m }?.minimumMilliseconds)) }
            row.append(.optional(skips.first { $0.0 == n }?.1))
            costTable.add(row)
        }
        report.table(costTable)

        // How the selective methods depend on the number clipped: every case at the largest size.
        let nMax = sizes.max()!
        let byCase = try ProjectionCost.measure(n: [nMax], methods: methods, cases: ProjectionCase.allCases, threshold: c,
                                                repeats: repeats, seed: common.seed)
        var caseTable = TextTable(title: "n = \(nMax), every test case: fastest ms (clipped count in brackets)",
                                  columns: ["case"] + methods.map(methodName), formats: Array(repeating: "", count: methods.count + 1))
        for tc in ProjectionCase.allCases {
            var row: [TableCell] = [.text(tc.rawValue)]
            for m in methods {
                let t = byCase.first { $0.method == m && $0.testCase == tc }!
                row.append(.text(String(format: "%.3f (%d)", t.minimumMilliseconds, t.clipped)))
            }
            caseTable.add(row)
        }
        report.table(caseTable)
        // The timings the prose below cites, by name (milliseconds at the largest size).
        values["cost.n"] = "\(nMax)"
        for m in methods {
            for tc in [mainCase, .allAbove] {
                if let t = byCase.first(where: { $0.method == m && $0.testCase == tc }) {
                    values["cost.\(tc.rawValue).\(methodName(m))"] = String(format: "%.1f", t.minimumMilliseconds)
                }
            }
        }
        if let skip = skips.first(where: { $0.0 == nMax }) { values["cost.weylSkip_us"] = String(format: "%.2g", 1000 * skip.1) }

        // Exactness: every method against the Double full SVD of the same Float matrix.
        var worst = 0.0
        var exactTable = TextTable(title: "Exactness: max |P_method(W) − P_fullSVD,Double(W)| / max |P(W)|, Float, over cases oneAbove and tenPercentAbove",
                                   columns: ["n"] + methods.map(methodName), format: "%.2e")
        for n in sizes {
            var diffs = Array(repeating: 0.0, count: methods.count)
            for (i, tc) in [ProjectionCase.oneAbove, .tenPercentAbove].enumerated() {
                let wf: Matrix<Float> = try ProjectionCost.testMatrix(n: n, testCase: tc, threshold: c, seed: common.seed &+ UInt64(i)).converted()
                var reference: Matrix<Double> = wf.converted()
                try SpectralProjection.projectByFullSVD(&reference, threshold: c)
                for (k, m) in methods.enumerated() {
                    var got = wf
                    try SpectralProjector<Float>(n: n, threshold: Float(c), method: m).project(&got)
                    diffs[k] = max(diffs[k], relativeDifference(got, reference))
                }
            }
            worst = max(worst, diffs.max()!)
            exactTable.add([.integer(n)] + diffs.map { .number($0) })
        }
        report.table(exactTable)
        report.note(String(format: "max difference from the full SVD: %.3e (tolerance 1e-5)", worst))
        if !(worst <= 1e-5) { throw ChapterError.message(String(format: "a projection method differs from the full SVD by %.3e > 1e-5", worst)) }

        var figure = Figure("projection-cost", panelSize: (760, 600))
        var panel = Panel(xLabel: "n", yLabel: "milliseconds per projection", logScale: [.x, .y], key: .custom("below horizontal maxrows 3 width -1 samplen 2.5"))
        let labels = ["full SVD (gesdd)", "eigen of WᵀW (syevd)", "selective eigen, λ > c² (syevr)", "automatic: bound check + leading eigen",
                      "certified skip (Weyl bound)"]
        for (k, label) in labels.enumerated() {
            panel.plot(.file("projection-cost.dat", index: k, using: "1:3", title: label,
                             style: .linesPoints.lineType(k + 1).width(2).pointSize(1.1)))
        }
        panel.command("set format y '10^{%L}'")
        panel.command("set xtics (\(sizes.map { "'\($0)' \($0)" }.joined(separator: ", ")))")
        panel.xRange = Double(sizes.min()!) / 1.15...Double(nMax) * 1.15
        figure.addPanel(panel)
        try output.write(figure)

        /*:
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
         {{cost.weylSkip_us}} µs here, and exact — but it applies only to steps that provably cannot reach the threshold,
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
