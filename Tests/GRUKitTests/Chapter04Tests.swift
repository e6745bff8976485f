import ArgumentParser
import Foundation
import XCTest
import GRUKit
import GRUKitChapterSupport
import GRUKitChapters
import GRUKitPresentation

/// Chapter 4's computations in process — the 2×2 example against the closed-form singular values,
/// the tuned comparison and its data files, the cost measurement, the option checks — and one run of
/// the executable as a user runs it (tiny settings).
final class Chapter04Tests: XCTestCase {
    /// The singular values of [[a, b], [c, d]] in closed form: σ_{1,2} = (√((a+d)² + (c−b)²) ± √((a−d)² + (b+c)²))/2.
    static func closedFormSingularValues(_ a: Double, _ b: Double, _ c: Double, _ d: Double) -> (Double, Double) {
        let p = ((a + d) * (a + d) + (c - b) * (c - b)).squareRoot()
        let q = ((a - d) * (a - d) + (b + c) * (b + c)).squareRoot()
        return ((p + q) / 2, abs(p - q) / 2)
    }

    /// The index blocks of a data file's text: (the block's comment lines, its numeric rows). Blocks
    /// are separated by two blank lines.
    static func blocks(_ text: String) -> [(comments: [String], rows: [[String]])] {
        text.components(separatedBy: "\n\n\n").map { chunk in
            let lines = chunk.split(separator: "\n").map(String.init)
            return (lines.filter { $0.hasPrefix("#") },
                    lines.filter { !$0.hasPrefix("#") }.map { $0.split(whereSeparator: \.isWhitespace).map(String.init) })
        }
    }

    /// The index blocks of a data file (see ``blocks(_:)-(String)``).
    static func blocks(_ url: URL) throws -> [(comments: [String], rows: [[String]])] {
        blocks(try String(contentsOf: url, encoding: .utf8))
    }

    /// A progress bar that prints nothing.
    static func silentProgress(_ total: Int) -> ProgressBar {
        ProgressBar(total: max(total, 1), label: "test", summary: false, output: ProgressOutput(isTerminal: { _ in false }, bar: { _ in }, lines: { _ in }), clock: { 0 })
    }

    func testTwoByTwoExampleMatchesTheClosedForm() throws {
        let (a, b, c, d) = (3.0, 1.0, -1.0, 0.5)
        let threshold = 1.5
        let ex = try Chapter04.TwoByTwoExample(Matrix([[a, b], [c, d]]), threshold: threshold, samples: 2_000, seed: 1)
        let (s1, s2) = Self.closedFormSingularValues(a, b, c, d)
        Oracle.check("2×2 singular values", ex.svd.singularValues, [s1, s2], tolerance: 1e-12)
        Oracle.check("2×2 clipped singular values", ex.clipped, [min(s1, threshold), min(s2, threshold)], tolerance: 1e-12)
        XCTAssertGreaterThan(s1, threshold, "the example must clip something")
        XCTAssertEqual(try ex.projected.spectralNorm(), threshold, accuracy: 1e-12)
        // The nearest point: ‖Ŵ − P_δ(Ŵ)‖_F = √Σ(σ_i − c)₊², and no random feasible matrix is nearer.
        XCTAssertEqual(ex.distance, max(0, s1 - threshold), accuracy: 1e-12)
        XCTAssertGreaterThanOrEqual(ex.nearestRandom, ex.distance - 1e-12)
        XCTAssertNoThrow(try ex.checkNearest())

        // example.dat: `i sigma sigma_clipped`, one row per singular value.
        let data = ex.data(threshold: threshold)
        XCTAssertEqual(data.blocks.count, 1)
        XCTAssertTrue(data.text.contains("# i sigma sigma_clipped"), data.text)
        XCTAssertTrue(data.text.contains("W = [[3.0, 1.0], [-1.0, 0.5]]"), data.text)
        XCTAssertEqual(ex.tables(threshold: threshold).count, 5, "Ŵ, U, V, Σ and Σ̄, W")

        var values = RecordedValues()
        try ex.record(into: &values, threshold: threshold)
        XCTAssertEqual(values["example.sigma1"], String(format: "%.2f", s1))
        XCTAssertEqual(values["example.threshold"], "1.5")
        XCTAssertLessThan(Double(values["example.rho_after"]!)!, 1)
    }

