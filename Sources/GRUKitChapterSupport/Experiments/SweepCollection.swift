import Foundation
import GRUKit
import GRUKitPresentation

/// A sweep's results read back from its runs' logs, without training (`--collect`): what a job
/// array (``SlurmArray``) produced so far, with the state of every configuration. One run's
/// problem (a torn last line, a log of another configuration) is that run's state, named in
/// ``summary``; it never stops the collection of the others.
package struct SweepCollection {
    /// Where one configuration stands.
    package enum State: Equatable, Sendable {
        /// Trained to the end and tested, or diverged: final.
        case finished
        /// Its log ends after this many epochs without a test or divergence (or was tested after
        /// fewer epochs than the sweep asks for): still running, waiting to be requeued, stopped
        /// or killed (resubmitting resumes it from that epoch).
        case unfinished(epoch: Int)
        /// Its task failed with this message (`runs/NAME.failed`).
        case failed(String)
        /// No log yet (not started), or a log or checkpoint of another configuration (the reason).
        case missing(String)
        /// A log that cannot be read (the reason, naming the file and line).
        case unreadable(String)
    }

    /// The configurations, in the sweep's order, with their state.
    package var states: [(configuration: RunConfiguration, state: State)]
    /// The results of the configurations that have a log of their own (finished or unfinished), in order.
    package var results: [RunResult]
    /// The logs behind `results`, in the same order (their iteration records feed the pooled dynamics).
    package var logs: [LoggedRun] = []

    /// `runs/NAME.failed`: written by a failing array task, removed when it starts again.
    package static func failureURL(directory: URL, name: String) -> URL {
        directory.appendingPathComponent(name + ".failed")
    }

    /// How the header of a log differs from `c`: one `field: log X, this sweep Y` per difference, for
    /// the fields that say which configuration a log belongs to (name, method, learning rate, seed,
    /// GRU form, sizes, dropout). The header's `epochs` is not compared: a run extended with a larger
    /// `--epochs` keeps its first header; its records say how far it went.
    package static func headerDifferences(_ header: LogRecord, _ c: RunConfiguration) -> [String] {
        var out: [String] = []
        func text(_ key: String, _ expected: String) {
            guard let v = header[key] else { return }
            let found: String
            if case .string(let s) = v { found = s } else { found = v.description }
            if found != expected { out.append("\(key): log \(found.escapingControlCharacters), this sweep \(expected)") }
        }
        func number(_ key: String, _ expected: Double) {
            guard let v = header[key] else { return }
            if v.double != expected { out.append("\(key): log \(v.description.escapingControlCharacters), this sweep \(RunConfiguration.number(expected))") }
        }
        text("name", c.name)
        text("method", c.method.description)
        number("learning_rate", c.learningRate)
        text("seed", String(c.seed))
        text("cell", c.cell.rawValue)
        number("hidden", Double(c.hiddenSize))
        number("batch", Double(c.batchSize))
        number("steps", Double(c.steps))
        number("dropout", c.dropout)
        return out
    }

    /// Reads the logs of `sweep`'s configurations in `directory`. A log counts only when its
    /// configuration agrees with the sweep's: the checkpoint's fingerprint, when there is a
    /// checkpoint, and the header's fields (``headerDifferences(_:_:)``); and when it holds no more
    /// epochs than the sweep asks for. A run tested after fewer epochs than asked (the sweep's
    /// `--epochs` was raised) is unfinished: resubmitting extends it.
    package init(sweep: Sweep, directory: URL) {
        states = []
        results = []
        let fm = FileManager.default
        for c in sweep.configurations {
            let log = directory.appendingPathComponent(c.name + ".jsonl")
            let checkpoint = directory.appendingPathComponent(c.name + ".checkpoint.safetensors")
            let failure = Self.failureURL(directory: directory, name: c.name)
            if fm.fileExists(atPath: failure.path) {
                states.append((c, .failed(FailureMessage.read(failure))))
                continue
            }
            guard fm.fileExists(atPath: log.path) else { states.append((c, .missing("no log yet"))); continue }
            if fm.fileExists(atPath: checkpoint.path), let saved = try? Checkpoint(contentsOf: checkpoint),
               saved.fingerprint != c.fingerprint {
                states.append((c, .missing("its checkpoint belongs to another configuration")))
                continue
            }
            let run: LoggedRun
            do { run = try LoggedRun(contentsOf: log) } catch {
                states.append((c, .unreadable("\(error)")))
                continue
            }
            let differences = Self.headerDifferences(run.header, c)
            guard differences.isEmpty else {
                states.append((c, .missing("its log's header is another configuration's: " + differences.joined(separator: "; "))))
                continue
            }
            let reached: Int
            switch run.status {
            case .completed, .stopped: reached = run.epochs.last?.epoch ?? 0
            case .diverged(let e, _, _): reached = max(e, run.epochs.last?.epoch ?? 0)
            }
            guard reached <= c.epochs else {
                states.append((c, .missing("its log holds \(reached) epochs, more than the \(c.epochs) of this sweep (--epochs)")))
                continue
            }
            var result = run.result(configuration: c)
            if case .completed = run.status, reached < c.epochs {
                // Tested after fewer epochs than asked: resubmitting resumes it to c.epochs.
                result.status = .stopped(epoch: reached)
                result.testLoss = nil
                result.testMetric = nil
            }
            results.append(result)
            logs.append(run)
            if case .stopped(let e) = result.status { states.append((c, .unfinished(epoch: e))) } else { states.append((c, .finished)) }
        }
    }

    /// True when every configuration has finished.
    package var isComplete: Bool { states.allSatisfy { $0.state == .finished } }

    /// Lines naming the configurations that are not finished, and what to do; empty when complete.
    package var summary: String {
        var lines: [String] = []
        let unfinished = states.compactMap { s -> String? in
            if case .unfinished(let e) = s.state { return "\(s.configuration.name) (after epoch \(e) of \(s.configuration.epochs))" } else { return nil }
        }
        if !unfinished.isEmpty {
            lines.append("Still running after epoch k (or waiting for a requeue, stopped, or killed; their rows read \"stopped\"): "
                         + unfinished.joined(separator: ", "))
        }
        for s in states {
            switch s.state {
            case .failed(let m): lines.append("Failed: \(s.configuration.name): \(m)")
            case .missing(let why): lines.append("Missing: \(s.configuration.name) (\(why)); not in the table")
            case .unreadable(let why): lines.append("Unreadable: \(s.configuration.name): \(why); not in the table")
            default: continue
            }
        }
        if !lines.isEmpty {
            lines.append("Collected \(results.count) of \(states.count) configurations; once no task is queued, submitting the sweep again "
                         + "resumes the unfinished ones and retries the failed and missing ones from their last checkpoints.")
        }
        return lines.joined(separator: "\n")
    }
}

extension LoggedRun {
    /// The run's result under `configuration` (the sweep's, which the log's header describes):
    /// per-epoch training and validation losses and metrics, test loss and metric, status.
    /// Iterations and seconds are those of the last epoch (or of the end) recorded.
    package func result(configuration: RunConfiguration) -> RunResult {
        RunResult(configuration: configuration, status: status, metricName: metricName,
                  trainLosses: epochs.map(\.trainLoss), validLosses: epochs.map(\.validLoss), validMetrics: validMetrics,
                  testLoss: testLoss, testMetric: testMetric, iterations: epochs.last?.iteration ?? 0,
                  seconds: epochs.last?.seconds ?? 0)
    }
}
