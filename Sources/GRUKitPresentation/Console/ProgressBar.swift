import Foundation
import GRUKit

/// A progress bar for anything longer than a couple of seconds.
///
/// When standard error is a terminal it redraws one line there, at most ~10 times a second (also
/// when standard output is a pipe, as under `make`; see ``ProgressOutput``):
///
///     training  [██████████░░░░░░░░░░]  512/1000  3.41k tok/s  ETA 0:02
///
/// When standard output is not a terminal (a log file, a pipe, a test), ``finish()`` prints at most
/// one summary line there (`training: 1000 tok in 0.29 s (3.41k tok/s)`), whether or not a bar was
/// drawn beside it, so that the output is the same bytes either way.
/// Not thread-safe: advance it from one thread.
public final class ProgressBar {
    /// What is being done, printed first on the bar and in the summary, e.g. `"training"`.
    public let label: String
    /// The number of items at which the bar is full (> 0).
    public let total: Int
    /// The unit of one item in the rate, e.g. `"tok"` gives `tok/s`.
    public let unit: String
    /// The items done so far, 0…``total``: advances past the total are clamped to it.
    public private(set) var count = 0

    private let output: ProgressOutput
    private let summary: Bool
    private let clock: () -> Double
    private let start: Double
    private var lastDraw = -Double.infinity
    private var finished = false

    /// A bar on standard error when it is a terminal, its summary on standard output when that is not.
    ///
    /// - Parameters:
    ///   - total: the number of items (> 0; traps otherwise).
    ///   - label: what is being done, e.g. `"training"`.
    ///   - unit: the item's unit for the rate (`"it"`, `"tok"`, `"step"`).
    ///   - summary: print one summary line at ``finish()`` when standard output is not a terminal.
    public convenience init(total: Int, label: String, unit: String = "it", summary: Bool = true) {
        self.init(total: total, label: label, unit: unit, summary: summary, output: ProgressOutput(),
                  clock: { MonotonicClock.seconds() })
    }

    /// The testable form: where the bar and the summary go (and whether), and the clock (seconds),
    /// are injected. The clock is read once here as the start time.
    ///
    /// - Precondition: `total > 0` (traps otherwise, naming it).
    public init(total: Int, label: String, unit: String = "it", summary: Bool = true, output: ProgressOutput,
                clock: @escaping () -> Double) {
        precondition(total > 0, "ProgressBar: total must be positive, got \(total)")
        self.total = total
        self.label = label
        self.unit = unit
        self.summary = summary
        self.output = output
        self.clock = clock
        self.start = clock()
    }

    /// Advances by `n` items (clamped at ``total``) and, when the bar is drawn, redraws it when at
    /// least 0.1 s passed since the last drawing or the bar is full, so that a fast loop is not
    /// slowed by output.
    public func advance(by n: Int = 1) {
        count = min(total, count + n)
        guard output.drawsBar else { return }
        let now = clock()
        if now - lastDraw >= 0.1 || count == total {
            lastDraw = now
            output.bar("\r" + Self.line(label: label, count: count, total: total, unit: unit, elapsed: now - start) + "\u{1B}[K")
        }
    }

    /// Ends the bar: a drawn bar is redrawn complete and left on its line, or cleared when the
    /// summary line follows it on standard output (which `tee` shows on the same screen); the
    /// summary line (if enabled) is printed when standard output is not a terminal. Calling it
    /// again does nothing.
    public func finish() {
        guard !finished else { return }
        finished = true
        let elapsed = clock() - start
        if output.drawsBar {
            output.bar(output.printsLines && summary ? "\r\u{1B}[K"
                : "\r" + Self.line(label: label, count: count, total: total, unit: unit, elapsed: elapsed) + "\u{1B}[K\n")
        }
        if output.printsLines && summary {
            output.lines(Self.summaryLine(label: label, count: count, unit: unit, elapsed: elapsed) + "\n")
        }
    }

    /// The bar line: `label  [bar]  count/total  rate unit/s  ETA m:ss` (bar 20 cells wide).
    ///
    /// The bar has ⌊20·count/total⌋ full cells; the rate is count/elapsed (0 when no time passed)
    /// and the ETA (total − count)/rate, `--:--` while the rate is 0; a full bar shows `done` and
    /// the elapsed time instead. Precondition: `total > 0` and `0 ≤ count ≤ total`.
    public static func line(label: String, count: Int, total: Int, unit: String, elapsed: Double) -> String {
        let fraction = Double(count) / Double(total)
        let cells = 20, full = Int((fraction * Double(cells)).rounded(.down))
        let bar = String(repeating: "█", count: full) + String(repeating: "░", count: cells - full)
        let rate = elapsed > 0 ? Double(count) / elapsed : 0
        let eta: String
        if count >= total { eta = "done " + clock(elapsed) }
        else if rate > 0 { eta = "ETA " + clock(Double(total - count) / rate) }
        else { eta = "ETA --:--" }
        let width = String(total).count
        let padded = String(repeating: " ", count: max(0, width - String(count).count)) + String(count)
        return "\(label)  [\(bar)]  \(padded)/\(total)  \(human(rate)) \(unit)/s  \(eta)"
    }

    /// The one-line summary `label: count unit in 1.23 s (rate unit/s)`, rate = count/elapsed
    /// (0 when elapsed ≤ 0) with 3 significant figures and a k/M/G suffix.
    public static func summaryLine(label: String, count: Int, unit: String, elapsed: Double) -> String {
        let rate = elapsed > 0 ? Double(count) / elapsed : 0
        return "\(label): \(count) \(unit) in \(String(format: "%.2f", elapsed)) s (\(human(rate)) \(unit)/s)"
    }

    /// 3 significant figures with k/M/G suffixes: 0.5, 12.3, 456, 3.41k, 12.0M.
    static func human(_ x: Double) -> String {
        let (value, suffix): (Double, String) =
            x >= 1e9 ? (x / 1e9, "G") : x >= 1e6 ? (x / 1e6, "M") : x >= 1e3 ? (x / 1e3, "k") : (x, "")
        let format = value >= 100 ? "%.0f" : value >= 10 ? "%.1f" : "%.2f"
        return String(format: format, value) + suffix
    }

    /// Seconds as `m:ss` (or `h:mm:ss` from an hour).
    /// Not finite, negative or beyond a million hours (a rate near zero) prints `--:--` rather than
    /// trapping in the conversion to `Int`.
    static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0, seconds < 3.6e9 else { return "--:--" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
                         : String(format: "%d:%02d", s / 60, s % 60)
    }
}