    /// The tuned comparison on a tiny memory task: every grid value trained, the best of each grid shown,
    /// the projected runs inside their own constraint, and the data files' blocks and titles.
    func testTunedComparison() throws {
        let iterations = 25, clips = [0.01, 1.0], deltas = [0.1, 0.5]
        let task = GRUExplosionTask(hiddenSize: 4, examples: 6, steps: 30, seed: 1)
        let initial = try task.initialWeights(recurrentNorm: 1.9, gateScale: 0.5, seed: 2)
        let comparison = try Chapter04.Comparison(task: task, name: "memory", initial: initial, learningRate: 3, clipGrid: clips,
                                                  deltaGrid: deltas, iterations: iterations, progress: Self.silentProgress(125))
        XCTAssertEqual(comparison.clipped.map(\.knob), clips)
        XCTAssertEqual(comparison.projected.map(\.knob), deltas)
        XCTAssertNil(comparison.plain.knob)
        XCTAssertEqual(comparison.shown.map(\.label).first, "plain SGD")
        let shown = comparison.shown
        XCTAssertEqual(shown[1].score, comparison.clipped.map(\.score).min())
        XCTAssertEqual(shown[2].score, comparison.projected.map(\.score).min())
        for run in comparison.projected {
            let c = SpectralProjection.threshold(delta: run.knob!)
            XCTAssertEqual(run.records.count, iterations)
            for r in run.records {
                XCTAssertLessThanOrEqual(r.spectralNorm, c + 1e-6, "‖W_hh‖₂ of a projected run")
                XCTAssertLessThan(r.spectralRadius, 1)
                XCTAssertLessThanOrEqual(r.spectralRadius, 0.5 + r.spectralNorm / 4 + 1e-12, "ρ(J) ≤ ½ + ‖W‖₂/4")
            }
        }
        for run in [comparison.plain] + comparison.clipped { XCTAssertTrue(run.records.allSatisfy { !$0.projected }) }

        let study = Chapter04.TrainingStudy(comparisons: [comparison], iterations: iterations, clipGrid: clips, deltaGrid: deltas)
        XCTAssertNoThrow(try study.checkConstraint())
        XCTAssertEqual(study.tail, 2)
        // training-compare.dat: one block per shown run, every iteration, the named columns.
        let training = Self.blocks(study.trainingData(hidden: 4, examples: 6, steps: 30, fadeSteps: 20,
                                                      clipGridText: "0.01,1", deltaGridText: "0.1,0.5").text)
        XCTAssertEqual(training.count, 3)
        for (block, run) in zip(training, shown) {
            XCTAssertTrue(block.comments.contains("# iteration loss grad_norm spectral_norm rho projected"), "\(block.comments)")
            XCTAssertTrue(block.comments.contains("# task memory, method \(run.label), learning rate 3"), "\(block.comments)")
            XCTAssertEqual(block.rows.count, iterations)
        }
        XCTAssertTrue(training[0].comments.contains { $0.contains("c in {0.01,1}") && $0.contains("delta in {0.1,0.5}") })
        // training-tuning.dat: every score, one block per method family.
        let tuning = Self.blocks(study.tuningData.text)
        XCTAssertEqual(tuning.count, 2)
        XCTAssertEqual(tuning[0].rows.map { Double($0[0]) }, clips)
        XCTAssertEqual(tuning[1].rows.map { Double($0[0]) }, deltas)
        XCTAssertEqual(study.tuningTables.map(\.title), [
            "Tuning clipping: mean loss over the last 2 of 25 iterations for each threshold c (Inf: stopped)",
            "Tuning P_δ: mean loss over the last 2 of 25 iterations for each δ (Inf: stopped)",
        ])

        // The values the prose and the claims ledger cite: the largest gradient of each method.
        var values = RecordedValues()
        study.record(into: &values)
        let format = { (x: Double?) in String(format: "%.3g", x!) }
        XCTAssertEqual(values["memory.sgd.max_gradient"], format(comparison.plain.records.map(\.gradientNorm).max()))
        XCTAssertEqual(values["memory.project.max_gradient"], format(shown[2].records.map(\.gradientNorm).max()))
        XCTAssertEqual(values["memory.project.delta"], Gnuplot.number(shown[2].knob!))
        XCTAssertEqual(values["memory.clip.c"], Gnuplot.number(shown[1].knob!))
        XCTAssertNotNil(values["memory.project0.1.max_gradient"])
        XCTAssertNotNil(values["memory.project0.5.max_gradient"])
    }

