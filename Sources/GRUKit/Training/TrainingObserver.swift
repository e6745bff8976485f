import Foundation

/// What a ``Trainer`` tells the outside world while it trains: the start and end of an epoch, its
/// progress through an epoch's windows, and one-line notes (a divergence, a resumption, the test
/// result). The trainer knows nothing of terminals or log formats; a console that draws a progress
/// bar (GRUKitPresentation's `TrainingConsole`) or a test that records the calls conforms to this.
///
/// Every method is called on the trainer's thread, between windows, and should return quickly: the
/// trainer waits for it.
package protocol TrainingObserver: AnyObject {
    /// An epoch starts (its first window is about to be trained).
    func beginEpoch()
    /// Window `window` (1-based) of `windows` is done; `items` of the epoch's `totalItems` (tokens
    /// or frames) have been trained, with mean training loss `meanLoss` so far in this epoch.
    /// `metric` turns a mean loss into the task's metric (`metricName`: perplexity, NLL per frame).
    func update(run: String, epoch: Int, epochs: Int, window: Int, windows: Int, items: Int, totalItems: Int,
                learningRate: Double, meanLoss: Double, metric: (Double) -> Double, metricName: String)
    /// An epoch ended after `seconds` with validation loss `validLoss` (the task's `metric` of it).
    func endEpoch(run: String, epoch: Int, seconds: Double, validLoss: Double, metric: Double, metricName: String)
    /// A line of its own: a divergence, a resumption, a refusal, the test result.
    func note(_ text: String)
}

/// The monotonic clock the training loop measures durations with: seconds since an arbitrary fixed
/// point (`CLOCK_MONOTONIC`, which NTP adjustments of the wall clock never move backwards).
/// Only differences of two readings mean anything.
package enum MonotonicClock {
    /// The current reading, in seconds.
    package static func seconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
