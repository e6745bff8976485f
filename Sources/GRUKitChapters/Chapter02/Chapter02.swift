import ArgumentParser
import Foundation
import GRUKit
import GRUKitChapterSupport

/// Chapter 2, fixed points and the bifurcation at 2: every fixed point of the one-unit GRU
/// (``OneUnit``), the Jacobian identity J(0) = ½I + ¼W_hh checked (``jacobianCheck(hidden:rng:)``),
/// the eigenvalues of J (``Eigenvalues``), the H-unit fixed-point finder (``finderTable(hidden:norms:starts:seed:rng:)``)
/// and the two-unit phase portraits, with their tables, data files and figures.
public enum Chapter02 {}

extension Chapter02 {
    /// One case of the bifurcation diagram: its file stem, the gate weights and the panel title.
    package struct Case: Sendable {
        package var name: String
        package var wHZ: Double
        package var wHR: Double
        package var title: String
        /// The case as the tables name it.
        package var label: String { wHR == 0 ? "w_hr = 0" : "w_hr = 1" }
    }

    /// The two cases of the bifurcation diagram: no gates acting, and the reset gate w_hr = 1.
    package static let cases: [Case] = [
        Case(name: "bifurcation", wHZ: 0, wHR: 0, title: "w_{hz} = w_{hr} = 0: pitchfork"),
        Case(name: "bifurcation-wr1", wHZ: 0, wHR: 1, title: "w_{hr} = 1, w_{hz} = 0: transcritical"),
    ]

    /// ‖W_hh‖₂ of the eigenvalue figure's columns by default (`--eigen-norms`).
    package static let defaultEigenNorms: [Double] = [1.5, 2.0, 2.5]
    /// ‖W_hh‖₂ of the finder's table by default (`--finder-norms`).
    package static let defaultFinderNorms: [Double] = [1.5, 1.8, 1.9, 2.0, 2.2, 2.5, 3.0]
    /// The ‖W_hh‖₂ of the phase portrait's panels by default (`--phase-norms`): one on each side of 2.
    package static let defaultPhaseNorms: [Double] = [1.5, 2.5]

