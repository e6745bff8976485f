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
    /// The default of `--jobs` for a sweep: two configurations at a time, one BLAS thread each, on a
    /// machine of two cores or more (one on a single core). Measured on two cores with an 8-configuration
    /// grid of chapter 5 (`--sweep --methods sgd,project --lrs 1,10 --seeds 2`, alternating, three runs
    /// each): 85–96 s one at a time on two BLAS threads, 58–62 s two at a time — 1.5× faster, because a
    /// GRU step keeps only about 1.2 of two cores busy. Each mode is reproducible bit for bit; the two
    /// differ in the last digits (a BLAS product's order of summation depends on its thread count).
    /// The children run this process's executable again with `--job-task i`, so the default is one
    /// (the sweep in this process) when the executable is not a chapter's (`chNN-…`): a test runner or
    /// another program that calls the library.
    package static let defaultJobs = isChapterExecutable(executable)
        ? Swift.min(2, Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)) : 1

    /// Whether `path` names a chapter's executable (`ch05-penn-treebank`: "ch", two digits, a dash),
    /// which understands `--job-task i`.
    package static func isChapterExecutable(_ path: String) -> Bool {
        let name = Array(URL(fileURLWithPath: path).lastPathComponent)
        return name.count > 5 && name[0] == "c" && name[1] == "h" && name[2].isNumber && name[3].isNumber && name[4] == "-"
    }

    /// Whether `perform` trains `configurations` configurations in children with `jobs` at a time in
    /// `mode` (then each run's console goes to `runs/NAME.out`).
    package static func usesChildren(mode: SlurmOptions.Mode, jobs: Int, configurations: Int) -> Bool {
        mode == .inProcess && jobs > 1 && configurations > 1
    }

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
                ChildProcesses.add(p.processIdentifier)
                running.append(Child(index: i, name: name, process: p, output: output, started: Date()))
                display.started(name)
            }
            Thread.sleep(forTimeInterval: 0.5)
            var still: [Child] = []
            for c in running {
                if c.process.isRunning { still.append(c); continue }
                ChildProcesses.remove(c.process.processIdentifier)
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

/// The process ids of the running children of `--jobs`, in a fixed table that a signal handler can
/// read without allocating. SIGINT (Ctrl-C) and SIGTERM (`kill`, a scheduler's cancel) sent to the
/// parent alone would otherwise leave its children training as orphans: the handler passes the
/// signal on to every running child — each removes its `.lock` and ends, its last epoch checkpoint
/// kept for `--resume` (``RunLock``) — then the parent takes the signal's default action. Installed
/// on the first child, only where the parent has no handler of its own and does not ignore the
/// signal; only `kill`, `sigaction` and `raise` (async-signal-safe) run in the handler.
enum ChildProcesses {
    static let capacity = 64
    nonisolated(unsafe) static let pids: UnsafeMutablePointer<Int32> = {
        let p = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
        p.initialize(repeating: 0, count: capacity)
        return p
    }()
    nonisolated(unsafe) static var installed = false
    static let lock = NSLock()

    /// Records a running child (and installs the handlers on first use).
    static func add(_ pid: Int32) {
        lock.lock(); defer { lock.unlock() }
        if !installed { installed = true; install() }
        if let k = (0 ..< capacity).first(where: { pids[$0] == 0 }) { pids[k] = pid }
    }

    /// Forgets a child that has ended.
    static func remove(_ pid: Int32) {
        lock.lock(); defer { lock.unlock() }
        for k in 0 ..< capacity where pids[k] == pid { pids[k] = 0 }
    }

    /// The running children recorded, for tests.
    static var running: [Int32] {
        lock.lock(); defer { lock.unlock() }
        return (0 ..< capacity).map { pids[$0] }.filter { $0 != 0 }
    }

    private static func install() {
        InterruptSignals.installWhereDefault { n in
            for k in 0 ..< ChildProcesses.capacity where ChildProcesses.pids[k] > 0 { kill(ChildProcesses.pids[k], n) }
            InterruptSignals.endWithDefaultAction(n)
        }
    }
}
