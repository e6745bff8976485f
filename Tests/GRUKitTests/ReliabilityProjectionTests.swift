import Foundation
import XCTest
import GRUKit
import GRUKitChapterSupport

/// `gru project` in low precision: ‖W_hn‖₂ ≤ 2 − δ holds for the values stored in the file, not
/// only before rounding; and δ = 0 is refused by the one rule every entry point uses (issue:
/// reliability).
final class ReliabilityProjectionTests: XCTestCase {
    /// A one-layer GRU state dict (H = 16, I = 3) in `dtype` whose W_hn has σ_1 far above 2.
    static func model(_ dtype: SafetensorsDType, seed: UInt64) throws -> SafetensorsFile {
        var g = SeededGenerator(seed: seed)
        let h = 16, i = 3
        func random(_ rows: Int, _ cols: Int) -> Matrix<Double> {
            Matrix(rows: rows, cols: cols, elements: (0 ..< rows * cols).map { _ in 1.5 * g.nextNormal() })
        }
        var file = SafetensorsFile()
        file["weight_ih_l0"] = try SafetensorsTensor(random(3 * h, i), dtype: dtype)
        file["weight_hh_l0"] = try SafetensorsTensor(random(3 * h, h), dtype: dtype)
        return file
    }

    func testTheStoredBlockKeepsTheBoundInF16AndBF16() throws {
        var roundingBrokeTheBound = 0
        for dtype in [SafetensorsDType.f16, .bf16] {
            for seed: UInt64 in 1 ... 4 {
                for delta in [0.0001, 0.001, 0.2] {
                    var file = try Self.model(dtype, seed: seed)
                    let c = 2 - delta
                    // The hostile part: the Double projection rounded as is exceeds c.
                    var w = try file.tensor("weight_hh_l0").rows(32 ..< 48, as: Double.self)
                    _ = try SpectralProjection.projectByFullSVD(&w, threshold: c)
                    if try SafetensorsTensor(w, dtype: dtype).matrix(Double.self).spectralNorm() > c { roundingBrokeTheBound += 1 }

                    let outcome = try GRUCandidateAnalysis.project(&file, delta: delta)
                    let stored = try file.tensor("weight_hh_l0").rows(32 ..< 48, as: Double.self).spectralNorm()
                    XCTAssertLessThanOrEqual(stored, c, "\(dtype) seed \(seed) δ \(delta)")
                    XCTAssertEqual(outcome[0].spectralNormAfter, stored, "the reported norm is the stored one")
                    XCTAssertGreaterThan(stored, c - 0.05, "the rescale costs little: \(dtype) δ \(delta)")
                }
            }
        }
        XCTAssertGreaterThan(roundingBrokeTheBound, 0, "the cases must include ones where plain rounding breaks the bound")
    }

    func testDeltaZeroIsRefusedEverywhere() throws {
        XCTAssertNotNil(SpectralProjection.deltaProblem(0))
        XCTAssertNotNil(SpectralProjection.deltaProblem(.nan))
        XCTAssertNil(SpectralProjection.deltaProblem(0.0001))
        var file = try Self.model(.f32, seed: 1)
        XCTAssertThrowsError(try GRUCandidateAnalysis.project(&file, delta: 0)) { error in
            XCTAssertTrue("\(error)".contains("δ must lie in (0, 2)"), "\(error)")
        }
        XCTAssertThrowsError(try TrainingOptions.parse(["--delta", "0"])) { error in
            XCTAssertTrue(TrainingOptions.message(for: error).contains("--delta must lie in (0, 2)"))
        }
        let dir = try Executables.temporaryDirectory(self)
        try FileManager.default.copyItem(at: SafetensorsFixtures.url("gru_f16.safetensors"), to: dir.appendingPathComponent("m.safetensors"))
        let r = try Executables.run("gru", ["project", "m.safetensors", "--delta", "0", "-o", "out.safetensors"], in: dir)
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertTrue(r.stderr.contains("--delta must lie in (0, 2)"), r.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["m.safetensors"])
        let ch4 = try Executables.run("ch04-projection", ["--delta", "0", "--out", dir.appendingPathComponent("out").path])
        XCTAssertEqual(ch4.status, 64, ch4.stderr)
        XCTAssertTrue(ch4.stderr.contains("--delta must lie in (0, 2)"), ch4.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["m.safetensors"])
    }
}
