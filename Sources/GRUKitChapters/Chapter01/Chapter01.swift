import ArgumentParser
import Foundation
import GRUKit
import GRUKitChapterSupport
import GRUKitPresentation

/// Chapter 1, the GRU as a dynamical system: the one-unit map with its gates (``Gates``), its fixed
/// points (``symmetricFixedPoint(_:)``, ``nonzeroFixedPoints(_:gates:)``), the table of where the states
/// settle (``Table``), and the figures `trajectories`, `return-map` and the animation `cobweb-sweep`.
public enum Chapter01 {}

extension Chapter01 {
    /// The recurrent weights of the figures by default (`--w-hh`), one on each side of w_hh = 2.
    package static let defaultFigureWeights: [Double] = [1.5, 2.5]
    /// The table shows the figures' weights and these two: the critical value 2, and 3 for comparison.
    package static let tableReferenceWeights: [Double] = [2.0, 3.0]
    /// Initial states of the trajectories, in pairs ±h_0.
    package static let initialStates: [Double] = [0.9, 0.5, 0.1, 0.02]

    /// The gate weights w_hz and w_hr (`--w-hz`, `--w-hr`; both 0 by default, which makes both gates ½).
    package struct Gates: Equatable {
        package var wHZ = 0.0
        package var wHR = 0.0
        package init(wHZ: Double = 0, wHR: Double = 0) { self.wHZ = wHZ; self.wHR = wHR }
        /// True for w_hz = w_hr = 0, where the nonzero fixed points solve h = tanh(w_hh h/2).
        package var areOff: Bool { wHZ == 0 && wHR == 0 }
        /// The one-unit map with recurrent weight `wHH` and these gates.
        package func gru(_ wHH: Double) -> ScalarGRU { ScalarGRU(wHH: wHH, wHZ: wHZ, wHR: wHR) }
        /// "w_hz = w_hr = 0", or both values.
        package var text: String { areOff ? "w_hz = w_hr = 0" : "w_hz = \(wHZ), w_hr = \(wHR)" }
        /// The same in gnuplot's enhanced text (subscripts in braces).
        package var figureText: String { areOff ? "w_{hz} = w_{hr} = 0" : "w_{hz} = \(wHZ), w_{hr} = \(wHR)" }
    }

