import Foundation
import XCTest
import GRUKit
import GRUKitChapterSupport
import GRUKitChapters

/// Chapter 8 in process: the model excerpts, the logs' crossings, the analysis of a committed model,
/// and one run of the chapter (excerpts cut from chapter 5's checkpoints on the small generated corpus).
final class Chapter08Tests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let standard = root.appendingPathComponent("results/ptb-standard")

    static func random(_ rows: Int, _ cols: Int, seed: UInt64, scale: Double = 1) -> Matrix<Float> {
        var g = SeededGenerator(seed: seed)
        return Matrix(rows: rows, cols: cols, elements: (0 ..< rows * cols).map { _ in Float(scale * (Double(g.next() % 2001) / 1000 - 1)) })
    }

    /// The chapter's one cut of a stacked weight into gate blocks agrees with the input-free map's blocks.
    func testGateBlocksAreTheInputFreeMapsBlocks() {
        let w = Self.random(12, 4, seed: 3).converted(to: Double.self)
        let map = InputFreeGRU(weightHH: w, form: .resetAfter)
        for gate in Chapter08.Gate.allCases {
            XCTAssertEqual(Chapter08.block(w, gate).elements, map.block(gate).elements, "\(gate)")
        }
    }

    /// At h = 0 with x = 0 every gate is ½ and the candidate 0: the gain (1 − z)(1 − n²) r is ¼, the
    /// factor of W_hh in J = ½I + ¼W_hh.
    func testTheGainIsAQuarterAtTheOrigin() {
        let map = GRUStateMap(weightIH: Self.random(12, 3, seed: 1).converted(to: Double.self),
                              weightHH: Self.random(12, 4, seed: 2).converted(to: Double.self), form: .resetAfter)
        let g = Chapter08.gates(map, inputs: [[0, 0, 0]], from: [0, 0, 0, 0])
        XCTAssertEqual(g.gain, [0.25])
        XCTAssertEqual(g.update, [0.5])
        XCTAssertEqual(g.reset, [0.5])
        XCTAssertEqual(g.slope, [1])
    }

    /// An excerpt keeps the layer and the rows of the words of the text, exactly, reads back, gives the
    /// scaled embedding rows as inputs, and refuses other text, longer text, biases and other forms.
    func testExcerptKeepsTheLayerAndTheWordsOfTheText() throws {
        let v = 30, e = 5, h = 4
        var parameters = ["encoder.weight": Self.random(v, e, seed: 1), "weight_ih_l0": Self.random(3 * h, e, seed: 2),
                          "weight_hh_l0": Self.random(3 * h, h, seed: 3), "decoder.weight": Self.random(v, h, seed: 4)]
        let fingerprint = "name=sgd-lr1\ncell=reset-after\nembedding_scale=0.01"
        func checkpoint(_ p: [String: Matrix<Float>], _ f: String = fingerprint) -> Checkpoint {
            Checkpoint(fingerprint: f, status: "completed", epoch: 1, iteration: 10, learningRate: 1, seconds: 1, trainLosses: [1],
                       validLosses: [1], logOffset: 0, randomStates: [:], parameters: p)
        }
        let valid: [Int32] = [3, 7, 3, 12, 29, 7, 0, 5, 5, 18, 2]
        let file = try Chapter08.ModelExcerpt.make(checkpoint(parameters), file: "x", valid: valid, tokens: 8)
        XCTAssertEqual(try file.doubles(Chapter08.ModelExcerpt.idsKey), [0, 3, 5, 7, 12, 29], "the words of the first 8 tokens")
        let dir = try Executables.temporaryDirectory(self)
        let url = dir.appendingPathComponent("sgd-lr1.safetensors")
        try file.write(to: url)
        let excerpt = try Chapter08.ModelExcerpt(contentsOf: url)
        XCTAssertEqual(excerpt.name, "sgd-lr1")
        XCTAssertEqual(excerpt.text, Array(valid.prefix(8)))
        XCTAssertEqual(excerpt.map.weightIH.elements, parameters["weight_ih_l0"]!.converted(to: Double.self).elements)
        XCTAssertEqual(excerpt.map.inputFree.weightHH.elements, parameters["weight_hh_l0"]!.converted(to: Double.self).elements)
        let x = try excerpt.inputs(Array(valid.prefix(6)), checkedAgainst: valid)
        for (t, id) in valid.prefix(6).enumerated() {
            XCTAssertEqual(x[t], parameters["encoder.weight"]!.row(Int(id)).map { Double($0) * 0.01 })
        }
        var other = valid
        other[4] = 1
        XCTAssertThrowsError(try excerpt.inputs(Array(valid.prefix(6)), checkedAgainst: other), "another text")
        XCTAssertThrowsError(try excerpt.inputs(Array(valid.prefix(9)), checkedAgainst: valid), "beyond the excerpt")
        // `gru inspect` reads it: its tensor names are PyTorch's.
        let dict = try GRUStateDict(try SafetensorsFile(contentsOf: url))
        XCTAssertEqual(dict.layers.count, 1)
        XCTAssertEqual(dict.layers.first?.hasBiases, false)
        parameters["bias_ih_l0"] = Self.random(1, 3 * h, seed: 5)
        XCTAssertThrowsError(try Chapter08.ModelExcerpt.make(checkpoint(parameters), file: "x", valid: valid, tokens: 8), "biases")
        parameters["bias_ih_l0"] = nil
        XCTAssertThrowsError(try Chapter08.ModelExcerpt.make(checkpoint(parameters, "name=a\ncell=reset-before"), file: "x", valid: valid, tokens: 8))
    }

    /// The committed logs, read as the chapter reads them: plain SGD, seed 2, crossed ρ(J) = 1 and
    /// completed; seed 1's gradient spiked while ρ(J) at h* = 0 was still below 1; the projection never
    /// crossed. Counted again here straight from the JSON.
    func testCrossingsOfTheCommittedLogs() throws {
        for name in ["sgd-lr10-s1", "sgd-lr10-s2", "project0.1-lr10-s1"] {
            let log = try Chapter08.LogCrossing(directory: Self.standard, name: name)
            let records = try TrainingLog.records(at: Self.standard.appendingPathComponent(name + ".jsonl")).filter { $0.type == "iteration" }
            let above = records.filter { ($0.double("spectral_radius") ?? 0) > 1 }
            XCTAssertEqual(log.recordsAbove, above.count, name)
            XCTAssertEqual(log.firstAbove, above.first.map { Int($0.double("iteration")!) }, name)
            XCTAssertEqual(log.rho.count, records.count)
            switch name {
            case "sgd-lr10-s2":
                XCTAssertGreaterThan(log.recordsAbove, 0)
                XCTAssertNil(log.divergedAt)
                XCTAssertNil(log.spike)
            case "sgd-lr10-s1":
                let spike = try XCTUnwrap(log.spike)
                XCTAssertNotNil(log.divergedAt)
                XCTAssertLessThan(spike.iteration, log.divergedAt!)
                XCTAssertGreaterThan(spike.gradient, 10 * log.gradient.dropLast().max()!)
                XCTAssertLessThan(spike.rhoBefore, 1)
            default:
                XCTAssertEqual(log.recordsAbove, 0)
                XCTAssertLessThan(log.maxRho, 0.5 + (2 - 0.1) / 4 + 1e-6)
            }
        }
    }

    /// The analysis of the committed plain-SGD model on the first tokens of its own excerpt: ρ(J) at
    /// h* = 0 is ρ(½I + ¼W_hh), the origin is among the fixed points, every fixed point is one, and
    /// ρ(J_t) and λ_1 are those of the state map's own Jacobians.
    func testAnalysisOfTheCommittedPlainSGDModel() throws {
        let excerpt = try Chapter08.ModelExcerpt(contentsOf: Self.standard.appendingPathComponent("models/sgd-lr10-s2.safetensors"))
        let text = Array(excerpt.text.prefix(60))
        let inputs = try excerpt.inputs(text)
        let d = try Chapter08.analyse(excerpt, inputs: inputs, starts: 4, slowFraction: 0.5, seed: 1)
        XCTAssertEqual(d.rhoOrigin, try FixedPointStability.spectralRadiusAtOrigin(excerpt.map.inputFree.candidateBlock), accuracy: 1e-10)
        XCTAssertEqual(d.sigma1, try excerpt.map.inputFree.candidateBlock.spectralNorm(), accuracy: 1e-10)
        XCTAssertTrue(d.points.contains { $0.norm == 0 && !$0.isSlowPoint }, "the origin")
        for p in d.points where !p.isSlowPoint { XCTAssertLessThan(p.residual, 1e-12) }
        let js = excerpt.map.jacobians(inputs: inputs, from: [Double](repeating: 0, count: excerpt.map.hiddenSize))
        XCTAssertEqual(d.rho, try js.map { try $0.spectralRadius() })
        XCTAssertEqual(d.lyapunov, LyapunovExponents.finiteTime(js, count: 1, seed: 1)[0])
        XCTAssertEqual(d.states, excerpt.map.states(inputs: inputs, from: [Double](repeating: 0, count: excerpt.map.hiddenSize)))
        for g in d.gain { XCTAssertTrue(g > 0 && g < 1) }
    }

    /// The chapter as a user runs it: chapter 5 trains two tiny models, chapter 8 cuts their excerpts
    /// (--excerpt-from) and analyses them with their logs.
    func testChapterCutsExcerptsAndAnalysesThem() throws {
        let dir = try Executables.temporaryDirectory(self)
        let data = dir.appendingPathComponent("data")
        try TrainingFixtures.writePTB(in: data)
        let five = dir.appendingPathComponent("five")
        let a = try Executables.run("ch05-penn-treebank", Chapter05Tests.tiny(data, five) + ["--sweep", "--methods", "none,project", "--lrs", "1"])
        XCTAssertEqual(a.status, 0, a.stderr)
        let runs = five.appendingPathComponent("runs"), out = dir.appendingPathComponent("out"), models = dir.appendingPathComponent("models")
        let r = try Executables.run("ch08-trained-dynamics", ["--data", data.path, "--out", out.path, "--no-render", "--models", models.path,
                                                              "--logs", runs.path, "--runs", "sgd-lr1,project0.2-lr1", "--log-runs", "sgd-lr1,project0.2-lr1",
                                                              "--excerpt-from", runs.path, "--tokens", "50", "--excerpt-tokens", "80", "--starts", "3"])
        XCTAssertEqual(r.status, 0, r.stderr)
        for name in ["fixed-points.dat", "along-data.dat", "crossing.gp", "trained-fixed-points.gp", "jacobian-along-data.gp", "values.tsv",
                     "../models/sgd-lr1.safetensors"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), name)
        }
        let values = try RecordedValues(contentsOf: out.appendingPathComponent("values.tsv"))
        XCTAssertEqual(values["sgd-lr1.rho_along_above_1"]?.hasSuffix("/50"), true)
        XCTAssertNotNil(values["sgd.verdict"])
        XCTAssertEqual(values["project0.2-lr1.records_above_1"]?.hasPrefix("0/"), true)
        let bad = try Executables.run("ch08-trained-dynamics", ["--data", data.path, "--out", out.path, "--no-render", "--models", models.path,
                                                                "--logs", runs.path, "--runs", "sgd-lr1", "--log-runs", "sgd-lr1", "--tokens", "100"])
        XCTAssertNotEqual(bad.status, 0, "the excerpt covers 80 tokens")
        XCTAssertTrue(bad.stderr.contains("80"), bad.stderr)
    }
}
