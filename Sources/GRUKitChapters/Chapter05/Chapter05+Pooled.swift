import Foundation
import GRUKit
import GRUKitChapterSupport
import GRUKitPresentation

extension Chapter05 {
    /// Does ρ(J) at h* = 0 track the gradient norm? Every iteration record of every committed PTB log —
    /// the paper's scale and the standard scale's grid, every method — pooled into one scatter
    /// (``PooledDynamics``), one series per scale and method family, each divergence marked on the record
    /// it started from, with Spearman's rank correlation over all of them and per scale.
    package struct PooledSection {
        /// Every record, grouped "SCALE scale, FAMILY".
        package var pool: PooledDynamics
        /// The same, one scale at a time (`paper`, `standard`), for the per-scale numbers.
        package var byScale: [(scale: String, pool: PooledDynamics)]

        /// Pools `paper` (the paper-scale logs) and `standard` (the standard grid's logs); either may be empty.
        package init(paper: [LoggedRun], standard: [LoggedRun]) {
            let scales = [("paper", paper), ("standard", standard)].filter { !$0.1.isEmpty }
            pool = PooledDynamics(groups: scales.flatMap { PooledDynamics.groups(scale: $0.0, runs: $0.1) })
            byScale = scales.map { ($0.0, PooledDynamics(groups: PooledDynamics.groups(scale: $0.0, runs: $0.1))) }
        }

        /// The values the ledger cites: over every log under `pooled.`, one scale at a time under
        /// `pooled.SCALE.` (``PooledDynamics/record(into:prefix:)``).
        package func record(into values: inout RecordedValues) {
            pool.record(into: &values, prefix: "pooled.")
            for (scale, p) in byScale { p.record(into: &values, prefix: "pooled.\(scale).") }
        }

        /// Writes `pooled-gradient-vs-rho` and prints the numbers, pooled and per scale.
        package func draw(output: ChapterOutput, report: Report) throws {
            try output.write(pool.figure(name: "pooled-gradient-vs-rho", subject: "every record of every PTB log"))
            report.note(([pool.sentence("Every PTB log")] + byScale.map { $0.pool.sentence("The \($0.scale) scale") }).joined(separator: "\n"))
        }
    }
}
