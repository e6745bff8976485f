import ArgumentParser
import Foundation
import XCTest
import GRUKit
import GRUKitChapterSupport
import GRUKitChapters

/// Chapter 3's computations in process — the spike peaks, the loss landscape, the training traces and
/// their tables, the option checks — and one run of the executable as a user runs it (tiny settings).
final class Chapter03Tests: XCTestCase {
    /// The spike: exact peaks (the values of the-paper §2 for T = 20, 100; the fine-scan peak for T = 1000,
    /// whose value at w_hh = 2.00 is the-paper §2's 7.38), and the scan written to `gradient-spike.dat`.
    func testSpikePeaks() throws {
        let spike = Chapter03.Spike(step: 0.01)
        let expected = [(20, 2.3639, 1.2225, 0.4660), (100, 2.0512, 3.0714, 1.8845), (1000, 2.0027, 8.0280, 7.3755)]
        XCTAssertEqual(spike.peaks.map(\.steps), expected.map(\.0))
        for (p, (t, w, height, atTwo)) in zip(spike.peaks, expected) {
            XCTAssertEqual(p.w, w, accuracy: 2e-4, "T = \(t) peak location")
            XCTAssertEqual(p.value, height, accuracy: 2e-4, "T = \(t) peak height")
            XCTAssertEqual(p.atTwo, atTwo, accuracy: 2e-4, "T = \(t) at w_hh = 2")
        }
        let rows = spike.data.text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.allSatisfy(\.isWhitespace) }
            .map { $0.split(whereSeparator: \.isWhitespace).compactMap { Double($0) } }
        XCTAssertEqual(rows.count, 3 * 401)
        let at236 = rows.first { abs($0[0] - 2.36) < 1e-9 && $0[1] == 20 }
        XCTAssertEqual(at236?[2] ?? 0, 1.22, accuracy: 0.005)
        var values = RecordedValues()
        spike.record(into: &values)
        XCTAssertEqual(values["spike.at_two.1000"], "7.38")

        // The power law through the peaks: a positive slope well below 1 (polynomial growth).
        XCTAssertEqual(Chapter03.powerLawFit([1, 10, 100], [2, 20, 200]).exponent, 1, accuracy: 1e-12)
        XCTAssertEqual(Chapter03.powerLawFit([1, 10, 100], [2, 20, 200]).prefactor, 2, accuracy: 1e-12)
    }

    func testLandscapeAndOneUnitRuns() throws {
        let landscape = Chapter03.Landscape(steps: 30)
        XCTAssertEqual(landscape.loss.first ?? 0, 0.36, accuracy: 1e-6, "plateau (0 − 0.6)² at w_hh = 0")
        XCTAssertEqual(landscape.w.count, 7001)
        XCTAssertEqual(landscape.solution, atanh(0.6) / 0.3, accuracy: 1e-15)
        XCTAssertGreaterThan(landscape.cliff.w, 2, "the cliff lies past the bifurcation")
        XCTAssertLessThan(landscape.cliff.w, landscape.solution + 0.5)
        let none = landscape.task.train(method: .sgd, learningRate: 5, iterations: 25, initial: 1.8)
        let clip = landscape.task.train(method: .clip(maxNorm: 0.01), learningRate: 5, iterations: 25, initial: 1.8)
        let trace = Chapter03.traceTable(clip, normColumn: "w_hh", comments: ["test"])
        XCTAssertTrue(trace.text.contains("# iteration loss grad_norm w_hh rho"), trace.text)
        XCTAssertEqual(clip.count, 25)
        for r in clip { XCTAssertEqual(r.spectralRadius, abs(0.5 + r.spectralNorm / 4), accuracy: 1e-12) }
        // Clipping bounds every step of the one-unit run by η·c.
        for (a, b) in zip(clip, clip.dropFirst()) { XCTAssertLessThanOrEqual(abs(b.spectralNorm - a.spectralNorm), 5 * 0.01 + 1e-12) }
        let table = Chapter03.summaryTable("t", normColumn: "final w_hh", none: none, clip: clip, clipName: "clip at 0.01")
        XCTAssertEqual(table.rows.count, 2)
        var values = RecordedValues()
        _ = landscape.note(into: &values)
        XCTAssertEqual(values["steps"], "30")
        XCTAssertEqual(landscape.figure(none: none, clip: clip, learningRate: 5, maxNorm: 0.01).panels.count, 2)
    }

    func testHUnitTraces() throws {
        let task = GRUExplosionTask(hiddenSize: 4, examples: 6, steps: 30, seed: 1)
        let initial = try task.initialWeights(recurrentNorm: 1.9, gateScale: 0.5, seed: 2)
        for method in [TrainingMethod.sgd, .clip(maxNorm: 0.03)] {
            let records = try task.train(method: method, learningRate: 3, iterations: 12, initial: initial).records
            XCTAssertEqual(records.count, 12)
            XCTAssertEqual(records[0].spectralNorm, 1.9, accuracy: 1e-12, "initial ‖W_hh‖₂")
            XCTAssertTrue(records.allSatisfy { $0.gradientNorm > 0 && $0.spectralRadius > 0 && $0.spectralRadius <= 0.5 + $0.spectralNorm / 4 + 1e-12 },
                          "ρ(J) ≤ ½ + ‖W‖₂/4")
        }
        let none = try task.train(method: .sgd, learningRate: 3, iterations: 12, initial: initial).records
        var values = RecordedValues()
        Chapter03.recordTrainingValues(none: none, clip: none, stepBound: 0.09, into: &values)
        XCTAssertEqual(values["clip.step_bound"], "0.09")
        XCTAssertNotNil(values["none.peak_gradient"])
    }

    func testBadOptionsAreRejectedClearly() throws {
        for (args, flag) in [(["--spike-step", "0"], "--spike-step"), (["--max-norm", "-1"], "--max-norm"),
                             (["--scalar-learning-rate", "0"], "--scalar-learning-rate"), (["--scalar-iterations", "0"], "--scalar-iterations")] {
            XCTAssertThrowsError(try Chapter03.Options.parse(args), "\(args)") { error in
                XCTAssertTrue(Chapter03.Options.message(for: error).contains(flag), "\(args): \(Chapter03.Options.message(for: error))")
            }
        }
        XCTAssertThrowsError(try MemoryTaskOptions.parse(["--learning-rate", "-1"])) { error in
            XCTAssertTrue(MemoryTaskOptions.message(for: error).contains("--learning-rate"))
        }
    }

    /// The chapter as a user runs it, tiny: it ends well and writes every file the book draws.
    func testTinyRun() throws {
        let dir = try Executables.temporaryDirectory(self)
        let out = dir.appendingPathComponent("tmp")
        let r = try Executables.run("ch03-explosion", ["--out", out.path, "--no-render", "--spike-step", "0.01", "--iterations", "12",
                                                       "--steps", "30", "--hidden", "4", "--examples", "6", "--scalar-iterations", "25"])
        XCTAssertEqual(r.status, 0, r.stderr)
        for name in ["gradient-spike.dat", "landscape.dat", "training-none.dat", "training-clip.dat", "training-scalar-none.dat",
                     "training-scalar-clip.dat", "values.tsv"] + ["spike", "spike-scaling", "loss-landscape", "training-scalar", "training"].map { $0 + ".gp" } {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), name)
        }
    }
}
