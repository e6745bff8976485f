/// How a training run ended.
package enum RunStatus: Sendable, Equatable {
    /// All epochs trained and the test split evaluated.
    case completed
    /// The loss or gradient became non-finite (or the loss exceeded the divergence bound) at
    /// this iteration of this epoch; training stopped there.
    case diverged(epoch: Int, iteration: Int, reason: String)
    /// Stopped on request after a checkpoint (`--stop-after`); `--resume` continues it.
    case stopped(epoch: Int)

    /// `completed`, `diverged`, `stopped` (the checkpoint's spelling, ``Checkpoint/Status``).
    package var keyword: String {
        switch self {
        case .completed: return Checkpoint.Status.completed.rawValue
        case .diverged: return Checkpoint.Status.diverged.rawValue
        case .stopped: return Checkpoint.Status.stopped.rawValue
        }
    }
}

/// What a run produced: its status and the per-epoch losses, with the task's metric.
package struct RunResult: Sendable, Equatable {
    /// The configuration the run was trained with.
    package var configuration: RunConfiguration
    /// Completed, diverged (where and why) or stopped.
    package var status: RunStatus
    /// "perplexity" or "nll".
    package var metricName: String
    /// Mean training loss of each completed epoch.
    package var trainLosses: [Double]
    /// Validation loss after each completed epoch.
    package var validLosses: [Double]
    /// The metric of each validation loss.
    package var validMetrics: [Double]
    /// Test loss of the final model (nil unless completed).
    package var testLoss: Double?
    /// The metric of ``testLoss`` (nil unless completed).
    package var testMetric: Double?
    /// Iterations trained (over all sessions).
    package var iterations: Int
    /// Wall-clock seconds (over all sessions).
    package var seconds: Double

    /// A result with every field given (the ``Trainer`` makes them; tables and tests build them too).
    /// - Parameters:
    ///   - configuration: the run's configuration.
    ///   - status: how it ended.
    ///   - metricName: "perplexity" or "nll".
    ///   - trainLosses: mean training loss of each completed epoch.
    ///   - validLosses: validation loss after each completed epoch.
    ///   - validMetrics: the metric of each validation loss.
    ///   - testLoss: test loss of the final model, nil unless completed.
    ///   - testMetric: its metric.
    ///   - iterations: iterations trained.
    ///   - seconds: wall-clock seconds.
    package init(configuration: RunConfiguration, status: RunStatus, metricName: String, trainLosses: [Double],
                validLosses: [Double], validMetrics: [Double], testLoss: Double?, testMetric: Double?, iterations: Int,
                seconds: Double) {
        self.configuration = configuration
        self.status = status
        self.metricName = metricName
        self.trainLosses = trainLosses
        self.validLosses = validLosses
        self.validMetrics = validMetrics
        self.testLoss = testLoss
        self.testMetric = testMetric
        self.iterations = iterations
        self.seconds = seconds
    }

    /// The number of epochs that completed (trained and validated), over all sessions.
    package var epochsCompleted: Int { validLosses.count }
    /// The lowest finite validation metric, nil when no epoch completed (both metrics, perplexity
    /// and NLL, are better when lower).
    package var bestValidMetric: Double? { validMetrics.filter(\.isFinite).min() }
    /// The validation metric after the last completed epoch, nil when none completed.
    package var finalValidMetric: Double? { validMetrics.last }
    /// True when ``status`` is ``RunStatus/diverged(epoch:iteration:reason:)``.
    package var diverged: Bool { if case .diverged = status { return true } else { return false } }
}
