import Foundation
import GRUKit
import GRUKitPresentation

/// A sweep as a Slurm job array: one array task per configuration, each running the same chapter
/// binary with the same arguments plus `--array-task $SLURM_ARRAY_TASK_ID --resume`, so that a
/// requeued or preempted task continues from its last epoch checkpoint. There is no scheduler of
/// our own: Slurm runs, requeues and limits the tasks; `--collect` reads what they wrote.
///
/// Preemption: the script asks Slurm for a warning signal (`--signal=B:USR1@s`) to its batch shell,
/// which forwards it to the run; the run stops before its next window (``StopSignal``,
/// ``Trainer/shouldStop``) with its last epoch checkpoint on disk, and the shell requeues the task.
/// A task killed outright resumes the same way from its last epoch checkpoint when requeued or
/// resubmitted.
package struct SlurmArray {
    /// The job's name (the chapter's command name).
    package var jobName: String
    /// The run names, in array-index order.
    package var runNames: [String]
    /// The binary and its arguments, without the task's own (`--array-task`, `--resume`).
    package var command: [String]
    /// The folder the tasks run in (relative paths in ``command`` are relative to it).
    package var workingDirectory: String
    /// The folder of the tasks' Slurm output files (`%x-%A_%a.out`).
    package var logDirectory: String
    /// The options that became `#SBATCH` lines.
    package var options: SlurmOptions

    /// An array over `runNames` running `command`.
    package init(jobName: String, runNames: [String], command: [String], workingDirectory: String, logDirectory: String,
                options: SlurmOptions) {
        self.jobName = jobName
        self.runNames = runNames
        self.command = command
        self.workingDirectory = workingDirectory
        self.logDirectory = logDirectory
        self.options = options
    }

    /// `arguments` (a command line without the binary) without the flags that choose the sweep's
    /// mode or only shape the submission (`--slurm`, `--collect`, `--partition`, …) and without
    /// `--resume`: what every array task repeats. Both `--flag value` and `--flag=value` go.
    package static func taskArguments(_ arguments: [String]) -> [String] {
        let flags: Set = ["--slurm", "--slurm-dry-run", "--collect", "--resume"]
        let valued: Set = ["--array-task", "--partition", "--time", "--cpus-per-task", "--max-running", "--sbatch", "--warn-seconds"]
        var out: [String] = []
        var k = 0
        while k < arguments.count {
            let a = arguments[k]
            let key = String(a.split(separator: "=", maxSplits: 1).first ?? "")
            if flags.contains(a) { k += 1; continue }
            if valued.contains(a) { k += 2; continue }
            if a.contains("="), valued.contains(key) { k += 1; continue }
            out.append(a)
            k += 1
        }
        return out
    }

    /// `s` quoted for bash: inside single quotes, each `'` written as `'\''`. Nothing inside single
    /// quotes is expanded (`$`, backquotes, `%`, spaces all stay as they are).
    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// `s` as one value of an `#SBATCH` line: in double quotes, with `\` and `"` escaped by a
    /// backslash. sbatch splits an `#SBATCH` line into arguments itself (not through a shell): a
    /// backslash escapes the next character, quotes group, an unquoted space ends the value and an
    /// unquoted `#` starts a comment; inside these quotes every character but the escaped ones is
    /// taken as it is.
    static func sbatchValue(_ s: String) -> String {
        var out = "\""
        for c in s {
            if c == "\\" || c == "\"" { out.append("\\") }
            out.append(c)
        }
        return out + "\""
    }

    /// `path` as a Slurm file-name pattern (`--output`): each `%` doubled, since Slurm replaces `%j`,
    /// `%A`, `%a`, `%x`, … and writes `%%` as one `%`.
    static func filenamePattern(_ path: String) -> String { path.replacingOccurrences(of: "%", with: "%%") }

    /// The first line break (LF, CR, vertical tab, form feed, NEL, U+2028, U+2029) in a path or an
    /// argument the script would carry, which no quoting makes safe: in an `#SBATCH` line it ends
    /// the line (the rest would run as a command and Slurm would ignore every later `#SBATCH`).
    /// - Throws: ``SlurmError/lineBreak(what:path:character:)`` naming the path and the character.
    package func checkLineBreaks() throws {
        let items = [("the run folder (#SBATCH --chdir)", workingDirectory), ("the Slurm output folder (#SBATCH --output)", logDirectory)]
            + command.enumerated().map { ($0.offset == 0 ? "the chapter's executable" : "the argument \($0.offset)", $0.element) }
        for (what, text) in items {
            if let c = text.unicodeScalars.first(where: { Character($0).isNewline }) {
                throw SlurmError.lineBreak(what: what, path: text, character: c)
            }
        }
    }

    /// The batch script.
    package var script: String {
        let o = options
        var limit = ""
        if let m = o.maxRunning { limit = "%\(m)" }
        var lines = ["#!/bin/bash",
                     "#SBATCH --job-name=\(jobName)",
                     "#SBATCH --array=0-\(runNames.count - 1)\(limit)",
                     "#SBATCH --cpus-per-task=\(o.cpusPerTask)",
                     // Quoted: a folder may hold spaces, quotes or `#`; in --output, `%` is doubled
                     // (Slurm reads it as a file-name pattern), --chdir takes the path as it is.
                     "#SBATCH --chdir=\(Self.sbatchValue(workingDirectory))",
                     "#SBATCH --output=\(Self.sbatchValue(Self.filenamePattern(logDirectory) + "/%x-%A_%a.out"))",
                     // A requeued task appends to its output instead of replacing it.
                     "#SBATCH --open-mode=append",
                     "#SBATCH --requeue",
                     "#SBATCH --signal=B:USR1@\(o.warnSeconds)"]
        if let p = o.partition { lines.append("#SBATCH --partition=\(p)") }
        if let t = o.time { lines.append("#SBATCH --time=\(t)") }
        lines += o.sbatchLines.map { "#SBATCH \($0)" }
        lines.append("#")
        lines.append("# Array task → run (runs/NAME.jsonl, runs/NAME.checkpoint.safetensors):")
        lines += runNames.enumerated().map { "#   \($0.offset): \($0.element)" }
        lines += [
            "",
            "# As many BLAS threads as CPUs granted, unless the submitter chose.",
            "export OPENBLAS_NUM_THREADS=\"${OPENBLAS_NUM_THREADS:-${SLURM_CPUS_PER_TASK:-1}}\"",
            "",
            "# Slurm's warning signal reaches this shell (B:USR1): pass it on to the run, which stops before its",
            "# next window with its last epoch checkpoint on disk, then requeue this task to resume from there.",
            "child=",
            "on_warning() {",
            "  echo \"$(date -Is) task ${SLURM_ARRAY_TASK_ID}: warning signal; stopping and requeueing\"",
            "  [ -n \"$child\" ] && kill -USR1 \"$child\" 2>/dev/null && wait \"$child\"",
            "  scontrol requeue \"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\"",
            "  exit 0",
            "}",
            "trap on_warning USR1",
            "",
            "echo \"$(date -Is) task ${SLURM_ARRAY_TASK_ID} (restart ${SLURM_RESTART_COUNT:-0}) on $(hostname)\"",
            (command.map(Self.quote) + ["--array-task", "\"$SLURM_ARRAY_TASK_ID\"", "--resume", "&"]).joined(separator: " "),
            "child=$!",
            "wait \"$child\"",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes ``script`` to `url` (creating its folder and ``logDirectory``), executable.
    /// - Throws: ``SlurmError/lineBreak(what:path:character:)`` (nothing written) when a path or an
    ///   argument holds a line break, ``TrainingError/cannotWrite(path:reason:)``.
    package func write(to url: URL) throws {
        try checkLineBreaks()
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
            try AtomicFile.write(script, to: url)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        } catch {
            throw TrainingError.cannotWrite(path: url.path, reason: AtomicFile.reason(error, path: url.path))
        }
    }

    /// Submits the script at `url` with `sbatch --parsable` and returns the job id.
    /// - Throws: ``SlurmError`` when `sbatch` cannot be started or refuses the job.
    package static func submit(_ url: URL) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["sbatch", "--parsable", url.path]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch { throw SlurmError.sbatch("cannot run sbatch: \(error.localizedDescription)") }
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw SlurmError.sbatch(p.terminationStatus == 127 ? "sbatch is not installed (is this a Slurm login node?)"
                                    : "sbatch failed: " + stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        // --parsable prints "jobid" or "jobid;cluster".
        return String(stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first ?? "")
    }
}

/// Why a job array could not be submitted.
package enum SlurmError: Error, CustomStringConvertible, LocalizedError {
    /// `sbatch` is missing or refused the script (its message).
    case sbatch(String)
    /// `--array-task` names no configuration of the sweep.
    case noSuchTask(Int, count: Int)
    /// A path or argument the job script would carry holds a line break (what it is, the path, the character).
    case lineBreak(what: String, path: String, character: Unicode.Scalar)

    /// The message.
    package var description: String {
        switch self {
        case .sbatch(let m): return m
        case .noSuchTask(let i, let n): return "--array-task \(i): the sweep has \(n) configurations (0…\(n - 1))"
        case .lineBreak(let what, let path, let c):
            let code = "U+" + String(c.value, radix: 16, uppercase: true).leftPadded(to: 4)
            return "\(what) \(path.debugDescription) holds a line break (\(code) \(Self.scalarName(c))), which a Slurm job script "
                + "cannot carry (it would end an #SBATCH line and run the rest as a command): run from, or write to, a folder without one"
        }
    }

    /// ``description``.
    package var errorDescription: String? { description }

    /// The Unicode name of a line-break character (for the message); control characters have no
    /// `name` property, so theirs are spelled out (their Unicode name aliases).
    static func scalarName(_ c: Unicode.Scalar) -> String {
        let controls: [UInt32: String] = [0x0A: "LINE FEED", 0x0B: "LINE TABULATION", 0x0C: "FORM FEED",
                                          0x0D: "CARRIAGE RETURN", 0x85: "NEXT LINE"]
        return controls[c.value] ?? c.properties.name ?? "line break"
    }
}

private extension String {
    /// The string with leading zeros up to `width` characters.
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
