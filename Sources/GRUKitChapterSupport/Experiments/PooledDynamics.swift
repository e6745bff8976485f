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
/// out (a diverged iteration's gradient may be Inf/NaN).
///
/// A run's divergence is marked on the last record *before its gradient left its level*: walking back
/// from the last record at or before the divergence, past every record whose largest gradient norm
/// since the previous record exceeds ``spikeFactor`` × the median gradient norm of the run's records
/// up to the divergence. The record just before the divergence can already hold the blow-up (a loss
/// bound is crossed a few steps after the gradient spikes, and W_hh has by then been thrown far:
/// ρ(J) in the thousands), which says where the blow-up went, not where it started.
package struct PooledDynamics: Sendable {
    /// How far above its run's median gradient norm a record's largest gradient must be to count as
    /// part of a blow-up rather than its starting point (a factor of 10: one order of magnitude, far
    /// beyond the factor of 2–3 by which a trained run's gradient norm varies between records).
    package static let spikeFactor = 10.0
    /// How far above its run's median gradient norm a record's largest gradient must be for the run's
    /// gradient to count as having exploded (three orders of magnitude), diverged or not: clipping can
    /// carry a run through an explosion to the end, and a run can end without diverging yet wrecked
    /// (PTB's loss bound is 10 ln V, far above a trained model's loss).
    package static let explosionFactor = 1000.0

    /// One iteration record.
    package struct Point: Sendable, Equatable {
        /// The log's label (file name without `.jsonl`).
        package var run: String
        package var iteration: Int
        /// ρ(J) at h* = 0 after the step.
        package var rho: Double
        /// The iteration's gradient norm (before clipping).
        package var gradient: Double
        /// True for a diverged run's last record before its gradient left its level on the way to the
        /// divergence (see the type's discussion).
        package var beforeDivergence: Bool
        /// True when the point's run diverged at some iteration.
        package var runDiverged: Bool
        /// True when the point's run's gradient exploded at some record, diverged or not (largest
        /// gradient since the previous record above ``PooledDynamics/explosionFactor`` × the run's median).
        package var runExploded: Bool = false
        /// The largest gradient norm since the run's previous record (`max_gradient_norm`; the
        /// record's own gradient norm when the log has none).
        package var windowMaxGradient: Double
        /// The group the run was pooled under (e.g. "paper scale, plain SGD"); empty when ungrouped.
        package var group: String = ""
    }

    package var points: [Point]

    /// The points of `runs`, in order of run and iteration.
    package init(runs: [LoggedRun]) { self.init(groups: [("", runs)]) }

    /// The points of every group's runs, in order of group, run and iteration, each tagged with its group.
    package init(groups: [(name: String, runs: [LoggedRun])]) {
        points = []
        for (group, runs) in groups { for r in runs { points += Self.points(of: r, group: group) } }
    }

    /// One run's points, its divergence marked (see the type's discussion).
    static func points(of r: LoggedRun, group: String) -> [Point] {
        var divergedAt: Int?
        if case .diverged(_, let i, _) = r.status { divergedAt = i }
        var runPoints: [Point] = []
        for rec in r.iterations {
            guard let rho = rec.double("spectral_radius"), let g = rec.double("gradient_norm"),
                  let i = rec.double("iteration"), rho.isFinite, g.isFinite, abs(i) < 1e15 else { continue }
            let window = rec.double("max_gradient_norm").flatMap { $0.isFinite ? max($0, g) : nil } ?? g
            runPoints.append(Point(run: r.label, iteration: Int(i), rho: rho, gradient: g, beforeDivergence: false,
                                   runDiverged: divergedAt != nil, windowMaxGradient: window, group: group))
        }
        if let d = divergedAt, let k = startOfBlowUp(runPoints, divergedAt: d) { runPoints[k].beforeDivergence = true }
        if !runPoints.isEmpty {
            let level = median(runPoints.map(\.gradient))
            let exploded = runPoints.contains { $0.windowMaxGradient > explosionFactor * level }
            for k in runPoints.indices { runPoints[k].runExploded = exploded }
        }
        return runPoints
    }

    /// The index of the record a divergence at iteration `d` started from: the last record at or before
    /// `d` whose largest gradient since the previous record is at most ``spikeFactor`` × the median
    /// gradient norm of the records up to `d` (the first record when every one is above it; nil when
    /// no record precedes the divergence).
    package static func startOfBlowUp(_ points: [Point], divergedAt d: Int) -> Int? {
        guard var k = points.lastIndex(where: { $0.iteration <= d }) else { return nil }
        let level = median(points[...k].map(\.gradient))
        while k > 0, points[k].windowMaxGradient > spikeFactor * level { k -= 1 }
        return k
    }

    /// The median of a non-empty sample (the mean of the middle two for an even count).
    package static func median(_ x: [Double]) -> Double {
        let s = x.sorted(), n = s.count
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
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

    /// Points with ρ(J) > 1 in runs that never diverged and whose gradient never exploded: the origin
    /// crossed and no blow-up followed.
    package var crossedWithoutBlowUp: [Point] { aboveOne.filter { !$0.runDiverged && !$0.runExploded } }

    /// The runs whose gradient exploded but which did not diverge (clipping carried them on, or they
    /// ended wrecked below the divergence bound), by name.
    package var explodedWithoutDiverging: [String] {
        var names: [String] = []
        for p in points where p.runExploded && !p.runDiverged && !names.contains(p.run) { names.append(p.run) }
        return names
    }

    /// The marked records, one per diverged run (see the type's discussion).
    package var divergences: [Point] { points.filter(\.beforeDivergence) }

    /// The values the book cites, under `prefix` (e.g. `pooled.`): the number of records and runs,
    /// the rank correlation; the records with ρ(J) > 1, and among them those of runs that neither
    /// diverged nor exploded (how many, which runs, from which iteration, their largest gradient norm:
    /// the record's own and the largest since the previous record); the runs whose gradient exploded
    /// without a divergence; the largest gradient norm with ρ(J) ≤ 1; how many divergences started
    /// from ρ(J) > 1, and those that started from ρ(J) ≤ 1 (by run, and counted per group:
    /// `divergences_below_1.by_group`).
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
        let exploded = explodedWithoutDiverging
        values[prefix + "exploded_not_diverged"] = "\(exploded.count)"
        values[prefix + "exploded_not_diverged.runs"] = exploded.isEmpty ? "none" : exploded.joined(separator: ", ")
        values[prefix + "below_1.max_gradient"] = points.filter { $0.rho <= 1 }.map(\.gradient).max().map { String(format: "%.2f", $0) } ?? "—"
        let d = divergences
        values[prefix + "divergences"] = "\(d.count)"
        values[prefix + "divergences_above_1"] = "\(d.filter { $0.rho > 1 }.count)/\(d.count)"
        let below = d.filter { $0.rho <= 1 }
        values[prefix + "divergences_below_1.runs"] = below.isEmpty ? "none"
            : below.map { "\($0.run) (ρ(J) = \(String(format: "%.2f", $0.rho)) at iteration \($0.iteration))" }.joined(separator: ", ")
        var groups: [String] = []
        for p in d where !groups.contains(p.group) { groups.append(p.group) }
        // "SCALE scale, " is left out of the names when every group has the same one.
        let scales = Set(groups.map { $0.components(separatedBy: ", ").first ?? $0 })
        let shared = groups.allSatisfy { $0.contains(", ") } && scales.count == 1 ? scales.first! + ", " : ""
        values[prefix + "divergences_below_1.by_group"] = groups.map { g in
            let inGroup = d.filter { $0.group == g }
            return "\(g.isEmpty ? "all" : String(g.dropFirst(shared.count))) \(inGroup.filter { $0.rho <= 1 }.count)/\(inGroup.count)"
        }.joined(separator: "; ")
    }
}
