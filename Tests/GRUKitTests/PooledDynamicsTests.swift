import XCTest
import GRUKit
@testable import GRUKitChapterSupport

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
        XCTAssertEqual(values["pooled.divergences_below_1.runs"], "none")
        XCTAssertEqual(values["pooled.divergences_below_1.by_group"], "all 0/1")
        // Grouped, the shared "SCALE scale, " is left out of the names; two scales keep it.
        let runs = try LoggedRun.load(directory: dir)
        PooledDynamics(groups: [("standard scale, plain SGD", runs)]).record(into: &values, prefix: "g.")
        XCTAssertEqual(values["g.divergences_below_1.by_group"], "plain SGD 0/1")
        PooledDynamics(groups: [("paper scale, plain SGD", runs), ("standard scale, plain SGD", runs)]).record(into: &values, prefix: "h.")
        XCTAssertEqual(values["h.divergences_below_1.by_group"], "paper scale, plain SGD 0/1; standard scale, plain SGD 0/1")
        XCTAssertEqual(values["pooled.exploded_not_diverged"], "0")
    }

    /// A run whose gradient exploded (1000 × its median) without diverging — clipping carried it, or it
    /// ended wrecked below the loss bound — is no example of crossing without a blow-up.
    func testAnExplosionWithoutDivergenceIsNotACalmCrossing() throws {
        let dir = try Executables.temporaryDirectory(self)
        func it(_ i: Int, _ rho: Double, _ g: Double, max: Double) -> String {
            "{\"type\":\"iteration\",\"iteration\":\(i),\"epoch\":1,\"learning_rate\":1,\"loss\":5,\"gradient_norm\":\(g),"
                + "\"max_gradient_norm\":\(max),\"spectral_radius\":\(rho),\"seconds\":1}"
        }
        let header = "{\"type\":\"run\",\"name\":\"clipped\",\"method\":\"clip(5.0)\",\"learning_rate\":1,\"epochs\":1,\"metric\":\"perplexity\"}"
        let lines = [header, it(10, 0.9, 0.1, max: 0.2), it(20, 1.5, 0.1, max: 0.2), it(30, 2, 0.2, max: 150), it(40, 3, 0.1, max: 0.3),
                     "{\"type\":\"epoch\",\"epoch\":1,\"iteration\":40,\"learning_rate\":1,\"train_loss\":5,\"valid_loss\":5,\"valid_perplexity\":150,\"seconds\":2}"]
        try (lines.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("clipped.jsonl"), atomically: true, encoding: .utf8)
        var pool = PooledDynamics(groups: [("standard scale, clipping", try LoggedRun.load(directory: dir))])
        // Median gradient 0.1: 150 > 1000 × 0.1, so the run exploded, though it never diverged.
        XCTAssertEqual(pool.aboveOne.count, 3)
        XCTAssertTrue(pool.crossedWithoutBlowUp.isEmpty)
        XCTAssertEqual(pool.explodedWithoutDiverging, ["clipped"])
        XCTAssertEqual(pool.points.map(\.group), Array(repeating: "standard scale, clipping", count: 4))
        var values = RecordedValues()
        pool.record(into: &values, prefix: "p.")
        XCTAssertEqual(values["p.exploded_not_diverged.runs"], "clipped")
        XCTAssertEqual(values["p.above_1_no_blow_up"], "0")
        // Below the factor (99 < 100) the same run is a calm crossing.
        pool = PooledDynamics(runs: try LoggedRun.load(directory: dir).map { r in
            var r = r
            r.iterations = r.iterations.map { rec in
                var rec = rec
                if rec.double("max_gradient_norm") == 150 { rec["max_gradient_norm"] = .number(99) }
                return rec
            }
            return r
        })
        XCTAssertEqual(pool.crossedWithoutBlowUp.count, 3)
        XCTAssertEqual(PooledDynamics.family(of: try LoggedRun.load(directory: dir)[0]), "clipping")
    }

    /// A divergence detected a few steps after the gradient spiked: the record just before it already
    /// holds the blow-up (ρ(J) in the thousands), so the mark goes back to the last record whose
    /// largest gradient stayed within 10 × the run's median, and moves forward if the factor is not met.
    func testDivergenceMarkSkipsTheSpike() throws {
        func point(_ i: Int, _ rho: Double, _ g: Double, _ window: Double) -> PooledDynamics.Point {
            PooledDynamics.Point(run: "spiky", iteration: i, rho: rho, gradient: g, beforeDivergence: false, runDiverged: true,
                                 windowMaxGradient: window)
        }
        var p = [point(10, 0.8, 0.1, 0.15), point(20, 0.85, 0.1, 0.2), point(30, 0.9, 0.12, 0.3), point(40, 6637, 39, 36050)]
        // Median of (0.1, 0.1, 0.12, 39) is 0.11: 36050 > 1.1 is the spike, 0.3 ≤ 1.1 is not.
        XCTAssertEqual(PooledDynamics.startOfBlowUp(p, divergedAt: 41), 2)
        XCTAssertEqual(PooledDynamics.startOfBlowUp(p, divergedAt: 35), 2)
        XCTAssertNil(PooledDynamics.startOfBlowUp(p, divergedAt: 5))
        p[3].windowMaxGradient = 1.0  // within 10 × 0.11: not a spike, the last record is the start
        XCTAssertEqual(PooledDynamics.startOfBlowUp(p, divergedAt: 41), 3)
        // Every record far above the level (impossible with a median, but the walk stops at the first).
        XCTAssertEqual(PooledDynamics.startOfBlowUp([point(10, 2, 1, 1e9)], divergedAt: 11), 0)
        XCTAssertEqual(PooledDynamics.median([3, 1, 2]), 2)
        XCTAssertEqual(PooledDynamics.median([4, 1, 2, 3]), 2.5)
    }
}