    /// The figure's keys sit below their panels (none inside, covering a curve), and each column
    /// names its own 2 − δ.
    func testTrainingFigureKeysCoverNoCurve() throws {
        let task = GRUExplosionTask(hiddenSize: 3, examples: 4, steps: 10, seed: 1)
        let initial = try task.initialWeights(recurrentNorm: 1.9, gateScale: 0.5, seed: 2)
        let runs = try [0.1, 0.5].enumerated().flatMap { k, delta in
            try Chapter04.Comparison(task: task, name: k == 0 ? "memory" : "fade", initial: initial, learningRate: 3, clipGrid: [0.1],
                                     deltaGrid: [delta], iterations: 5, progress: Self.silentProgress(15)).shown
        }
        let figure = Chapter04.trainingFigure(runs, tasks: [("memory", 3, "memory"), ("fade", 3, "fade")])
        XCTAssertEqual(figure.panels.count, 8)
        for panel in figure.panels {
            switch panel.key {
            case .off: break
            case .custom(let s): XCTAssertTrue(s.hasPrefix("below"), s)
            default: XCTFail("a key inside a panel: \(panel.key)")
            }
        }
        let script = figure.panels.flatMap(\.series).compactMap(\.title).joined(separator: "\n")
        XCTAssertTrue(script.contains("2 − δ = 1.9") && script.contains("2 − δ = 1.5"), script)
    }

    func testCostMeasurement() throws {
        let cost = try Chapter04.CostMeasurement(sizes: [16, 32], threshold: 1.8, repeats: 1, seed: 1, progress: Self.silentProgress(2))
        // projection-cost.dat: `n method milliseconds`, every method at every size, positive times.
        let blocks = Self.blocks(cost.data(blasCore: "test", blasThreads: 1))
        XCTAssertEqual(blocks.count, 5)
        var seen: Set<String> = []
        for block in blocks {
            XCTAssertTrue(block.comments.contains("# n method milliseconds"), "\(block.comments)")
            XCTAssertEqual(block.rows.map { $0[0] }, ["16", "32"])
            for row in block.rows {
                XCTAssertEqual(row.count, 3)
                XCTAssertGreaterThan(Double(row[2]) ?? -1, 0)
                seen.insert(row[1])
            }
        }
        XCTAssertEqual(seen, ["fullSVD", "eigen", "selectiveEigen", "automatic", "weylSkip"])
        // Exactness: every method within the tolerance of the Double full SVD, and not bit for bit.
        XCTAssertLessThanOrEqual(cost.worst, 1e-5)
        XCTAssertGreaterThan(cost.worst, 0, "Float results cannot match a Double reference bit for bit")
        XCTAssertNoThrow(try cost.checkExactness())
        XCTAssertEqual(cost.tables.count, 3)
        var values = RecordedValues()
        cost.record(into: &values)
        XCTAssertEqual(values["cost.n"], "32")
        let skip = try XCTUnwrap(values["cost.weylSkip"])
        XCTAssertTrue(["ns", "µs", "ms"].contains(skip.split(separator: " ").last.map(String.init) ?? ""), skip)
        XCTAssertNotNil(values["cost.allAbove.fullSVD"])
    }

