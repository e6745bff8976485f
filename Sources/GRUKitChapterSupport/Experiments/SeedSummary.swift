import Foundation
import GRUKit
import GRUKitPresentation

/// A sample mean with its two-sided 95 % confidence interval, mean ± t₀.₉₇₅,ₙ₋₁ · s/√n, where s is the
/// sample standard deviation (divisor n − 1) and t the Student-t quantile: the interval a reader
/// expects beside a mean over a handful of seeds (with n = 5, t = 2.776, wider than the normal 1.96
/// because s itself is estimated from five numbers).
package struct MeanInterval: Sendable, Equatable {
    /// The sample mean x̄ = Σxᵢ/n.
    package var mean: Double
    /// t₀.₉₇₅,ₙ₋₁ · s/√n; nil when n = 1 (one value says nothing about the spread).
    package var halfWidth: Double?
    /// n, the number of values.
    package var count: Int

    /// The mean and interval of the finite values among `values`; nil when there is none.
    package init?(_ values: [Double]) {
        let x = values.filter(\.isFinite)
        guard !x.isEmpty else { return nil }
        let n = Double(x.count)
        mean = x.reduce(0, +) / n
        count = x.count
        if x.count > 1 {
            let m = mean
            let variance = x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1)
            halfWidth = Self.studentT975(degreesOfFreedom: x.count - 1) * (variance / n).squareRoot()
        } else {
            halfWidth = nil
        }
    }

    /// The interval's ends, mean ∓ halfWidth (the mean twice when n = 1).
    package var lower: Double { mean - (halfWidth ?? 0) }
    /// The interval's upper end.
    package var upper: Double { mean + (halfWidth ?? 0) }

    /// t₀.₉₇₅ of Student's t with ν degrees of freedom (ν ≥ 1): the table values to four digits for
    /// ν ≤ 30, then the Cornish–Fisher expansion z + (z³ + z)/(4ν) + (5z⁵ + 16z³ + 3z)/(96ν²)
    /// with z = 1.959964, which is within 2·10⁻⁴ of the exact quantile from ν = 30 on.
    package static func studentT975(degreesOfFreedom nu: Int) -> Double {
        precondition(nu >= 1, "MeanInterval: degrees of freedom must be at least 1")
        let table: [Double] = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                               2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                               2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
        if nu <= table.count { return table[nu - 1] }
        let z = 1.959964, v = Double(nu)
        return z + (z * z * z + z) / (4 * v) + (5 * pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * v * v)
    }

    /// `mean ± halfWidth` with the given number format (`%.2f`), or the mean alone when n = 1.
    package func text(_ format: String = "%.2f") -> String {
        let m = ResultsTable.format(mean, format)
        guard let h = halfWidth, h.isFinite else { return m }
        return m + " ± " + ResultsTable.format(h, format)
    }
}

