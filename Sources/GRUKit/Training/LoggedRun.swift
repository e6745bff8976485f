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
package struct LoggedRun: Sendable {
    /// One completed epoch, from its `epoch` record.
    package struct Epoch: Sendable, Equatable {
        /// The epoch's number, from 1.
        package var epoch: Int
        /// Iterations trained up to the end of this epoch (over the whole run).
        package var iteration: Int
        /// The epoch's learning rate.
        package var learningRate: Double
        /// Mean training loss of the epoch.
        package var trainLoss: Double
        /// The validation metric after the epoch (perplexity or NLL, as the header's `metric`).
        package var validMetric: Double
        /// Wall-clock seconds of the run up to the end of this epoch (over all sessions).
        package var seconds: Double
        /// The validation loss after the epoch (NaN in a log without `valid_loss`).
        package var validLoss: Double = .nan
    }

    /// The log's file name without `.jsonl`; it can differ from ``name`` (two runs of the same
    /// configuration name kept side by side, e.g. one per GRU form).
    package var label: String
    /// The `run` header record (method, learning rate, seed, sizes, …).
    package var header: LogRecord
    /// The completed epochs, in order.
    package var epochs: [Epoch]
    /// Every `iteration` record, in order (the input of `TrainingFigures.dynamics(_:name:title:)`).
    package var iterations: [LogRecord]
    /// Completed (test evaluated), diverged (where and why), or stopped after its last completed epoch.
    package var status: RunStatus
    /// The test metric of a completed run.
    package var testMetric: Double?
    /// The test loss of a completed run.
    package var testLoss: Double?

    /// The run's name in its header (`project0.2-lr10`).
    package var name: String { header.string("name") ?? label }
    /// The header's initial learning rate η₀ (NaN when absent).
    package var learningRate: Double { header.double("learning_rate") ?? .nan }
    /// The header's method (`none`, `clip(5)`, …).
    package var method: String { header.string("method") ?? "?" }
    /// The header's GRU form (`resetAfter`, `resetBefore`).
    package var cell: String { header.string("cell") ?? "?" }
    /// The header's metric name (`perplexity`, `nll`).
    package var metricName: String { header.string("metric") ?? "metric" }
    /// The validation metric after each completed epoch.
    package var validMetrics: [Double] { epochs.map(\.validMetric) }
    /// Wall-clock seconds of each completed epoch (training and validation): differences of the
    /// epoch records' cumulative `seconds`.
    package var secondsPerEpoch: [Double] {
        zip(epochs, [0] + epochs.map(\.seconds)).map { $0.seconds - $1 }
    }
    /// True when the run diverged.
    package var diverged: Bool { if case .diverged = status { return true } else { return false } }

    /// The `epochs` the header asked for (nil in a log without it). A run extended with a larger
    /// `--epochs` and `--resume` keeps the header of its first session: what a log holds is read
    /// from its records (``epochs``, ``status``), not from this.
    package var plannedEpochs: Int?

    /// Reads the log at `url`.
    /// - Throws: ``TrainingError/invalidLog(path:line:reason:)`` when a line is not a record,
    ///   the first record is not a `run` header, or a record breaks the rules of
    ///   ``init(records:label:path:)`` (naming the line).
    package init(contentsOf url: URL) throws {
        try self.init(records: try TrainingLog.records(at: url), label: url.deletingPathExtension().lastPathComponent, path: url.path)
    }

    /// The largest count a log may hold: 2⁵³, below which every whole Double is exact (and far below
    /// `Int.max`, so a count read from a log never traps when converted).
    package static let largestCount = 9_007_199_254_740_992.0

    /// The count at `key` (epoch, iteration, epochs): nil when absent or null; otherwise a whole
    /// number from 0 to ``largestCount``.
    /// - Throws: ``TrainingError/invalidLog(path:line:reason:)`` naming the field and its value.
    package static func count(_ record: LogRecord, _ key: String, path: String, line: Int) throws -> Int? {
        guard let value = record[key], value != .null else { return nil }
        guard let x = value.double, x.isFinite, x >= 0, x <= largestCount, x == x.rounded(.towardZero) else {
            throw TrainingError.invalidLog(path: path, line: line,
                reason: "\"\(key)\" is \(value), not a count (a whole number from 0 to 2^53)")
        }
        return Int(x)
    }

    /// The number at `key` as the trainer wrote it: nil when absent; NaN for `null` (the writer's
    /// spelling of every non-finite number: an overflowing perplexity, a NaN loss, non-finite
    /// seconds); the number otherwise.
    /// - Throws: ``TrainingError/invalidLog(path:line:reason:)`` when the value is a string or a boolean.
    static func number(_ record: LogRecord, _ key: String, path: String, line: Int) throws -> Double? {
        switch record[key] {
        case nil: return nil
        case .null?: return .nan
        case let v?:
            guard let x = v.double else {
                throw TrainingError.invalidLog(path: path, line: line, reason: "\"\(key)\" is \(v), not a number")
            }
            return x
        }
    }

    /// The metric of a mean loss as the trainer computes it (`perplexity` = e^loss, `nll` = the loss),
    /// nil for another metric: how a metric written as `null` is recovered from its loss.
    package static func metric(_ name: String, ofLoss loss: Double) -> Double? {
        switch name {
        case "perplexity": return _exp(loss)
        case "nll": return loss
        default: return nil
        }
    }

    /// A run from its log's records. Every record ``Trainer`` writes is read back: a number written
    /// as `null` (not finite) reads as NaN, except a metric whose loss is in the same record, which
    /// is recomputed from it (an overflowing perplexity reads back as +∞, as the run computed it).
    /// - Parameters:
    ///   - records: the log's records, in order.
    ///   - label: the name to show (the file name without `.jsonl`).
    ///   - path: the log's path, for error messages.
    /// - Throws: ``TrainingError/invalidLog(path:line:reason:)`` naming the line when the first
    ///   record is not a `run` header, a count (`epochs`, `epoch`, `iteration`) is not a whole number
    ///   from 0 to 2⁵³, an `epoch` record lacks a field, or the epochs are not recorded once each in
    ///   order (1, 2, 3, …).
    package init(records: [LogRecord], label: String, path: String) throws {
        guard let first = records.first, first.recordType == .run else {
            throw TrainingError.invalidLog(path: path, line: 1, reason: "the first record of a training log must be its \"run\" header")
        }
        let metric = first.string("metric") ?? "metric"
        self.label = label
        header = first
        plannedEpochs = try Self.count(first, "epochs", path: path, line: 1)
        epochs = []
        iterations = []
        status = .stopped(epoch: 0)
        var epochLines: [Int: Int] = [:]
        for (k, r) in records.enumerated().dropFirst() {
            let line = k + 1
            switch r.recordType {
            case .iteration?:
                iterations.append(r)
            case .epoch?:
                guard let e = try Self.count(r, "epoch", path: path, line: line),
                      let it = try Self.count(r, "iteration", path: path, line: line),
                      let lr = try Self.number(r, "learning_rate", path: path, line: line),
                      let train = try Self.number(r, "train_loss", path: path, line: line),
                      var valid = try Self.number(r, "valid_" + metric, path: path, line: line),
                      let s = try Self.number(r, "seconds", path: path, line: line) else {
                    throw TrainingError.invalidLog(path: path, line: line,
                        reason: "an epoch record needs epoch, iteration, learning_rate, train_loss, valid_\(metric) and seconds")
                }
                let validLoss = try Self.number(r, "valid_loss", path: path, line: line) ?? .nan
                if r["valid_" + metric] == .null, validLoss.isFinite, let m = Self.metric(metric, ofLoss: validLoss) { valid = m }
                if let earlier = epochLines[e] {
                    throw TrainingError.invalidLog(path: path, line: line,
                        reason: "epoch \(e) is recorded again (first on line \(earlier)); a log records each epoch once")
                }
                let expected = (epochs.last?.epoch ?? 0) + 1
                guard e == expected else {
                    throw TrainingError.invalidLog(path: path, line: line,
                        reason: "epoch \(e) follows epoch \(expected - 1); a log records its epochs in order from 1")
                }
                epochLines[e] = line
                epochs.append(Epoch(epoch: e, iteration: it, learningRate: lr, trainLoss: train, validMetric: valid, seconds: s,
                                    validLoss: validLoss))
            case .diverged?:
                status = .diverged(epoch: try Self.count(r, "epoch", path: path, line: line) ?? 0,
                                   iteration: try Self.count(r, "iteration", path: path, line: line) ?? 0,
                                   reason: r.string("reason") ?? "")
            case .test?:
                status = .completed
                testLoss = try Self.number(r, "test_loss", path: path, line: line)
                testMetric = try Self.number(r, "test_" + metric, path: path, line: line)
                if r["test_" + metric] == .null, let loss = testLoss, loss.isFinite { testMetric = Self.metric(metric, ofLoss: loss) ?? .nan }
            default:
                continue
            }
        }
        if case .stopped = status { status = .stopped(epoch: epochs.last?.epoch ?? 0) }
    }

    /// Every `*.jsonl` log in `directory`, sorted by label (the file name without `.jsonl`).
    /// - Throws: ``TrainingError/invalidLog(path:line:reason:)`` for an unreadable folder, a folder
    ///   without logs, or a log that does not parse.
    package static func load(directory: URL) throws -> [LoggedRun] {
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
    package func string(_ key: String) -> String? { if case .string(let s)? = self[key] { return s } else { return nil } }
}
