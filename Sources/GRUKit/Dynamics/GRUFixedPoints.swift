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
    /// True for a *slow point* (Sussillo & Barak 2013): a local minimum of q(h) = ½‖F(h) − h‖²
    /// whose speed ‖F(h) − h‖₂ is small but above the finder's tolerance, so h is not a fixed
    /// point; only ``InputFreeGRU/criticalPoints(from:tolerance:slowSpeed:)`` returns such points.
    public var isSlowPoint: Bool = false
    /// How many Jacobian eigenvalues lie outside the unit circle (|λ| > 1): 0 for a stable point,
    /// k for a saddle with k unstable directions (a repeller when k = H).
    public var unstableDirections: Int { eigenvalues.filter { $0.magnitude > 1 }.count }
    /// `stable`, `saddle (k unstable)`, `repeller` (every direction unstable) or `marginal`
    /// (ρ = 1 exactly, or no eigenvalues): the linear classification by the eigenvalues.
    public var classification: String {
        let k = unstableDirections
        if isStable { return "stable" }
        if k == 0 { return "marginal" }
        return k == eigenvalues.count ? "repeller" : "saddle (\(k) unstable)"
    }
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
    /// The starts are this method's own; ``criticalPoints(from:tolerance:slowSpeed:)`` runs the same
    /// finder from starts of the caller's choice and can also return slow points.
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
        return criticalPoints(from: seeds, tolerance: tolerance)
    }

    /// The fixed points, and optionally the slow points, reached from the given starts: the one
    /// finder behind ``fixedPoints(starts:seed:tolerance:)``, open to starts of the caller's choice,
    /// such as states visited along real trajectories (Sussillo & Barak 2013, who minimise
    /// q(h) = ½‖F(h) − h‖² from states the network actually visits).
    ///
    /// From each start: Levenberg–Marquardt on q with the analytic Jacobian, then Newton on
    /// F(h) − h = 0, as described at ``fixedPoints(starts:seed:tolerance:)``. An end point with
    /// speed ‖F(h) − h‖₂ < `tolerance` is a fixed point (merged as there). With `slowSpeed` > 0, an
    /// end point with speed in [`tolerance`, `slowSpeed`) at which the gradient of q is small,
    /// ‖(∂F/∂h − I)ᵀ(F(h) − h)‖₂ ≤ 1e-3·speed, is a *slow point*: a local minimum of q where the
    /// dynamics nearly stop (``GRUFixedPoint/isSlowPoint``). The gradient test is relative and
    /// loose because LM converges only linearly at a minimum with q > 0; it rejects starts that
    /// ran out of iterations while still descending. Slow points within 1e-4 of each other
    /// (max norm) or of a fixed point are merged into it. Points outside (−1, 1)^H are dropped.
    ///
    /// - Parameters:
    ///   - starts: the initial states, each with H entries.
    ///   - tolerance: the largest speed ‖F(h*) − h*‖₂ of a fixed point (> 0; 1e-12 by default,
    ///     which Newton's quadratic convergence reaches at any simple root).
    ///   - slowSpeed: the largest speed of a slow point; 0 (the default) keeps fixed points only.
    /// - Returns: the distinct fixed points (sorted by ‖h*‖₂, then lexicographically), followed by
    ///   the slow points sorted by speed; each with its speed as ``GRUFixedPoint/residual`` and the
    ///   eigenvalues of its Jacobian.
    /// - Precondition: every start has H entries.
    public func criticalPoints(from starts: [[Double]], tolerance: Double = 1e-12, slowSpeed: Double = 0) -> [GRUFixedPoint] {
        var found: [[Double]] = [], slow: [(h: [Double], speed: Double)] = []
        for s in starts {
            let end = minimizeSpeed(from: s, tolerance: tolerance)
            guard end.h.allSatisfy({ abs($0) < 1 }) else { continue }
            if end.speed < tolerance {
                let h = end.h
                if let i = found.firstIndex(where: { sameFixedPoint($0, h, tolerance: tolerance) }) {
                    // Keep the representative with the smaller residual (the exact origin wins).
                    if residualNorm(h) < residualNorm(found[i]) { found[i] = h }
                    continue
                }
                found.append(h)
            } else if end.speed < slowSpeed, end.gradient <= 1e-3 * end.speed {
                if let i = slow.firstIndex(where: { Self.maxDistance($0.h, end.h) < 1e-4 }) {
                    if end.speed < slow[i].speed { slow[i] = (end.h, end.speed) }
                    continue
                }
                slow.append((end.h, end.speed))
            }
        }
        found.sort { a, b in
            let na = a.reduce(0) { $0 + $1 * $1 }, nb = b.reduce(0) { $0 + $1 * $1 }
            return na != nb ? na < nb : a.lexicographicallyPrecedes(b)
        }
        slow = slow.filter { s in !found.contains { Self.maxDistance($0, s.h) < 1e-4 } }.sorted { $0.speed < $1.speed }
        func point(_ h: [Double], slow: Bool) -> GRUFixedPoint {
            let ev = (try? jacobian(at: h).eigenvalues()) ?? []
            return GRUFixedPoint(h: h, residual: residualNorm(h), eigenvalues: ev,
                                 spectralRadius: ev.map(\.magnitude).max() ?? .nan, isSlowPoint: slow)
        }
        return found.map { point($0, slow: false) } + slow.map { point($0.h, slow: true) }
    }

    /// max_i |a_i − b_i|.
    static func maxDistance(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map { abs($0 - $1) }.max() ?? 0 }

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

    /// LM then Newton from one start: the end point h, its speed ‖F(h) − h‖₂ and the norm of the
    /// gradient of q there, ‖(∂F/∂h − I)ᵀ(F(h) − h)‖₂ (which tells a local minimum of q from a
    /// start that ran out of iterations).
    func minimizeSpeed(from start: [Double], tolerance: Double) -> (h: [Double], speed: Double, gradient: Double) {
        let n = hiddenSize
        var h = start, lambda = 1e-3
        var q = residualNorm(h)
        func residualJacobian(_ h: [Double]) -> ([Double], Matrix<Double>) {
            var j = jacobian(at: h)
            for i in 0..<n { j[i, i] -= 1 }
            let f = self(h)
            return ((0..<n).map { f[$0] - h[$0] }, j)
        }
        var gradient = Double.infinity
        for _ in 0..<100 where q >= tolerance * 1e-2 {
            let (r, j) = residualJacobian(h)
            var jtj = j.multiplied(by: j, transposeSelf: true)
            let g = j.multiplied(by: r, transposeSelf: true)
            gradient = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
            var improved = false
            for _ in 0..<20 {
                for i in 0..<n { jtj[i, i] += lambda }
                let delta = jtj.solving(g.map { -$0 })
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
            guard let d = j.solving(r.map { -$0 }) else { break }
            let trial = zip(h, d).map { $0 + $1 }
            let qt = residualNorm(trial)
            if !(qt < q) { break }
            h = trial; q = qt
        }
        if q >= tolerance {
            let (r, j) = residualJacobian(h)
            gradient = j.multiplied(by: r, transposeSelf: true).reduce(0) { $0 + $1 * $1 }.squareRoot()
        } else {
            gradient = 0
        }
        return (h, q, gradient)
    }
}
