import CLAPACK
#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// A fixed point h* = F(h*) of an ``InputFreeGRU`` with its linearisation.
public struct GRUFixedPoint: Sendable {
    /// The fixed point h*, H entries, each in (−1, 1).
    public var h: [Double]
    /// ‖F(h*) − h*‖₂ at the returned point (< the finder's tolerance).
    public var residual: Double
    /// The H eigenvalues of the Jacobian ∂F/∂h(h*) (LAPACK xGEEV, LAPACK's order); empty in the
    /// (unexpected) case that LAPACK failed on it.
    public var eigenvalues: [ComplexValue<Double>]
    /// The spectral radius ρ(∂F/∂h(h*)) = max |λ_i| over ``eigenvalues``; NaN when they are empty.
    public var spectralRadius: Double
    /// ‖h*‖₂.
    public var norm: Double { h.reduce(0) { $0 + $1 * $1 }.squareRoot() }
    /// Linear stability: ρ < 1 (perturbations shrink geometrically). ρ = 1 (e.g. the origin at the
    /// bifurcation) is *not* counted as stable: linearisation cannot decide it; NaN is not stable.
    public var isStable: Bool { spectralRadius < 1 }
}

/// Solves A x = b (A n×n row-major) by LAPACK xGESV (LU with partial pivoting).
/// Returns nil when A is exactly singular or not finite.
func solveLinearSystem(_ a: Matrix<Double>, _ b: [Double]) -> [Double]? {
    let n = a.rows
    guard a.isFinite, b.allSatisfy(\.isFinite) else { return nil }
    var m = a.elements, x = b
    var piv = [Int32](repeating: 0, count: n)
    let info = m.withUnsafeMutableBufferPointer { pm in
        x.withUnsafeMutableBufferPointer { px in
            piv.withUnsafeMutableBufferPointer { pp in
                LAPACKE_dgesv(LAPACK_ROW_MAJOR, Int32(n), 1, pm.baseAddress!, Int32(n), pp.baseAddress!, px.baseAddress!, 1)
            }
        }
    }
    return info == 0 ? x : nil
}

extension InputFreeGRU {
    /// Options of ``fixedPoints(starts:seed:tolerance:)``.
    ///
    /// Every fixed point lies in (−1, 1)^H (each F_i is a convex combination of h_i and a tanh).
    /// Starts: the origin, `starts` points uniform in (−1, 1)^H, and the end points of `starts`/4
    /// trajectories of 200 steps (which land on the attractors).
    /// Each start takes up to 100 Levenberg–Marquardt steps on q(h) = ½‖F(h) − h‖² with the analytic
    /// Jacobian R = ∂F/∂h − I: (RᵀR + λI) δ = −Rᵀr, λ halved on success and multiplied by 4 on failure;
    /// then up to 30 Newton steps R δ = −r. A point is kept when ‖F(h) − h‖₂ < `tolerance`
    /// (default 1e-12: Newton converges quadratically, so a true root reaches ~1e-16); points within
    /// 1e-7 of each other, or joined by a segment along which ‖F(h) − h‖ stays below the tolerance
    /// (a degenerate root), are merged. Local minima of q with q > 0 are discarded.
    /// Roots whose basin (of LM) is not hit by any start can be missed: more starts, more certainty.
    ///
    /// Deterministic for a given `seed`. Cost: about 1.25·`starts` solves, each up to a few
    /// thousand H×H linear solves, so keep H small (this is an analysis tool, not a training one).
    ///
    /// - Parameters:
    ///   - starts: the number of random starts (≥ 0); 0 still tries the origin and one trajectory end.
    ///   - seed: the seed of the random starts.
    ///   - tolerance: the largest ‖F(h*) − h*‖₂ accepted (> 0).
    /// - Returns: the distinct fixed points sorted by ‖h*‖₂, then lexicographically, each with its
    ///   residual and Jacobian eigenvalues. Without biases the origin is always first: F(0) = 0
    ///   exactly. With biases (``hasBiases``) the origin is in general not among them; the list is
    ///   never empty in practice (F maps the closed cube [−1, 1]^H into itself, so Brouwer gives a
    ///   fixed point), but a start that does not converge is simply dropped.
    public func fixedPoints(starts: Int = 200, seed: UInt64 = 1, tolerance: Double = 1e-12) -> [GRUFixedPoint] {
        let n = hiddenSize
        var rng = SeededGenerator(seed: seed)
        var seeds: [[Double]] = [[Double](repeating: 0, count: n)]
        for _ in 0..<starts { seeds.append((0..<n).map { _ in rng.nextUniform(in: -0.999..<0.999) }) }
        for _ in 0..<max(1, starts / 4) {
            let h0 = (0..<n).map { _ in rng.nextUniform(in: -0.999..<0.999) }
            seeds.append(trajectory(from: h0, steps: 200).last!)
        }
        var found: [[Double]] = []
        for s in seeds {
            guard let h = solveFixedPoint(from: s, tolerance: tolerance) else { continue }
            if let i = found.firstIndex(where: { sameFixedPoint($0, h, tolerance: tolerance) }) {
                // Keep the representative with the smaller residual (the exact origin wins).
                if residualNorm(h) < residualNorm(found[i]) { found[i] = h }
                continue
            }
            found.append(h)
        }
        found.sort { a, b in
            let na = a.reduce(0) { $0 + $1 * $1 }, nb = b.reduce(0) { $0 + $1 * $1 }
            return na != nb ? na < nb : a.lexicographicallyPrecedes(b)
        }
        return found.map { h in
            let ev = (try? jacobian(at: h).eigenvalues()) ?? []
            return GRUFixedPoint(h: h, residual: residualNorm(h), eigenvalues: ev,
                                 spectralRadius: ev.map(\.magnitude).max() ?? .nan)
        }
    }