    /// The chapter's own options (the core ones are `ChapterOptions`).
    package struct Options: ParsableArguments {
        @Option(parsing: .unconditional, help: ArgumentHelp("Steps shown in the trajectory figure (default: 40, or 80 with --scale paper).", valueName: "n"))
        package var steps: Int?

        @Option(name: .customLong("limit-steps"), parsing: .unconditional, help: ArgumentHelp("Steps taken to find where h settles from h_0 = 0.5.", valueName: "n"))
        package var limitSteps: Int = 10_000

        @Option(name: .customLong("w-hh"), parsing: .unconditional,
                help: ArgumentHelp("Recurrent weights w_hh of the figures, comma-separated, one panel each (1 to 4 values in −10…10); the table adds 2 and 3.", valueName: "w,…"))
        package var wHH = NumberList(Chapter01.defaultFigureWeights)

        @Option(name: .customLong("w-hz"), parsing: .unconditional, help: ArgumentHelp("Update-gate weight w_hz (in −10…10).", valueName: "w"))
        package var wHZ: Double = 0

        @Option(name: .customLong("w-hr"), parsing: .unconditional, help: ArgumentHelp("Reset-gate weight w_hr (in −10…10).", valueName: "w"))
        package var wHR: Double = 0

        @Option(name: .customLong("sweep-w-hh"), parsing: .unconditional,
                help: ArgumentHelp("First and last w_hh of the animation cobweb-sweep (two values in −10…10).", valueName: "from,to"))
        package var sweepWHH = NumberList([1.5, 2.5])

        @Option(parsing: .unconditional, help: ArgumentHelp("Frames of the animation cobweb-sweep (2…400).", valueName: "n"))
        package var frames: Int = 41

        /// Every option at its default (required by `ParsableArguments`; the parser fills the options).
        package init() {}

        /// The gates w_hz, w_hr.
        package var gates: Gates { Gates(wHZ: wHZ, wHR: wHR) }
        /// The weights of the figures, one panel each.
        package var figureWeights: [Double] { wHH.values }
        /// The weights of the table: the figures' and ``tableReferenceWeights``, sorted, each once.
        package var tableWeights: [Double] { Array(Set(figureWeights + Chapter01.tableReferenceWeights)).sorted() }
        /// True when no flag changed the weights (the run then prints what it always did).
        package var isDefault: Bool { figureWeights == Chapter01.defaultFigureWeights && gates.areOff }
        /// The first and last w_hh of the animation.
        package var sweep: (from: Double, to: Double) { (sweepWHH.values[0], sweepWHH.values[1]) }
        /// The steps of the trajectory figure at `scale`.
        package func trajectorySteps(scale: Scale) -> Int { steps ?? (scale == .paper ? 80 : 40) }

        /// The run's header: the settings, with the weights when a flag changed them.
        package func header(_ report: Report, scale: Scale) {
            let steps = String(trajectorySteps(scale: scale))
            if isDefault {
                report.header(settings: ["scale": scale.rawValue, "steps": steps, "limit steps": String(limitSteps)])
            } else {
                report.header(settings: ["scale": scale.rawValue, "steps": steps, "limit steps": String(limitSteps),
                                         "w_hh": wHH.description, "w_hz": "\(wHZ)", "w_hr": "\(wHR)"])
            }
        }

        /// Refuses values outside their ranges, naming the flag.
        package func validate() throws {
            if let steps, steps < 1 { throw ValidationError("--steps must be at least 1 (got \(steps)).") }
            if steps ?? 0 > 1_000_000 { throw ValidationError("--steps is at most 1000000 (got \(steps!)).") }
            if limitSteps < 1 { throw ValidationError("--limit-steps must be at least 1 (got \(limitSteps)).") }
            try wHH.check("--w-hh", count: 1...4, within: -10...10)
            for (flag, value) in [("--w-hz", wHZ), ("--w-hr", wHR)] where !(value.isFinite && abs(value) <= 10) {
                throw ValidationError("\(flag) must be a number in −10…10 (got \(value)).")
            }
            try sweepWHH.check("--sweep-w-hh", count: 2...2, within: -10...10)
            if !(2...400).contains(frames) { throw ValidationError("--frames must lie in 2…400 (got \(frames)).") }
        }
    }

    // book: chapter01-symmetric-fixed-point
    /// The positive root h* of h = tanh(w h / 2), or nil when only h = 0 exists (w ≤ 2): bisection on
    /// g(h) = tanh(w h/2) − h, which is positive near 0 and negative at 1, to machine precision.
    package static func symmetricFixedPoint(_ w: Double) -> Double? {
        guard w > 2 else { return nil }
        func g(_ h: Double) -> Double { tanh(w * h / 2) - h }
        var lo = 1e-9, hi = 1.0   // g(lo) > 0 because w/2 > 1; g(1) = tanh(w/2) − 1 < 0
        while true {
            let mid = (lo + hi) / 2
            if mid <= lo || mid >= hi { return lo }
            if g(mid) > 0 { lo = mid } else { hi = mid }
        }
    }
    // book: end

    /// The fixed points other than the origin: ±h* (in that order) from ``symmetricFixedPoint(_:)`` when the
    /// gates are off; otherwise every nonzero root the library's finder brackets on [−1, 1] (chapter 2).
    package static func nonzeroFixedPoints(_ w: Double, gates: Gates) -> [Double] {
        if gates.areOff { return symmetricFixedPoint(w).map { [$0, -$0] } ?? [] }
        return gates.gru(w).fixedPoints().map(\.h).filter { $0 != 0 }
    }

    /// h_T from h_0 after `steps` iterations.
    package static func limit(_ gru: ScalarGRU, from h0: Double, steps: Int) -> Double {
        var h = h0
        for _ in 0..<steps { h = gru(h) }
        return h
    }

    // book: chapter01-cobweb
    /// The cobweb path from h_0: (h_0, h_0) → (h_0, h_1) → (h_1, h_1) → (h_1, h_2) → … — up to the
    /// curve (apply f), across to the diagonal (the output becomes the next input), repeat.
    package static func cobweb(_ gru: ScalarGRU, from h0: Double, steps: Int) -> [[Double]] {
        var points: [[Double]] = [[h0, h0]]
        var h = h0
        for _ in 0..<steps {
            let next = gru(h)
            points.append([h, next])
            points.append([next, next])
            h = next
        }
        return points
    }
    // book: end
}
