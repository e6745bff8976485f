import XCTest
import Foundation
@testable import GRUKit

/// Fixed points, bifurcations and the exact w_hh-derivative of the one-dimensional GRU.
final class DynamicsScalarTests: XCTestCase {
    /// Positive root of h = tanh(w h / 2) by plain bisection on [1e-6, 1]: an oracle written
    /// independently of the library's root finder (valid for w > 2, where it is the only positive root).
    func pitchforkBranch(_ w: Double) -> Double {
        var lo = 1e-6, hi = 1.0
        for _ in 0..<200 {
            let m = (lo + hi) / 2
            if m - tanh(w * m / 2) < 0 { lo = m } else { hi = m }
        }
        return (lo + hi) / 2
    }

    func testPitchforkBranchesMatchBisectionAndNotes() {
        for (w, notes) in [(2.5, 0.7104), (3.0, 0.8586), (4.0, 0.9575)] {
            let fps = ScalarGRU(wHH: w).fixedPoints()
            XCTAssertEqual(fps.count, 3, "w_hh = \(w): expected −h*, 0, +h*")
            let oracle = pitchforkBranch(w)
            Oracle.check("w_hh=\(w) branches ±h* vs bisection", fps.map(\.h), [-oracle, 0, oracle], tolerance: 1e-13)
            XCTAssertEqual(oracle, notes, accuracy: 5e-5, "the-paper §2 value at w_hh = \(w)")
            XCTAssertEqual(fps.map(\.isStable), [true, false, true])
            XCTAssertEqual(fps[1].h, 0, "origin included exactly")
        }
    }

    func testNoNonzeroFixedPointBelowTwoAndOriginStableIffBelowTwo() {
        for row in ScalarBifurcation.scan(from: 0, to: 1.99, step: 0.01) {
            XCTAssertEqual(row.point.h, 0, "w_hh = \(row.wHH): nonzero fixed point \(row.point.h)")
            XCTAssertTrue(row.point.isStable)
        }
        XCTAssertEqual(ScalarGRU(wHH: 2).fixedPoints().map(\.h), [0], "w_hh = 2: only the (marginal) origin")
        XCTAssertFalse(ScalarGRU(wHH: 2).fixedPoints()[0].isStable, "f′(0) = 1 exactly: not linearly stable")
        for w in stride(from: 2.01, through: 4, by: 0.01) {
            let origin = ScalarGRU(wHH: w).fixedPoints().first { $0.h == 0 }!
            XCTAssertFalse(origin.isStable, "w_hh = \(w)")
        }
        let crossing = ScalarBifurcation.originLosesStability(in: 0, 4)!
        XCTAssertEqual(crossing, 2, accuracy: 1e-12)
    }

    func testTranscriticalWithResetWeightOne() {
        // w_hr = 1: the nonzero branch passes through the origin at w_hh = 2 and exchanges stability.
        for w in [1.6, 1.8, 1.95, 2.05, 2.2, 2.5, 3.0] {
            let g = ScalarGRU(wHH: w, wHR: 1)
            let fps = g.fixedPoints()
            let nonzero = fps.filter { $0.h != 0 }
            // Independent check: every grid cell's sign change of h − tanh(w σ(h) h) is a found root.
            var expected = 0
            let n = 20000
            var prev = -1.0 - tanh(w / (1 + exp(1.0)) * -1)
            for k in 1...n {
                let h = -1 + 2 * Double(k) / Double(n)
                let v = h - tanh(w / (1 + exp(-h)) * h)
                if prev * v < 0 && abs(h) > 1e-3 { expected += 1 }
                prev = v
            }
            XCTAssertEqual(nonzero.count, expected, "w_hh = \(w): nonzero fixed points")
            for p in nonzero {
                XCTAssertEqual(p.h, tanh(w / (1 + exp(-p.h)) * p.h), accuracy: 1e-14)
                // Transcritical: below 2 the nonzero point is unstable, above 2 it is stable.
                if abs(p.h) < 0.5 { XCTAssertEqual(p.isStable, w > 2, "w_hh = \(w), h* = \(p.h)") }
            }
            XCTAssertEqual(fps.first { $0.h == 0 }!.isStable, w < 2)
        }
        // The branch changes side: positive below 2, negative above.
        XCTAssertTrue(ScalarGRU(wHH: 1.9, wHR: 1).fixedPoints().contains { $0.h > 0 && $0.h < 0.5 })
        XCTAssertTrue(ScalarGRU(wHH: 2.1, wHR: 1).fixedPoints().contains { $0.h < 0 && $0.h > -0.5 })
    }

    func testSlopeAtFixedPointsMatchesFiniteDifferences() {
        var got: [Double] = [], fd: [Double] = []
        for (w, wz, wr) in [(2.5, 0.0, 0.0), (3.5, 0.7, -0.4), (2.3, -1.0, 1.0), (4.0, 2.0, 0.5)] {
            let g = ScalarGRU(wHH: w, wHZ: wz, wHR: wr)
            for p in g.fixedPoints() {
                XCTAssertEqual(g(p.h), p.h, accuracy: 1e-15)
                let e = 1e-6
                got.append(p.slope); fd.append((g(p.h + e) - g(p.h - e)) / (2 * e))
            }
        }
        Oracle.check("f′(h*) vs central differences", got, fd, tolerance: 1e-9)
    }

