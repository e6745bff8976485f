import ArgumentParser
import Foundation
import GRUKit
import GRUKitChapterSupport
import GRUKitPresentation

/// Chapter 3, the explosion: the spike of |∂h_T/∂w_hh| at the bifurcation (``Spike``) and how it
/// grows with T (``SpikeScaling``), the loss with a cliff and SGD on it (``Landscape``), and the
/// H-unit runs with and without clipping, with their tables, data files and figures.
public enum Chapter03 {}

extension Chapter03 {
    /// The horizons T of the spike figure.
    package static let spikeHorizons = [20, 100, 1000]
    /// The horizons of the spike-height scaling (log-spaced), whose peaks are fitted by a power of T.
    package static let scalingHorizons = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000]

    /// The chapter's own options (the core ones are `ChapterOptions` and `MemoryTaskOptions`).
    package struct Options: ParsableArguments {
        @Option(name: .customLong("spike-step"), parsing: .unconditional, help: ArgumentHelp("Step of w_hh in the gradient-spike scan of [0, 4].", valueName: "dw"))
        package var spikeStep: Double = 0.001

        @Option(name: .customLong("max-norm"), parsing: .unconditional, help: ArgumentHelp("Gradient-clipping threshold of the H-unit clipped run.", valueName: "c"))
        package var maxNorm: Double = 0.03

        @Option(name: .customLong("scalar-learning-rate"), parsing: .unconditional, help: ArgumentHelp("SGD learning rate of the one-unit runs.", valueName: "η"))
        package var scalarLearningRate: Double = 5

        @Option(name: .customLong("scalar-max-norm"), parsing: .unconditional, help: ArgumentHelp("Gradient-clipping threshold of the one-unit clipped run.", valueName: "c"))
        package var scalarMaxNorm: Double = 0.01

        @Option(name: .customLong("scalar-iterations"), parsing: .unconditional, help: ArgumentHelp("Iterations of each one-unit run.", valueName: "n"))
        package var scalarIterations: Int = 200

        /// Every option at its default (required by `ParsableArguments`; the parser fills the options).
        package init() {}

        /// Refuses values outside their ranges, naming the flag.
        package func validate() throws {
            if !(spikeStep > 0 && spikeStep <= 0.1) { throw ValidationError("--spike-step must lie in (0, 0.1] (got \(spikeStep)).") }
            for (name, v) in [("--max-norm", maxNorm), ("--scalar-learning-rate", scalarLearningRate),
                              ("--scalar-max-norm", scalarMaxNorm)] where !(v > 0 && v.isFinite) {
                throw ValidationError("\(name) must be a positive number (got \(v)).")
            }
            if scalarIterations < 1 { throw ValidationError("--scalar-iterations must be at least 1 (got \(scalarIterations)).") }
        }
    }

    /// The least-squares line through (log x, log y): the exponent p and prefactor a of y ≈ a·x^p.
    package static func powerLawFit(_ x: [Double], _ y: [Double]) -> (exponent: Double, prefactor: Double) {
        let lx = x.map { Foundation.log($0) }, ly = y.map { Foundation.log($0) }
        let n = Double(x.count), mx = lx.reduce(0, +) / n, my = ly.reduce(0, +) / n
        let sxy = zip(lx, ly).map { ($0 - mx) * ($1 - my) }.reduce(0, +), sxx = lx.map { ($0 - mx) * ($0 - mx) }.reduce(0, +)
        let p = sxy / sxx
        return (p, Foundation.exp(my - p * mx))
    }

    // book: chapter03-spike-scan
    /// |∂h_T/∂w_hh| of the one-unit GRU (w_hz = w_hr = 0, h_0 = 0.1) at w_hh = 0, `step`, 2·`step`, … ≤ 4,
    /// exact: the state and its sensitivity s_t = ∂h_t/∂w_hh carried forward together (forward mode).
    package static func spikeScan(steps t: Int, step: Double) -> (w: [Double], value: [Double]) {
        let count = Int((4 / step).rounded(.down))
        var ws: [Double] = [], vs: [Double] = []
        for i in 0...count {
            let w = Double(i) * step
            ws.append(w)
            vs.append(abs(ScalarGRU(wHH: w).stateAndSensitivity(from: 0.1, steps: t).dhdw))
        }
        return (ws, vs)
    }
    // book: end

    /// The spike for each of ``spikeHorizons``: the scans, their peaks and heights at w_hh = 2.
    package struct Spike {
        package var step: Double
        package var scans: [(steps: Int, w: [Double], value: [Double])] = []
        package var peaks: [(steps: Int, w: Double, value: Double, atTwo: Double)] = []

        package init(step: Double) {
            self.step = step
            for t in spikeHorizons {
                let (ws, vs) = spikeScan(steps: t, step: step)
                scans.append((t, ws, vs))
                let peak = GradientSpike.peak(steps: t, step: step)
                peaks.append((t, peak.wHH, peak.value, abs(ScalarGRU(wHH: 2).stateAndSensitivity(from: 0.1, steps: t).dhdw)))
            }
        }

        /// `gradient-spike.dat`: every scan, rows `w_hh T dhT_dw`.
        package var data: DataTable {
            var spike = DataTable(columns: ["w_hh", "T", "dhT_dw"], comments: [
                "Chapter 3: |dh_T/dw_hh| of the one-unit GRU (w_hz = w_hr = 0, h_0 = 0.1), exact (forward mode),",
                "for w_hh = 0 ... 4 in steps of \(step).",
            ])
            for s in scans { for (w, v) in zip(s.w, s.value) { spike.append([w, Double(s.steps), v]) } }
            return spike
        }

        package var table: TextTable {
            var peaksTable = TextTable(title: "Peak of |∂h_T/∂w_hh| (h_0 = 0.1)", columns: ["T", "peak at w_hh", "height", "at w_hh = 2.00"],
                                       formats: ["", "%.4f", "%.4f", "%.4f"])
            for p in peaks { peaksTable.add([.integer(p.steps), .number(p.w), .number(p.value), .number(p.atTwo)]) }
            return peaksTable
        }

        /// `spike`: |∂h_T/∂w_hh| against w_hh, one curve per T, log scale, the bifurcation dotted.
        package var figure: Figure {
            var spikeFigure = Figure("spike", panelSize: (820, 480))
            var spikePanel = Panel(xLabel: "w_{hh}", yLabel: "|∂h_T / ∂w_{hh}|", xRange: 0...4, yRange: 1e-4...20,
                                   logScale: [.y], key: .topLeft)
            for (k, s) in scans.enumerated() {
                spikePanel.plot(.xy(s.w, s.value, columns: ("w_hh", "dhT_dw"), title: "T = \(s.steps)", style: .lines.lineType(k + 1).width(2)))
            }
            spikePanel.command("set arrow 1 from 2, graph 0 to 2, graph 1 nohead dt 3 lc rgb '#555555'")
            spikePanel.command("set format y '10^{%L}'")
            spikeFigure.addPanel(spikePanel)
            return spikeFigure
        }

        /// `spike.peak.T`, `spike.peak_w.T` and `spike.at_two.T` for every T.
        package func record(into values: inout RecordedValues) {
            for p in peaks {
                values["spike.peak.\(p.steps)"] = String(format: "%.2f", p.value)
                values["spike.peak_w.\(p.steps)"] = String(format: "%.4f", p.w)
                values["spike.at_two.\(p.steps)"] = String(format: "%.2f", p.atTwo)
            }
        }
    }

    /// The peak height for the log-spaced ``scalingHorizons`` and the power law through them.
    package struct SpikeScaling {
        package var points: [(steps: Int, height: Double)]
        package var fit: (exponent: Double, prefactor: Double)

        package init(step: Double) {
            points = scalingHorizons.map { t in (t, GradientSpike.peak(steps: t, step: step).value) }
            fit = powerLawFit(points.map { Double($0.steps) }, points.map(\.height))
        }

        /// `spike-scaling`: the peaks against T on log–log axes and the fitted line.
        package var figure: Figure {
            var scalingPanel = Panel(title: String(format: "Peak of |∂h_T/∂w_{hh}| against T: slope %.2f on log–log axes", fit.exponent),
                                     xLabel: "T", yLabel: "peak height", logScale: [.x, .y], key: .topLeft)
            scalingPanel.plot(.xy(points.map { Double($0.steps) }, points.map(\.height), columns: ("T", "peak"), title: "peak height",
                                  style: Style.points.lineType(1).pointType(7).pointSize(1.2)))
            let ends = [Double(scalingHorizons.first!), Double(scalingHorizons.last!)]
            scalingPanel.plot(.xy(ends, ends.map { fit.prefactor * Foundation.pow($0, fit.exponent) }, columns: ("T", "fit"),
                                  title: String(format: "least squares: %.3g · T^{%.2f}", fit.prefactor, fit.exponent),
                                  style: Style.lines.lineType(2).dashed))
            return Figure("spike-scaling", panelSize: (720, 480), panels: [scalingPanel])
        }

        package var note: String {
            String(format: "Peak height against T = %d … %d: least-squares slope %.3f on log–log axes (power law %.3g · T^%.3f).",
                   scalingHorizons.first!, scalingHorizons.last!, fit.exponent, fit.prefactor, fit.exponent)
        }

        package func record(into values: inout RecordedValues) {
            values["spike.scaling.exponent"] = String(format: "%.2f", fit.exponent)
            values["spike.scaling.t_min"] = "\(scalingHorizons.first!)"
            values["spike.scaling.t_max"] = "\(scalingHorizons.last!)"
        }
    }
}
