import Foundation
import XCTest
import GRUKit

/// The `gru` executable, run as a user would run it.
final class GruToolTests: XCTestCase {
    private func copyFixture(_ name: String, into dir: URL) throws -> URL {
        let target = dir.appendingPathComponent(name)
        try FileManager.default.copyItem(at: SafetensorsFixtures.url(name), to: target)
        return target
    }

    /// `gru project` on PyTorch models: the output's W_hn has singular values min(σ_i, 1.8) (LAPACK),
    /// equals the PyTorch-projected oracle to 1e-5, and every other byte of the file is unchanged.
    func testProjectMatchesPyTorchOracleAndKeepsEverythingElse() throws {
        let dir = try Executables.temporaryDirectory(self)
        for model in ["gru_prefix_2layer", "gru_large", "gru_bias"] {
            let input = try copyFixture(model + ".safetensors", into: dir)
            let output = dir.appendingPathComponent(model + ".projected.safetensors")
            let run = try Executables.run("gru", ["project", input.lastPathComponent, "--delta", "0.2", "-o", output.lastPathComponent], in: dir)
            XCTAssertEqual(run.status, 0, run.stderr)
            print(run.stdout)

            let inBytes = try [UInt8](Data(contentsOf: input)), outBytes = try [UInt8](Data(contentsOf: output))
            let before = try SafetensorsFile(bytes: inBytes), after = try SafetensorsFile(bytes: outBytes)
            let oracle = try SafetensorsFixtures.file(model + ".expected.safetensors")
            let layers = try GRUStateDict(before).layers
            var changed = Set<String>()
            for layer in layers {
                let w0 = try before.tensor(layer.weightHH).rows(layer.rows(of: .candidate), as: Double.self)
                let w1 = try after.tensor(layer.weightHH).rows(layer.rows(of: .candidate), as: Double.self)
                let s0 = try w0.singularValues(), s1 = try w1.singularValues()
                // Entries rounded to float32 move σ by at most ‖ΔW‖₂ ≤ 2⁻²⁴·‖W‖_F: 1e-5 is ample.
                Oracle.check("\(model) \(layer.name): σ(P(W_hn)) = min(σ, 1.8)", s1, s0.map { min($0, 1.8) }, tolerance: 1e-5)
                Oracle.check("\(model) \(layer.name): P(W_hn) vs torch.linalg.svd (float64)", w1,
                             try oracle.matrix("projected_hn." + layer.weightHH, as: Double.self), tolerance: 1e-5)
                XCTAssertTrue(run.stdout.contains(String(format: "σ_1 %.6f → %.6f  clipped %d", s0[0], s1[0], s0.filter { $0 > 1.8 }.count)), run.stdout)
                let rzBytes = 2 * layer.hiddenSize * layer.hiddenSize * 4
                XCTAssertEqual(Array(try SafetensorsFixtures.rawTensorBytes(inBytes, layer.weightHH).prefix(rzBytes)),
                               Array(try SafetensorsFixtures.rawTensorBytes(outBytes, layer.weightHH).prefix(rzBytes)),
                               "\(layer.name): r and z rows byte-identical")
                if s0[0] > 1.8 { changed.insert(layer.weightHH) }
            }
            XCTAssertEqual(changed.isEmpty, model == "gru_bias", "the fixtures with σ_1 > 2 must change")
            let (_, h0) = try SafetensorsFixtures.header(of: inBytes)
            let (_, h1) = try SafetensorsFixtures.header(of: outBytes)
            XCTAssertEqual(NSDictionary(dictionary: h0), NSDictionary(dictionary: h1), "\(model): every header entry and the metadata unchanged")
            for name in before.names where !changed.contains(name) {
                XCTAssertEqual(try SafetensorsFixtures.rawTensorBytes(inBytes, name), try SafetensorsFixtures.rawTensorBytes(outBytes, name),
                               "\(model): \(name) byte-identical")
            }
            if changed.isEmpty {
                let (n0, _) = try SafetensorsFixtures.header(of: inBytes), (n1, _) = try SafetensorsFixtures.header(of: outBytes)
                XCTAssertEqual(Array(inBytes[(8 + n0)...]), Array(outBytes[(8 + n1)...]), "nothing clipped: same data")
            }
        }
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: dir.path).contains { $0.hasSuffix(".tmp") })
    }

    func testProjectRejectsBadDeltaAndWritesNothing() throws {
        let dir = try Executables.temporaryDirectory(self)
        _ = try copyFixture("gru_large.safetensors", into: dir)
        for delta in ["2", "-0.1", "0", "2.5", "nan", "abc"] {
            let run = try Executables.run("gru", ["project", "gru_large.safetensors", "--delta", delta, "-o", "out.safetensors"], in: dir)
            XCTAssertEqual(run.status, 64, "--delta \(delta): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains("delta"), run.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.safetensors").path))
        }
        // -o naming the input, and neither -o nor --in-place: usage errors.
        for args in [["-o", "gru_large.safetensors"], ["-o", "./gru_large.safetensors"], []] {
            let run = try Executables.run("gru", ["project", "gru_large.safetensors"] + args, in: dir)
            XCTAssertEqual(run.status, 64, run.stderr)
            XCTAssertTrue(run.stderr.contains("--in-place"), run.stderr)
        }
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("gru_large.safetensors")),
                       try Data(contentsOf: SafetensorsFixtures.url("gru_large.safetensors")))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["gru_large.safetensors"])
    }

    /// A broken or GRU-less input: exit status 1, a message naming the file and the problem, no
    /// output written and an existing output file left as it was.
    func testProjectFailureLeavesOutputUntouched() throws {
        let dir = try Executables.temporaryDirectory(self)
        let full = try Data(contentsOf: SafetensorsFixtures.url("gru_bias.safetensors"))
        try full.dropLast(7).write(to: dir.appendingPathComponent("cut.safetensors"))
        try Data("keep me".utf8).write(to: dir.appendingPathComponent("existing.safetensors"))
        _ = try copyFixture("gru_bias.inputs.safetensors", into: dir)
        let cases: [(String, String)] = [("cut.safetensors", "truncated"), ("missing.safetensors", "no such file"),
                                         ("gru_bias.inputs.safetensors", "no GRU layer found")]
        for (input, phrase) in cases {
            for out in ["new.safetensors", "existing.safetensors"] {
                let run = try Executables.run("gru", ["project", input, "-o", out], in: dir)
                XCTAssertEqual(run.status, 1, run.stderr)
                XCTAssertTrue(run.stderr.contains(input) && run.stderr.contains(phrase), run.stderr)
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("new.safetensors").path))
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("existing.safetensors"), encoding: .utf8), "keep me")
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)),
                       ["cut.safetensors", "existing.safetensors", "gru_bias.inputs.safetensors"])
    }

    func testProjectInPlace() throws {
        let dir = try Executables.temporaryDirectory(self)
        let model = try copyFixture("gru_large.safetensors", into: dir)
        let run = try Executables.run("gru", ["project", "gru_large.safetensors", "--in-place", "--delta", "0.5", "--json"], in: dir)
        XCTAssertEqual(run.status, 0, run.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let layer = try XCTUnwrap((json["layers"] as? [[String: Any]])?.first)
        XCTAssertEqual(layer["clippedCount"] as? Int, 4)
        XCTAssertEqual(layer["spectralNormAfter"] as! Double, 1.5, accuracy: 1e-6)
        let s = try SafetensorsFile(contentsOf: model).tensor("weight_hh_l0").rows(8..<12, as: Double.self).singularValues()
        XCTAssertEqual(s.max()!, 1.5, accuracy: 1e-6)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["gru_large.safetensors"])
    }

    /// `gru inspect` reports ρ(J) and the verdicts; the expected ρ is computed here independently
    /// (LAPACK xGEEV on ½I + ¼W_hn built by hand) and checked against torch.linalg.eigvals.
    func testInspectReportsSpectralRadiusAndVerdicts() throws {
        let dir = try Executables.temporaryDirectory(self)
        for (model, key, sufficient, stable) in [("gru_large", "weight_hh_l0", false, false),
                                                 ("gru_prefix_2layer", "rnn.weight_hh_l1", false, true),
                                                 ("gru_bias", "weight_hh_l0", true, true)] {
            _ = try copyFixture(model + ".safetensors", into: dir)
            let file = try SafetensorsFixtures.file(model + ".safetensors")
            let w = try file.tensor(key).rows(8..<12, as: Double.self)
            var j = Matrix<Double>(rows: 4, cols: 4)
            for r in 0..<4 { for c in 0..<4 { j[r, c] = (r == c ? 0.5 : 0) + 0.25 * w[r, c] } }
            let rho = try j.eigenvalues().map { ($0.re * $0.re + $0.im * $0.im).squareRoot() }.max()!
            let torchRho = try XCTUnwrap(SafetensorsFixtures.layerSummary(model: model, key: key)["rho_j"] as? Double)
            XCTAssertEqual(rho, torchRho, accuracy: 1e-12)
            let sigma1 = try w.singularValues()[0]

            let text = try Executables.run("gru", ["inspect", model + ".safetensors"], in: dir)
            XCTAssertEqual(text.status, 0, text.stderr)
            print(text.stdout)
            let block = try XCTUnwrap(text.stdout.components(separatedBy: "\n\n").first { $0.contains("weight_hh  " + key) || $0.contains(" \(key) (") })
            // These PyTorch layers have non-zero biases: the origin's numbers are printed as those of
            // the bias-free map, and no verdict about h* = 0 is given (GruInspectBiasTests has the rest).
            XCTAssertTrue(block.contains("ρ(½I + ¼W_hn)  " + String(format: "%.6f", rho)), block)
            XCTAssertTrue(block.contains("‖W_hn‖₂        " + String(format: "%.6f", sigma1)), block)
            XCTAssertTrue(block.contains("‖W_hn‖₂ < 2    " + (sufficient ? "yes" : "no")
                                         + ": the paper's sufficient condition, for the bias-free map only"), block)
            XCTAssertFalse(block.contains("h* = 0 is stable") || block.contains("h* = 0 is unstable"), block)
            XCTAssertTrue(block.contains("verdict"), block)

            let json = try Executables.run("gru", ["inspect", model + ".safetensors", "--json"], in: dir)
            XCTAssertEqual(json.status, 0, json.stderr)
            let parsed = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            let layer = try XCTUnwrap((parsed["layers"] as? [[String: Any]])?.first { $0["weightHH"] as? String == key })
            XCTAssertEqual(layer["spectralRadiusJ"] as! Double, rho, accuracy: 1e-12)
            XCTAssertEqual(layer["spectralNorm"] as! Double, sigma1, accuracy: 1e-12)
            XCTAssertEqual(layer["sufficientConditionHolds"] as? Bool, sufficient)
            XCTAssertEqual(layer["stableAtOrigin"] as? Bool, stable)
            XCTAssertEqual(layer["hiddenSize"] as? Int, 4)
            XCTAssertEqual(layer["hasBiases"] as? Bool, true)
        }
    }

    func testInspectErrors() throws {
        let dir = try Executables.temporaryDirectory(self)
        try Data([1, 2, 3]).write(to: dir.appendingPathComponent("tiny.safetensors"))
        let run = try Executables.run("gru", ["inspect", "tiny.safetensors"], in: dir)
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("tiny.safetensors: not a safetensors file"), run.stderr)
        let none = try Executables.run("gru", ["inspect", SafetensorsFixtures.url("gru_bias.inputs.safetensors").path])
        // No GRU layer is an error (exit 1), not an empty report that a script would take for success.
        XCTAssertEqual(none.status, 1)
        XCTAssertTrue(none.stderr.contains("no GRU layer found"), none.stderr)
    }
}
