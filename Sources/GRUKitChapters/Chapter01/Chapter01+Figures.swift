import Foundation
import GRUKit
import GRUKitPresentation

extension Chapter01 {
    /// `trajectories`: h_t against t from ±h_0 for each of ``initialStates``, one panel per weight, with
    /// the nonzero fixed points dashed.
    package static func trajectoriesFigure(weights: [Double], gates: Gates, steps: Int) -> Figure {
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

    /// `return-map`: the return map with its cobweb (upper row) and the distance from the diagonal, f(h) − h,
    /// with the same orbit's steps h_{t+1} − h_t as stems (lower row); one column per weight.
    package static func returnMapFigure(weights: [Double], gates: Gates) -> Figure {
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

    /// `cobweb-sweep`: w_hh running from `sweep.from` to `sweep.to` in `frames` frames; the return map with
    /// two cobwebs (from 0.9 and 0.05) on the left, f(h) − h with the orbits' steps on the right.
    package static func cobwebSweepAnimation(sweep: (from: Double, to: Double), frames: Int, gates: Gates) -> AnimatedFigure {
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
}
