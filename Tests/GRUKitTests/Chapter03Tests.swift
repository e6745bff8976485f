import Foundation
import XCTest
import GRUKit

/// Chapter 3 run as a user runs it (tiny settings): files, columns, and the spike peaks.
final class Chapter03Tests: XCTestCase {
    func testTinyRun() throws {
        let dir = try Executables.temporaryDirectory(self)
        let out = dir.appendingPathComponent("tmp")
        let r = try Executables.run("ch03-explosion", ["--out", out.path, "--no-render", "--spike-step", "0.01", "--iterations", "12",
                                                       "--steps", "30", "--hidden", "4", "--examples", "6", "--scalar-iterations", "25"])
        XCTAssertEqual(r.status, 0, r.stderr)

        // The spike: exact peaks (the values of the-paper §2 for T = 20, 100; the fine-scan peak for T = 1000,
        // whose value at w_hh = 2.00 is the-paper §2's 7.38).
        let lines = r.stdout.split(separator: "\n").map { $0.split(whereSeparator: \.isWhitespace).map(String.init) }
        for (t, w, height, atTwo) in [("20", 2.3639, 1.2225, 0.4660), ("100", 2.0512, 3.0714, 1.8845), ("1000", 2.0027, 8.0280, 7.3755)] {
            guard let row = lines.first(where: { $0.count == 4 && $0[0] == t }) else { XCTFail("no peak row for T = \(t)\n\(r.stdout)"); continue }
            XCTAssertEqual(Double(row[1]) ?? 0, w, accuracy: 2e-4, "T = \(t) peak location")
            XCTAssertEqual(Double(row[2]) ?? 0, height, accuracy: 2e-4, "T = \(t) peak height")
            XCTAssertEqual(Double(row[3]) ?? 0, atTwo, accuracy: 2e-4, "T = \(t) at w_hh = 2")
        }
        let spike = try Chapter02Tests.rows(out.appendingPathComponent("gradient-spike.dat"), columns: ["w_hh", "T", "dhT_dw"])
        XCTAssertEqual(spike.count, 3 * 401)
        let at236 = spike.first { abs($0[0] - 2.36) < 1e-9 && $0[1] == 20 }
        XCTAssertEqual(at236?[2] ?? 0, 1.22, accuracy: 0.005)

        let landscape = try Chapter02Tests.rows(out.appendingPathComponent("landscape.dat"), columns: ["w_hh", "loss", "dL_dw"])
        XCTAssertEqual(landscape.first?[1] ?? 0, 0.36, accuracy: 1e-6, "plateau (0 − 0.6)² at w_hh = 0")

        for name in ["training-none", "training-clip"] {
            let rows = try Chapter02Tests.rows(out.appendingPathComponent(name + ".dat"),
                                               columns: ["iteration", "loss", "grad_norm", "spectral_norm", "rho"])
            XCTAssertEqual(rows.count, 12, name)
            XCTAssertEqual(rows[0][3], 1.9, accuracy: 1e-12, "initial ‖W_hh‖₂")
            XCTAssertTrue(rows.allSatisfy { $0[2] > 0 && $0[4] > 0 && $0[4] <= 0.5 + $0[3] / 4 + 1e-12 }, "\(name): ρ(J) ≤ ½ + ‖W‖₂/4")
        }
        for name in ["training-scalar-none", "training-scalar-clip"] {
            let rows = try Chapter02Tests.rows(out.appendingPathComponent(name + ".dat"), columns: ["iteration", "loss", "grad_norm", "w_hh", "rho"])
            XCTAssertEqual(rows.count, 25)
            for row in rows { XCTAssertEqual(row[4], abs(0.5 + row[3] / 4), accuracy: 1e-12) }
        }
        // Clipping bounds every step of the one-unit run by η·c.
        let clip = try Chapter02Tests.rows(out.appendingPathComponent("training-scalar-clip.dat"), columns: ["iteration", "loss", "grad_norm", "w_hh", "rho"])
        for (a, b) in zip(clip, clip.dropFirst()) { XCTAssertLessThanOrEqual(abs(b[3] - a[3]), 5 * 0.01 + 1e-12) }
        for fig in ["spike", "loss-landscape", "training-scalar", "training"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(fig + ".gp").path), fig)
        }
    }

    func testBadOptionsAreRejectedClearly() throws {
        let r = try Executables.run("ch03-explosion", ["--learning-rate", "-1", "--no-render"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("--learning-rate"), r.stderr)
    }
}
