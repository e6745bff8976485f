import Foundation
import GRUKit

/// The trainer's console: when standard error is a terminal, one progress line redrawn there at most
/// ~10 times a second (``ProgressBar/line(label:count:total:unit:elapsed:)`` with a label that names the
/// run, the epoch and the iteration, and the time left for the whole run:
/// `clip5-lr10 epoch 2/6 it 57/120  [████░░…]  4.1k/8.4k  3.2k tok/s  ETA 0:01  run ETA 0:11`);
/// when standard output is not a terminal, PyTorch-style lines there (`| epoch   2 |    60/  120
/// batches | lr 10.00 | ms/batch 45.2 | loss  5.95 | ppl   383.45`), about five per epoch, whether or
/// not the bar is drawn beside them (``ProgressOutput``); and one line per epoch end on standard
/// output always.
package final class TrainingConsole: TrainingObserver {
    let output: ProgressOutput
    let unit: String
    var epochStart = 0.0
    var lastDraw = -Double.infinity
    var lastLine = 0.0

    /// A console for training.
    /// - Parameters:
    ///   - unit: what an item is, in the bar's rate (`tok` for tokens, `frames` for music frames).
    ///   - output: where the bar and the lines go; by default the bar on standard error when it is a
    ///     terminal and the lines on standard output when it is not.
    package init(unit: String, output: ProgressOutput = ProgressOutput()) {
        self.unit = unit
        self.output = output
    }

    /// Marks the start of an epoch (the rate and ETA are per epoch).
    package func beginEpoch() { epochStart = MonotonicClock.seconds(); lastLine = epochStart }

    /// After window `window` (1-based) of `windows`: redraws the bar when it is drawn, and prints a
    /// console line every ⌈windows/5⌉ windows when the lines are printed (clearing the bar first).
    package func update(run: String, epoch: Int, epochs: Int, window: Int, windows: Int, items: Int, totalItems: Int,
                       learningRate: Double, meanLoss: Double, metric: (Double) -> Double, metricName: String) {
        let now = MonotonicClock.seconds()
        if output.drawsBar, now - lastDraw >= 0.1 || window == windows {
            lastDraw = now
            let label = "\(run) epoch \(epoch)/\(epochs) it \(window)/\(windows)"
            let elapsed = now - epochStart
            output.bar("\r" + ProgressBar.line(label: label, count: min(items, totalItems), total: max(1, totalItems), unit: unit,
                                             elapsed: elapsed)
                       + Self.runRemaining(epoch: epoch, epochs: epochs, items: items, totalItems: totalItems, elapsed: elapsed)
                       + "\u{1B}[K")
        }
        guard output.printsLines else { return }
        let every = max(1, (windows + 4) / 5)
        guard window % every == 0 || window == windows else { return }
        let ms = (now - lastLine) * 1000 / Double(min(every, window % every == 0 ? every : window % every))
        lastLine = now
        let short = metricName == "perplexity" ? "ppl" : metricName
        if output.drawsBar { output.bar("\r\u{1B}[K") }
        output.lines("| \(run) | " + String(format: "epoch %3d | %5d/%5d batches | lr %.4g | ms/batch %7.1f | loss %6.3f | ",
                                              epoch, window, windows, learningRate, ms, meanLoss)
                     + short + String(format: " %9.3f\n", metric(meanLoss)))
    }

    /// The time left for the whole run, `  run ETA h:mm:ss`, when epochs remain after this one: the
    /// rest of this epoch plus (epochs − epoch) whole epochs, each estimated at this epoch's rate
    /// (validation time not included); empty in the last epoch or before the rate is known.
    package static func runRemaining(epoch: Int, epochs: Int, items: Int, totalItems: Int, elapsed: Double) -> String {
        guard epoch < epochs, items > 0, elapsed > 0, totalItems > 0 else { return "" }
        let rate = Double(items) / elapsed
        let seconds = Double(max(0, totalItems - items)) / rate + Double(epochs - epoch) * Double(totalItems) / rate
        return "  run ETA " + ProgressBar.clock(seconds)
    }

    /// Ends an epoch: finishes the bar (left on its line, or cleared when the console lines show
    /// the epoch on the same screen) and prints the validation line on standard output.
    package func endEpoch(run: String, epoch: Int, seconds: Double, validLoss: Double, metric: Double, metricName: String) {
        if output.drawsBar { output.bar(output.printsLines ? "\r\u{1B}[K" : "\n") }
        let short = metricName == "perplexity" ? "ppl" : metricName
        output.lines("| \(run) | " + String(format: "end of epoch %3d | time: %6.1fs | valid loss %6.3f | valid ", epoch, seconds, validLoss)
                     + short + String(format: " %9.3f\n", metric))
    }

    /// A line of its own on standard output (divergence, resumption, the test result), the bar
    /// cleared first.
    package func note(_ text: String) {
        if output.drawsBar { output.bar("\r\u{1B}[K") }
        output.lines(text + "\n")
    }
}
