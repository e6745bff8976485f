import Foundation
import GRUKit
import GRUKitChapterSupport
import GRUKitPresentation

extension Chapter02 {
    /// Splits scan rows into continuous branches for drawing: a branch is identified by its sign, its
    /// rank by |h*| among the fixed points of that sign counted from the outermost (so a branch passing
    /// through the origin does not renumber the others), and its stability; a gap in w_hh starts a new
    /// piece (a blank line in the data, where gnuplot lifts the pen).
    package static func branchBlocks(_ rows: [BifurcationRow], step: Double) -> (stable: DataBlock, unstable: DataBlock) {
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

    // book: chapter02-first-stable
    /// Where the first nonzero *stable* fixed point of the one-unit map appears: the first w_hh of the
    /// scan `rows` with one, refined by bisection between it and the scan point before it (the test at
    /// each w_hh is a fresh root search on `gridPoints` points). With w_hr = 0 this is the pitchfork at 2;
    /// with w_hr = 1 it is the fold (saddle-node) where the outer stable branch and its unstable partner
    /// are born together. nil when the scan has no nonzero stable point.
    package static func firstNonzeroStable(_ rows: [BifurcationRow], wHZ: Double, wHR: Double, gridPoints: Int) -> Double? {
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
    // book: end

    /// Every fixed point of the one-unit GRU for w_hh = 0 … 4, in both ``cases``: the scans, their data
    /// files, the table of branches at a few weights, the table of critical points and the diagram.
    package struct OneUnit {
        package var step: Double
        package var grid: Int
        /// One scan of [0, 4] per case, in the order of ``Chapter02/cases``.
        package var scans: [[BifurcationRow]]

        package init(step: Double, grid: Int) {
            self.step = step
            self.grid = grid
            scans = cases.map { ScalarBifurcation.scan(from: 0, to: 4, step: step, wHZ: $0.wHZ, wHR: $0.wHR, gridPoints: grid) }
        }

        /// `bifurcation.dat` or `bifurcation-wr1.dat`: rows `w_hh h_star stable` of case `k`.
        package func data(_ k: Int) -> DataTable {
            let c = cases[k]
            var table = DataTable(columns: ["w_hh", "h_star", "stable"], comments: [
                "Chapter 2: every fixed point h* of f(h) = s(w_hz h) h + (1 - s(w_hz h)) tanh(w_hh s(w_hr h) h), s = sigmoid,",
                "for w_hz = \(c.wHZ), w_hr = \(c.wHR), w_hh = 0 ... 4 in steps of \(step); stable = 1 when |f'(h*)| < 1.",
            ])
            for r in scans[k] { table.append([r.wHH, r.point.h, r.point.isStable ? 1 : 0]) }
            return table
        }

        /// The fixed points (s = stable, u = unstable) and their slopes f′(h*) at w_hh = 1.5, 2.5, 3 and 4.
        package var branchTable: TextTable {
            var branchTable = TextTable(title: "Fixed points h* of the one-unit GRU (s = stable, u = unstable)",
                                        columns: ["case", "w_hh", "fixed points", "f′(h*)"], formats: ["", "%.2f", "", ""])
            for c in cases {
                for w in [1.5, 2.5, 3.0, 4.0] {
                    let fps = ScalarGRU(wHH: w, wHZ: c.wHZ, wHR: c.wHR).fixedPoints(gridPoints: grid)
                    branchTable.add([.text(c.label), .number(w),
                                     .text(fps.map { String(format: "%+.4f%@", $0.h, $0.isStable ? "s" : "u") }.joined(separator: " ")),
                                     .text(fps.map { String(format: "%.3f", $0.slope) }.joined(separator: " "))])
                }
            }
            return branchTable
        }

        /// `bifurcation-diagram`: one panel per case, stable branches solid and unstable ones dashed. For the
        /// drawing only, a finer scan where the branches are born (from just before the first nonzero stable
        /// fixed point, the fold for w_hr = 1, to just past the bifurcation at 2), so that the curves reach
        /// the points where they meet.
        package var figure: Figure {
            var figure = Figure("bifurcation-diagram", layout: .init(rows: 1, columns: 2), panelSize: (560, 440))
            for (c, rows) in zip(cases, scans) {
                let birth = min(firstNonzeroStable(rows, wHZ: c.wHZ, wHR: c.wHR, gridPoints: grid) ?? 2, 2)
                let fine = ScalarBifurcation.scan(from: birth - 0.03, to: 2.02, step: 0.0005, wHZ: c.wHZ, wHR: c.wHR, gridPoints: grid)
                let (stable, unstable) = branchBlocks(rows + fine.filter { $0.point.h != 0 }, step: step)
                var panel = Panel(title: c.title, xLabel: "w_{hh}", yLabel: "fixed point h^*", xRange: 0...4, yRange: -1...1,
                                  key: .topLeft)
                panel.plot(.data(stable, title: "stable", style: .lines.lineType(1).width(2.5)))
                panel.plot(.data(unstable, title: "unstable", style: .lines.lineType(2).width(2).dashed))
                panel.plot(.xy([2], [0], columns: ("w_hh", "h"), title: "w_{hh} = 2", style: .points.lineType(7).pointType(6).pointSize(1.6)))
                figure.addPanel(panel)
            }
            return figure
        }

        /// Where the origin loses stability (bisection of f′(0) = 1) and where nonzero stable fixed points
        /// appear, per case; records `first_nonzero_stable.NAME`.
        package func criticalTable(into values: inout RecordedValues) -> TextTable {
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
            return critical
        }
    }
}
