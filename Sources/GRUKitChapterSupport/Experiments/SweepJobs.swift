import Foundation
import GRUKit
import GRUKitPresentation

/// `--jobs n`: a sweep trained n configurations at a time, each in a process of its own (the
/// chapter's executable again, with `--job-task i`) on its share of the BLAS threads.
///
/// Why processes: OpenBLAS's thread count is one setting per process, and a GRU step at the sizes of
/// chapters 5 and 6 keeps only about 1.2 of two cores busy (the backward sweep is a chain of small
/// products), so two one-thread runs side by side get more done than one two-thread run. A child
/// trains exactly what the in-process sweep trains for that configuration (the same ``Trainer``, the
/// same `--resume` and `--stop-after`), so its log is the log of the same configuration trained alone
/// with the same thread count, bit for bit. Each child's console goes to `runs/NAME.out`; the parent
/// shows one line per running configuration (on stderr when it is a terminal, and a line per start
/// and finish otherwise), then reads every result back from the logs (``SweepCollection``).
package enum SweepJobs {
    /// The default of `--jobs` for a sweep: one (the sweep in this process, every run on all the
    /// BLAS threads, its console lines on the chapter's output), until a timing of one grid both
    /// ways on an otherwise idle machine says that two at a time is faster. The committed grids
    /// (`results/*/run-grid.sh`) ask for `--jobs 2`.
    package static let defaultJobs = 1

    /// The child's command line: the parent's arguments without `--jobs n` (or `--jobs=n`), followed
    /// by `--job-task i`.
    package static func childArguments(_ arguments: [String], task: Int) -> [String] {
        var out: [String] = [], skipNext = false
        for a in arguments {
            if skipNext { skipNext = false; continue }
            if a == "--jobs" { skipNext = true; continue }
            if a.hasPrefix("--jobs=") { continue }
            out.append(a)
        }
        return out + ["--job-task", String(task)]
    }

    /// BLAS threads of each child: the machine's share, max(1, ⌊T / jobs⌋), where T is
    /// `OPENBLAS_NUM_THREADS` when it is set to a positive number and the number of cores otherwise.
    package static func threadsPerJob(jobs: Int, environment: [String: String], cores: Int) -> Int {
        let total = environment["OPENBLAS_NUM_THREADS"].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil } ?? cores
        return max(1, total / max(1, jobs))
    }

    /// The executable of this process (Linux: `/proc/self/exe`; elsewhere its first argument).
    static var executable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }

    /// A running child.
    private struct Child {
        var index: Int
        var name: String
        var process: Process
        var output: URL
        var started: Date
    }

    /// Trains every configuration of `sweep`, at most `jobs` at once, each by a child process running
    /// `arguments` (this process's own arguments) with `--job-task i`, and returns the results read
    /// back from the logs in `directory`, in the sweep's order.
    /// - Throws: ``ChapterError/message(_:)`` naming the first configuration whose child failed, its
    ///   console file and its last lines (no new child starts after a failure; the running ones
    ///   finish, and their logs and checkpoints stay usable with `--resume`), or when the run folder or
    ///   a run's console file cannot be created.
    package static func run(sweep: Sweep, jobs: Int, directory: URL, arguments: [String], report: Report) throws -> [RunResult] {
        do { try AtomicFile.createFolder(directory) } catch {
            throw TrainingError.cannotWrite(path: directory.path, reason: AtomicFile.reason(error))
        }
        let environment = ProcessInfo.processInfo.environment
        let threads = threadsPerJob(jobs: jobs, environment: environment, cores: ProcessInfo.processInfo.activeProcessorCount)
        var childEnvironment = environment
        childEnvironment["OPENBLAS_NUM_THREADS"] = String(threads)
        let display = JobsDisplay(total: sweep.configurations.count, jobs: jobs, threads: threads)

        var queue = Array(sweep.configurations.indices), running: [Child] = [], failures: [(String, String)] = []
        var finished = 0
        while !queue.isEmpty || !running.isEmpty {
            while running.count < jobs, failures.isEmpty, !queue.isEmpty {
                let i = queue.removeFirst(), name = sweep.configurations[i].name
                let output = directory.appendingPathComponent(name + ".out")
                guard FileManager.default.createFile(atPath: output.path, contents: nil) else {
                    throw TrainingError.cannotWrite(path: output.path, reason: "cannot create the run's console file")
                }
                let handle = try FileHandle(forWritingTo: output)
                let p = Process()
                p.executableURL = URL(fileURLWithPath: executable)
                p.arguments = childArguments(arguments, task: i)
                p.environment = childEnvironment
                p.standardOutput = handle
                p.standardError = handle
                p.standardInput = FileHandle.nullDevice
                try p.run()
                try? handle.close()
                running.append(Child(index: i, name: name, process: p, output: output, started: Date()))
                display.started(name)
            }
            Thread.sleep(forTimeInterval: 0.5)
            var still: [Child] = []
            for c in running {
                if c.process.isRunning { still.append(c); continue }
                finished += 1
                let seconds = Date().timeIntervalSince(c.started)
                if c.process.terminationStatus != 0 {
                    failures.append((c.name, lastLines(of: c.output, count: 5)))
                    display.finished(c.name, words: "failed (exit \(c.process.terminationStatus); see \(c.output.lastPathComponent))", seconds: seconds, done: finished)
                } else {
                    let last = lastLines(of: c.output, count: 1)
                display.finished(c.name, words: last.hasPrefix(c.name + " — ") ? String(last.dropFirst(c.name.count + 3)) : last,
                                 seconds: seconds, done: finished)
                }
            }
            running = still
            display.show(running.map { ($0.name, lastProgress(of: $0.output)) })
        }
        display.clear()
        if let (name, reason) = failures.first {
            throw ChapterError.message("the run \(name) failed (\(directory.appendingPathComponent(name + ".out").path)): \(reason)"
                                       + (failures.count > 1 ? " (and \(failures.count - 1) more: see their .out files)" : ""))
        }
        return SweepCollection(sweep: sweep, directory: directory).results
    }

    /// The last `count` non-empty lines of a child's console file, joined by " / ", without
    /// terminal control characters.
    static func lastLines(of url: URL, count: Int) -> String {
        guard let data = try? Data(contentsOf: url) else { return "(no output)" }
        let text = String(decoding: data.suffix(8192), as: UTF8.self)
        let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map(String.init)
            .map { $0.escapingControlCharacters }.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        return lines.suffix(count).joined(separator: " / ")
    }

    /// The newest progress line of a child (`| NAME | epoch …`), shortened to fit a terminal line.
    static func lastProgress(of url: URL) -> String {
        let line = lastLines(of: url, count: 1)
        return line.count > 110 ? String(line.prefix(109)) + "…" : line
    }
}

