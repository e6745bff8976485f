import Foundation

/// Why a training run, its log or its checkpoint cannot be used, naming the file at fault.
package enum TrainingError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// A log line that is not a flat JSON object (`line` is 1-based; 0 when the file itself
    /// cannot be read), with what is wrong and the column.
    case invalidLog(path: String, line: Int, reason: String)
    /// A checkpoint that cannot be read or does not fit the run.
    case invalidCheckpoint(path: String, reason: String)
    /// A checkpoint written for another configuration: `differences` lists each fingerprint line
    /// that differs, as `key: checkpoint X, now Y`.
    case checkpointMismatch(path: String, differences: [String])
    /// A file that cannot be written (the previous file, if any, is left as it was).
    case cannotWrite(path: String, reason: String)
    /// The run's lock file (``RunLock``) is held by another process (`holder`: `process PID on
    /// HOST`, nil when it has not written its id yet): that process is training the same run into
    /// the same folder.
    case runLocked(path: String, holder: String?)

    /// One message naming the file (and line), what is wrong, and what to do about it
    /// (e.g. delete the checkpoint to start afresh).
    package var description: String {
        switch self {
        case let .invalidLog(path, line, reason):
            return "\(path):\(line): not a log record: \(reason)"
        case let .invalidCheckpoint(path, reason):
            return "\(path): unusable checkpoint: \(reason) (delete it to start the run afresh)"
        case let .checkpointMismatch(path, differences):
            return "\(path): the checkpoint was written for another configuration, so --resume cannot continue it; "
                + "it differs in: " + differences.joined(separator: "; ")
                + " (use the same options, or delete the checkpoint to start afresh)"
        case let .cannotWrite(path, reason):
            return "Cannot write \(path): \(reason)"
        case let .runLocked(path, holder):
            let holder = holder ?? "another process"
            let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            return "\(path): the run \(name) in this folder is being trained by \(holder), which holds this lock; "
                + "two runs into the same files would mix their logs and checkpoints, so this one stops here "
                + "(wait for it to finish or stop it, or choose another output folder with --out)"
        }
    }

    /// ``description``, so that Foundation's `localizedDescription` shows the same text.
    package var errorDescription: String? { description }
}