    /// The chapter's own options (the core ones are `ChapterOptions`).
    package struct Options: ParsableArguments {
        @Option(parsing: .unconditional, help: ArgumentHelp("Step of w_hh in the bifurcation scan.", valueName: "dw"))
        package var step: Double = 0.01

        @Option(parsing: .unconditional, help: ArgumentHelp("Grid points of [−1, 1] on which the 1-D root finder brackets roots.", valueName: "n"))
        package var grid: Int = 4001

        @Option(name: .customLong("hidden"), parsing: .unconditional, help: ArgumentHelp("Units H of the GRU whose fixed points are hunted.", valueName: "H"))
        package var hidden: Int = 8

        @Option(parsing: .unconditional, help: ArgumentHelp("Random starts of the N-dimensional fixed-point finder (default 200, 1000 with --scale paper).", valueName: "n"))
        package var starts: Int?

        @Option(name: .customLong("eigen-size"), parsing: .unconditional, help: ArgumentHelp("Size of the random W_hh in the eigenvalue figure.", valueName: "n"))
        package var eigenSize: Int = 100

        @Option(name: .customLong("eigen-norms"), parsing: .unconditional,
                help: ArgumentHelp("‖W_hh‖₂ of the eigenvalue figure's columns, comma-separated (1 to 4 values in (0, 10]).", valueName: "s,…"))
        package var eigenNorms = NumberList(Chapter02.defaultEigenNorms)

        @Option(name: .customLong("finder-norms"), parsing: .unconditional,
                help: ArgumentHelp("‖W_hh‖₂ at which the H-unit fixed points are hunted, comma-separated (1 to 12 values in (0, 10]).", valueName: "s,…"))
        package var finderNorms = NumberList(Chapter02.defaultFinderNorms)

        @Option(name: .customLong("phase-norms"), parsing: .unconditional,
                help: ArgumentHelp("‖W_hh‖₂ of the two-unit phase portraits, comma-separated, one panel each (1 to 4 values in (0, 10]).", valueName: "s,…"))
        package var phaseNorms = NumberList(Chapter02.defaultPhaseNorms)

        @Option(name: .customLong("phase-sweep"), parsing: .unconditional,
                help: ArgumentHelp("First and last ‖W_hh‖₂ of the animation phase-sweep (two values in (0, 10]).", valueName: "from,to"))
        package var phaseSweep = NumberList([1.5, 2.5])

        @Option(parsing: .unconditional, help: ArgumentHelp("Frames of the animation phase-sweep (2…200).", valueName: "n"))
        package var frames: Int = 41

        /// Every option at its default (required by `ParsableArguments`; the parser fills the options).
        package init() {}

        /// The random starts of the finder at `scale`.
        package func startCount(scale: Scale) -> Int { starts ?? (scale == .paper ? 1000 : 200) }

        /// Refuses values outside their ranges, naming the flag.
        package func validate() throws {
            if !(step > 0 && step <= 1) { throw ValidationError("--step must lie in (0, 1] (got \(step)).") }
            if grid < 101 || grid > 10_000_001 { throw ValidationError("--grid must lie in 101…10000001 (got \(grid)).") }
            if hidden < 2 || hidden > 512 { throw ValidationError("--hidden must lie in 2…512 (got \(hidden)).") }
            if let starts, starts < 1 { throw ValidationError("--starts must be at least 1 (got \(starts)).") }
            if eigenSize < 2 || eigenSize > 4000 { throw ValidationError("--eigen-size must lie in 2…4000 (got \(eigenSize)).") }
            // A spectral norm of 0 would rescale by 0/0; the lists' lower bound is therefore checked as > 0.
            try eigenNorms.check("--eigen-norms", count: 1...4, within: 0...10)
            try finderNorms.check("--finder-norms", count: 1...12, within: 0...10)
            try phaseNorms.check("--phase-norms", count: 1...4, within: 0...10)
            try phaseSweep.check("--phase-sweep", count: 2...2, within: 0...10)
            for (flag, list) in [("--eigen-norms", eigenNorms), ("--finder-norms", finderNorms), ("--phase-norms", phaseNorms),
                                 ("--phase-sweep", phaseSweep)] where list.values.contains(where: { $0 <= 0 }) {
                throw ValidationError("\(flag): a spectral norm must be positive (got '\(list)').")
            }
            if !(2...200).contains(frames) { throw ValidationError("--frames must lie in 2…200 (got \(frames)).") }
        }
    }

    /// A printf format with as many decimals as `values` need (one for the defaults), so that a norm
    /// of 1.95 does not print as 1.9.
    package static func format(_ values: [Double]) -> String {
        let decimals = (1...4).first { d in values.allSatisfy { Double(String(format: "%.\(d)f", $0)) == $0 } } ?? 6
        return "%.\(decimals)f"
    }

    /// A random 3H×H weight_hh whose W_hh block is `wHH` and whose gate blocks are N(0, (gateScale/√H)²).
    package static func gruWith(wHH: Matrix<Double>, gateScale: Double, form: GRUCell, rng: inout SeededGenerator) -> InputFreeGRU {
        let n = wHH.rows
        let wr = Matrix<Double>.randomNormal(rows: n, cols: n, std: gateScale / Double(n).squareRoot(), using: &rng)
        let wz = Matrix<Double>.randomNormal(rows: n, cols: n, std: gateScale / Double(n).squareRoot(), using: &rng)
        return InputFreeGRU(reset: wr, update: wz, candidate: wHH, form: form)
    }

    /// `m` rescaled to spectral norm `target`.
    package static func rescaled(_ m: Matrix<Double>, toNorm target: Double) throws -> Matrix<Double> {
        (target / (try m.spectralNorm())) * m
    }

    /// A random symmetric matrix whose eigenvalue of largest magnitude is positive (so that it equals ‖W‖₂).
    package static func symmetricWithPositiveTop(_ n: Int, rng: inout SeededGenerator) throws -> Matrix<Double> {
        let a = Matrix<Double>.randomNormal(rows: n, cols: n, std: 1, using: &rng)
        var s = 0.5 * (a + a.transposed)
        let values = try s.symmetricEigen().values
        if let top = values.max(by: { abs($0) < abs($1) }), top < 0 { s = -1 * s }
        return s
    }
}
