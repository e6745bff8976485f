#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// A fixed point h* = f(h*) of a ``ScalarGRU`` with its slope f′(h*).
public struct ScalarFixedPoint: Sendable, Equatable {
    /// The fixed point h*.
    public var h: Double
    /// The slope f′(h*), from the analytic ``ScalarGRU/derivative(at:)``: the factor by which a
    /// small perturbation of h* grows (|f′| > 1) or shrinks (|f′| < 1) per step.
    public var slope: Double
    /// Linear stability: |f′(h*)| < 1. A point with |f′(h*)| = 1 (the origin at w_hh = 2 exactly)
    /// is *not* counted as stable: linearisation cannot decide it.
    public var isStable: Bool { abs(slope) < 1 }
}

extension ScalarGRU {
    /// g(h) = f(h) − h; its zeros are the fixed points.
    @inline(__always) func residual(_ h: Double) -> Double { self(h) - h }

    /// Every fixed point h* = f(h*), sorted ascending, each with f′(h*). All lie in (−1, 1).
    ///
    /// Every fixed point lies in (−1, 1): f(h) is a convex combination of h and a tanh, so
    /// |f(h)| < |h| whenever |h| ≥ 1. The origin is always a fixed point and is included exactly.
    /// Method: g(h) = f(h) − h is sampled on `gridPoints` equally spaced points of [−1, 1];
    /// each sign change is bracketed and polished by Newton's method safeguarded by bisection
    /// (a Newton step that leaves the bracket is replaced by a bisection step) until the bracket is
    /// below 1e-15 or |g| = 0. Roots *without* a sign change (tangencies, double roots) are caught
    /// at local minima of |g| on the grid: there g′ is bracketed and its zero located by bisection,
    /// and the point is kept when |g| < `tangencyTolerance` there. Points closer than 1e-9 are merged
    /// (the origin wins, being exact).
    ///
    /// - Parameters:
    ///   - gridPoints: samples of [−1, 1] (≥ 3). Roots closer together than the grid spacing in
    ///     the same cell can be missed; 4001 separates roots ≥ 5e-4 apart.
    ///   - tangencyTolerance: how small |g| must be at a local minimum to count as a double root.
    ///     Default 1e-12, a few hundred ulps of g's rounding error near |h| ≈ 1.
    /// - Precondition: `gridPoints ≥ 3` (traps otherwise, naming it).
    /// - Returns: at least the origin; simple roots accurate to about 1e-15.
    public func fixedPoints(gridPoints: Int = 4001, tangencyTolerance: Double = 1e-12) -> [ScalarFixedPoint] {
        precondition(gridPoints >= 3, "fixedPoints: gridPoints must be ≥ 3, got \(gridPoints)")
        let n = gridPoints
        let hs = (0..<n).map { -1 + 2 * Double($0) / Double(n - 1) }
        let gs = hs.map(residual)
        var roots: [Double] = [0]
        for i in 0..<(n - 1) {
            let (a, b, ga, gb) = (hs[i], hs[i + 1], gs[i], gs[i + 1])
            if ga == 0 { roots.append(a) }
            if ga * gb < 0 { roots.append(polishBracketed(a, b, ga)) }
        }
        if gs[n - 1] == 0 { roots.append(hs[n - 1]) }
        // Tangencies: local minima of |g| with no sign change on either side.
        for i in 1..<(n - 1) where abs(gs[i]) <= abs(gs[i - 1]) && abs(gs[i]) <= abs(gs[i + 1]) {
            guard gs[i - 1] * gs[i] > 0, gs[i] * gs[i + 1] > 0 else { continue }
            if let m = minimiseAbsResidual(hs[i - 1], hs[i + 1]), abs(residual(m)) < tangencyTolerance {
                roots.append(m)
            }
        }
        roots.sort()
        var merged: [Double] = []
        for r in roots {
            if let last = merged.last, abs(r - last) < 1e-9 {
                if r == 0 { merged[merged.count - 1] = 0 }
                continue
            }
            merged.append(r)
        }
        return merged.map { ScalarFixedPoint(h: $0, slope: derivative(at: $0)) }
    }

