import Foundation
import XCTest
import GRUKit

/// `gru fixed-points` on small generated state dicts: its JSON parses, has exactly the documented
/// keys, and matches the library's finder on the layer's input-free map (with and without biases).
final class GruFixedPointsTests: XCTestCase {
    struct Output: Decodable {
        struct Point: Decodable, Equatable {
            var h: [Double]
            var residual: Double
            var spectral_radius: Double
            var stable: Bool
        }
        var fixed_points: [Point]
    }

    /// weight_hh (3H×H) with small gate blocks and W_hn = Q diag(top, 2.4, 0.5, −0.3, 0.2, …) Qᵀ for a
    /// seeded orthogonal Q: two eigenvalues above 2, so the origin is unstable and new fixed points exist.
    static func weightHH(top: Double) throws -> Matrix<Double> {
        let h = GruInspectBiasTests.hidden
        var g = SeededGenerator(seed: 12)
        let q = try Matrix<Double>.randomNormal(rows: h, cols: h, std: 1, using: &g).svd().U
        let d = (0 ..< h).map { [top, 2.4, 0.5, -0.3, 0.2][$0 % 5] }
        let wn = q * Matrix.diagonal(d) * q.transposed
        let gates = GruInspectBiasTests.values(2 * h * h, scale: 0.3, seed: 13)
        return Matrix(rows: 3 * h, cols: h, elements: gates + wn.elements)
    }

    func testJSONMatchesTheLibrary() throws {
        let dir = try Executables.temporaryDirectory(self)
        let h = GruInspectBiasTests.hidden
        let cases: [(name: String, sigma: Double, biases: Bool)] = [("nobias", 2.6, false), ("bias", 2.6, true)]
        for c in cases {
            let url = dir.appendingPathComponent(c.name + ".safetensors")
            let w = try Self.weightHH(top: c.sigma)
            let bi = GruInspectBiasTests.values(3 * h, scale: 0.1, seed: 4), bh = GruInspectBiasTests.values(3 * h, scale: 0.1, seed: 5)
            try GruInspectBiasTests.writeModel(url, weightHH: w, biasIH: c.biases ? bi : nil, biasHH: c.biases ? bh : nil)
            // Compared bit for bit, so both processes run the same BLAS kernels: `gru` would otherwise
            // restart into the kernels the CPU supports where OpenBLAS fell back to generic ones
            // (BLAS.restartWithRecommendedCoreTypeIfNeeded), while this process keeps OpenBLAS's choice.
            let r = try Executables.run("gru", ["fixed-points", url.path, "--json", "--starts", "30"],
                                        environment: BLAS.isOpenBLAS ? ["OPENBLAS_CORETYPE": BLAS.coreName] : [:])
            XCTAssertEqual(r.status, 0, r.stderr)
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            XCTAssertEqual(Array(object.keys), ["fixed_points"])
            let first = try XCTUnwrap((object["fixed_points"] as? [[String: Any]])?.first)
            XCTAssertEqual(Set(first.keys), ["h", "residual", "spectral_radius", "stable"])
            let out = try JSONDecoder().decode(Output.self, from: Data(r.stdout.utf8))

            // The library, on the same file's map (values as stored), with the same starts and seed.
            let file = try SafetensorsFile(contentsOf: url)
            let layer = try XCTUnwrap(try GRUStateDict(file).layers.first)
            let map = try GRUCandidateAnalysis.inputFreeMap(file, layer: layer, form: .resetAfter)
            let points = map.fixedPoints(starts: 30, seed: 1)
            XCTAssertEqual(out.fixed_points.count, points.count, c.name)
            XCTAssertGreaterThan(points.count, 1, "\(c.name): more than one fixed point, so the order matters")
            for (o, p) in zip(out.fixed_points, points) {
                XCTAssertEqual(o.h, p.h, c.name)
                XCTAssertEqual(o.residual, p.residual)
                XCTAssertEqual(o.spectral_radius, p.spectralRadius)
                XCTAssertEqual(o.stable, p.spectralRadius < 1)
                XCTAssertLessThan(map.residualNorm(o.h), 1e-12)
            }
            if !c.biases {
                XCTAssertEqual(out.fixed_points.first?.h, [Double](repeating: 0, count: h), "the origin first")
                XCTAssertEqual(out.fixed_points.first?.spectral_radius ?? 0, try FixedPointStability.spectralRadiusAtOrigin(map.candidateBlock), accuracy: 1e-12)
                XCTAssertEqual(out.fixed_points.first?.stable, false, "σ = 2.6: the origin is unstable here")
            }
            let text = try Executables.run("gru", ["fixed-points", url.path, "--starts", "30"])
            XCTAssertEqual(text.status, 0, text.stderr)
            XCTAssertTrue(text.stdout.contains("\(points.count) fixed point"), text.stdout)
            XCTAssertTrue(text.stdout.contains("residual"), text.stdout)
        }
        let missing = try Executables.run("gru", ["fixed-points", dir.appendingPathComponent("bias.safetensors").path, "--layer", "1"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("no GRU layer 1"), missing.stderr)
    }
}
