#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

// Elementary functions of the engine, through the scalar protocol (``BLASScalar/exp(_:)`` and its
// neighbours): after specialisation each is a direct call of `expf`/`exp`, `tanhf`/`tanh`, ….

@inline(__always) func scalarExp<S: BLASScalar>(_ x: S) -> S { S.exp(x) }

@inline(__always) func scalarTanh<S: BLASScalar>(_ x: S) -> S { S.tanh(x) }

/// log(1 + x), accurate for small x.
@inline(__always) func scalarLog1p<S: BLASScalar>(_ x: S) -> S { S.log1p(x) }

/// σ(x) = 1 / (1 + e^{−x}); for x → −∞, e^{−x} = +∞ and the result is 0 (no NaN).
@inline(__always) func scalarSigmoid<S: BLASScalar>(_ x: S) -> S {
    1 / (1 + scalarExp(-x))
}

/// log(x) in Double.
@inline(__always) func doubleLog(_ x: Double) -> Double { log(x) }

extension Float {
    /// e^x (`expf`).
    @inlinable public static func exp(_ x: Float) -> Float { expf(x) }
    /// tanh x (`tanhf`).
    @inlinable public static func tanh(_ x: Float) -> Float { tanhf(x) }
    /// log(1 + x) (`log1pf`).
    @inlinable public static func log1p(_ x: Float) -> Float { log1pf(x) }
    /// σ(x) = 1 / (1 + e^{−x}) in eight lanes, by the vectorised e^x (≤ 3 ulp where σ(x) is normal).
    public static func sigmoid(_ x: SIMD8<Float>) -> SIMD8<Float> { fastSigmoid(x) }
    /// tanh x in eight lanes: an odd polynomial for |x| < 0.625, 1 − 2/(e^{2|x|} + 1) beyond (≤ 3 ulp).
    public static func tanh(_ x: SIMD8<Float>) -> SIMD8<Float> { fastTanh(x) }
}

extension Double {
    /// e^x (the C library's `exp`).
    @inlinable public static func exp(_ x: Double) -> Double { Glibc.exp(x) }
    /// tanh x (the C library's `tanh`).
    @inlinable public static func tanh(_ x: Double) -> Double { Glibc.tanh(x) }
    /// log(1 + x) (the C library's `log1p`).
    @inlinable public static func log1p(_ x: Double) -> Double { Glibc.log1p(x) }
    /// σ(x) = 1 / (1 + e^{−x}) per lane with the C library's `exp` (the scalar formula's numbers).
    @inlinable public static func sigmoid(_ x: SIMD8<Double>) -> SIMD8<Double> {
        var y = x
        for i in 0..<8 { y[i] = 1 / (1 + Glibc.exp(-x[i])) }
        return y
    }
    /// tanh x per lane with the C library's `tanh`.
    @inlinable public static func tanh(_ x: SIMD8<Double>) -> SIMD8<Double> {
        var y = x
        for i in 0..<8 { y[i] = Glibc.tanh(x[i]) }
        return y
    }
}
