import ArgumentParser
import GRUKit
import GRUKitPresentation

/// The command-line options of a sweep run on a Slurm cluster (chapters 5 and 6): submit the grid
/// as a job array (`--slurm`), write its script only (`--slurm-dry-run`), train one array task
/// (`--array-task`, what the script runs) or build the table from the runs' logs (`--collect`).
/// Without any of them the sweep trains in-process, as before.
package struct SlurmOptions: ParsableArguments {
    /// `--slurm`: write the job-array script (one task per configuration), submit it with `sbatch`
    /// and print the job id, instead of training.
    @Flag(help: "Submit the sweep to Slurm as a job array (one task per configuration) instead of training it here.")
    package var slurm = false

    /// `--slurm-dry-run`: write the job-array script without submitting it.
    @Flag(name: .customLong("slurm-dry-run"), help: "Write the Slurm job-array script (slurm/NAME.sbatch) without submitting it.")
    package var slurmDryRun = false

    /// `--collect`: build the results table and figures from the runs' logs, without training, and
    /// say which configurations are unfinished, failed or missing.
    @Flag(help: "Build the table and figures from the runs' logs in the output folder without training (after --slurm).")
    package var collect = false

    /// `--array-task i`: train only configuration i (from 0, in the sweep's order), resuming from its
    /// checkpoint, and write no table; the job-array script passes `$SLURM_ARRAY_TASK_ID`.
    @Option(name: .customLong("array-task"), parsing: .unconditional, help: ArgumentHelp("Train only the sweep's configuration i (0-based), resuming it (what each Slurm array task runs).", valueName: "i"))
    package var arrayTask: Int?

    /// `--partition p`: `#SBATCH --partition=p`.
    /// `--job-task i`: train only the sweep's configuration i (0-based) as an in-process sweep would
    /// (the same `--resume` and `--stop-after`): what each child of `--jobs` runs (``SweepJobs``).
    /// Hidden from `--help`: users ask for `--jobs`, or for `--array-task` on a cluster.
    @Option(name: .customLong("job-task"), parsing: .unconditional, help: .hidden)
    package var jobTask: Int?

    @Option(help: ArgumentHelp("Slurm partition of the job array.", valueName: "p"))
    package var partition: String?

    /// `--time t`: `#SBATCH --time=t`, each task's time limit (Slurm's syntax, e.g. `2-00:00:00`).
    @Option(help: ArgumentHelp("Time limit of each array task (e.g. 12:00:00); a task warned before it stops and requeues itself.", valueName: "t"))
    package var time: String?

    /// `--cpus-per-task n`: `#SBATCH --cpus-per-task=n`, also the task's BLAS threads (default 1).
    @Option(name: .customLong("cpus-per-task"), parsing: .unconditional, help: ArgumentHelp("CPUs of each array task (also its BLAS threads).", valueName: "n"))
    package var cpusPerTask: Int = 1

    /// `--max-running n`: at most n tasks of the array at once (`--array=0-K%n`).
    @Option(name: .customLong("max-running"), parsing: .unconditional, help: ArgumentHelp("At most this many array tasks at once.", valueName: "n"))
    package var maxRunning: Int?

    /// `--sbatch line`: an extra `#SBATCH` line, repeatable, e.g. `--sbatch "--mem=4G"`.
    @Option(name: .customLong("sbatch"), parsing: .unconditionalSingleValue,
            help: ArgumentHelp("An extra #SBATCH option, repeatable (e.g. --sbatch --mem=4G).", valueName: "option"))
    package var sbatchLines: [String] = []

    /// Seconds before the time limit at which Slurm warns a task (`--signal=B:USR1@s`).
    @Option(name: .customLong("warn-seconds"), parsing: .unconditional, help: ArgumentHelp("Seconds before its time limit at which a task is told to stop and requeue.", valueName: "s"))
    package var warnSeconds: Int = 120

    /// Every option unset: an in-process sweep.
    package init() {}

    /// What the sweep command is asked to do.
    package enum Mode: Equatable, Sendable {
        /// Train every configuration here (the default).
        case inProcess
        /// Write the job-array script; submit it unless `dryRun`.
        case submit(dryRun: Bool)
        /// Train configuration i only (an array task).
        case task(Int)
        /// Build the table from the logs.
        case collect
        /// One configuration trained for `--jobs` (``SweepJobs``).
        case jobTask(Int)
    }

    /// True for one task of a sweep (`--array-task i` or `--job-task i`): the process trains one
    /// configuration and leaves the tables, figures and sections drawn from other logs to the process
    /// that collects the sweep (a chapter's options drop their `--from-logs`-like flags then).
    package var trainsOneConfiguration: Bool {
        switch mode {
        case .task, .jobTask: return true
        default: return false
        }
    }

    /// The mode the flags ask for (``validate()`` has ensured there is at most one).
    package var mode: Mode {
        if let arrayTask { return .task(arrayTask) }
        if let jobTask { return .jobTask(jobTask) }
        if collect { return .collect }
        if slurm || slurmDryRun { return .submit(dryRun: slurmDryRun) }
        return .inProcess
    }

    /// At most one of --slurm/--slurm-dry-run, --collect, --array-task; --array-task ≥ 0;
    /// --cpus-per-task, --max-running, --warn-seconds ≥ 1; no newline in a passed-through value.
    /// - Throws: `ValidationError` naming the flag.
    package func validate() throws {
        let modes = [slurm || slurmDryRun, collect, arrayTask != nil, jobTask != nil].filter { $0 }.count
        if modes > 1 { throw ValidationError("--slurm, --collect and --array-task exclude each other.") }
        if let arrayTask, arrayTask < 0 { throw ValidationError("--array-task must be at least 0 (got \(arrayTask)).") }
        if let jobTask, jobTask < 0 { throw ValidationError("--job-task must be at least 0 (got \(jobTask)).") }
        if cpusPerTask < 1 { throw ValidationError("--cpus-per-task must be at least 1 (got \(cpusPerTask)).") }
        if let maxRunning, maxRunning < 1 { throw ValidationError("--max-running must be at least 1 (got \(maxRunning)).") }
        if warnSeconds < 1 { throw ValidationError("--warn-seconds must be at least 1 (got \(warnSeconds)).") }
        for v in [partition, time].compactMap({ $0 }) + sbatchLines where v.contains("\n") {
            throw ValidationError("Slurm options cannot contain a line break (got \(v.debugDescription)).")
        }
    }
}
