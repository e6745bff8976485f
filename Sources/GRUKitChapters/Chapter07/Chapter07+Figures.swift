import Foundation
import GRUKit
import GRUKitChapterSupport
import GRUKitPresentation

extension Chapter07 {
    /// `iteration-time`: one bar per row of `iteration-time.dat`, the **median** seconds per iteration
    /// (column 5), the median projection (column 7) drawn dark from the axis up and its share of the
    /// median written above; for measured rows an error bar from the fastest (column 2) to the slowest
    /// (column 6) timed iteration. Measured rows solid, estimated rows hatched (no error bar: an estimate
    /// has no spread of its own).
    package static func iterationTimeFigure(_ rows: [IterationTime], hidden: Int, vocabulary: Int, measuredCount m: Int, realData: Bool) -> Figure {
        var figure = Figure("iteration-time", panelSize: (1250, 620))
        let top = (rows.map { $0.slowest.isNaN ? $0.median : max($0.slowest, $0.median) }.max() ?? 1) * 1.12
        var p = Panel(title: "One training iteration of the language model (E = H = \(hidden), V = \(vocabulary), batch 20 × 35, Float32)"
                      + (realData ? "" : ", random tokens"),
                      yLabel: "seconds per iteration (median)", xRange: -0.6...(Double(rows.count) - 0.4), yRange: 0...top,
                      key: .custom("below horizontal maxrows 2 samplen 1.5 width 2"))
        let ticks = rows.enumerated().map { i, r in "\"\(tickLabel(r))\" \(i)" }.joined(separator: ", ")
        p.command("set xtics (\(ticks)) scale 0 font \",10\"")
        p.command("set boxwidth 0.68")
        p.command("set grid noxtics ytics")
        p.command("set bmargin 7")   // two-line tick labels, then the key below them
        if m < rows.count { p.command("set arrow from \(Double(m) - 0.5), graph 0 to \(Double(m) - 0.5), graph 1 nohead dt 3 lc rgb '#777777'") }
        let measured = "(int($0) < \(m) ? %@ : 1/0)", estimated = "(int($0) >= \(m) ? %@ : 1/0)"
        func using(_ f: String, _ col: String) -> String { "0:" + String(format: f, col) }
        p.plot(.file("iteration-time.dat", using: using(measured, "$5"), title: "rest of the iteration",
                     style: Style(kind: .custom("boxes")).color("#56B4E9").extra("fs solid 0.45 border lc rgb '#0072B2'")))
        p.plot(.file("iteration-time.dat", using: using(measured, "$7"), title: "projection",
                     style: Style(kind: .custom("boxes")).color("#D55E00").extra("fs solid 0.9 border lc rgb '#D55E00'")))
        p.plot(.file("iteration-time.dat", using: using(measured, "$5") + ":2:6", title: "fastest to slowest timed iteration",
                     style: Style(kind: .custom("yerrorbars")).color("#000000").width(1.2).pointType(7).pointSize(0.4)))
        if m < rows.count {
            p.plot(.file("iteration-time.dat", using: using(estimated, "$5"), title: "estimate: rest",
                         style: Style(kind: .custom("boxes")).color("#0072B2").extra("fs pattern 4 border lc rgb '#0072B2'")))
            p.plot(.file("iteration-time.dat", using: using(estimated, "$7"), title: "estimate: projection",
                         style: Style(kind: .custom("boxes")).color("#D55E00").extra("fs pattern 5 border lc rgb '#D55E00'")))
        }
        // The projection's share of the median iteration, above the error bar (or the bar, for an estimate).
        p.plot(.file("iteration-time.dat",
                     using: "0:(int($0) < \(m) ? $6 : $5):($7 <= 0 ? \"\" : 100*$7/$5 >= 1 ? sprintf(\"%.1f %%\", 100*$7/$5) : sprintf(\"%.2g %%\", 100*$7/$5))",
                     style: Style(kind: .custom("labels")).extra("offset 0,0.9 font \",11\"")))
        figure.addPanel(p)
        return figure
    }

    /// Two-line tick labels for the bars.
    static func tickLabel(_ r: IterationTime) -> String {
        switch r.name {
        case "sgd": return "plain SGD"
        case "clip": return "gradient\\nclipping"
        case "project-svd": return "P_δ by\\nfull SVD"
        case "project-leading": return "P_δ by leading\\neigenpairs"
        case "project-active": return "automatic:\\nclipping"
        case "project-automatic": return "automatic,\\nas trained"
        default:
            let rate = r.name.replacingOccurrences(of: "estimate-lr", with: "")
            return "mix at η = \(rate)\\n(estimate)"
        }
    }