    /// Whether two converged points are one fixed point: closer than 1e-7, or joined by a segment
    /// on which F(h) − h stays below the tolerance (checked at ¼, ½, ¾). The second test merges the
    /// cloud of points that all pass the tolerance around a degenerate root (where ∂F/∂h − I is
    /// singular, e.g. the origin at ρ(J) = 1, the residual grows only like ‖h − h*‖³).
    func sameFixedPoint(_ a: [Double], _ b: [Double], tolerance: Double) -> Bool {
        if zip(a, b).map({ abs($0 - $1) }).max()! < 1e-7 { return true }
        return [0.25, 0.5, 0.75].allSatisfy { t in residualNorm(zip(a, b).map { $0 + t * ($1 - $0) }) < tolerance }
    }

    /// The fixed-point residual ‖F(h) − h‖₂ (0 exactly at a fixed point, up to rounding).
    ///
    /// - Precondition: `h.count == hiddenSize`.
    public func residualNorm(_ h: [Double]) -> Double {
        let f = self(h)
        return zip(f, h).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
    }

    /// LM then Newton from one start; nil unless it converges to ‖F(h) − h‖ < tolerance.
    func solveFixedPoint(from start: [Double], tolerance: Double) -> [Double]? {
        let n = hiddenSize
        var h = start, lambda = 1e-3
        var q = residualNorm(h)
        func residualJacobian(_ h: [Double]) -> ([Double], Matrix<Double>) {
            var j = jacobian(at: h)
            for i in 0..<n { j[i, i] -= 1 }
            let f = self(h)
            return ((0..<n).map { f[$0] - h[$0] }, j)
        }
        for _ in 0..<100 where q >= tolerance * 1e-2 {
            let (r, j) = residualJacobian(h)
            var jtj = j.multiplied(by: j, transposeSelf: true)
            let g = j.multiplied(by: r, transposeSelf: true)
            var improved = false
            for _ in 0..<20 {
                for i in 0..<n { jtj[i, i] += lambda }
                let delta = solveLinearSystem(jtj, g.map { -$0 })
                for i in 0..<n { jtj[i, i] -= lambda }
                if let d = delta {
                    let trial = zip(h, d).map { $0 + $1 }
                    let qt = residualNorm(trial)
                    if qt < q { h = trial; q = qt; lambda = max(lambda / 2, 1e-12); improved = true; break }
                }
                lambda *= 4
            }
            if !improved { break }
        }
        for _ in 0..<30 {
            if q < tolerance * 1e-3 { break }
            let (r, j) = residualJacobian(h)
            guard let d = solveLinearSystem(j, r.map { -$0 }) else { break }
            let trial = zip(h, d).map { $0 + $1 }
            let qt = residualNorm(trial)
            if !(qt < q) { break }
            h = trial; q = qt
        }
        return q < tolerance && h.allSatisfy({ abs($0) < 1 }) ? h : nil
    }
}
