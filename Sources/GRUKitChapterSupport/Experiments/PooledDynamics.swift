import Foundation
import GRUKit

/// The gradient norm against ρ(J) at h* = 0 over every iteration record of a set of training logs,
/// pooled: does the spectral radius of the linearised input-free map track the gradient norm?
///
/// Each point is one `iteration` record: its `spectral_radius` (ρ(½I + ¼W_hh) after the step) and
/// its `gradient_norm` (the pre-clip global norm of that iteration). The association is measured by
/// Spearman's rank correlation (Pearson's correlation of the ranks, ties given their mean rank, as
/// `scipy.stats.spearmanr` does), which asks only whether larger ρ(J) comes with larger gradients,
/// not for a particular curve. Records whose ρ(J) or gradient norm is missing or not finite are left
/// out (a diverged iteration's gradient may be Inf/NaN); a run's divergence is marked on the last
/// record before it, the state from which the step that blew up started.
package struct PooledDynamics: Sendable {
    /// One iteration record.
    package struct Point: Sendable, Equatable {
        /// The log's label (file name without `.jsonl`).
        package var run: String
        package var iteration: Int
        /// ρ(J) at h* = 0 after the step.
        package var rho: Double
        /// The iteration's gradient norm (before clipping).
        package var gradient: Double
        /// True for a diverged run's last record before its divergence.
        package var beforeDivergence: Bool
        /// True when the point's run diverged at some iteration.
        package var runDiverged: Bool
        /// The largest gradient norm since the run's previous record (`max_gradient_norm`; the
        /// record's own gradient norm when the log has none).
        package var windowMaxGradient: Double
    }

    package var points: [Point]

    /// The points of `runs`, in order of run and iteration.
    package init(runs: [LoggedRun]) {
        points = []
        for r in runs {
            var divergedAt: Int?
            if case .diverged(_, let i, _) = r.status { divergedAt = i }
            var runPoints: [Point] = []
            for rec in r.iterations {
                guard let rho = rec.double("spectral_radius"), let g = rec.double("gradient_norm"),
                      let i = rec.double("iteration"), rho.isFinite, g.isFinite, abs(i) < 1e15 else { continue }
                let window = rec.double("max_gradient_norm").flatMap { $0.isFinite ? max($0, g) : nil } ?? g
                runPoints.append(Point(run: r.label, iteration: Int(i), rho: rho, gradient: g, beforeDivergence: false,
                                       runDiverged: divergedAt != nil, windowMaxGradient: window))
            }
            if let d = divergedAt, let k = runPoints.lastIndex(where: { $0.iteration <= d }) { runPoints[k].beforeDivergence = true }
            points += runPoints
        }
    }

    /// The ranks of `x` from 1, ties given the mean of the ranks they span.
    package static func ranks(_ x: [Double]) -> [Double] {
        let order = x.indices.sorted { x[$0] < x[$1] }
        var r = [Double](repeating: 0, count: x.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && x[order[end + 1]] == x[order[start]] { end += 1 }
            let mean = Double(start + end) / 2 + 1
            for k in start ... end { r[order[k]] = mean }
            start = end + 1
        }
        return r
    }

    /// Spearman's rank correlation of paired samples: Pearson's correlation of their ranks. Nil for
    /// fewer than 3 pairs or when either sample is constant (the correlation is undefined).
    package static func spearman(_ x: [Double], _ y: [Double]) -> Double? {
        precondition(x.count == y.count, "spearman: samples of different lengths")
        guard x.count >= 3 else { return nil }
        let a = ranks(x), b = ranks(y)
        let n = Double(x.count), ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
        var sab = 0.0, saa = 0.0, sbb = 0.0
        for k in a.indices { sab += (a[k] - ma) * (b[k] - mb); saa += (a[k] - ma) * (a[k] - ma); sbb += (b[k] - mb) * (b[k] - mb) }
        guard saa > 0, sbb > 0 else { return nil }
        return sab / (saa * sbb).squareRoot()
    }

    /// Spearman's correlation of ρ(J) and the gradient norm over every point.
    package var spearman: Double? { Self.spearman(points.map(\.rho), points.map(\.gradient)) }

    /// The points with ρ(J) > 1: the origin of the input-free map unstable.
    package var aboveOne: [Point] { points.filter { $0.rho > 1 } }

    /// Points with ρ(J) > 1 in runs that never diverged: the origin crossed and no blow-up followed.
    package var crossedWithoutBlowUp: [Point] { aboveOne.filter { !$0.runDiverged } }

    /// The marked records, one per diverged run.
    package var divergences: [Point] { points.filter(\.beforeDivergence) }

    /// The values the book cites, under `prefix` (e.g. `pooled.`): the number of records and runs,
    /// the rank correlation, how many records have ρ(J) > 1 and the largest gradient norm among them
    /// in runs that did not diverge (the record's own, and the largest since the previous record), the
    /// first iteration of such a record, the largest gradient norm with ρ(J) ≤ 1, and how many
    /// divergences started from ρ(J) > 1.
    package func record(into values: inout RecordedValues, prefix: String) {
        values[prefix + "records"] = "\(points.count)"
        values[prefix + "runs"] = "\(Set(points.map(\.run)).count)"
        values[prefix + "spearman"] = spearman.map { String(format: "%.2f", $0) } ?? "undefined"
        values[prefix + "above_1"] = "\(aboveOne.count)/\(points.count)"
        let crossed = crossedWithoutBlowUp
        values[prefix + "above_1_no_blow_up"] = "\(crossed.count)"
        values[prefix + "above_1_no_blow_up.runs"] = Set(crossed.map(\.run)).sorted().joined(separator: ", ")
        values[prefix + "above_1_no_blow_up.max_gradient"] = crossed.map(\.gradient).max().map { String(format: "%.2f", $0) } ?? "—"
        values[prefix + "above_1_no_blow_up.max_window_gradient"] = crossed.map(\.windowMaxGradient).max().map { String(format: "%.2f", $0) } ?? "—"
        if let first = crossed.map(\.iteration).min() { values[prefix + "above_1_no_blow_up.first_iteration"] = "\(first)" }
        values[prefix + "below_1.max_gradient"] = points.filter { $0.rho <= 1 }.map(\.gradient).max().map { String(format: "%.2f", $0) } ?? "—"
        let d = divergences
        values[prefix + "divergences"] = "\(d.count)"
        values[prefix + "divergences_above_1"] = "\(d.filter { $0.rho > 1 }.count)/\(d.count)"
    }
}
