import Foundation
import XCTest
import GRUKit

/// The pen-and-paper exercises of chapters 1–4 (book/solutions.md), checked against what the library
/// computes: each closed form a student derives by hand is compared with the library's analytic
/// derivative, root finder, sensitivity recursion or projection, and, where the closed form is an
/// expansion, with the size of the error the expansion predicts.
final class DerivationTests: XCTestCase {
    /// A few (w_hh, w_hz, w_hr) with the gates on, from a seeded generator.
    static func weights(_ count: Int, seed: UInt64) -> [(wHH: Double, wHZ: Double, wHR: Double)] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in (4 * rng.nextUniform() - 1, 3 * rng.nextNormal(), 3 * rng.nextNormal()) }
    }

    // MARK: Chapter 1, exercise 5

    /// (a) f′(0) = ½ + w_hh/4 whatever the gates: against the analytic derivative and a central difference of f.
    func testChapter1SlopeAtTheOriginIgnoresTheGates() {
        var worst = 0.0
        for (wHH, wHZ, wHR) in Self.weights(20, seed: 11) {
            let gru = ScalarGRU(wHH: wHH, wHZ: wHZ, wHR: wHR)
            let formula = 0.5 + wHH / 4
            XCTAssertEqual(gru.derivative(at: 0), formula, accuracy: 1e-15)
            let eps = 1e-5
            let central = (gru(eps) - gru(-eps)) / (2 * eps)
            worst = max(worst, abs(central - formula))
        }
        // The central difference errs by f‴(0)ε²/6 (about 1e-10 here) plus rounding.
        XCTAssertLessThan(worst, 1e-8)
        print(String(format: "OK     f′(0) = ½ + w_hh/4 for 20 random gates: central difference within %.1e", worst))
    }

    /// (b) With the gates off, f(h) = (½ + w_hh/4)h − (w_hh³/48)h³ + O(h⁵); at w_hh = 2 the cubic
    /// coefficient is −1/6 and the next is +1/15 (from tanh x = x − x³/3 + 2x⁵/15 − …).
    func testChapter1CubicCoefficient() {
        for w in [1.5, 2.0, 2.5, 3.0] {
            let gru = ScalarGRU(wHH: w)
            let h = 1e-2
            let cubic = (gru(h) - (0.5 + w / 4) * h) / (h * h * h)
            // Beyond −w³/48 comes the h⁵ term over h³, ½·(2/15)(w/2)⁵h² (5e-5 at w = 3); the term after it,
            // ½·(17/315)(w/2)⁷h⁴, is below 1e-8.
            XCTAssertEqual(cubic, -w * w * w / 48, accuracy: 2 * pow(w / 2, 5) * h * h / 15, "w_hh = \(w)")
            XCTAssertEqual(cubic, -w * w * w / 48 + pow(w / 2, 5) * h * h / 15, accuracy: 1e-7, "w_hh = \(w)")
        }
        let gru = ScalarGRU(wHH: 2)
        for h in [1e-2, 3e-2, 1e-1] {
            let twoTerms = -h * h * h / 6 + h * h * h * h * h / 15
            // The next term, −½·(17/315)h⁷, bounds the error.
            XCTAssertEqual(gru(h) - h, twoTerms, accuracy: 0.03 * pow(h, 7) + 1e-17, "h = \(h)")
        }
    }

    /// (c) Just past 2 the nonzero fixed points satisfy h*² ≈ 12(w_hh − 2)/w_hh³: the library's root
    /// finder's h* against the square-root law, whose relative error shrinks in proportion to w_hh − 2.
    func testChapter1NewBranchFollowsTheSquareRootLaw() {
        var errors: [Double] = []
        for epsilon in [1e-1, 1e-2, 1e-3] {
            let w = 2 + epsilon
            let found = ScalarGRU(wHH: w).fixedPoints().map(\.h).filter { $0 > 0 }
            XCTAssertEqual(found.count, 1, "one positive fixed point at w_hh = \(w)")
            guard let hStar = found.first else { continue }
            XCTAssertEqual(tanh(w * hStar / 2), hStar, accuracy: 1e-14, "h* solves h = tanh(w_hh h/2)")
            let law = (12 * epsilon / (w * w * w)).squareRoot()
            errors.append(abs(hStar / law - 1))
            XCTAssertLessThan(abs(hStar / law - 1), epsilon, "w_hh = \(w): h* = \(hStar), law \(law)")
        }
        // The error falls about tenfold per tenfold step towards 2: the law is the leading term.
        XCTAssertLessThan(errors[2], errors[1] / 5)
        XCTAssertLessThan(errors[1], errors[0] / 5)
        print("OK     h* / √(12(w − 2)/w³) − 1 at w − 2 = 0.1, 0.01, 0.001: \(errors.map { String(format: "%.2e", $0) })")
    }

    // MARK: Chapter 2, exercise 6

    /// (a) J(0) = ½I + ¼W_hh for both cell forms and random gates: central differences of the map.
    func testChapter2JacobianAtTheOrigin() {
        var rng = SeededGenerator(seed: 23)
        for form in GRUCell.allCases {
            let n = 5
            let w = Matrix<Double>.randomNormal(rows: 3 * n, cols: n, std: 1.2, using: &rng)
            let gru = InputFreeGRU(weightHH: w, form: form)
            let formula = 0.5 * Matrix<Double>.identity(n) + 0.25 * gru.candidateBlock
            let fd = gru.finiteDifferenceJacobian(at: [Double](repeating: 0, count: n))
            XCTAssertLessThan((fd - formula).maxAbs, 1e-8, "\(form)")
        }
    }

    /// (b) At w_hh = 2 the quadratic term of f(h) − h is (w_hr/4)h² whatever w_hz: the even part of
    /// f(h) − h over h², which cancels the odd terms, leaves w_hr/4 + O(h²).
    func testChapter2TranscriticalCoefficient() {
        for (_, wHZ, wHR) in Self.weights(12, seed: 29) {
            let gru = ScalarGRU(wHH: 2, wHZ: wHZ, wHR: wHR)
            let h = 1e-3
            let even = ((gru(h) - h) + (gru(-h) + h)) / (2 * h * h)
            XCTAssertEqual(even, wHR / 4, accuracy: 1e-4 * max(1, abs(wHZ) + abs(wHR)) * max(1, abs(wHZ) + abs(wHR)),
                           "w_hz = \(wHZ), w_hr = \(wHR)")
        }
    }

    /// (c) For w_hh = 2 + ε the branch through the origin is h* ≈ −ε/w_hr: the library's root nearest
    /// the origin (other than 0) against −ε/w_hr, with a relative error of order ε.
    func testChapter2TranscriticalBranch() {
        for wHR in [1.0, -0.5, 2.0] {
            for epsilon in [1e-2, 1e-3] {
                // A grid finer than the branch's distance from 0 (|h*| ≥ 5e-4 here), so that the finder brackets it.
                let roots = ScalarGRU(wHH: 2 + epsilon, wHR: wHR).fixedPoints(gridPoints: 100_001).map(\.h).filter { $0 != 0 }
                guard let nearest = roots.min(by: { abs($0) < abs($1) }) else { return XCTFail("no branch at w_r = \(wHR)") }
                let predicted = -epsilon / wHR
                XCTAssertEqual(nearest / predicted, 1, accuracy: 20 * epsilon, "w_hr = \(wHR), ε = \(epsilon): \(nearest)")
            }
        }
    }

    // MARK: Chapter 3, exercise 6

    /// ∂h*/∂w_hh from the implicit-function theorem, for h* the positive root of h = tanh(w h/2).
    static func implicitDerivative(hStar h: Double, w: Double) -> Double {
        let sech2 = 1 - h * h   // sech²(w h*/2) = 1 − tanh² = 1 − h*²
        return (h / 2) * sech2 / (1 - (w / 2) * sech2)
    }

    /// (a) The long-horizon sensitivity ∂h_T/∂w_hh (the library's forward-mode recursion) converges to
    /// the implicit derivative of the fixed point.
    func testChapter3LongHorizonSpikeIsTheImplicitDerivative() {
        for w in [2.1, 2.5, 3.0] {
            let gru = ScalarGRU(wHH: w)
            let (h, dhdw) = gru.stateAndSensitivity(from: 0.5, steps: 20_000)
            let closed = Self.implicitDerivative(hStar: h, w: w)
            XCTAssertEqual(dhdw, closed, accuracy: 1e-9 * max(1, abs(closed)), "w_hh = \(w)")
        }
        let (h, dhdw) = ScalarGRU(wHH: 2.5).stateAndSensitivity(from: 0.5, steps: 20_000)
        print(String(format: "OK     w_hh = 2.5: h* = %.4f, ∂h_T/∂w_hh (T = 20000) = %.6f, implicit derivative %.6f",
                     h, dhdw, Self.implicitDerivative(hStar: h, w: 2.5)))
    }

    /// (b) Just past 2 the implicit derivative is about (√6/4)/√(w_hh − 2).
    func testChapter3SpikeDivergesLikeInverseSquareRoot() {
        for epsilon in [1e-3, 1e-4] {
            let w = 2 + epsilon
            guard let hStar = ScalarGRU(wHH: w).fixedPoints().map(\.h).first(where: { $0 > 0 }) else { return XCTFail("no h*") }
            let exact = Self.implicitDerivative(hStar: hStar, w: w)
            let asymptote = (6.0.squareRoot() / 4) / epsilon.squareRoot()
            XCTAssertEqual(exact / asymptote, 1, accuracy: 10 * epsilon, "w_hh = \(w)")
        }
    }

    /// (c) At w_hh = 2 from a small h_0 the sensitivity grows linearly with the horizon, s_T ≈ T·h_0/4,
    /// while T·h_0² stays small (the cubic term's correction is of that order).
    func testChapter3SensitivityGrowsWithTheHorizonAtTwo() {
        let gru = ScalarGRU(wHH: 2), h0 = 1e-4
        for steps in [10, 100, 1000] {
            let s = gru.stateAndSensitivity(from: h0, steps: steps).dhdw
            XCTAssertEqual(s / (Double(steps) * h0 / 4), 1, accuracy: 1e-3, "T = \(steps)")
        }
    }

    // MARK: Chapter 4, exercise 6

    /// (a) After P_δ every eigenvalue of J = ½I + ¼W lies in |μ| ≤ 1 − δ/4; (b) Ŵ = 3·I attains it;
    /// (c) ‖Ŵ − P_δ(Ŵ)‖_F² = Σ(σ_i − (2 − δ))₊², with σ_i from the eigenvalues of ŴᵀŴ (not the SVD).
    func testChapter4ProjectionBoundsTheJacobianAtTheOrigin() throws {
        var rng = SeededGenerator(seed: 31)
        for delta in [0.05, 0.2, 0.5, 1.0, 1.9] {
            let c = SpectralProjection.threshold(delta: delta)
            for _ in 0..<4 {
                let w = Matrix<Double>.randomNormal(rows: 6, cols: 6, std: 1.5, using: &rng)
                var projected = w
                try SpectralProjection.projectByFullSVD(&projected, threshold: c)
                let rho = try FixedPointStability.spectralRadiusAtOrigin(projected)
                XCTAssertLessThanOrEqual(rho, 1 - delta / 4 + 1e-12, "δ = \(delta)")
                let sigmas = try (w.transposed * w).symmetricEigen().values.map { max($0, 0).squareRoot() }
                let excess = sigmas.map { max($0 - c, 0) }.map { $0 * $0 }.reduce(0, +).squareRoot()
                XCTAssertEqual((w - projected).frobeniusNorm, excess, accuracy: 1e-10, "δ = \(delta)")
            }
            var scaledIdentity = 3 * Matrix<Double>.identity(4)
            try SpectralProjection.projectByFullSVD(&scaledIdentity, threshold: c)
            XCTAssertEqual(try FixedPointStability.spectralRadiusAtOrigin(scaledIdentity), 1 - delta / 4, accuracy: 1e-14)
        }
    }
}