/// What `--jobs` shows while children train: one line per running configuration, redrawn in place
/// on stderr when stderr is a terminal; otherwise (a log, CI, `make` piping stdout) a line on stderr
/// as each configuration starts and finishes, so that the chapter's own output stays its tables.
final class JobsDisplay {
    private let total: Int
    private let interactive = isatty(STDERR_FILENO) != 0
    private var drawn = 0

    init(total: Int, jobs: Int, threads: Int) {
        self.total = total
        write("Training \(total) configurations, \(jobs) at a time, \(threads) BLAS thread\(threads == 1 ? "" : "s") each (each run's console: runs/NAME.out)\n")
    }

    private func write(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }

    func started(_ name: String) { if !interactive { write("  started  \(name)\n") } }

    func finished(_ name: String, words: String, seconds: Double, done: Int) {
        clear()
        write("  [\(done)/\(total)] \(name): \(String(format: "%.0f", seconds)) s — \(words)\n")
    }

    func show(_ lines: [(String, String)]) {
        guard interactive else { return }
        clear()
        let text = lines.map { "  ▸ \($0.0): \($0.1)" }.joined(separator: "\n")
        if !text.isEmpty { write(text + "\n"); drawn = lines.count }
    }

    func clear() {
        guard interactive, drawn > 0 else { return }
        write(String(repeating: "\u{1B}[1A\u{1B}[2K", count: drawn))
        drawn = 0
    }
}
