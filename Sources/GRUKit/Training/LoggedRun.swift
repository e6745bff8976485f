import Foundation

/// A run read back from its JSON Lines log, without its checkpoint or its model: what was trained,
/// the validation metric after each epoch, the seconds each epoch took and how the run ended.
///
/// Chapter 5 draws its "paper scale" section from a folder of such logs (`--from-logs DIR`), so
/// that runs of hours can be shown, compared and re-plotted without retraining. A log is what
/// ``Trainer`` writes: a `run` header, then `iteration` records, one `epoch` record per completed
/// epoch, and a closing `diverged` or `test` record. A log whose last record is neither belongs to
/// a run that was stopped (`--stop-after`) or is still going; it reads as
/// ``RunStatus/stopped(epoch:)`` after its last completed epoch.
public struct LoggedRun: Sendable {
    /// One completed epoch, from its `epoch` record.
    public struct Epoch: Sendable, Equatable {
        /// The epoch's number, from 1.
        public var epoch: Int
        /// Iterations trained up to the end of this epoch (over the whole run).
        public var iteration: Int
        /// The epoch's learning rate.
        public var learningRate: Double
        /// Mean training loss of the epoch.
        public var trainLoss: Double
        /// The validation metric after the epoch (perplexity or NLL, as the header's `metric`).
        public var validMetric: Double
        /// Wall-clock seconds of the run up to the end of this epoch (over all sessions).
        public var seconds: Double
        /// The validation loss after the epoch (NaN in a log without `valid_loss`).
        public var validLoss: Double = .nan
    }

    /// The log's file name without `.jsonl`; it can differ from ``name`` (two runs of the same
    /// configuration name kept side by side, e.g. one per GRU form).
    public var label: String
    /// The `run` header record (method, learning rate, seed, sizes, …).
    public var header: LogRecord
    /// The completed epochs, in order.
    public var epochs: [Epoch]
    /// Every `iteration` record, in order (the input of `TrainingFigures.dynamics(_:name:title:)`).
    public var iterations: [LogRecord]
    /// Completed (test evaluated), diverged (where and why), or stopped after its last completed epoch.
    public var status: RunStatus
    /// The test metric of a completed run.
    public var testMetric: Double?
    /// The test loss of a completed run.
    public var testLoss: Double?

    /// The run's name in its header (`project0.2-lr10`).
    public var name: String { header.string("name") ?? label }
    /// The header's initial learning rate η₀ (NaN when absent).
    public var learningRate: Double { header.double("learning_rate") ?? .nan }
    /// The header's method (`none`, `clip(5)`, …).
    public var method: String { header.string("method") ?? "?" }
    /// The header's GRU form (`resetAfter`, `resetBefore`).
    public var cell: String { header.string("cell") ?? "?" }
    /// The header's metric name (`perplexity`, `nll`).
    public var metricName: String { header.string("metric") ?? "metric" }
    /// The validation metric after each completed epoch.
    public var validMetrics: [Double] { epochs.map(\.validMetric) }
    /// Wall-clock seconds of each completed epoch (training and validation): differences of the
    /// epoch records' cumulative `seconds`.
    public var secondsPerEpoch: [Double] {
        zip(epochs, [0] + epochs.map(\.seconds)).map { $0.seconds - $1 }
    }
    /// True when the run diverged.
    public var diverged: Bool { if case .diverged = status { return true } else { return false } }

    /// Reads the log at `url`.
    /// - Throws: ``TrainingError/invalidLog(path:line:reason:)`` when a line is not a record,
    ///   the first record is not a `run` header, or an `epoch` record lacks a field (naming the line).
    public init(contentsOf url: URL) throws {
        try self.init(records: try TrainingLog.records(at: url), label: url.deletingPathExtension().lastPathComponent, path: url.path)
    }

    /// A run from its log's records.
    /// - Parameters:
    ///   - records: the log's records, in order.
    ///   - label: the name to show (the file name without `.jsonl`).
    ///   - path: the log's path, for error messages.
    /// - Throws: ``TrainingError/invalidLog(path:line:reason:)`` as for ``init(contentsOf:)``.
    public init(records: [LogRecord], label: String, path: String) throws {
        guard let first = records.first, first.recordType == .run else {
            throw TrainingError.invalidLog(path: path, line: 1, reason: "the first record of a training log must be its \"run\" header")
        }
        let metric = first.string("metric") ?? "metric"
        self.label = label
        header = first
        epochs = []
        iterations = []
        status = .stopped(epoch: 0)
        for (k, r) in records.enumerated().dropFirst() {
            switch r.recordType {
            case .iteration?:
                iterations.append(r)
            case .epoch?:
                guard let e = r.double("epoch"), let it = r.double("iteration"), let lr = r.double("learning_rate"),
                      let train = r.double("train_loss"), let valid = r.double("valid_" + metric), let s = r.double("seconds") else {
                    throw TrainingError.invalidLog(path: path, line: k + 1,
                        reason: "an epoch record needs epoch, iteration, learning_rate, train_loss, valid_\(metric) and seconds")
                }
                epochs.append(Epoch(epoch: Int(e), iteration: Int(it), learningRate: lr, trainLoss: train, validMetric: valid, seconds: s,
                                    validLoss: r.double("valid_loss") ?? .nan))
            case .diverged?:
                status = .diverged(epoch: Int(r.double("epoch") ?? 0), iteration: Int(r.double("iteration") ?? 0),
                                   reason: r.string("reason") ?? "")
            case .test?:
                status = .completed
                testMetric = r.double("test_" + metric)
                testLoss = r.double("test_loss")
            default:
                continue
            }
        }
        if case .stopped = status { status = .stopped(epoch: epochs.last?.epoch ?? 0) }
    }

    /// Every `*.jsonl` log in `directory`, sorted by label (the file name without `.jsonl`).
    /// - Throws: ``TrainingError/invalidLog(path:line:reason:)`` for an unreadable folder, a folder
    ///   without logs, or a log that does not parse.
    public static func load(directory: URL) throws -> [LoggedRun] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory.path) } catch {
            throw TrainingError.invalidLog(path: directory.path, line: 0, reason: "cannot read the folder of training logs")
        }
        // Sorted by label, so that `NAME` comes before `NAME-variant` ("-" sorts before ".").
        let logs = names.filter { $0.hasSuffix(".jsonl") }.sorted { $0.dropLast(6) < $1.dropLast(6) }
        guard !logs.isEmpty else {
            throw TrainingError.invalidLog(path: directory.path, line: 0, reason: "the folder holds no training log (NAME.jsonl)")
        }
        return try logs.map { try LoggedRun(contentsOf: directory.appendingPathComponent($0)) }
    }
}

extension LogRecord {
    /// The string at `key` (nil when absent or not a string).
    public func string(_ key: String) -> String? { if case .string(let s)? = self[key] { return s } else { return nil } }
}
