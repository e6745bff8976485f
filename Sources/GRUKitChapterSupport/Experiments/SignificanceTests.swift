import Foundation

/// The two tests the training chapters put beside a comparison of two methods over seeds: Fisher's
/// exact test for counts ("trained" against "did not train") and Welch's t-test for the final
/// metric of the seeds that trained. Both are two-sided; both say how little three seeds can show
/// (with 3 seeds against 3 the smallest possible Fisher p is 0.1).
package enum SignificanceTests {
    /// Fisher's exact test of a 2×2 table
    ///
    ///     | a  b |   (row 1: method A's seeds that trained, did not)
    ///     | c  d |   (row 2: method B's)
    ///
    /// two-sided: the sum of the hypergeometric probabilities P(X = x) of every table with the same
    /// margins that is no more likely than the observed one, P(X = x) = C(a+b, x) C(c+d, a+c−x) / C(n, a+c).
    /// Tables within a relative 10⁻⁷ of the observed probability count as equally likely (R's
    /// `fisher.test` rule), so ties are not lost to rounding.
    /// - Returns: p in [0, 1]; 1 when a row or a column is empty (nothing to compare).
    package static func fisherExact(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> Double {
        precondition(a >= 0 && b >= 0 && c >= 0 && d >= 0, "fisherExact: counts must be non-negative")
        let row1 = a + b, col1 = a + c, n = a + b + c + d
        guard row1 > 0, row1 < n, col1 > 0, col1 < n else { return 1 }
        func logChoose(_ n: Int, _ k: Int) -> Double { lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1)) }
        func logP(_ x: Int) -> Double { logChoose(row1, x) + logChoose(n - row1, col1 - x) - logChoose(n, col1) }
        let lo = max(0, col1 - (n - row1)), hi = min(row1, col1)
        let observed = logP(a)
        var p = 0.0
        for x in lo ... hi {
            let lp = logP(x)
            if lp <= observed + 1e-7 { p += exp(lp) }   // log(1 + 10⁻⁷) ≈ 10⁻⁷
        }
        return min(1, p)
    }

    /// Welch's t-test of two samples with unequal variances: t = (x̄ − ȳ) / √(s²ₓ/m + s²ᵧ/n), with the
    /// Welch–Satterthwaite degrees of freedom ν = (s²ₓ/m + s²ᵧ/n)² / ((s²ₓ/m)²/(m−1) + (s²ᵧ/n)²/(n−1)),
    /// and the two-sided p = I_{ν/(ν+t²)}(ν/2, ½) (the regularized incomplete beta function).
    /// - Returns: nil when a sample has fewer than two finite values, or both have no spread.
    package static func welch(_ x: [Double], _ y: [Double]) -> (t: Double, degreesOfFreedom: Double, p: Double)? {
        let x = x.filter(\.isFinite), y = y.filter(\.isFinite)
        guard x.count >= 2, y.count >= 2 else { return nil }
        func meanVar(_ v: [Double]) -> (Double, Double) {
            let m = v.reduce(0, +) / Double(v.count)
            return (m, v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count - 1))
        }
        let (mx, vx) = meanVar(x), (my, vy) = meanVar(y)
        let sx = vx / Double(x.count), sy = vy / Double(y.count), se2 = sx + sy
        guard se2 > 0 else { return nil }
        let t = (mx - my) / se2.squareRoot()
        let dx: Double = sx * sx / Double(x.count - 1), dy: Double = sy * sy / Double(y.count - 1)
        let nu: Double = se2 * se2 / (dx + dy)
        let p = regularizedIncompleteBeta(nu / (nu + t * t), a: nu / 2, b: 0.5)
        return (t, nu, min(1, max(0, p)))
    }

    /// The regularized incomplete beta function I_x(a, b) = B(x; a, b) / B(a, b) for 0 ≤ x ≤ 1,
    /// a, b > 0, by Lentz's continued fraction (the form of Press et al., *Numerical Recipes*, §6.4),
    /// using the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges slowly.
    /// Relative accuracy about 10⁻¹² (at most 300 terms, each to 3·10⁻¹⁶).
    package static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logFront: Double = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(1 - x)
        if x > (a + 1) / (a + b + 2) { return 1 - regularizedIncompleteBeta(1 - x, a: b, b: a) }
        let tiny = 1e-300
        var c = 1.0, d: Double = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1 ... 300 {
            let m = Double(m)
            // Even step: d_{2m} = m(b − m)x / ((a + 2m − 1)(a + 2m)).
            var num: Double = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + num * d; if abs(d) < tiny { d = tiny }
            c = 1 + num / c; if abs(c) < tiny { c = tiny }
            d = 1 / d; h *= d * c
            // Odd step: d_{2m+1} = −(a + m)(a + b + m)x / ((a + 2m)(a + 2m + 1)).
            num = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + num * d; if abs(d) < tiny { d = tiny }
            c = 1 + num / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 3e-16 { break }
        }
        return exp(logFront) * h / a
    }

    /// "p = 0.10" style: two significant digits, "p < 0.001" below that.
    package static func text(_ p: Double) -> String {
        p < 0.001 ? "p < 0.001" : String(format: "p = %.2g", p)
    }
}
