import Foundation
import GRUKit
import GRUKitChapterSupport
import GRUKitPresentation

extension Chapter02 {
    /// The two-unit GRUs of the phase portraits: W_hh = [[1, 0.35], [0.35, 0.55]] rescaled to each norm,
    /// and one pair of random gate matrices (N(0, (0.6/√2)²)) for every norm, drawn from the same state
    /// of a generator seeded with `seed + 7`.
    package static func twoUnitGRUs(seed: UInt64) -> (Double) throws -> InputFreeGRU {
        let base2 = Matrix<Double>([[1.0, 0.35], [0.35, 0.55]])
        let gateDraws = SeededGenerator(seed: seed &+ 7)
        return { norm in
            var gateState = gateDraws
            return gruWith(wHH: try rescaled(base2, toNorm: norm), gateScale: 0.6, form: .resetBefore, rng: &gateState)
        }
    }

    /// One phase portrait: the field F(h) − h as arrows of one length, ten trajectories, and the fixed
    /// points the finder returns from `starts` random starts (filled: stable, open: not). With
    /// `fullLegend` both kinds of fixed point are listed even when one is absent (an empty series is one
    /// point at NaN, which gnuplot skips), so that an animation's plot area keeps its size from frame to frame.
    package static func phasePanel(_ gru: InputFreeGRU, title: String, starts: Int, seed: UInt64, fullLegend: Bool = false) -> Panel {
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
    package static func phasePortrait(_ grus: [(gru: InputFreeGRU, norm: Double)], starts: Int, seed: UInt64) -> Figure {
        var figure = Figure("phase-portrait", layout: .init(rows: 1, columns: grus.count), panelSize: (520, 500))
        for (gru, norm) in grus {
            figure.addPanel(phasePanel(gru, title: "‖W_{hh}‖_2 = \(norm)", starts: starts, seed: seed))
        }
        return figure
    }

    /// The animation: the phase portrait of `gru(norm)` for `frames` norms from `sweep.from` to `sweep.to`.
    package static func phaseSweepAnimation(_ gru: (Double) throws -> InputFreeGRU, sweep: (from: Double, to: Double), frames: Int,
                                            starts: Int, seed: UInt64) throws -> AnimatedFigure {
        var animation = AnimatedFigure("phase-sweep", panelSize: (600, 640), fontSize: 11, delay: 15, restFrames: 5)
        for k in 0..<frames {
            let norm = sweep.from + (sweep.to - sweep.from) * Double(k) / Double(max(frames - 1, 1))
            let map = try gru(norm)
            let rho = try FixedPointStability.spectralRadiusAtOrigin(map.candidateBlock)
            let verdict = rho < 1 - 1e-12 ? "origin stable" : rho > 1 + 1e-12 ? "origin unstable" : "critical"
            animation.addFrame(panels: [phasePanel(map, title: String(format: "‖W_{hh}‖_2 = %.3f:  ρ(J(0)) = %.4f, %@", norm, rho, verdict),
                                                   starts: starts, seed: seed, fullLegend: true)])
        }
        return animation
    }
}
