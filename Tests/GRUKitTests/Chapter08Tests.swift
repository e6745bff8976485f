import Foundation
import XCTest
import GRUKit

/// Chapter 8 run as a user runs it, on the small generated corpus: trained models, and chapter 5's
/// checkpoints with --checkpoints.
final class Chapter08Tests: XCTestCase {
    static func tiny(_ data: URL, _ out: URL) -> [String] {
        ["--data", data.path, "--out", out.path, "--no-render", "--hidden", "6", "--tokens", "80", "--starts", "5", "--words", "2"]
    }

    func testTinyRunWritesTablesAndKeepsItsPromises() throws {
        let dir = try Executables.temporaryDirectory(self)
        let data = dir.appendingPathComponent("data")
        try TrainingFixtures.writePTB(in: data)
        let out = dir.appendingPathComponent("out")
        let r = try Executables.run("ch08-trained-dynamics", Self.tiny(data, out) + ["--lr", "5"])
        XCTAssertEqual(r.status, 0, r.stderr)
        for name in ["stabiliser-summary.dat", "origin.dat", "fixed-points.dat", "along-data.dat", "trained-fixed-points.gp", "whh-eigenvalues.gp",
                     "jacobian-along-data.gp", "stabilisers.gp"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), name)
        }
        // Four models: plain SGD, clipping, P_δ, rescaling, in that order.
        let stab = try Chapter02Tests.rows(out.appendingPathComponent("stabiliser-summary.dat"),
                                           columns: ["model", "diverged", "valid_ppl", "final_sigma1", "max_sigma1", "acted_fraction",
                                                     "mean_change", "mean_correction", "ms_per_step"])
        XCTAssertEqual(stab.count, 4)
        for row in stab[2...] { XCTAssertLessThanOrEqual(row[4], 1.8 + 1e-5, "P_δ and rescaling keep σ_1 ≤ 2 − δ") }
        XCTAssertEqual(stab[0][7], 0, "plain SGD has no stabiliser")
        // The origin: the formula ½I + ¼W_hh and the model's analytic Jacobian at 0 agree.
        let origin = try Chapter02Tests.rows(out.appendingPathComponent("origin.dat"),
                                             columns: ["model", "sigma1", "rho_formula", "rho_jacobian", "outside_stability", "outside_disc"])
        XCTAssertEqual(origin.count, 4)
        for row in origin {
            XCTAssertEqual(row[2], row[3], accuracy: 1e-9)
            XCTAssertLessThanOrEqual(row[2], 0.5 + row[1] / 4 + 1e-12, "ρ(J) ≤ ½ + ‖W_hh‖₂/4")
        }
        let points = try Chapter02Tests.rows(out.appendingPathComponent("fixed-points.dat"),
                                             columns: ["model", "input", "pc1", "pc2", "norm", "residual", "spectral_radius", "unstable_directions", "slow"])
        // x = 0: without biases the origin is a fixed point of every model.
        for k in 1 ... 4 { XCTAssertTrue(points.contains { $0[0] == Double(k) && $0[1] == 0 && $0[4] == 0 && $0[8] == 0 }, "model \(k)") }
        for p in points where p[8] == 0 { XCTAssertLessThan(p[5], 1e-12) }
        XCTAssertTrue(r.stdout.contains("What you will learn") == false, "prose is not printed")
        XCTAssertTrue(r.stdout.contains("Stability along"), r.stdout)
    }

    func testAnalysesChapter5Checkpoints() throws {
        let dir = try Executables.temporaryDirectory(self)
        let data = dir.appendingPathComponent("data")
        try TrainingFixtures.writePTB(in: data)
        let five = dir.appendingPathComponent("five")
        let a = try Executables.run("ch05-penn-treebank", Chapter05Tests.tiny(data, five) + ["--sweep", "--methods", "none,project", "--lrs", "1"])
        XCTAssertEqual(a.status, 0, a.stderr)
        let out = dir.appendingPathComponent("out")
        let r = try Executables.run("ch08-trained-dynamics", Self.tiny(data, out) + ["--checkpoints", five.appendingPathComponent("runs").path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("project0.2-lr1") || r.stdout.contains("P_δ"), r.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("stabiliser-summary.dat").path), "nothing was trained")
        let origin = try Chapter02Tests.rows(out.appendingPathComponent("origin.dat"),
                                             columns: ["model", "sigma1", "rho_formula", "rho_jacobian", "outside_stability", "outside_disc"])
        XCTAssertEqual(origin.count, 2)
        let bad = try Executables.run("ch08-trained-dynamics", Self.tiny(data, out) + ["--checkpoints", data.path])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("checkpoint"), bad.stderr)
    }
}
