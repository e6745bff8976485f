import ArgumentParser
import Foundation
import GRUKit
import GRUKitChapterSupport

/// Chapter 4, the SVD projection: the 2×2 example (``TwoByTwoExample``), the tuned comparison of
/// plain SGD, clipping and P_δ (``Comparison``), the cost of one exact projection (``CostMeasurement``),
/// and their tables, data files and figures.
public enum Chapter04 {}

extension Chapter04 {
    /// The chapter's own options (the core ones are `ChapterOptions` and `MemoryTaskOptions`). The
    /// lists are ``CommaList``s: swift-argument-parser refuses an entry that is not a number, naming
    /// the flag, and each keeps its text as typed, which the data files quote.
    package struct Options: ParsableArguments {
        @Option(parsing: .unconditional, help: ArgumentHelp("δ of the threshold 2 − δ, in (0, 2), of the 2×2 example and the cost measurement (training tunes δ over --delta-grid).", valueName: "δ"))
        package var delta: Double = 0.2

        @Option(parsing: .unconditional, help: ArgumentHelp("The 2×2 example Ŵ as four comma-separated entries, row by row.", valueName: "a,b,c,d"))
        package var example = NumberList(argument: "2.2,1.2,0,0.8")!

        @Option(name: .customLong("delta-sweep"), parsing: .unconditional,
                help: ArgumentHelp("First and last δ of the animation projection-sweep (two values, each in (0, 2)).", valueName: "from,to"))
        package var deltaSweep = NumberList([0.05, 1.5])

        @Option(parsing: .unconditional, help: ArgumentHelp("Frames of the animation projection-sweep (2…200).", valueName: "n"))
        package var frames: Int = 30

        @Option(name: .customLong("fade-steps"), parsing: .unconditional, help: ArgumentHelp("Time steps T of the fading task.", valueName: "T"))
        package var fadeSteps: Int = 20

        @Option(name: .customLong("fade-learning-rates"),
                parsing: .unconditional, help: ArgumentHelp("Comma-separated learning rates of the fading task; the figure shows the largest.", valueName: "η,…"))
        package var fadeLearningRates = NumberList(argument: "3,10,30")!

        @Option(name: .customLong("clip-grid"), parsing: .unconditional,
                help: ArgumentHelp("Comma-separated clipping thresholds tried at each learning rate; the table shows the best.", valueName: "c,…"))
        package var clipGrid = NumberList(argument: "0.0003,0.001,0.003,0.01,0.03,0.1,0.3,1")!

        @Option(name: .customLong("delta-grid"), parsing: .unconditional,
                help: ArgumentHelp("Comma-separated δ of P_δ tried at each learning rate; the table shows the best.", valueName: "δ,…"))
        package var deltaGrid = NumberList(argument: "0.05,0.1,0.2,0.5")!

        @Option(parsing: .unconditional, help: ArgumentHelp("Comma-separated sizes n of the cost measurement (default 64,128,256,512; with --scale paper 64,128,256,512,650,1024).",
                                                            valueName: "n,…"))
        package var sizes: CommaList<Int>?

        @Option(parsing: .unconditional, help: ArgumentHelp("Timed repetitions per size and method (default 5, 10 with --scale paper).", valueName: "r"))
        package var repeats: Int?

        /// Every option at its default (required by `ParsableArguments`; the parser fills the options).
        package init() {}

        /// Ŵ of the 2×2 example (zeros until `validate()` has checked that there are four entries).
        package var exampleMatrix: Matrix<Double> {
            let e = example.values.count == 4 ? example.values : [0, 0, 0, 0]
            return Matrix([[e[0], e[1]], [e[2], e[3]]])
        }
        /// The learning rates of the fading task.
        package var fadeRates: [Double] { fadeLearningRates.values }
        /// The clipping thresholds tried at each learning rate.
        package var clipThresholds: [Double] { clipGrid.values }
        /// The δ of P_δ tried at each learning rate.
        package var deltas: [Double] { deltaGrid.values }
        /// The sizes n of the cost measurement at `scale`.
        package func sizeList(scale: Scale) -> [Int] {
            sizes?.values ?? (scale == .paper ? [64, 128, 256, 512, 650, 1024] : [64, 128, 256, 512])
        }
        /// The timed repetitions per size and method at `scale`.
        package func repeatCount(scale: Scale) -> Int { repeats ?? (scale == .paper ? 10 : 5) }

        /// Refuses values outside their ranges, naming the flag.
        package func validate() throws {
            if let problem = SpectralProjection.deltaProblem(delta) { throw ValidationError("--delta \(problem).") }
            if example.values.count != 4 { throw ValidationError("--example needs four finite numbers a,b,c,d (got '\(example.text)').") }
            try deltaSweep.check("--delta-sweep", count: 2...2, within: -10...10)
            for d in deltaSweep.values {
                if let problem = SpectralProjection.deltaProblem(d) { throw ValidationError("--delta-sweep: δ = \(d) \(problem).") }
            }
            if !(2...200).contains(frames) { throw ValidationError("--frames must lie in 2…200 (got \(frames)).") }
            if fadeSteps < 1 || fadeSteps > 100_000 { throw ValidationError("--fade-steps must lie in 1…100000 (got \(fadeSteps)).") }
            if clipGrid.values.isEmpty || !clipGrid.values.allSatisfy({ $0 > 0 }) {
                throw ValidationError("--clip-grid must be positive numbers (got '\(clipGrid.text)').")
            }
            if deltaGrid.values.isEmpty { throw ValidationError("--delta-grid: the list is empty; name at least one δ.") }
            for d in deltaGrid.values {
                if let problem = SpectralProjection.deltaProblem(d) { throw ValidationError("--delta-grid: δ = \(d) \(problem).") }
            }
            if fadeLearningRates.values.isEmpty || !fadeLearningRates.values.allSatisfy({ $0 > 0 }) {
                throw ValidationError("--fade-learning-rates must be positive numbers (got '\(fadeLearningRates.text)').")
            }
            if let sizes, sizes.values.isEmpty || !sizes.values.allSatisfy({ $0 >= 2 && $0 <= 4096 }) {
                throw ValidationError("--sizes must be integers in 2…4096 (got '\(sizes.text)').")
            }
            if let repeats, repeats < 1 || repeats > 1000 { throw ValidationError("--repeats must lie in 1…1000 (got \(repeats)).") }
        }
    }

    /// A duration for the reader, in the unit that suits it (ns, µs, ms, s) with three significant
    /// digits: 1.5e-7 s is "150 ns", never "0 µs" or "0.0001 ms".
    package static func duration(seconds s: Double) -> String {
        guard s.isFinite else { return "—" }
        let (value, unit): (Double, String) = switch abs(s) {
        case ..<1e-6: (s * 1e9, "ns")
        case ..<1e-3: (s * 1e6, "µs")
        case ..<1: (s * 1e3, "ms")
        default: (s, "s")
        }
        return "\(significant(value, 3)) \(unit)"
    }

    /// `x` with `digits` significant digits and no exponent (for values 1e-3…1e6).
    static func significant(_ x: Double, _ digits: Int) -> String {
        guard x != 0 else { return "0" }
        let decimals = max(0, digits - 1 - Int(floor(log10(abs(x)))))
        return String(format: "%.\(decimals)f", x)
    }
}