    func testTangencyIsCaught() {
        // With w_hr = 1 the nonzero fixed points satisfy w_hh = W(h) := atanh(h) / (σ(h) h). W has a
        // minimum at some h_m ∈ (0, 1): at w_hh = W(h_m) two roots merge (a saddle-node), g = f − h
        // touches 0 without changing sign. Locate h_m by golden-section search on W (independent of the
        // library) and check the finder reports that double root.
        func bigW(_ h: Double) -> Double { atanh(h) * (1 + exp(-h)) / h }
        var a = 0.05, b = 0.99
        let phi = (sqrt(5.0) - 1) / 2
        for _ in 0..<200 {
            let c = b - phi * (b - a), d = a + phi * (b - a)
            if bigW(c) < bigW(d) { b = d } else { a = c }
        }
        let hm = (a + b) / 2, wm = bigW(hm)
        let g = ScalarGRU(wHH: wm, wHR: 1)
        XCTAssertLessThan(abs(g(hm) - hm), 1e-14, "the oracle's point is a root")
        XCTAssertLessThan(g(hm - 0.01) - (hm - 0.01), 0, "no sign change: g < 0 on both sides")
        XCTAssertLessThan(g(hm + 0.01) - (hm + 0.01), 0)
        let fps = g.fixedPoints()
        let hit = fps.first { abs($0.h - hm) < 1e-6 }
        XCTAssertNotNil(hit, "double root at h = \(hm), w_hh = \(wm) not found among \(fps.map(\.h))")
        if let hit { XCTAssertEqual(hit.slope, 1, accuracy: 1e-6, "f′ = 1 at a saddle-node") }
        // Just above the fold the two roots are separate and both found by sign changes.
        XCTAssertEqual(ScalarGRU(wHH: wm + 1e-3, wHR: 1).fixedPoints().filter { $0.h > 0 }.count, 2)
        XCTAssertEqual(ScalarGRU(wHH: wm - 1e-3, wHR: 1).fixedPoints().filter { $0.h > 0 }.count, 0)
    }

    func testSensitivityMatchesFiniteDifferences() {
        var got: [Double] = [], fd: [Double] = []
        for (w, t) in [(0.5, 5), (1.5, 20), (2.4, 20), (3.0, 100), (1.0, 1), (2.8, 7)] {
            for (wz, wr) in [(0.0, 0.0), (0.6, -0.8)] {
                let e = 1e-6
                let s = ScalarGRU(wHH: w, wHZ: wz, wHR: wr).stateAndSensitivity(from: 0.1, steps: t)
                let p = ScalarGRU(wHH: w + e, wHZ: wz, wHR: wr).stateAndSensitivity(from: 0.1, steps: t).h
                let m = ScalarGRU(wHH: w - e, wHZ: wz, wHR: wr).stateAndSensitivity(from: 0.1, steps: t).h
                XCTAssertEqual(s.h, ScalarGRU(wHH: w, wHZ: wz, wHR: wr).trajectory(from: 0.1, steps: t).last!, accuracy: 1e-15)
                got.append(s.dhdw); fd.append((p - m) / (2 * e))
            }
        }
        Oracle.check("∂h_T/∂w_hh forward mode vs central differences", got, fd, tolerance: 1e-7, floor: 1e-3)
    }

    func testGradientSpikePeaks() {
        // the-paper §2 (h_0 = 0.1): peak |∂h_T/∂w_hh| ≈ 1.22 at 2.36 (T = 20), 3.07 at 2.05 (T = 100),
        // 7.38 at 2.00 (T = 1000). The T = 1000 value is the value *at* w_hh = 2.00 on a 0.01 grid;
        // the spike there is only ~0.01 wide and a fine scan finds the true peak 8.03 at w_hh ≈ 2.0027.
        for (t, wPeak, height) in [(20, 2.364, 1.2225), (100, 2.0512, 3.0714), (1000, 2.0027, 8.0280)] {
            let p = GradientSpike.peak(steps: t)
            print("T = \(t): peak |∂h_T/∂w_hh| = \(p.value) at w_hh = \(p.wHH)")
            XCTAssertEqual(p.wHH, wPeak, accuracy: 2e-4, "T = \(t): peak location")
            XCTAssertEqual(p.value, height, accuracy: 2e-4, "T = \(t): peak height")
        }
        // The rounded values of the-paper §2 as seen on a 0.01 grid.
        for (t, w, notes) in [(20, 2.36, 1.22), (100, 2.05, 3.07), (1000, 2.00, 7.38)] {
            let v = abs(ScalarGRU(wHH: w).stateAndSensitivity(from: 0.1, steps: t).dhdw)
            XCTAssertEqual(v, notes, accuracy: 0.006, "T = \(t) at w_hh = \(w)")
        }
    }
}
