import Foundation
import GRUKit
import GRUKitChapterSupport
import GRUKitPresentation

extension Chapter08 {
    /// The reading of the first model (plain SGD) chosen by written rules from its numbers, printed
    /// and recorded: `sgd.verdict` (how it behaves along the data), `sgd.origin` (`stable` or
    /// `unstable`), `sgd.gain_ratio` (¼ over the mean gain along the data), `sgd.damper` (the factor of
    /// the gain furthest below its value at h* = 0) and `sgd.update_gate` (what the update gate does).
    ///
    /// Rules: along the data it *contracts at every step* when λ_1 < 0 and no ρ(J_t) exceeds 1,
    /// *contracts on average while expanding at some steps* when λ_1 < 0 otherwise, and *expands* when
    /// λ_1 ≥ 0.
    package static func explain(_ models: [Dynamics], report: Report, values: inout RecordedValues) {
        guard let m = models.first else { return }
        let meanRho = Dynamics.mean(m.rho), gain = Dynamics.mean(m.gain)
        let verdict: String
        if m.lyapunov < 0 && m.aboveOne == 0 {
            verdict = "along the data it contracts at every step, so perturbations and gradients through time shrink step by step"
        } else if m.lyapunov < 0 {
            verdict = "along the data it expands at some steps but contracts on average, so perturbations and gradients through time shrink over a stretch of text"
        } else {
            verdict = "along the data it expands on average, so gradients through time can grow"
        }
        let origin = m.rhoOrigin < 1 ? "stable" : "unstable"
        let ratio = 0.25 / gain
        // The gain's three factors against their values at h* = 0 (1 − z = ½, 1 − n² = 1, r = ½): the
        // one furthest below its origin value is named as the gate that does most of the damping.
        let update = Dynamics.mean(m.update), reset = Dynamics.mean(m.reset), slope = Dynamics.mean(m.slope)
        let factors = [("the reset gate (mean r = \(fixed(reset, 3)) against ½ at h* = 0)", reset / 0.5),
                       ("the update gate (mean 1 − z = \(fixed(1 - update, 3)) against ½ at h* = 0)", (1 - update) / 0.5),
                       ("the candidate's saturation (mean 1 − n² = \(fixed(slope, 3)) against 1 at h* = 0)", slope)]
        let damper = factors.min { $0.1 < $1.1 }!
        let updateText = update < 0.5
            ? "the update gate lets the candidate in more than at h* = 0 (mean z = \(fixed(update, 3)) < ½), which alone would raise the gain"
            : "the update gate keeps more of the old state than at h* = 0 (mean z = \(fixed(update, 3)) ≥ ½), which lowers the gain"
        values["sgd.verdict"] = verdict
        values["sgd.origin"] = origin
        values["sgd.gain_ratio"] = fixed(ratio, 2)
        values["sgd.damper"] = damper.0
        values["sgd.update_gate"] = updateText
        report.note("\(label(m.name)): origin of the input-free map \(origin) (ρ(J) = \(fixed(m.rhoOrigin, 4))); "
                    + "along the text mean ρ(J_t) = \(fixed(meanRho, 4)), λ_1 = \(String(format: "%+.4f", m.lyapunov)) per step: \(verdict).")
        report.note("The gain (1 − z)(1 − n²) r in front of W_hh averages \(fixed(gain, 4)) along the text, ¼ at h* = 0: "
                    + "W_hh's part of J_t is \(fixed(ratio, 2)) times smaller there than at the origin. Most of it comes from \(damper.0); "
                    + "\(updateText).")
    }
}