    /// `projection-vs-n`: one line per method of `projection-vs-n.dat` (log–log) and the plain-SGD
    /// iteration of the timed model as one point, for scale. The key sits below the axes, where it
    /// covers no point; the y range reaches down to `smallest` (milliseconds), the fastest time drawn.
    package static func projectionFigure(sizes: [Int], names: [String], stepMilliseconds: Double, hidden: Int, smallest: Double) -> Figure {
        var figure = Figure("projection-vs-n", panelSize: (800, 700))
        // The one point of the figure's own goes inside the script: projection-vs-n.dat holds the timings.
        figure.dataPlacement = .inline
        var p = Panel(title: "One exact projection P_δ, one singular value above 2 − δ (Float)", xLabel: "n",
                      yLabel: "milliseconds", yRange: min(1e-4, pow(10, floor(log10(smallest)))) ... 1e4, logScale: [.x, .y],
                      key: .custom("below horizontal maxrows 3 width -1 samplen 2.5"))
        let labels: [String: String] = [
            "fullSVD": "full SVD (gesdd)", "eigen": "eigen of WᵀW (syevd)", "selectiveEigen": "selective eigen, λ > c² (syevr)",
            "automatic": "automatic, bound fails: check + leading eigenpairs", "certifiedSkip": "automatic, certified skip (Weyl)",
        ]
        for (k, name) in names.enumerated() {
            p.plot(.file("projection-vs-n.dat", index: k, using: "1:3", title: labels[name] ?? name,
                         style: .linesPoints.lineType(k + 1).width(2).pointSize(1.1)))
        }
        p.plot(.data([[Double(hidden), stepMilliseconds]], columns: ["n", "milliseconds"],
                     title: "one plain-SGD training iteration, H = \(hidden)", style: .points.color("#000000").pointType(9).pointSize(2.2)))
        p.command("set format y '10^{%L}'")
        p.command("set xtics (\(sizes.map { "'\($0)' \($0)" }.joined(separator: ", ")))")
        p.xRange = Double(sizes.min()!) / 1.15...Double(max(sizes.max()!, hidden)) * 1.15
        figure.addPanel(p)
        return figure
    }

    /// `projection-activity`: for each learning rate, the projection's milliseconds at each iteration
    /// (log scale), one marker per action, and the number clipped on a second axis.
    package static func activityFigure(_ runs: [ActivityRun], threshold c: Double, hidden: Int) -> Figure {
        var figure = Figure("projection-activity", layout: .init(rows: runs.count, columns: 1), panelSize: (900, 330))
        let xMax = Double(runs.map(\.records.count).max() ?? 1)
        let maxK = Double(runs.flatMap(\.records).map(\.clipped).max() ?? 1)
        for (k, run) in runs.enumerated() {
            var p = Panel(title: "SGD + P_δ by the automatic projector, H = \(hidden), η = \(Gnuplot.number(run.learningRate)): "
                          + "\(run.count("skipped")) skipped, \(run.count("unchanged")) unchanged, \(run.count("clipped")) clipped",
                          xLabel: k == runs.count - 1 ? "iteration" : nil, yLabel: "projector call, ms",
                          xRange: 0...xMax + 1, yRange: 1e-3...1e2, logScale: [.y],
                          key: k == 0 ? .custom("top center horizontal maxrows 1 opaque box samplen 1 width -1") : .off)
            p.plot(.file("projection-activity.dat", index: k, using: "1:($4 > 0 ? $4 : 1/0)", title: "values clipped (right axis)",
                         style: .impulses.color("#777777").width(1).extra("axes x1y2")))
            let actions: [(String, String, Int)] = [("skipped", "#009E73", 9), ("unchanged", "#0072B2", 7), ("clipped", "#D55E00", 5)]
            for (name, colour, pt) in actions {
                p.plot(.file("projection-activity.dat", index: k, using: "1:(strcol(3) eq \"\(name)\" ? 1000*$5 : 1/0)",
                             title: name, style: .points.color(colour).pointType(pt).pointSize(0.7)))
            }
            p.command("set y2range [0:\(Gnuplot.number(max(4, maxK * 1.3)))]")
            p.command("set y2tics 1 nomirror")
            p.command("set y2label 'values clipped'")
            p.command("set format y '10^{%L}'")
            p.command("set lmargin 11")
            p.command("set rmargin 10")
            figure.addPanel(p)
        }
        return figure
    }
}
