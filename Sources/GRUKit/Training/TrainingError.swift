import Foundation

/// Why a training run, its log or its checkpoint cannot be used, naming the file at fault.
public enum TrainingError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// A log line that is not a JSON object (1-based line).
    case invalidLog(path: String, line: Int, reason: String)
    /// A checkpoint that cannot be read or does not fit the run.
    case invalidCheckpoint(path: String, reason: String)
    /// A checkpoint written for another configuration.
    case checkpointMismatch(path: String, differences: [String])
    /// A file that cannot be written (the previous file, if any, is left as it was).
    case cannotWrite(path: String, reason: String)

    public var description: String {
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
        }
    }

    public var errorDescription: String? { description }
}
