import Foundation
import XCTest
import GRUKit

/// Finding GRU layers in PyTorch state dicts, their W_hn report and the projection, against the
/// values torch.linalg computed when the fixtures were made.
final class SafetensorsGRUTests: XCTestCase {
    func testFindsLayersWithPrefixesBiasesAndTwoLayers() throws {
        let stacked = try GRUStateDict(SafetensorsFixtures.file("gru_prefix_2layer.safetensors"))
        XCTAssertEqual(stacked.layers.map(\.name), ["rnn.l0", "rnn.l1"])
        XCTAssertEqual(stacked.layers.map(\.weightHH), ["rnn.weight_hh_l0", "rnn.weight_hh_l1"])
        XCTAssertEqual(stacked.layers.map(\.inputSize), [5, 4])
        XCTAssertEqual(stacked.layers.map(\.hiddenSize), [4, 4])
        XCTAssertEqual(stacked.layers.map(\.hasBiases), [true, true])
        XCTAssertEqual(stacked.layers[1].biasHH, "rnn.bias_hh_l1")
        XCTAssertEqual(stacked.layers[0].rows(of: .candidate), 8..<12)
        XCTAssertTrue(stacked.skipped.isEmpty)

        let plain = try GRUStateDict(SafetensorsFixtures.file("gru_nobias.safetensors"))
        XCTAssertEqual(plain.layers.count, 1)
        XCTAssertEqual(plain.layers[0].prefix, "")
        XCTAssertEqual(plain.layers[0].layerIndex, 0)
        XCTAssertFalse(plain.layers[0].hasBiases)
        XCTAssertNil(plain.layers[0].biasIH)
    }

    func testReverseDirectionsCellsAndNonGRULayers() throws {
        var file = SafetensorsFile(source: "synthetic.safetensors")
        func put(_ name: String, _ rows: Int, _ cols: Int) throws {
            file[name] = try SafetensorsTensor(Matrix<Float>(rows: rows, cols: cols, repeating: 0.1))
        }
        try put("enc.gru.weight_ih_l0", 6, 3); try put("enc.gru.weight_hh_l0", 6, 2)
        try put("enc.gru.weight_ih_l0_reverse", 6, 3); try put("enc.gru.weight_hh_l0_reverse", 6, 2)
        try put("cell.weight_ih", 9, 2); try put("cell.weight_hh", 9, 3)
        try put("lstm.weight_ih_l0", 8, 3); try put("lstm.weight_hh_l0", 8, 2)
        try put("myweight_hh_l0", 6, 2)   // not a module parameter name: ignored
        let found = try GRUStateDict(file)
        XCTAssertEqual(found.layers.map(\.name), ["cell.cell", "enc.gru.l0", "enc.gru.l0_reverse"])
        XCTAssertEqual(found.layers.map(\.reverse), [false, false, true])
        XCTAssertEqual(found.layers[0].layerIndex, nil)
        XCTAssertEqual(found.skipped.map(\.key), ["lstm.weight_hh_l0"])
        XCTAssertTrue(found.skipped[0].reason.contains("LSTM"))

        // A GRU-shaped weight_hh without its weight_ih, or with a bias of the wrong length: errors.
        file["enc.gru.weight_ih_l0"] = nil
        XCTAssertThrowsError(try GRUStateDict(file)) { error in
            XCTAssertTrue("\(error)".hasPrefix("synthetic.safetensors: tensor \"enc.gru.weight_hh_l0\""), "\(error)")
            XCTAssertTrue("\(error)".contains("enc.gru.weight_ih_l0"), "\(error)")
        }
        try put("enc.gru.weight_ih_l0", 6, 3)
        file["enc.gru.bias_hh_l0"] = try SafetensorsTensor(floats: [0, 0, 0], shape: [3])
        XCTAssertThrowsError(try GRUStateDict(file)) { error in
            XCTAssertTrue("\(error)".contains("enc.gru.bias_hh_l0"), "\(error)")
        }
    }

