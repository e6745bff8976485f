import ArgumentParser
import GRUKit

/// The options of the H-unit memory task that chapters 3 and 4 train (``GRUExplosionTask``: an
/// input-free GRU of H units, K examples in one full batch, T time steps, plain SGD at rate η).
/// A chapter declares `@OptionGroup var task: MemoryTaskOptions`.
package struct MemoryTaskOptions: ParsableArguments {
    /// `--iterations n`: SGD iterations of each run; nil: ``iterations(scale:)``'s default.
    @Option(parsing: .unconditional, help: ArgumentHelp("Iterations of each memory-task training run (default 150, 600 with --scale paper).",
                                                        valueName: "n"))
    package var iterations: Int?

    /// `--hidden H`: units of the trained GRU, 1…1024.
    @Option(name: .customLong("hidden"), parsing: .unconditional, help: ArgumentHelp("Units H of the trained GRU.", valueName: "H"))
    package var hidden: Int = 8

    /// `--examples K`: examples of the memory task, all in one full batch, K ≥ 2.
    @Option(name: .customLong("examples"), parsing: .unconditional, help: ArgumentHelp("Examples K of the memory task (full batch).", valueName: "K"))
    package var examples: Int = 32

    /// `--steps T`: time steps of the memory task, 1…100000.
    @Option(name: .customLong("steps"), parsing: .unconditional, help: ArgumentHelp("Time steps T of the memory task.", valueName: "T"))
    package var steps: Int = 100

    /// `--learning-rate η`: the SGD learning rate of the memory-task runs, η > 0.
    @Option(name: .customLong("learning-rate"), parsing: .unconditional, help: ArgumentHelp("SGD learning rate of the memory-task runs.", valueName: "η"))
    package var learningRate: Double = 3

    /// Every option at its default (required by `ParsableArguments`; the parser fills the options).
    package init() {}

    /// The iterations of each run: `--iterations`, else 150 at the quick scale and 600 at the paper's.
    package func iterations(scale: Scale) -> Int { iterations ?? (scale == .paper ? 600 : 150) }

    /// Refuses values outside the ranges above, naming the flag.
    package func validate() throws {
        if let iterations, iterations < 1 || iterations > 1_000_000 { throw ValidationError("--iterations must lie in 1…1000000 (got \(iterations)).") }
        if hidden < 1 || hidden > 1024 { throw ValidationError("--hidden must lie in 1…1024 (got \(hidden)).") }
        if examples < 2 { throw ValidationError("--examples must be at least 2 (got \(examples)).") }
        if steps < 1 || steps > 100_000 { throw ValidationError("--steps must lie in 1…100000 (got \(steps)).") }
        if !(learningRate > 0 && learningRate.isFinite) { throw ValidationError("--learning-rate must be a positive number (got \(learningRate)).") }
    }
}
