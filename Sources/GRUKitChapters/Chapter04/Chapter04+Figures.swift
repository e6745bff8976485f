import Foundation
import GRUKit
import GRUKitPresentation

extension Chapter04 {
    /// Points of the ellipse {M x : ‖x‖ = 1} (a closed curve).
    static func ellipse(_ m: Matrix<Double>, points: Int = 361) -> [[Double]] {
        (0..<points).map { k in
            let t = 2 * Double.pi * Double(k) / Double(points - 1)
            let x = [cos(t), sin(t)]
            return [m[0, 0] * x[0] + m[0, 1] * x[1], m[1, 0] * x[0] + m[1, 1] * x[1]]
        }
    }

    /// Points of the circle of radius `r` about the origin (a closed curve).
    static func circle(radius r: Double) -> [[Double]] {
        (0..<361).map { k in let t = 2 * Double.pi * Double(k) / 360; return [r * cos(t), r * sin(t)] }
    }

    /// `ellipse`: the unit circle, the circle of radius 2 − δ and the image of the unit circle under Ŵ
    /// (left) and under P_δ(Ŵ) (right), with the semi-axes σ_i u_i and the right singular vectors v_i.
    package static func ellipseFigure(_ ex: TwoByTwoExample, threshold c: Double) -> Figure {
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
    package static func projectionSweepAnimation(_ w: Matrix<Double>, sweep: (from: Double, to: Double), frames: Int) throws -> AnimatedFigure {
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

    /// `training-compare`: two columns (one per task) × four rows (loss, gradient norm, ‖W_hh‖₂, ρ(J)),
    /// read from `training-compare.dat` (index block k = run k). Reference lines are drawn first so that
    /// the runs lie on top of them (the projected run sits exactly on 2 − δ, δ the one tuned for that
    /// column). Every key sits below its panel, one line, so that no key covers a curve; each column has
    /// its own keys, since the tuned knobs and 2 − δ differ between columns.
    package static func trainingFigure(_ runs: [Run], tasks: [(name: String, learningRate: Double, title: String)]) -> Figure {
        var figure = Figure("training-compare", layout: .init(rows: 4, columns: tasks.count), panelSize: (640, 265))
        var rows: [[Panel]] = [[], [], [], []]
        let below = KeyPlacement.custom("below horizontal maxrows 1 width -1 samplen 2")
        for task in tasks {
            let mine = runs.enumerated().filter { $0.element.task == task.name && $0.element.learningRate == task.learningRate }
            let delta = mine.compactMap { $0.element.method.delta }.first ?? 0.2
            let c = 2 - delta
            let xMax = Double(mine.map { $0.element.records.count }.max() ?? 1)
            var loss = Panel(title: task.title, xLabel: nil, yLabel: "loss", xRange: 0...xMax, logScale: [.y], key: below)
            var grad = Panel(xLabel: nil, yLabel: "gradient norm", xRange: 0...xMax, logScale: [.y], key: .off)
            var norm = Panel(xLabel: nil, yLabel: "‖W_{hh}‖_2", xRange: 0...xMax, key: below)
            var rho = Panel(xLabel: "iteration", yLabel: "ρ(J)", xRange: 0...xMax, key: below)
            let maxNorm = mine.flatMap { $0.element.records.map(\.spectralNorm) }.max() ?? 2
            let maxRho = mine.flatMap { $0.element.records.map(\.spectralRadius) }.max() ?? 1
            norm.yRange = 0...max(2.5, min(8, maxNorm * 1.1))
            rho.yRange = 0.5...max(1.2, min(3, maxRho * 1.05))
            // ‖W_hh‖₂ = 2 is where the sufficient bound ends, not the bifurcation: a run can cross it with ρ(J) < 1
            // (chapter 2). The bifurcation is ρ(J) = 1, in the panel below.
            norm.plot(.function("2", title: "‖W_{hh}‖_2 = 2 (sufficient bound)", style: .lines.color("#777777").width(1.2).dotted))
            norm.plot(.function("\(c)", title: "2 − δ = \(Gnuplot.number(c))", style: .lines.color("#000000").width(1).dashed))
            rho.plot(.function("1", title: "1 (the bifurcation)", style: .lines.color("#777777").width(1.2).dotted))
            rho.plot(.function("\(1 - delta / 4)", title: "½ + (2 − δ)/4 = \(Gnuplot.number(1 - delta / 4))",
                               style: .lines.color("#000000").width(1).dashed))
            for (lt, (index, run)) in mine.enumerated() {
                let style = Style.lines.lineType(lt + 1).width(lt == 2 ? 2.5 : 1.6)
                loss.plot(.file("training-compare.dat", index: index, using: "1:2", title: run.label, style: style))
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

    /// `projection-cost`: milliseconds per projection against n (log–log), one line per method of
    /// `projection-cost.dat`.
    package static func costFigure(sizes: [Int]) -> Figure {
        var figure = Figure("projection-cost", panelSize: (760, 600))
        var panel = Panel(xLabel: "n", yLabel: "milliseconds per projection", logScale: [.x, .y],
                          key: .custom("below horizontal maxrows 3 width -1 samplen 2.5"))
        let labels = ["full SVD (gesdd)", "eigen of WᵀW (syevd)", "selective eigen, λ > c² (syevr)", "automatic: bound check + leading eigen",
                      "certified skip (Weyl bound)"]
        for (k, label) in labels.enumerated() {
            panel.plot(.file("projection-cost.dat", index: k, using: "1:3", title: label,
                             style: .linesPoints.lineType(k + 1).width(2).pointSize(1.1)))
        }
        panel.command("set format y '10^{%L}'")
        panel.command("set xtics (\(sizes.map { "'\($0)' \($0)" }.joined(separator: ", ")))")
        panel.xRange = Double(sizes.min()!) / 1.15...Double(sizes.max()!) * 1.15
        figure.addPanel(panel)
        return figure
    }
}
