import Foundation
import XCTest
import GRUKit

/// `gru` on weights with NaN or ±∞: every command refuses, naming the tensor, the value, where it
/// is and the gate block, instead of reporting NaN numbers or "no fixed point found"; `--json` never
/// fails to encode; `--starts` is bounded; negative values reach the range checks.
final class ReliabilityGruNonFiniteTests: XCTestCase {
    /// A model whose `tensor` holds `value` at `index` (row-major), the rest ordinary.
    func model(_ dir: URL, _ name: String, tensor: String, index: Int, value: Double) throws -> URL {
        let h = GruInspectBiasTests.hidden
        var w = try GruInspectBiasTests.weightHH(sigma: 1.5, seed: 3)
        var bi = GruInspectBiasTests.values(3 * h, scale: 0.1, seed: 4), bh = GruInspectBiasTests.values(3 * h, scale: 0.1, seed: 5)
        switch tensor {
        case "weight_hh_l0": w.elements[index] = value
        case "bias_ih_l0": bi[index] = value
        default: bh[index] = value
        }
        let url = dir.appendingPathComponent(name + ".safetensors")
        try GruInspectBiasTests.writeModel(url, weightHH: w, biasIH: bi, biasHH: bh)
        return url
    }

    func testNonFiniteWeightsAreRefusedNamingTheTensorAndTheBlock() throws {
        let dir = try Executables.temporaryDirectory(self)
        let h = GruInspectBiasTests.hidden
        let cases: [(tensor: String, index: Int, value: Double, expected: String)] = [
            ("weight_hh_l0", (2 * h + 1) * h + 3, .infinity, "it holds inf at row \(2 * h + 1), column 3 (in W_hn)"),
            ("weight_hh_l0", 2, .nan, "it holds nan at row 0, column 2 (in W_hr)"),
            ("bias_hh_l0", h + 1, .nan, "it holds nan at element \(h + 1) (in b_hz)"),
            ("bias_ih_l0", 2 * h, -.infinity, "it holds -inf at element \(2 * h) (in b_in)"),
        ]
        for (k, c) in cases.enumerated() {
            let url = try model(dir, "m\(k)", tensor: c.tensor, index: c.index, value: c.value)
            let before = DiskSnapshot(dir)
            var commands = [["inspect", url.path], ["inspect", url.path, "--json"], ["fixed-points", url.path],
                            ["fixed-points", url.path, "--json"]]
            if c.tensor == "weight_hh_l0" { commands.append(["project", url.path, "-o", dir.appendingPathComponent("p.safetensors").path]) }
            for args in commands {
                let r = try Executables.run("gru", args)
                XCTAssertEqual(r.status, 1, "\(args): \(r.stdout)")
                XCTAssertTrue(r.stderr.contains(url.path) && r.stderr.contains(c.tensor) && r.stderr.contains(c.expected)
                              && r.stderr.contains("the analysis needs finite weights"), "\(args): \(r.stderr)")
                XCTAssertEqual(r.stdout, "", "\(args)")
            }
            before.assertUnchanged(dir, "a refused gru command")
        }
    }

    func testStartsAreBoundedAndNegativeValuesReachTheRangeCheck() throws {
        let dir = try Executables.temporaryDirectory(self)
        let url = try model(dir, "ok", tensor: "bias_hh_l0", index: 0, value: 0.05)
        for (args, expected) in [(["fixed-points", url.path, "--layer", "-1"], "--layer must be at least 0, got -1"),
                                 (["fixed-points", url.path, "--starts", "-1"], "--starts must be at least 0, got -1"),
                                 (["fixed-points", url.path, "--starts", "1000001"], "--starts must be at most 1000000, got 1000001"),
                                 (["inspect", url.path, "--starts", "99999999999"], "--starts must be at most 1000000, got 99999999999"),
                                 (["fixed-points", url.path, "--seed", "-1"], "-1")] {
            let r = try Executables.run("gru", args)
            XCTAssertEqual(r.status, 64, "\(args): \(r.stdout)")
            XCTAssertTrue(r.stderr.contains(expected) && !r.stderr.contains("Missing value"), "\(args): \(r.stderr)")
        }
    }

    func testTheFinderMemoryEstimateRefusesWhatDoesNotFit() {
        XCTAssertEqual(MemoryEstimate.fixedPointFinder(starts: 0, hidden: 1), 8 * (2 + 4))
        XCTAssertEqual(MemoryEstimate.fixedPointFinder(starts: 20, hidden: 10), 8 * (2 * 21 * 10 + 4 * 100))
        XCTAssertNil(MemoryEstimate.startsRefusal(starts: 20, hidden: 650, budget: 1e9))
        // The refusal names the estimate and the flag (against the budget passed in, not this machine's).
        let bytes = MemoryEstimate.fixedPointFinder(starts: 1_000_000, hidden: 4096)
        let message = MemoryEstimate.startsRefusal(starts: 1_000_000, hidden: 4096, budget: 1e9) ?? ""
        XCTAssertEqual(message, "--starts 1000000 at H = 4096 would need about \(MemoryEstimate.text(bytes)) of memory, more than the "
                       + "953.7 MiB this machine allows (3/4 of its physical memory); choose fewer --starts")
        XCTAssertTrue(MemoryEstimate.text(bytes).hasSuffix("GiB"), MemoryEstimate.text(bytes))
    }
}