/// The runs of one configuration (method and learning rate) over several seeds, and what they add
/// up to: how many diverged, how many finished without beating the trivial predictor, and the mean
/// and 95 % interval of the final and best validation metric over the seeds that trained.
package struct SeedGroup: Sendable {
    /// The configuration's name without the seed (``RunConfiguration/name(method:learningRate:)``).
    package var name: String
    /// The runs, one per seed, in seed order.
    package var runs: [RunResult]
    /// The trivial predictor's validation metric a run must beat to count as trained (nil: every
    /// run that did not diverge counts).
    package var baseline: Double?

    /// The method of the group's runs.
    package var method: TrainingMethod { runs[0].configuration.method }
    /// The learning rate η₀ of the group's runs.
    package var learningRate: Double { runs[0].configuration.learningRate }
    /// n, the seeds.
    package var count: Int { runs.count }
    /// The runs that diverged.
    package var diverged: [RunResult] { runs.filter(\.diverged) }
    /// The runs trained to the end whose final validation metric beats ``baseline``.
    package var trained: [RunResult] { runs.filter { $0.status == .completed && beats($0) } }
    /// The runs trained to the end that do not beat ``baseline`` ("failed to learn").
    package var failed: [RunResult] { runs.filter { $0.status == .completed && !beats($0) } }
    /// The runs that stopped before their last epoch (`--stop-after`) or are still running (a
    /// collected job array): neither trained nor failed yet, counted in no column.
    package var unfinished: [RunResult] { runs.filter { if case .stopped = $0.status { return true } else { return false } } }

    func beats(_ r: RunResult) -> Bool {
        guard let baseline else { return r.finalValidMetric?.isFinite ?? false }
        return (r.finalValidMetric ?? .nan) < baseline
    }

    /// Mean ± interval of the final validation metric over ``trained``; nil when none trained.
    package var finalValid: MeanInterval? { MeanInterval(trained.compactMap(\.finalValidMetric)) }
    /// Mean ± interval of the test split's metric over ``trained`` (runs tested at their end); nil when none.
    package var finalTest: MeanInterval? { MeanInterval(trained.compactMap(\.testMetric)) }
    /// Mean ± interval of the best validation metric over ``trained``; nil when none trained.
    package var bestValid: MeanInterval? { MeanInterval(trained.compactMap(\.bestValidMetric)) }
    /// Mean ± interval of the final validation metric over every run trained to the end (beating the
    /// baseline or not): what the failed runs reached, shown when none trained.
    package var finalValidOfFinished: MeanInterval? { MeanInterval(runs.filter { $0.status == .completed }.compactMap(\.finalValidMetric)) }
    /// The iterations at which the diverged runs diverged, in seed order.
    package var divergenceIterations: [Int] {
        diverged.compactMap { if case .diverged(_, let i, _) = $0.status { return i } else { return nil } }
    }
}