    /// Short durations keep their digits: never "0 µs".
    func testDurationsAreFormattedInTheirUnit() {
        XCTAssertEqual(Chapter04.duration(seconds: 1.5e-7), "150 ns")
        XCTAssertEqual(Chapter04.duration(seconds: 1.234e-7), "123 ns")
        XCTAssertEqual(Chapter04.duration(seconds: 1e-4), "100 µs")
        XCTAssertEqual(Chapter04.duration(seconds: 4.5e-6), "4.50 µs")
        XCTAssertEqual(Chapter04.duration(seconds: 0.041571), "41.6 ms")
        XCTAssertEqual(Chapter04.duration(seconds: 2.5), "2.50 s")
        XCTAssertEqual(Chapter04.duration(seconds: .nan), "—")
    }

    func testBadOptionsAreRejectedClearly() throws {
        for (args, flag) in [(["--delta", "2.5"], "--delta"), (["--sizes", "64,x"], "--sizes"), (["--example", "1,2,3"], "--example"),
                             (["--clip-grid", "0.1,-1"], "--clip-grid"), (["--delta-grid", "0.1,2"], "--delta-grid"),
                             (["--delta-sweep", "0.1,2"], "--delta-sweep"), (["--delta-sweep", "0.5"], "--delta-sweep"),
                             (["--frames", "1"], "--frames"), (["--fade-learning-rates", "3,-1"], "--fade-learning-rates"),
                             (["--repeats", "0"], "--repeats")] {
            XCTAssertThrowsError(try Chapter04.Options.parse(args), "\(args)") { error in
                let message = Chapter04.Options.message(for: error)
                XCTAssertTrue(message.contains(flag), "\(args): \(message)")
            }
        }
        let defaults = try Chapter04.Options.parse([])
        XCTAssertEqual(defaults.sizeList(scale: .quick), [64, 128, 256, 512])
        XCTAssertEqual(defaults.sizeList(scale: .paper), [64, 128, 256, 512, 650, 1024])
        XCTAssertEqual(defaults.clipThresholds, [0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1])
        XCTAssertEqual(defaults.exampleMatrix.elements, [2.2, 1.2, 0, 0.8])
    }

    /// The chapter as a user runs it, tiny: it ends well and writes every file the book draws.
    func testTinyRun() throws {
        let dir = try Executables.temporaryDirectory(self)
        let out = dir.appendingPathComponent("tmp")
        let r = try Executables.run("ch04-projection", ["--out", out.path, "--no-render", "--sizes", "16,32", "--repeats", "1",
                                                        "--iterations", "25", "--hidden", "4", "--examples", "6", "--steps", "30",
                                                        "--fade-learning-rates", "3,30", "--delta", "0.5",
                                                        "--clip-grid", "0.01,1", "--delta-grid", "0.1,0.5", "--example", "3,1,-1,0.5"])
        XCTAssertEqual(r.status, 0, r.stderr)
        for name in ["example.dat", "training-compare.dat", "training-tuning.dat", "projection-cost.dat", "ellipse.gp", "ellipse.dat",
                     "training-compare.gp", "projection-cost.gp", "projection-sweep.gp", "projection-sweep.dat", "values.tsv"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), name)
        }
        XCTAssertEqual(try Self.blocks(out.appendingPathComponent("training-compare.dat")).count, 9,
                       "memory + two fading learning rates, three methods each")
        let values = try RecordedValues(contentsOf: out.appendingPathComponent("values.tsv"))
        XCTAssertNotNil(values["memory.sgd.max_gradient"])
        XCTAssertNotNil(values["memory.project0.1.max_gradient"])
    }
}