    /// σ(W_hn) and ρ(½I + ¼W_hn) agree with torch.linalg.svd / torch.linalg.eigvals in float64 on
    /// the same stored values (so to ~1e-12), and the verdicts follow.
    func testReportsAgreeWithTorchLinalg() throws {
        let cases = [("gru_bias", "weight_hh_l0"), ("gru_nobias", "weight_hh_l0"), ("gru_large", "weight_hh_l0"),
                     ("gru_prefix_2layer", "rnn.weight_hh_l0"), ("gru_prefix_2layer", "rnn.weight_hh_l1"),
                     ("gru_f64", "weight_hh_l0"), ("gru_f16", "weight_hh_l0"), ("gru_bf16", "weight_hh_l0")]
        for (model, key) in cases {
            let file = try SafetensorsFixtures.file(model + ".safetensors")
            let layer = try XCTUnwrap(GRUStateDict(file).layers.first { $0.weightHH == key })
            let r = try GRUCandidateAnalysis.report(file, layer: layer)
            let torch = try SafetensorsFixtures.layerSummary(model: model, key: key)
            let s = try XCTUnwrap(torch["singular_values"] as? [Double])
            let rho = try XCTUnwrap(torch["rho_j"] as? Double)
            Oracle.check("\(model) \(key) σ(W_hn) vs torch.linalg.svd", r.singularValues, s, tolerance: 1e-12)
            Oracle.check("\(model) \(key) ρ(J) vs torch.linalg.eigvals", [r.spectralRadiusJ], [rho], tolerance: 1e-12)
            XCTAssertEqual(r.sufficientConditionHolds, s[0] < 2)
            XCTAssertEqual(r.margin, 2 - s[0], accuracy: 1e-12)
            XCTAssertEqual(r.stableAtOrigin, rho < 1)
            // The theorem of the-paper §2: ‖W‖₂ < 2 ⇒ ρ(J) ≤ ½ + ‖W‖₂/4 < 1.
            XCTAssertLessThanOrEqual(r.spectralRadiusJ, 0.5 + r.spectralNorm / 4 + 1e-12)
        }
        // The fixtures cover every combination that matters.
        let large = try GRUCandidateAnalysis.report(SafetensorsFixtures.file("gru_large.safetensors"),
                                                    layer: GRUStateDict(SafetensorsFixtures.file("gru_large.safetensors")).layers[0])
        XCTAssertFalse(large.sufficientConditionHolds); XCTAssertFalse(large.stableAtOrigin)
        let stacked = try SafetensorsFixtures.file("gru_prefix_2layer.safetensors")
        let upper = try GRUCandidateAnalysis.report(stacked, layer: GRUStateDict(stacked).layers[1])
        XCTAssertFalse(upper.sufficientConditionHolds); XCTAssertTrue(upper.stableAtOrigin)
    }

    /// The projection in the file's own dtype: float64 matches torch's P_δ to 1e-12; float16 to two
    /// half-precision steps (the stored values are rounded to the nearest half, 2⁻¹¹ relative, and
    /// then rescaled when rounding lifted σ_1 above 1.8, which may move them by one step more).
    func testProjectionInFloat64AndFloat16AgainstTorch() throws {
        for (model, tolerance) in [("gru_f64", 1e-12), ("gru_f16", 2.0 / 1024)] {
            var file = try SafetensorsFixtures.file(model + ".safetensors")
            let original = file
            let outcomes = try GRUCandidateAnalysis.project(&file, delta: 0.2)
            let torch = try SafetensorsFixtures.layerSummary(model: model, key: "weight_hh_l0")
            XCTAssertEqual(outcomes.count, 1)
            XCTAssertEqual(outcomes[0].clippedCount, torch["clipped"] as? Int)
            XCTAssertEqual(outcomes[0].spectralNormBefore, (torch["singular_values"] as! [Double])[0], accuracy: 1e-12)
            XCTAssertEqual(outcomes[0].spectralNormAfter, 1.8, accuracy: 2 * tolerance)
            XCTAssertLessThanOrEqual(outcomes[0].spectralNormAfter, 1.8, "the stored block keeps the bound")
            let expected = try SafetensorsFixtures.file(model + ".expected.safetensors").matrix("projected_hn.weight_hh_l0", as: Double.self)
            let got = try file.tensor("weight_hh_l0").rows(8..<12, as: Double.self)
            Oracle.check("\(model) P_0.2(W_hn) vs torch", got, expected, tolerance: tolerance)
            XCTAssertEqual(Array(try file.tensor("weight_hh_l0").bytes.prefix(8 * 4 * (model == "gru_f64" ? 8 : 2))),
                           Array(try original.tensor("weight_hh_l0").bytes.prefix(8 * 4 * (model == "gru_f64" ? 8 : 2))),
                           "\(model): r and z rows untouched")
            for name in original.names where name != "weight_hh_l0" { XCTAssertEqual(file[name], original[name], name) }
        }
        // Nothing to clip: the file is left exactly as it was.
        var small = try SafetensorsFixtures.file("gru_bf16.safetensors")
        let before = small.serialized()
        let o = try GRUCandidateAnalysis.project(&small, delta: 0.2)
        XCTAssertEqual(o[0].clippedCount, 0)
        XCTAssertEqual(small.serialized(), before)
    }

    func testProjectionRejectsBadDeltaAndModelsWithoutGRU() throws {
        var file = try SafetensorsFixtures.file("gru_bias.safetensors")
        for delta in [-0.1, 0, 2, 3, .nan, .infinity] {
            XCTAssertThrowsError(try GRUCandidateAnalysis.project(&file, delta: delta)) { error in
                XCTAssertTrue("\(error)".contains("δ must lie in (0, 2)"), "\(error)")
            }
        }
        var inputs = try SafetensorsFixtures.file("gru_bias.inputs.safetensors")
        XCTAssertThrowsError(try GRUCandidateAnalysis.project(&inputs, delta: 0.2)) { error in
            XCTAssertTrue("\(error)".contains("no GRU layer found"), "\(error)")
        }
        var nan = try SafetensorsFixtures.file("gru_bias.safetensors")
        let w = try nan.tensor("weight_hh_l0")
        var m = try w.matrix(Float.self)
        m[9, 1] = .nan
        nan["weight_hh_l0"] = try SafetensorsTensor(m)
        XCTAssertThrowsError(try GRUCandidateAnalysis.project(&nan, delta: 0.2)) { error in
            XCTAssertTrue("\(error)".contains("weight_hh_l0") && "\(error)".contains("Inf or NaN"), "\(error)")
        }
    }
}
