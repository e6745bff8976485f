import Foundation
import GRUKit
import GRUKitPresentation

/// The comparison the paper's reviewers asked for: at each learning rate, gradient clipping with its
/// threshold tuned against the projection with its δ tuned, each picked on validation from a small
/// grid, beside plain SGD. Picking the best knob per method and rate keeps either method from
/// losing because of a threshold chosen for another rate (clipping at 5 with η = 40 lets a step of
/// norm 200 through; δ = 0.5 may be too strict at a small rate).
///
/// The rule that picks a knob, over the configuration's seeds (``SeedGroup``): most seeds trained
/// (beat the trivial predictor), then fewest diverged, then the lowest mean final validation metric
/// over the seeds that trained.
package struct TunedComparison: Sendable {
    /// One learning rate's line: plain SGD and the best-tuned clip and projection.
    package struct Entry: Sendable {
        /// η₀.
        package var learningRate: Double
        /// The family ("plain SGD", "clipping", "projection", "clipping + projection", "spectral rescaling") and its best
        /// configuration over the grid, with the candidates it was picked from.
        package var picks: [(family: String, best: SeedGroup, candidates: [SeedGroup])]
    }

    /// One entry per learning rate, in increasing order.
    package var entries: [Entry]
    /// Printed above the table.
    package var title: String

    /// The standard grids: thresholds c ∈ {0.25, 1, 5} for clipping and δ ∈ {0.1, 0.2, 0.5} for the
    /// projection (‖W_hh‖₂ ≤ 1.9, 1.8, 1.5).
    package static let clipGrid: [Double] = [0.25, 1, 5]
    /// See ``clipGrid``.
    package static let deltaGrid: [Double] = [0.1, 0.2, 0.5]

    /// The methods of a tuning sweep: plain SGD, clipping at every threshold of `clips`, the
    /// projection at every δ of `deltas`.
    package static func methods(clips: [Double] = clipGrid, deltas: [Double] = deltaGrid) -> [TrainingMethod] {
        [.sgd] + clips.map { .clip(maxNorm: $0) } + deltas.map { .project(delta: $0) }
    }

    /// Whether `a` is a better pick than `b` by the rule of the type's description.
    package static func better(_ a: SeedGroup, than b: SeedGroup) -> Bool {
        if a.trained.count != b.trained.count { return a.trained.count > b.trained.count }
        if a.diverged.count != b.diverged.count { return a.diverged.count < b.diverged.count }
        return (a.finalValid?.mean ?? .infinity) < (b.finalValid?.mean ?? .infinity)
    }

    /// The best of `candidates` by ``better(_:than:)`` (the first of a tie); nil when there are none.
    package static func pick(_ candidates: [SeedGroup]) -> SeedGroup? {
        candidates.dropFirst().reduce(candidates.first) { best, g in best.map { better(g, than: $0) ? g : $0 } }
    }

    /// The comparison of a tuning sweep's ``SeedSummary``.
    package init(summary: SeedSummary, title: String) {
        var entries: [Entry] = []
        for lr in Set(summary.groups.map(\.learningRate)).sorted() {
            let atRate = summary.groups.filter { $0.learningRate == lr }
            var picks: [(String, SeedGroup, [SeedGroup])] = []
            for family in TrainingMethod.Family.allCases {
                let candidates = atRate.filter { $0.method.family == family }
                guard let best = Self.pick(candidates) else { continue }
                picks.append((family.name, best, candidates))
            }
            entries.append(Entry(learningRate: lr, picks: picks))
        }
        self.entries = entries
        self.title = title
    }

    /// Whether the picked knob is the smallest or the largest of at least three tried: the best value
    /// may lie beyond the grid, which should then be widened (the table flags it).
    package static func atEdge(_ best: SeedGroup, of candidates: [SeedGroup]) -> Bool {
        let values = candidates.compactMap { $0.method.knobValue }
        guard values.count >= 3, let v = best.method.knobValue else { return false }
        return v == values.min() || v == values.max()
    }

    /// The best-tuned clipping against the best-tuned projection at one learning rate, over seeds.
    package struct Test: Sendable {
        /// η₀.
        package var learningRate: Double
        /// The picked clipping and projection configurations.
        package var clip: SeedGroup, projection: SeedGroup
        /// Fisher's exact test of "trained" against "did not train" (diverged or failed to learn).
        package var fisherP: Double
        /// Welch's t-test of the final validation metrics of the seeds that trained (nil: fewer than two in a group).
        package var welch: (t: Double, degreesOfFreedom: Double, p: Double)?
        /// The same test on the test split's metric. The knobs were picked on the validation metric,
        /// which favours the family with more candidates; the test split picked nothing.
        package var testWelch: (t: Double, degreesOfFreedom: Double, p: Double)? = nil

        /// One line for the page: the counts with Fisher's p, and the means with Welch's p.
        package var sentence: String {
            let c = clip, q = projection
            var s = "η₀ = \(RunConfiguration.number(learningRate)): clipping (\(c.method.knob)) trained \(c.trained.count)/\(c.count), "
                + "the projection (\(q.method.knob)) \(q.trained.count)/\(q.count) — Fisher's exact test \(SignificanceTests.text(fisherP))"
            if let w = welch {
                s += "; final validation \(c.finalValid?.text() ?? "—") against \(q.finalValid?.text() ?? "—"), Welch's t = "
                    + String(format: "%.2f", w.t) + " (ν = " + String(format: "%.1f", w.degreesOfFreedom) + "), \(SignificanceTests.text(w.p))"
                if let w = testWelch {
                    s += "; on the test split, which picked no knob, \(c.finalTest?.text() ?? "—") against "
                        + "\(q.finalTest?.text() ?? "—"), \(SignificanceTests.text(w.p))"
                }
            } else {
                s += "; too few seeds trained in one of them for a t-test of the final metric"
            }
            return s + "."
        }
    }

    /// At every rate where both were tuned, the best clip against the best projection.
    package var tests: [Test] {
        entries.compactMap { e in
            guard let c = e.picks.first(where: { $0.family == TrainingMethod.Family.clip.name })?.best,
                  let q = e.picks.first(where: { $0.family == TrainingMethod.Family.project.name })?.best else { return nil }
            let fisher = SignificanceTests.fisherExact(c.trained.count, c.count - c.trained.count, q.trained.count, q.count - q.trained.count)
            let welch = SignificanceTests.welch(c.trained.compactMap(\.finalValidMetric), q.trained.compactMap(\.finalValidMetric))
            let testWelch = SignificanceTests.welch(c.trained.compactMap(\.testMetric), q.trained.compactMap(\.testMetric))
            return Test(learningRate: e.learningRate, clip: c, projection: q, fisherP: fisher, welch: welch, testWelch: testWelch)
        }
    }

    var rows: [[String]] {
        entries.flatMap { e in
            e.picks.map { p in
                let n = p.best.count
                let tried = p.candidates.count > 1 ? " (of " + p.candidates.map { $0.method.knob }.joined(separator: "; ") + ")" : ""
                let edge = Self.atEdge(p.best, of: p.candidates) ? " ⚠ edge of grid" : ""
                return [RunConfiguration.number(e.learningRate), p.family, p.best.method.knob + edge + tried,
                        "\(p.best.diverged.count)/\(n)", "\(p.best.trained.count)/\(n)",
                        p.best.finalValid?.text() ?? "—", p.best.bestValid?.text() ?? "—"]
            }
        }
    }

    static let headers = ["η₀", "method", "tuned knob", "diverged", "trained", "final valid (mean ± 95 %)", "best valid (mean ± 95 %)"]

    /// The table for the terminal.
    package var textTable: TextTable {
        var t = TextTable(title: title, columns: Self.headers, formats: Array(repeating: "", count: Self.headers.count))
        for r in rows { t.add(r.map { .text($0) }) }
        return t
    }

    /// The table in Markdown (`tuned.md`).
    package var markdown: String {
        var lines = ["# \(title)", "",
                     "At each learning rate, each method's knob is picked from its grid on validation: most seeds trained, "
                     + "then fewest diverged, then the lowest mean final validation metric.", "",
                     "| " + Self.headers.joined(separator: " | ") + " |", "|---:|---|---|---:|---:|---:|---:|"]
        for r in rows { lines.append("| " + r.joined(separator: " | ") + " |") }
        if rows.contains(where: { $0[2].contains("edge of grid") }) {
            lines += ["", "⚠ edge of grid: the picked knob is the smallest or largest tried; the best value may lie beyond the grid."]
        }
        let tests = self.tests
        if !tests.isEmpty {
            lines += ["", "Best-tuned clipping against the best-tuned projection (two-sided tests over seeds):", ""]
            lines += tests.map { "- " + $0.sentence }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes ``markdown`` to `tuned.md` in `directory`, atomically.
    /// - Parameter name: the file's stem (`tuned`).
    @discardableResult
    package func write(to directory: URL, name: String = "tuned") throws -> URL {
        let md = directory.appendingPathComponent(name + ".md")
        do { try AtomicFile.write(markdown, to: md) } catch {
            throw TrainingError.cannotWrite(path: md.path, reason: AtomicFile.reason(error))
        }
        return md
    }
}
