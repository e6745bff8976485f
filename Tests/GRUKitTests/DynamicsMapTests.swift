import XCTest
import Foundation
@testable import GRUKit

/// The N-dimensional input-free GRU map: analytic Jacobian, the theorem J(0) = ½I + ¼W_hh, fixed points.
final class DynamicsMapTests: XCTestCase {
    func randomGRU(_ h: Int, form: GRUCell, std: Double, seed: UInt64) -> InputFreeGRU {
        var rng = SeededGenerator(seed: seed)
        return InputFreeGRU(weightHH: .randomNormal(rows: 3 * h, cols: h, std: std, using: &rng), form: form)
    }

    func testAnalyticJacobianMatchesCentralDifferences() {
        for form in GRUCell.allCases {
            for (h, seed) in [(1, 3), (4, 5), (9, 7)] {
                let gru = randomGRU(h, form: form, std: 1.2, seed: UInt64(seed))
                var rng = SeededGenerator(seed: UInt64(seed) + 100)
                for _ in 0..<3 {
                    let x = (0..<h).map { _ in rng.nextUniform(in: -1..<1) }
                    Oracle.check("\(form.rawValue) H=\(h) ∂F/∂h vs central differences",
                                 gru.jacobian(at: x), gru.finiteDifferenceJacobian(at: x), tolerance: 1e-8)
                }
            }
        }
    }

    func testJacobianAtOriginIsHalfIPlusQuarterW() {
        for form in GRUCell.allCases {
            let gru = randomGRU(12, form: form, std: 1.0, seed: 11)
            let zero = [Double](repeating: 0, count: 12)
            XCTAssertEqual(gru(zero), zero, "F(0) = 0")
            Oracle.check("\(form.rawValue) J(0) = ½I + ¼W_hh (analytic)", gru.jacobian(at: zero),
                         FixedPointStability.jacobianAtOrigin(gru.candidateBlock), tolerance: 1e-15)
            Oracle.check("\(form.rawValue) J(0) = ½I + ¼W_hh (finite differences)", gru.finiteDifferenceJacobian(at: zero),
                         FixedPointStability.jacobianAtOrigin(gru.candidateBlock), tolerance: 1e-9)
        }
    }

    func testResetBeforeAndAfterDifferAwayFromOrigin() {
        // The two forms are different maps (else the form switch would be untested).
        let a = randomGRU(5, form: .resetBefore, std: 1, seed: 2), b = InputFreeGRU(weightHH: a.weightHH, form: .resetAfter)
        let x = [0.3, -0.5, 0.2, 0.7, -0.1]
        XCTAssertGreaterThan(zip(a(x), b(x)).map { abs($0 - $1) }.max()!, 1e-3)
    }

    func testOneDimensionalMapAgreesWithScalarGRU() {
        let w = Matrix<Double>([[0.7], [-0.4], [2.6]])   // w_hr, w_hz, w_hh
        let gru = InputFreeGRU(weightHH: w, form: .resetBefore), s = ScalarGRU(wHH: 2.6, wHZ: -0.4, wHR: 0.7)
        for h in stride(from: -0.9, through: 0.9, by: 0.3) {
            XCTAssertEqual(gru([h])[0], s(h), accuracy: 1e-15)
            XCTAssertEqual(gru.jacobian(at: [h])[0, 0], s.derivative(at: h), accuracy: 1e-15)
        }
    }

    /// W_hh = 2.5·u uᵀ with W_hz = W_hr = 0: the fixed points are h = tanh(c u) where c solves
    /// c = 1.25·Σ u_i tanh(c u_i) (odd, concave for c > 0, slope 1.25 at 0): exactly 0 and ±c*.
    func testFinderFindsPitchforkPointsOfRankOneMatrix() {
        for form in GRUCell.allCases {
            for useBasisVector in [true, false] {
                let n = 6
                var u = [Double](repeating: 0, count: n)
                if useBasisVector { u[2] = 1 } else {
                    var rng = SeededGenerator(seed: 21)
                    u = (0..<n).map { _ in rng.nextNormal() }
                    let norm = sqrt(u.reduce(0) { $0 + $1 * $1 }); u = u.map { $0 / norm }
                }
                var whh = Matrix<Double>(rows: n, cols: n)
                for i in 0..<n { for j in 0..<n { whh[i, j] = 2.5 * u[i] * u[j] } }
                let zero = Matrix<Double>(rows: n, cols: n)
                let gru = InputFreeGRU(reset: zero, update: zero, candidate: whh, form: form)
                // Oracle: bisection on c − 1.25 Σ u_i tanh(c u_i) over c ∈ [1e-3, 10].
                var lo = 1e-3, hi = 10.0
                for _ in 0..<200 {
                    let c = (lo + hi) / 2
                    let v = c - 1.25 * zip(u, u).reduce(0) { $0 + $1.0 * tanh(c * $1.1) }
                    if v < 0 { lo = c } else { hi = c }
                }
                let hStar = u.map { tanh((lo + hi) / 2 * $0) }
                let fps = gru.fixedPoints(starts: 60, seed: 4)
                XCTAssertEqual(fps.count, 3, "\(form.rawValue): expected 0 and ±h*, got \(fps.map(\.h))")
                guard fps.count == 3 else { continue }
                XCTAssertEqual(fps[0].norm, 0, accuracy: 1e-14)
                XCTAssertFalse(fps[0].isStable)
                XCTAssertEqual(fps[0].spectralRadius, 0.5 + 2.5 / 4, accuracy: 1e-12, "ρ(J(0)) = ½ + 2.5/4")
                let pair = fps[1].h[u.firstIndex { $0 != 0 }!] * u[u.firstIndex { $0 != 0 }!] > 0 ? (fps[1], fps[2]) : (fps[2], fps[1])
                Oracle.check("\(form.rawValue) +h* (basis u: \(useBasisVector))", pair.0.h, hStar, tolerance: 1e-12)
                Oracle.check("\(form.rawValue) −h*", pair.1.h, hStar.map { -$0 }, tolerance: 1e-12)
                XCTAssertTrue(pair.0.isStable && pair.1.isStable)
                if useBasisVector { XCTAssertEqual(abs(pair.0.h[2]), 0.7104, accuracy: 5e-5, "the-paper §2: w_hh = 2.5 → ±0.7104") }
            }
        }
    }

    func testFinderOnlyFindsOriginForSmallRandomWeights() {
        // Small weights (‖W_hh‖₂ < 2): the finder reports only the stable origin, and — as an independent
        // check — trajectories from random starts all converge to it.
        var rng = SeededGenerator(seed: 8)
        let gru = InputFreeGRU(weightHH: .randomNormal(rows: 15, cols: 5, std: 0.15, using: &rng))
        XCTAssertLessThan(try gru.candidateBlock.spectralNorm(), 2)
        let fps = gru.fixedPoints(starts: 40, seed: 1)
        XCTAssertEqual(fps.count, 1)
        XCTAssertTrue(fps[0].isStable)
        XCTAssertEqual(fps[0].norm, 0, accuracy: 1e-14)
        for _ in 0..<10 {
            let end = gru.trajectory(from: (0..<5).map { _ in rng.nextUniform(in: -1..<1) }, steps: 300).last!
            XCTAssertLessThan(end.map(abs).max()!, 1e-6)
        }
    }
}