    /// Newton on g inside the bracket [a, b] with g(a)·g(b) < 0, falling back to bisection.
    private func polishBracketed(_ a0: Double, _ b0: Double, _ ga0: Double) -> Double {
        var a = a0, b = b0, ga = ga0
        var x = (a + b) / 2
        for _ in 0..<200 {
            let gx = residual(x)
            if gx == 0 { return x }
            if (gx < 0) == (ga < 0) { a = x; ga = gx } else { b = x }
            let dg = derivative(at: x) - 1
            var next = x - gx / dg
            if !(next > a && next < b) || dg == 0 { next = (a + b) / 2 }
            if abs(next - x) <= 1e-16 * max(1, abs(x)) || b - a <= 1e-15 { return next }
            x = next
        }
        return x
    }

    /// The zero of g′ = f′ − 1 in [a, b] by bisection (where |g| has its minimum), or nil when g′
    /// does not change sign there.
    private func minimiseAbsResidual(_ a0: Double, _ b0: Double) -> Double? {
        var a = a0, b = b0
        var da = derivative(at: a) - 1
        let db = derivative(at: b) - 1
        guard da * db < 0 else { return nil }
        for _ in 0..<100 {
            let m = (a + b) / 2
            let dm = derivative(at: m) - 1
            if dm == 0 { return m }
            if (dm < 0) == (da < 0) { a = m; da = dm } else { b = m }
            if b - a < 1e-15 { break }
        }
        return (a + b) / 2
    }
}

/// One row of a bifurcation diagram: a fixed point h* at one value of w_hh.
public struct BifurcationRow: Sendable, Equatable {
    /// The value of the parameter w_hh (with w_hz, w_hr fixed by the scan).
    public var wHH: Double
    /// One fixed point at that w_hh, with its slope and stability.
    public var point: ScalarFixedPoint
}

/// Bifurcation scans of the one-dimensional GRU in its parameter w_hh.
public enum ScalarBifurcation {
    /// All fixed points of f for w_hh = a, a + step, …, ≤ b (+ rounding slack), with w_hz, w_hr fixed.
    /// w_hh is computed as a + k·step (not by accumulation), so w_hh = 2 is hit exactly when it lies
    /// on the grid. Rows are ordered by w_hh, then by h* ascending; every w_hh contributes at least
    /// the origin. Cost: one ``ScalarGRU/fixedPoints(gridPoints:tangencyTolerance:)`` per w_hh.
    ///
    /// - Precondition: `step > 0` and `b ≥ a` (traps otherwise); `gridPoints ≥ 3`.
    public static func scan(from a: Double, to b: Double, step: Double, wHZ: Double = 0, wHR: Double = 0,
                            gridPoints: Int = 4001) -> [BifurcationRow] {
        precondition(step > 0 && b >= a, "ScalarBifurcation.scan: need step > 0 and b ≥ a")
        let count = Int(((b - a) / step + 1e-9).rounded(.down)) + 1
        var rows: [BifurcationRow] = []
        for k in 0..<count {
            let w = a + Double(k) * step
            for p in ScalarGRU(wHH: w, wHZ: wHZ, wHR: wHR).fixedPoints(gridPoints: gridPoints) {
                rows.append(BifurcationRow(wHH: w, point: p))
            }
        }
        return rows
    }

    /// The w_hh ∈ [a, b] at which the origin's slope f′(0) crosses 1, located by bisection on
    /// the analytic derivative f′(0; w_hh) − 1 (not the closed form ½ + w_hh/4, so that it checks
    /// it). Since f′(0) = ½ + w_hh/4 for every w_hz, w_hr, the answer is 2 whenever 2 ∈ [a, b].
    ///
    /// - Precondition: a ≤ b, both finite.
    /// - Returns: the crossing to within 1e-14, or nil when f′(0) − 1 has the same non-zero sign
    ///   at a and b (no crossing in [a, b]).
    public static func originLosesStability(in a: Double, _ b: Double, wHZ: Double = 0, wHR: Double = 0) -> Double? {
        func s(_ w: Double) -> Double { ScalarGRU(wHH: w, wHZ: wHZ, wHR: wHR).derivative(at: 0) - 1 }
        var lo = a, hi = b
        var slo = s(lo)
        guard slo * s(hi) <= 0 else { return nil }
        while hi - lo > 1e-14 {
            let m = (lo + hi) / 2, sm = s(m)
            if (sm < 0) == (slo < 0) { lo = m; slo = sm } else { hi = m }
        }
        return (lo + hi) / 2
    }
}
