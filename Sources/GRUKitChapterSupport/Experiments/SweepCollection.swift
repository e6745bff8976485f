import Foundation
import GRUKit
import GRUKitPresentation

/// A sweep's results read back from its runs' logs, without training (`--collect`): what a job
/// array (``SlurmArray``) produced so far, with the state of every configuration.
package struct SweepCollection {
    /// Where one configuration stands.
    package enum State: Equatable, Sendable {
        /// Trained to the end and tested, or diverged: final.
        case finished
        /// Its log ends after this many epochs without a test or divergence: still running,
        /// waiting to be requeued, or killed (resubmitting resumes it from that epoch).
        case unfinished(epoch: Int)
        /// Its task failed with this message (`runs/NAME.failed`).
        case failed(String)
        /// No log yet (not started), or a log of another configuration (the reason).
        case missing(String)
    }

    /// The configurations, in the sweep's order, with their state.
    package var states: [(configuration: RunConfiguration, state: State)]
    /// The results of the configurations that have a log of their own (finished or unfinished), in order.
    package var results: [RunResult]

    /// `runs/NAME.failed`: written by a failing array task, removed when it starts again.
    package static func failureURL(directory: URL, name: String) -> URL {
        directory.appendingPathComponent(name + ".failed")
    }

    /// Reads the logs of `sweep`'s configurations in `directory`. A log counts only when its
    /// configuration agrees with the sweep's: the checkpoint's fingerprint, when there is a
    /// checkpoint, and the header's epochs.
    /// - Throws: ``TrainingError/invalidLog(path:line:reason:)`` for a log that does not parse.
    package init(sweep: Sweep, directory: URL) throws {
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
            let run = try LoggedRun(contentsOf: log)
            if let e = run.header.double("epochs"), Int(e) != c.epochs {
                states.append((c, .missing("its log was trained for \(Int(e)) epochs, not \(c.epochs)")))
                continue
            }
            let result = run.result(configuration: c)
            results.append(result)
            if case .stopped(let e) = result.status { states.append((c, .unfinished(epoch: e))) } else { states.append((c, .finished)) }
        }
    }

    /// True when every configuration has finished.
    package var isComplete: Bool { states.allSatisfy { $0.state == .finished } }

    /// Lines naming the configurations that are not finished, and what to do; empty when complete.
    package var summary: String {
        var lines: [String] = []
        let unfinished = states.compactMap { s -> String? in
            if case .unfinished(let e) = s.state { return "\(s.configuration.name) (after epoch \(e))" } else { return nil }
        }
        if !unfinished.isEmpty {
            lines.append("Unfinished (running, waiting for a requeue, or killed; their rows read \"stopped\"): " + unfinished.joined(separator: ", "))
        }
        for s in states {
            switch s.state {
            case .failed(let m): lines.append("Failed: \(s.configuration.name): \(m)")
            case .missing(let why): lines.append("Missing: \(s.configuration.name) (\(why)); not in the table")
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
