#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// The input-free one-dimensional GRU of the-paper §2, in the paper's reset-before form:
///
///     f(h) = σ(w_hz h)·h + (1 − σ(w_hz h))·tanh(w_hh · σ(w_hr h) · h)
///
/// (x = 0, no biases). h* = 0 is a fixed point for every weight, with f′(0) = ½ + w_hh/4,
/// which crosses 1 at w_hh = 2 — the bifurcation the whole project is about.
/// Introduced in chapter 1; chapters 2 and 3 analyse it.
public struct ScalarGRU: Sendable, Equatable {
    /// w_hh, the recurrent weight of the candidate tanh(w_hh·r·h): the bifurcation parameter.
    /// The origin is stable for w_hh < 2 and unstable for w_hh > 2 (f′(0) = ½ + w_hh/4).
    public var wHH: Double
    /// w_hz, the recurrent weight of the update gate z = σ(w_hz·h). It does not change f′(0)
    /// (z = ½ at the origin whatever w_hz is) but does shape the non-zero fixed points.
    public var wHZ: Double
    /// w_hr, the recurrent weight of the reset gate r = σ(w_hr·h); like w_hz it leaves f′(0)
    /// unchanged.
    public var wHR: Double

    /// The map with the given weights; the gate weights default to 0, i.e. constant gates
    /// z = r = ½ and f(h) = ½h + ½·tanh(w_hh·h/2). Any finite weights are allowed.
    public init(wHH: Double, wHZ: Double = 0, wHR: Double = 0) {
        self.wHH = wHH; self.wHZ = wHZ; self.wHR = wHR
    }

    @inline(__always) static func sigmoid(_ x: Double) -> Double {
        x >= 0 ? 1 / (1 + exp(-x)) : { let e = exp(x); return e / (1 + e) }()
    }

    // book: scalar-gru-step
    /// One step of the map, h_{t+1} = f(h_t) = z·h + (1 − z)·tanh(w_hh·r·h) with z = σ(w_hz h),
    /// r = σ(w_hr h). The sigmoid is evaluated in its overflow-free form, so any finite h is
    /// fine; |f(h)| ≤ max(|h|, 1), so trajectories stay bounded.
    public func callAsFunction(_ h: Double) -> Double {
        let z = Self.sigmoid(wHZ * h), r = Self.sigmoid(wHR * h)
        return z * h + (1 - z) * tanh(wHH * r * h)
    }

    /// The slope f′(h) = df/dh, analytically:
    ///
    ///     f′ = z + z′h − z′c + (1 − z)(1 − c²)·w_hh·(r + r′h)
    ///
    /// with z′ = w_hz·z(1−z), r′ = w_hr·r(1−r), c = tanh(w_hh·r·h). Exact up to rounding (a few
    /// ulps); the tests check it against central finite differences. |f′(h*)| < 1 decides the
    /// linear stability of a fixed point h*.
    public func derivative(at h: Double) -> Double {
        let z = Self.sigmoid(wHZ * h), r = Self.sigmoid(wHR * h)
        let c = tanh(wHH * r * h)
        let dz = wHZ * z * (1 - z), dr = wHR * r * (1 - r)
        return z + dz * h - dz * c + (1 - z) * (1 - c * c) * wHH * (r + dr * h)
    }
    // book: end

    /// The parameter sensitivity ∂f/∂w_hh at h, holding h (and w_hz, w_hr) fixed:
    /// (1 − z)(1 − c²)·r·h with c = tanh(w_hh·r·h). It is the source term of
    /// ``stateAndSensitivity(from:steps:)``; it vanishes at h = 0.
    public func derivativeWithRespectToWHH(at h: Double) -> Double {
        let z = Self.sigmoid(wHZ * h), r = Self.sigmoid(wHR * h)
        let c = tanh(wHH * r * h)
        return (1 - z) * (1 - c * c) * r * h
    }

    /// The closed form f′(0) = ½ + w_hh/4 (both gates are σ(0) = ½ at the origin, whatever w_hz and
    /// w_hr are). It exceeds 1, and the origin loses stability, exactly when w_hh > 2.
    public var slopeAtOrigin: Double { 0.5 + wHH / 4 }

    /// The orbit h_0, h_1 = f(h_0), …, h_steps: steps + 1 values, starting with `h0` itself.
    /// A negative `steps` is treated as 0 (the result is `[h0]`).
    public func trajectory(from h0: Double, steps: Int) -> [Double] {
        var out = [h0]
        out.reserveCapacity(steps + 1)
        var h = h0
        for _ in 0..<max(0, steps) { h = self(h); out.append(h) }
        return out
    }
}