/// The results of a sweep over seeds, one row per configuration: "k/n diverged", "k/n failed to
/// learn", and the mean ± 95 % interval (``MeanInterval``) of the final and best validation metric
/// over the seeds that trained (beat the trivial predictor of ``ResultsTable/baseline``).
package struct SeedSummary: Sendable {
    /// The configurations, in the order of their first run in the sweep.
    package var groups: [SeedGroup]
    /// Printed above the table.
    package var title: String
    /// The trivial predictor the runs are judged against.
    package var baseline: ResultsTable.Baseline?

    /// Groups `results` by method and learning rate (the seed is the only difference within a group).
    package init(results: [RunResult], title: String, baseline: ResultsTable.Baseline? = nil) {
        var order: [String] = [], byName: [String: [RunResult]] = [:]
        for r in results {
            let key = RunConfiguration.name(method: r.configuration.method, learningRate: r.configuration.learningRate)
            if byName[key] == nil { order.append(key) }
            byName[key, default: []].append(r)
        }
        groups = order.map { SeedGroup(name: $0, runs: byName[$0]!.sorted { $0.configuration.seed < $1.configuration.seed },
                                       baseline: baseline?.metric) }
        self.title = title
        self.baseline = baseline
    }

    /// The metric's name ("perplexity", "nll").
    package var metricName: String { groups.first?.runs.first?.metricName ?? "metric" }

    /// The columns of one group: name, method, η₀, seeds, diverged k/n, failed k/n, final, best.
    func row(_ g: SeedGroup) -> [String] {
        let n = g.count
        let final = g.finalValid.map { $0.text() } ?? (g.finalValidOfFinished.map { "— (finished: " + $0.text() + ")" } ?? "—")
        return [g.name, g.method.description, RunConfiguration.number(g.learningRate),
                g.runs.map { String($0.configuration.seed) }.joined(separator: ","),
                "\(g.diverged.count)/\(n)", "\(g.failed.count)/\(n)", "\(g.trained.count)/\(n)",
                final, g.bestValid.map { $0.text() } ?? "—"]
    }

    var headers: [String] {
        let m = metricName
        return ["configuration", "method", "η₀", "seeds", "diverged", "failed to learn", "trained",
                "final valid \(m) (mean ± 95 %)", "best valid \(m) (mean ± 95 %)"]
    }

    /// The table for the terminal.
    package var textTable: TextTable {
        var t = TextTable(title: title, columns: headers, formats: Array(repeating: "", count: headers.count))
        for g in groups { t.add(row(g).map { .text($0) }) }
        return t
    }

    /// The table in Markdown (`summary.md`), with a line on how to read it.
    package var markdown: String {
        var lines = ["# \(title)", "",
                     "Per configuration over its seeds: how many diverged, how many finished without beating "
                     + (baseline.map { "\($0.name) (validation \(metricName) \(ResultsTable.format($0.metric)))" } ?? "a trivial predictor")
                     + " and how many trained; the final and best validation \(metricName) are the mean ± the half-width of a "
                     + "95 % Student-t interval over the seeds that trained (— when none did; then the mean of the finished runs is in brackets).", "",
                     "| " + headers.joined(separator: " | ") + " |",
                     "|---|---|---:|---|---:|---:|---:|---:|---:|"]
        for g in groups { lines.append("| " + row(g).joined(separator: " | ") + " |") }
        if let line = unfinishedLine { lines += ["", line] }
        return lines.joined(separator: "\n") + "\n"
    }

    /// "Not yet finished (counted in no column): NAME (after epoch k), …", or nil when every run
    /// diverged or trained to the end.
    package var unfinishedLine: String? {
        let names = groups.flatMap(\.unfinished).compactMap { r -> String? in
            if case .stopped(let e) = r.status { return "\(r.configuration.name) (after epoch \(e) of \(r.configuration.epochs))" } else { return nil }
        }
        return names.isEmpty ? nil : "Not yet finished (still running or stopped; counted in no column): " + names.joined(separator: ", ")
    }

    /// The table as numbers (`summary.dat`): one row per configuration; NaN where there is no value.
    package var dataTable: DataTable {
        var comments = [title, "One row per configuration (method × learning rate) over its seeds; in row order:"]
        for (k, g) in groups.enumerated() { comments.append("  \(k + 1): \(g.name) (\(g.method))") }
        comments.append("Means and 95 % half-widths (Student t) over the seeds that trained; half-width NaN for one seed.")
        var t = DataTable(columns: ["config", "learning_rate", "clip", "delta", "seeds", "diverged", "failed", "trained",
                                    "final_mean", "final_halfwidth", "best_mean", "best_halfwidth"], comments: comments)
        for (k, g) in groups.enumerated() {
            t.append([Double(k + 1), g.learningRate, g.method.maxNorm ?? .nan, g.method.delta ?? .nan, Double(g.count),
                      Double(g.diverged.count), Double(g.failed.count), Double(g.trained.count),
                      g.finalValid?.mean ?? .nan, g.finalValid?.halfWidth ?? .nan, g.bestValid?.mean ?? .nan, g.bestValid?.halfWidth ?? .nan])
        }
        return t
    }

    /// One sentence per configuration: "sgd-lr40: 5/5 diverged (iterations 61, 67, …)", "project0.2-lr40:
    /// 5/5 trained, final valid perplexity 758.4 ± 3.1".
    package var sentences: [String] {
        groups.map { g in
            var parts: [String] = []
            if !g.diverged.isEmpty {
                parts.append("\(g.diverged.count)/\(g.count) diverged (at iteration " + g.divergenceIterations.map(String.init).joined(separator: ", ") + ")")
            }
            if !g.failed.isEmpty { parts.append("\(g.failed.count)/\(g.count) failed to learn") }
            if !g.unfinished.isEmpty { parts.append("\(g.unfinished.count)/\(g.count) not yet finished") }
            if !g.trained.isEmpty {
                parts.append("\(g.trained.count)/\(g.count) trained, final validation \(metricName) " + (g.finalValid?.text() ?? "—"))
            }
            return g.name + ": " + parts.joined(separator: "; ")
        }
    }

    /// Writes ``markdown`` to `NAME.md` and ``dataTable`` to `NAME.dat` in `directory`, atomically
    /// (`name` defaults to `summary`).
    /// - Throws: ``TrainingError/cannotWrite(path:reason:)`` naming the file.
    @discardableResult
    package func write(to directory: URL, name: String = "summary") throws -> [URL] {
        try ResultsTable.write(markdown: markdown, data: dataTable, to: directory, name: name)
    }
}
