#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

// Elementary functions for the two BLAS scalars. `BLASScalar` does not promise exp/tanh,
// so these dispatch on the concrete type; after specialisation (every hot entry point is
// `@_specialize`d for Float and Double) the test on `S.self` folds away and the call is
// a direct `expf`/`exp`.

@inline(__always) func scalarExp<S: BLASScalar>(_ x: S) -> S {
    if S.self == Float.self { return unsafeBitCast(expf(unsafeBitCast(x, to: Float.self)), to: S.self) }
    if S.self == Double.self { return unsafeBitCast(exp(unsafeBitCast(x, to: Double.self)), to: S.self) }
    return S(exp(Double(x)))
}

@inline(__always) func scalarTanh<S: BLASScalar>(_ x: S) -> S {
    if S.self == Float.self { return unsafeBitCast(tanhf(unsafeBitCast(x, to: Float.self)), to: S.self) }
    if S.self == Double.self { return unsafeBitCast(tanh(unsafeBitCast(x, to: Double.self)), to: S.self) }
    return S(tanh(Double(x)))
}

/// log(1 + x), accurate for small x.
@inline(__always) func scalarLog1p<S: BLASScalar>(_ x: S) -> S {
    if S.self == Float.self { return unsafeBitCast(log1pf(unsafeBitCast(x, to: Float.self)), to: S.self) }
    if S.self == Double.self { return unsafeBitCast(log1p(unsafeBitCast(x, to: Double.self)), to: S.self) }
    return S(log1p(Double(x)))
}

/// σ(x) = 1 / (1 + e^{−x}); for x → −∞, e^{−x} = +∞ and the result is 0 (no NaN).
@inline(__always) func scalarSigmoid<S: BLASScalar>(_ x: S) -> S {
    1 / (1 + scalarExp(-x))
}

/// log(x) in Double.
@inline(__always) func doubleLog(_ x: Double) -> Double { log(x) }
