#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// The input-free one-dimensional GRU of NOTES §2, in the paper's reset-before form:
///
///     f(h) = σ(w_hz h)·h + (1 − σ(w_hz h))·tanh(w_hh · σ(w_hr h) · h)
///
/// (x = 0, no biases). h* = 0 is a fixed point for every weight, with f′(0) = ½ + w_hh/4,
/// which crosses 1 at w_hh = 2 — the bifurcation the whole project is about.
/// Introduced in chapter 1; chapters 2 and 3 analyse it.
public struct ScalarGRU: Sendable, Equatable {
    public var wHH: Double
    public var wHZ: Double
    public var wHR: Double

    public init(wHH: Double, wHZ: Double = 0, wHR: Double = 0) {
        self.wHH = wHH; self.wHZ = wHZ; self.wHR = wHR
    }

    @inline(__always) static func sigmoid(_ x: Double) -> Double {
        x >= 0 ? 1 / (1 + exp(-x)) : { let e = exp(x); return e / (1 + e) }()
    }

    /// One step of the map, f(h).
    public func callAsFunction(_ h: Double) -> Double {
        let z = Self.sigmoid(wHZ * h), r = Self.sigmoid(wHR * h)
        return z * h + (1 - z) * tanh(wHH * r * h)
    }

    /// f′(h), analytically:
    /// f′ = z + z′h − z′c + (1 − z)(1 − c²)·w_hh·(r + r′h), with z′ = w_hz z(1−z), r′ = w_hr r(1−r), c = tanh(w_hh r h).
    public func derivative(at h: Double) -> Double {
        let z = Self.sigmoid(wHZ * h), r = Self.sigmoid(wHR * h)
        let c = tanh(wHH * r * h)
        let dz = wHZ * z * (1 - z), dr = wHR * r * (1 - r)
        return z + dz * h - dz * c + (1 - z) * (1 - c * c) * wHH * (r + dr * h)
    }

    /// ∂f/∂w_hh at h (holding h fixed): (1 − z)(1 − c²)·r·h.
    public func derivativeWithRespectToWHH(at h: Double) -> Double {
        let z = Self.sigmoid(wHZ * h), r = Self.sigmoid(wHR * h)
        let c = tanh(wHH * r * h)
        return (1 - z) * (1 - c * c) * r * h
    }

    /// f′(0) = ½ + w_hh/4 (both gates are σ(0) = ½ at the origin).
    public var slopeAtOrigin: Double { 0.5 + wHH / 4 }

    /// h_0, h_1 = f(h_0), …, h_steps (steps + 1 values).
    public func trajectory(from h0: Double, steps: Int) -> [Double] {
        var out = [h0]
        out.reserveCapacity(steps + 1)
        var h = h0
        for _ in 0..<max(0, steps) { h = self(h); out.append(h) }
        return out
    }
}
