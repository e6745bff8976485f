import Foundation
import GRUKit
import GRUKitPresentation

extension Sweep {
    /// Runs the sweep the way `slurm` asks (``SlurmOptions/mode``) and returns the results to
    /// tabulate, or nil when there is nothing to tabulate here (the array was submitted, or one
    /// array task was trained).
    ///
    /// - In-process (the default): ``run(directory:resume:stopAfterEpochs:progress:makeTask:)``, or,
    ///   with `jobs` > 1 and more than one configuration, ``SweepJobs`` (a child process per
    ///   configuration, `jobs` at a time).
    /// - Job task i (a child of `--jobs`): trains configuration i as the in-process sweep would.
    /// - Submit: writes `slurmDirectory/JOB.sbatch` (``SlurmArray``), submits it with `sbatch`
    ///   unless dry-run, prints the job id and appends it to `slurmDirectory/JOB.jobids`.
    /// - Task i: trains configuration i with `resume`, stopping cleanly on SIGUSR1 or SIGTERM
    ///   (``StopSignal``); a failure leaves `runs/NAME.failed` with its message for `--collect`.
    /// - Collect: the results in the runs' logs (``SweepCollection``); the unfinished, failed,
    ///   missing and unreadable configurations are reported, each with its reason.
    /// - Parameters:
    ///   - slurm: the mode and the `#SBATCH` settings.
    ///   - jobName: the job's name, the chapter's command name.
    ///   - directory: the runs' folder.
    ///   - slurmDirectory: the folder of the script and the tasks' output.
    ///   - resume, stopAfterEpochs: as for an in-process sweep (a task always resumes).
    ///   - progress: the console.
    ///   - report: where notes go.
    ///   - makeTask: builds the task of one configuration.
    ///   - jobs: how many configurations to train at once in-process (`--jobs`).
    ///   - childArguments: arguments the children of `--jobs` get after the parent's own (a chapter
    ///     that trains several sweeps in one run names the one of this sweep, e.g. `--model raw`).
    /// - Throws: the errors of training, ``SlurmError`` when `sbatch` fails or the task index is out
    ///   of range, ``TrainingError`` for unreadable logs or an empty collection.
    package func perform(_ slurm: SlurmOptions, jobName: String, directory: URL, slurmDirectory: URL, resume: Bool,
                        stopAfterEpochs: Int?, progress: (any TrainingObserver)?, report: Report,
                        jobs: Int = 1, childArguments: [String] = [], makeTask: (RunConfiguration) throws -> TrainingTask) throws -> [RunResult]? {
        switch slurm.mode {
        case .inProcess where SweepJobs.usesChildren(mode: slurm.mode, jobs: jobs, configurations: configurations.count):
            return try SweepJobs.run(sweep: self, jobs: jobs, directory: directory,
                                     arguments: Array(CommandLine.arguments.dropFirst()) + childArguments, report: report)

        case .jobTask(let i):
            guard configurations.indices.contains(i) else { throw SlurmError.noSuchTask(i, count: configurations.count) }
            let c = configurations[i]
            let trainer = Trainer(configuration: c, task: try makeTask(c), directory: directory, progress: progress)
            trainer.stopAfterEpochs = stopAfterEpochs
            let result = try trainer.run(resume: resume)
            report.note("\(c.name) — \(ResultsTable.outcome(result.status))")
            return nil

        case .inProcess:
            return try run(directory: directory, resume: resume, stopAfterEpochs: stopAfterEpochs, progress: progress, makeTask: makeTask)

        case .submit(let dryRun):
            let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
            let array = SlurmArray(jobName: jobName, runNames: configurations.map(\.name),
                                   command: [executable] + SlurmArray.taskArguments(Array(CommandLine.arguments.dropFirst())),
                                   workingDirectory: FileManager.default.currentDirectoryPath,
                                   logDirectory: slurmDirectory.path, options: slurm)
            let url = slurmDirectory.appendingPathComponent(jobName + ".sbatch")
            try array.write(to: url)
            guard !dryRun else {
                report.note("Wrote the job-array script \(url.path) (\(configurations.count) tasks); submit it with: sbatch \(url.path)")
                return nil
            }
            let id = try SlurmArray.submit(url)
            let ids = slurmDirectory.appendingPathComponent(jobName + ".jobids")
            let previous = (try? String(contentsOf: ids, encoding: .utf8)) ?? ""
            try? Data((previous + id + "\n").utf8).write(to: ids, options: .atomic)
            report.note("Submitted job array \(id): \(configurations.count) tasks (\(url.path)); their output: \(slurmDirectory.path)/\(jobName)-\(id)_*.out\n"
                        + "When they have finished (or meanwhile), run the same command with --collect instead of --slurm for the table and figures.")
            print("Submitted batch job \(id)")
            return nil

        case .task(let i):
            guard configurations.indices.contains(i) else { throw SlurmError.noSuchTask(i, count: configurations.count) }
            let c = configurations[i]
            let failure = SweepCollection.failureURL(directory: directory, name: c.name)
            try? FileManager.default.removeItem(at: failure)
            let stop = StopSignal()
            do {
                let trainer = Trainer(configuration: c, task: try makeTask(c), directory: directory, progress: progress)
                trainer.stopAfterEpochs = stopAfterEpochs
                trainer.shouldStop = { stop.isRaised }
                let result = try trainer.run(resume: true)
                report.note("Array task \(i): \(c.name) — \(ResultsTable.outcome(result.status))"
                            + (stop.signalName.map { " (\($0) received; a requeue resumes it)" } ?? ""))
            } catch {
                // Refused because another process is training this run (``RunLock``): the run has
                // not failed, so no failure is recorded for --collect.
                if case TrainingError.runLocked = error { throw error }
                try? Data("\(error)\n".utf8).write(to: failure)
                throw error
            }
            return nil

        case .collect:
            let collection = SweepCollection(sweep: self, directory: directory)
            if !collection.summary.isEmpty { report.note(collection.summary) }
            guard !collection.results.isEmpty else {
                throw TrainingError.invalidLog(path: directory.path, line: 0, reason: "no run of this sweep has a log here yet (nothing to collect)")
            }
            return collection.results
        }
    }
}
