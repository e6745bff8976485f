import XCTest
import GRUKit
import GRUKitChapterSupport

/// The pooled gradient-norm-against-ρ(J) scatter of chapter 5 and its rank correlation.
final class PooledDynamicsTests: XCTestCase {
    /// Spearman's correlation against independent oracles: the no-ties closed form
    /// 1 − 6 Σd² / (n(n² − 1)), and scipy.stats.spearmanr on a sample with ties (0.8088235294117647,
    /// computed once with SciPy 1.x).
    func testSpearmanAgainstOracles() throws {
        let x = [3.1, 0.2, 5.5, 1.0, 4.4, 2.7, 9.0], y = [10.0, 2.0, 30.0, 7.0, 1.0, 9.0, 40.0]
        let rx = PooledDynamics.ranks(x), ry = PooledDynamics.ranks(y)
        let n = Double(x.count), d2 = zip(rx, ry).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
        XCTAssertEqual(try XCTUnwrap(PooledDynamics.spearman(x, y)), 1 - 6 * d2 / (n * (n * n - 1)), accuracy: 1e-12)
        XCTAssertEqual(PooledDynamics.ranks([1, 2, 2, 3, 5, 4]), [1, 2.5, 2.5, 4, 6, 5])
        XCTAssertEqual(try XCTUnwrap(PooledDynamics.spearman([1, 2, 2, 3, 5, 4], [2, 1, 3, 3, 6, 9])), 0.8088235294117647, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(PooledDynamics.spearman([1, 2, 3, 4], [8, 6, 4, 2])), -1, accuracy: 1e-15)
        XCTAssertNil(PooledDynamics.spearman([1, 1, 1], [1, 2, 3]))
        XCTAssertNil(PooledDynamics.spearman([1, 2], [1, 2]))
    }

    /// Points come from iteration records with finite ρ(J) and gradient norm; a divergence is marked on
    /// the record before it; records with ρ(J) > 1 in runs that never diverged are the counterexamples.
    func testPointsDivergenceMarksAndCounterexamples() throws {
        let dir = try Executables.temporaryDirectory(self)
        func it(_ i: Int, _ rho: Double?, _ g: Double, max: Double? = nil) -> String {
            "{\"type\":\"iteration\",\"iteration\":\(i),\"epoch\":1,\"learning_rate\":1,\"loss\":5,\"gradient_norm\":\(g)"
                + (max.map { ",\"max_gradient_norm\":\($0)" } ?? "") + ",\"spectral_radius\":\(rho.map { "\($0)" } ?? "null"),\"seconds\":1}"
        }
        let header = { (name: String) in "{\"type\":\"run\",\"name\":\"\(name)\",\"method\":\"sgd\",\"learning_rate\":1,\"epochs\":1,\"metric\":\"perplexity\"}" }
        let calm = [header("calm"), it(10, 0.9, 0.1), it(20, 1.2, 0.4, max: 5.6), it(30, nil, 0.3),
                    "{\"type\":\"epoch\",\"epoch\":1,\"iteration\":30,\"learning_rate\":1,\"train_loss\":5,\"valid_loss\":5,\"valid_perplexity\":150,\"seconds\":2}"]
        let wild = [header("wild"), it(10, 0.8, 0.05), it(20, 1.01, 0.07),
                    "{\"type\":\"diverged\",\"epoch\":1,\"iteration\":24,\"loss\":300,\"gradient_norm\":2e5,\"reason\":\"loss\",\"seconds\":3}"]
        try (calm.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("calm.jsonl"), atomically: true, encoding: .utf8)
        try (wild.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("wild.jsonl"), atomically: true, encoding: .utf8)
        let pool = PooledDynamics(runs: try LoggedRun.load(directory: dir))
        XCTAssertEqual(pool.points.map(\.iteration), [10, 20, 10, 20])
        XCTAssertEqual(pool.divergences.map { "\($0.run)@\($0.iteration)" }, ["wild@20"])
        XCTAssertEqual(pool.crossedWithoutBlowUp.map { "\($0.run)@\($0.iteration)" }, ["calm@20"])
        var values = RecordedValues()
        pool.record(into: &values, prefix: "pooled.")
        XCTAssertEqual(values["pooled.records"], "4")
        XCTAssertEqual(values["pooled.above_1"], "2/4")
        XCTAssertEqual(values["pooled.above_1_no_blow_up"], "1")
        XCTAssertEqual(values["pooled.above_1_no_blow_up.max_gradient"], "0.40")
        XCTAssertEqual(values["pooled.above_1_no_blow_up.max_window_gradient"], "5.60")
        XCTAssertEqual(values["pooled.divergences_above_1"], "1/1")
        // ρ = (0.9, 1.2, 0.8, 1.01), g = (0.1, 0.4, 0.05, 0.07): ranks (2, 4, 1, 3) and (3, 4, 1, 2),
        // Σd² = 2, so 1 − 6·2 / (4·15) = 0.8.
        XCTAssertEqual(values["pooled.spearman"], "0.80")
    }
}
