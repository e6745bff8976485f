import RealModule

// Elementary functions of the engine, through the scalar protocol (``BLASScalar/exp(_:)`` and its
// neighbours). `exp` and `tanh` are swift-numerics' `RealModule` functions, which call the platform's
// C library (`expf`/`exp`, `tanhf`/`tanh`; glibc on Linux, libm on macOS) through inlined shims: after
// specialisation each is a direct call of the C function, so the numbers are the C library's, bit for
// bit.

@inline(__always) func scalarExp<S: BLASScalar>(_ x: S) -> S { S.exp(x) }

@inline(__always) func scalarTanh<S: BLASScalar>(_ x: S) -> S { S.tanh(x) }

/// log(1 + x), accurate for small x.
@inline(__always) func scalarLog1p<S: BLASScalar>(_ x: S) -> S { S.log1p(x) }

/// σ(x) = 1 / (1 + e^{−x}); for x → −∞, e^{−x} = +∞ and the result is 0 (no NaN).
@inline(__always) func scalarSigmoid<S: BLASScalar>(_ x: S) -> S {
    1 / (1 + scalarExp(-x))
}

/// log(x) in Double (the C library's `log`).
@inline(__always) func doubleLog(_ x: Double) -> Double { .log(x) }

extension Float {
    /// log(1 + x) (`log1pf`, as RealModule's `log(onePlus:)`).
    @inlinable public static func log1p(_ x: Float) -> Float { .log(onePlus: x) }
    /// σ(x) = 1 / (1 + e^{−x}) in eight lanes, by the vectorised e^x (≤ 3 ulp where σ(x) is normal).
    public static func sigmoid(_ x: SIMD8<Float>) -> SIMD8<Float> { fastSigmoid(x) }
    /// tanh x in eight lanes: an odd polynomial for |x| < 0.625, 1 − 2/(e^{2|x|} + 1) beyond (≤ 3 ulp).
    public static func tanh(_ x: SIMD8<Float>) -> SIMD8<Float> { fastTanh(x) }
}

extension Double {
    /// log(1 + x) (the C library's `log1p`, as RealModule's `log(onePlus:)`).
    @inlinable public static func log1p(_ x: Double) -> Double { .log(onePlus: x) }
    /// σ(x) = 1 / (1 + e^{−x}) per lane with the C library's `exp` (the scalar formula's numbers).
    @inlinable public static func sigmoid(_ x: SIMD8<Double>) -> SIMD8<Double> {
        var y = x
        for i in 0..<8 { y[i] = 1 / (1 + .exp(-x[i])) }
        return y
    }
    /// tanh x per lane with the C library's `tanh`.
    @inlinable public static func tanh(_ x: SIMD8<Double>) -> SIMD8<Double> {
        var y = x
        for i in 0..<8 { y[i] = .tanh(x[i]) }
        return y
    }
}
