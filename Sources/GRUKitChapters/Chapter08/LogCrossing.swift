import Foundation
import GRUKit

extension Chapter08 {
    /// One training run read back from its log: ρ(J) at h* = 0 (`spectral_radius`), ‖W_hh‖₂
    /// (`spectral_norm`) and the gradient norm at every logged iteration, where ρ(J) first exceeded 1,
    /// and how the run ended.
    package struct LogCrossing: Sendable {
        /// The log's name (`sgd-lr10-s2`).
        package var name: String
        /// Logged iterations and, at each, ρ(J) at h* = 0, ‖W_hh‖₂ and the global gradient norm.
        package var iterations: [Double], rho: [Double], sigma: [Double], gradient: [Double]
        /// The validation perplexity after the last completed epoch.
        package var validPerplexity: Double
        /// The iteration at which the run diverged (nil: it completed).
        package var divergedAt: Int?
        /// The initial learning rate η₀ of the run (its header).
        package var learningRate: Double

        /// For a run that diverged: the first iteration of its trace (the last 100 iterations, every
        /// one logged) whose gradient norm exceeds ten times the largest of the regular records before
        /// it, that gradient norm, the largest of the trace, and ρ(J) at h* = 0 and the iteration of the
        /// last regular record before the spike (nil for a completed run, or a trace without such a spike).
        package var spike: (iteration: Int, gradient: Double, largest: Double, rhoBefore: Double, recordBefore: Int)?

        /// Reads the log `NAME.jsonl` in `directory`.
        package init(directory: URL, name: String) throws {
            let url = directory.appendingPathComponent(name + ".jsonl")
            let run = try LoggedRun(contentsOf: url)
            self.name = name
            let records = run.iterations
            func column(_ key: String) -> [Double] { records.map { $0.double(key) ?? .nan } }
            iterations = column("iteration")
            rho = column("spectral_radius")
            sigma = column("spectral_norm")
            gradient = column("gradient_norm")
            validPerplexity = run.validMetrics.last ?? .nan
            learningRate = run.learningRate
            if case .diverged(_, let iteration, _) = run.status { divergedAt = iteration } else { divergedAt = nil }
            let trace = divergedAt == nil ? [] : try TrainingLog.records(at: url).filter { $0.type == "trace" }
            let (iterations, gradient, rho) = (self.iterations, self.gradient, self.rho)
            let first = trace.first { t in
                let i = t.double("iteration") ?? .nan, g = t.double("gradient_norm") ?? .nan
                let before = zip(iterations, gradient).filter { $0.0 < i }.map(\.1).max() ?? .infinity
                return g > 10 * before
            }
            if let first, let i = first.double("iteration"), let g = first.double("gradient_norm"),
               let last = iterations.lastIndex(where: { $0 < i }) {
                spike = (Int(i), g, trace.compactMap { $0.double("gradient_norm") }.max() ?? g, rho[last], Int(iterations[last]))
            }
        }

        /// The logged records with ρ(J) > 1 at h* = 0.
        package var recordsAbove: Int { rho.filter { $0 > 1 }.count }
        /// The first logged iteration with ρ(J) > 1 (nil: never).
        package var firstAbove: Int? { rho.firstIndex { $0 > 1 }.map { Int(iterations[$0]) } }
        /// The largest gradient norm of the records with ρ(J) > 1, and of those with ρ(J) ≤ 1.
        package var maxGradientAbove: Double { zip(rho, gradient).filter { $0.0 > 1 }.map(\.1).max() ?? .nan }
        package var maxGradientBelow: Double { zip(rho, gradient).filter { $0.0 <= 1 }.map(\.1).max() ?? .nan }
        /// The largest ρ(J) logged, and the last.
        package var maxRho: Double { rho.max() ?? .nan }
        package var finalRho: Double { rho.last ?? .nan }
    }
}
