import XCTest
import GRUKit

/// The one-unit GRU map: its analytic derivatives against central finite differences in Double,
/// and the closed form f′(0) = ½ + w_hh/4.
final class ScalarGRUDerivativeTests: XCTestCase {
    /// Weight triples (w_hh, w_hz, w_hr), gates on and off, both signs.
    static let weights: [(Double, Double, Double)] = [(1.5, 0, 0), (2.5, 0, 0), (2.0, 0.7, -1.3), (-3, 2.2, 0.9), (4, -1.5, 2.5)]
    static let states: [Double] = stride(from: -1.5, through: 1.5, by: 0.125).map { $0 }

    /// Central difference (f(h+ε) − f(h−ε)) / 2ε has error ≈ ε²|f‴|/6 + ε_mach|f|/ε ≈ 1e-10 for
    /// ε = 1e-5 and these smooth, O(1) functions; 1e-8 leaves a wide margin yet catches any wrong term
    /// (a missing gate-derivative term is of order 0.1).
    func testDerivativeMatchesCentralDifferences() {
        let eps = 1e-5
        for (wHH, wHZ, wHR) in Self.weights {
            let f = ScalarGRU(wHH: wHH, wHZ: wHZ, wHR: wHR)
            let analytic = Self.states.map { f.derivative(at: $0) }
            let numeric = Self.states.map { (f($0 + eps) - f($0 - eps)) / (2 * eps) }
            Oracle.check("f′(h), w = (\(wHH), \(wHZ), \(wHR))", analytic, numeric, tolerance: 1e-8)
        }
    }

    func testDerivativeWithRespectToWHHMatchesCentralDifferences() {
        let eps = 1e-5
        for (wHH, wHZ, wHR) in Self.weights {
            let f = ScalarGRU(wHH: wHH, wHZ: wHZ, wHR: wHR)
            let analytic = Self.states.map { f.derivativeWithRespectToWHH(at: $0) }
            let numeric = Self.states.map { h in
                (ScalarGRU(wHH: wHH + eps, wHZ: wHZ, wHR: wHR)(h) - ScalarGRU(wHH: wHH - eps, wHZ: wHZ, wHR: wHR)(h)) / (2 * eps)
            }
            Oracle.check("∂f/∂w_hh, w = (\(wHH), \(wHZ), \(wHR))", analytic, numeric, tolerance: 1e-8)
        }
    }

    /// At the origin both gates are ½, so f′(0) = ½ + w_hh/4 whatever w_hz and w_hr: exactly, since
    /// every other term is multiplied by h = 0 or c = tanh(0) = 0 and the rest are powers of two.
    func testSlopeAtOriginIsExactlyHalfPlusQuarterWHH() {
        for w in [-6.0, -1, 0, 1.5, 2, 2.5, 3, 1.0 / 3, 7.123456789] {
            for (wHZ, wHR) in [(0.0, 0.0), (0.7, -1.3), (-2, 5)] {
                let f = ScalarGRU(wHH: w, wHZ: wHZ, wHR: wHR)
                XCTAssertEqual(f.derivative(at: 0), 0.5 + w / 4, "w_hh = \(w), w_hz = \(wHZ), w_hr = \(wHR)")
                XCTAssertEqual(f.slopeAtOrigin, 0.5 + w / 4)
            }
        }
    }

    /// The map itself against its definition with gates off: f(h) = ½h + ½tanh(w_hh h/2), and a
    /// trajectory is h_0 followed by repeated application.
    func testMapAndTrajectory() {
        let f = ScalarGRU(wHH: 2.5)
        for h in Self.states {
            XCTAssertEqual(f(h), 0.5 * h + 0.5 * tanh(2.5 * h / 2), accuracy: 1e-15)
        }
        let path = f.trajectory(from: 0.3, steps: 3)
        XCTAssertEqual(path, [0.3, f(0.3), f(f(0.3)), f(f(f(0.3)))])
        XCTAssertEqual(f.trajectory(from: 0.3, steps: 0), [0.3])
    }
}
