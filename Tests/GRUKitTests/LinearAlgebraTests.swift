import XCTest
import GRUKit

/// Oracle tests for the BLAS/LAPACK layer: closed forms, reconstruction, orthogonality,
/// and edge cases (1×1, zero, repeated values, NaN/Inf input).
final class LinearAlgebraTests: XCTestCase {
    private func naiveProduct(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Matrix<Double> {
        var c = Matrix<Double>(rows: a.rows, cols: b.cols)
        for i in 0..<a.rows { for j in 0..<b.cols {
            var s = 0.0
            for k in 0..<a.cols { s += a[i, k] * b[k, j] }
            c[i, j] = s
        } }
        return c
    }

    private func random(_ m: Int, _ n: Int, seed: UInt64) -> Matrix<Double> {
        var rng = SeededGenerator(seed: seed)
        return .randomNormal(rows: m, cols: n, using: &rng)
    }

    // MARK: BLAS

    func testGemmAgainstTripleLoopWithTransposes() {
        let a = random(7, 5, seed: 1), b = random(5, 6, seed: 2)
        Oracle.check("gemm A·B", (a * b).elements, naiveProduct(a, b).elements, tolerance: 1e-13)
        let at = a.transposed, bt = b.transposed
        Oracle.check("gemm (Aᵀ)ᵀ·B", at.multiplied(by: b, transposeSelf: true).elements, naiveProduct(a, b).elements, tolerance: 1e-13)
        Oracle.check("gemm A·(Bᵀ)ᵀ", a.multiplied(by: bt, transposeOther: true).elements, naiveProduct(a, b).elements, tolerance: 1e-13)
        let af: Matrix<Float> = a.converted(), bf: Matrix<Float> = b.converted()
        Oracle.check("sgemm against Double", (af * bf).converted(to: Double.self).elements, naiveProduct(a, b).elements, tolerance: 1e-5)
    }

    func testGemvAgainstLoop() {
        let a = random(4, 3, seed: 3)
        let x: [Double] = [1, -2, 0.5], y: [Double] = [1, 2, 3, 4]
        let ax = (0..<4).map { i in (0..<3).reduce(0.0) { $0 + a[i, $1] * x[$1] } }
        let aty = (0..<3).map { j in (0..<4).reduce(0.0) { $0 + a[$1, j] * y[$1] } }
        Oracle.check("gemv A·x", a.multiplied(by: x), ax, tolerance: 1e-14)
        Oracle.check("gemv Aᵀ·y", a.multiplied(by: y, transposeSelf: true), aty, tolerance: 1e-14)
    }

    func testNorms() {
        let a = Matrix<Double>([[1, -2], [3, 4]])
        XCTAssertEqual(a.frobeniusNorm, 30.0.squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(a.oneNorm, 6)
        XCTAssertEqual(a.infinityNorm, 7)
        XCTAssertEqual(a.maxAbs, 4)
        // Frobenius norm must not overflow where a naive Σx² would.
        let big = Matrix<Double>([[1e200, 1e200]])
        XCTAssertEqual(big.frobeniusNorm, 1e200 * 2.0.squareRoot(), accuracy: 1e186)
        XCTAssertTrue(Matrix<Double>([[.nan, 1]]).maxAbs.isNaN)
    }

    // MARK: SVD

    func testSVDClosedForms() throws {
        // Diagonal: σ = sorted |d_i|.
        let d = try Matrix<Double>.diagonal([3, -7, 0.5, 2]).singularValues()
        Oracle.check("SVD diagonal", d, [7, 3, 2, 0.5], tolerance: 1e-15)
        // A known 2×2: [[3, 0], [4, 5]] has σ = 3√5, √5.
        let s2 = try Matrix<Double>([[3, 0], [4, 5]]).singularValues()
        Oracle.check("SVD 2×2 closed form", s2, [3 * 5.0.squareRoot(), 5.0.squareRoot()], tolerance: 1e-15)
        // Rank 1: u vᵀ has σ_1 = ‖u‖‖v‖ and all others 0.
        let u: [Double] = [1, 2, 2], v: [Double] = [3, 4]
        let r1 = Matrix(rows: 3, cols: 2, elements: u.flatMap { ui in v.map { ui * $0 } })
        let sr = try r1.singularValues()
        XCTAssertEqual(sr[0], 15, accuracy: 1e-13)
        XCTAssertEqual(sr[1], 0, accuracy: 1e-13)
        // Orthogonal (a rotation): every σ = 1.
        let t = 0.7
        let rot = Matrix<Double>([[cos(t), -sin(t)], [sin(t), cos(t)]])
        Oracle.check("SVD rotation", try rot.singularValues(), [1, 1], tolerance: 1e-15)
    }

    func testSVDReconstructionOrthogonalityAndOrder() throws {
        for (m, n, seed) in [(6, 6, 10), (9, 4, 11), (3, 8, 12), (1, 1, 13), (1, 5, 14), (40, 40, 15)] as [(Int, Int, UInt64)] {
            let a = random(m, n, seed: seed)
            let f = try a.svd()
            let k = min(m, n)
            XCTAssertEqual(f.U.rows, m); XCTAssertEqual(f.U.cols, k); XCTAssertEqual(f.Vt.rows, k); XCTAssertEqual(f.Vt.cols, n)
            Oracle.check("U Σ Vᵀ = A (\(m)×\(n))", f.reconstructed().elements, a.elements, tolerance: 1e-13)
            Oracle.check("UᵀU = I (\(m)×\(n))", f.U.multiplied(by: f.U, transposeSelf: true).elements, Matrix<Double>.identity(k).elements, tolerance: 1e-13)
            Oracle.check("V Vᵀ = I (\(m)×\(n))", f.Vt.multiplied(by: f.Vt, transposeOther: true).elements, Matrix<Double>.identity(k).elements, tolerance: 1e-13)
            XCTAssertEqual(f.singularValues, f.singularValues.sorted(by: >), "singular values descend")
            XCTAssertTrue(f.singularValues.allSatisfy { $0 >= 0 })
            Oracle.check("values-only driver agrees", try a.singularValues(), f.singularValues, tolerance: 1e-13)
            // ‖A‖_F² = Σ σ_i² (a theorem, independent of the factors).
            XCTAssertEqual(f.singularValues.reduce(0) { $0 + $1 * $1 }, a.frobeniusNorm * a.frobeniusNorm, accuracy: 1e-11 * Double(m * n))
        }
    }

    func testSVDFloatAgreesWithDouble() throws {
        let a = random(30, 20, seed: 21)
        let sf = try a.converted(to: Float.self).singularValues().map(Double.init)
        Oracle.check("sgesdd against dgesdd", sf, try a.singularValues(), tolerance: 1e-5)
        let f = try a.converted(to: Float.self).svd()
        Oracle.check("Float reconstruction", f.reconstructed().converted(to: Double.self).elements, a.elements, tolerance: 1e-5)
    }

    func testSVDEdgeCases() throws {
        // 1×1: σ = |a|.
        XCTAssertEqual(try Matrix<Double>([[-4.5]]).singularValues(), [4.5])
        // The zero matrix: all σ = 0, and the factors are still orthonormal.
        let z = try Matrix<Double>(rows: 4, cols: 3).svd()
        XCTAssertEqual(z.singularValues, [0, 0, 0])
        Oracle.check("zero matrix UᵀU = I", z.U.multiplied(by: z.U, transposeSelf: true).elements, Matrix<Double>.identity(3).elements, tolerance: 1e-15)
        // Repeated singular values: 2·I₅ (and a rotated copy) has σ = 2 five times.
        Oracle.check("repeated σ", try (2.0 * Matrix<Double>.identity(5)).singularValues(), [2, 2, 2, 2, 2], tolerance: 1e-15)
        // Empty: no values, no crash.
        XCTAssertEqual(try Matrix<Double>(rows: 0, cols: 3).singularValues(), [])
        XCTAssertEqual(try Matrix<Double>(rows: 0, cols: 0).spectralNorm(), 0)
        // Tiny and huge scales keep their relative accuracy.
        let a = random(5, 5, seed: 31), s = try a.singularValues()
        Oracle.check("scale 1e-150", try (1e-150 * a).singularValues().map { $0 / 1e-150 }, s, tolerance: 1e-12)
        Oracle.check("scale 1e150", try (1e150 * a).singularValues().map { $0 / 1e150 }, s, tolerance: 1e-12)
    }

    func testNonFiniteInputThrowsNamedError() {
        for bad in [Double.nan, .infinity, -.infinity] {
            let a = Matrix<Double>([[1, 2], [bad, 4]])
            XCTAssertThrowsError(try a.svd()) { XCTAssertEqual($0 as? LinearAlgebraError, .nonFiniteInput(routine: "gesdd")) }
            XCTAssertThrowsError(try a.singularValues())
            XCTAssertThrowsError(try a.eigenvalues()) { XCTAssertEqual($0 as? LinearAlgebraError, .nonFiniteInput(routine: "geev")) }
            XCTAssertThrowsError(try a.symmetricEigen()) { XCTAssertEqual($0 as? LinearAlgebraError, .nonFiniteInput(routine: "syevd")) }
        }
        let err = LinearAlgebraError.nonFiniteInput(routine: "gesdd")
        XCTAssertTrue(err.description.contains("NaN"), err.description)
    }

    // MARK: Eigen

    func testSymmetricEigen() throws {
        let e = try Matrix<Double>([[2, 1], [1, 2]]).symmetricEigen()
        Oracle.check("eig [[2,1],[1,2]] = 1, 3", e.values, [1, 3], tolerance: 1e-15)
        let b = random(12, 12, seed: 41)
        let s = b + b.transposed
        let f = try s.symmetricEigen()
        XCTAssertEqual(f.values, f.values.sorted(), "ascending")
        let q = f.vectors
        var qd = q
        for i in 0..<12 { for j in 0..<12 { qd[i, j] *= f.values[j] } }
        Oracle.check("Q Λ Qᵀ = S", qd.multiplied(by: q, transposeOther: true).elements, s.elements, tolerance: 1e-13)
        Oracle.check("QᵀQ = I", q.multiplied(by: q, transposeSelf: true).elements, Matrix<Double>.identity(12).elements, tolerance: 1e-13)
        // Eigenvalues of AᵀA are the squared singular values of A (the route the projection can take).
        let a = random(9, 6, seed: 42)
        let ev = try a.multiplied(by: a, transposeSelf: true).symmetricEigen().values.reversed().map { $0.squareRoot() }
        Oracle.check("√eig(AᵀA) = σ(A)", Array(ev), try a.singularValues(), tolerance: 1e-12)
        XCTAssertThrowsError(try Matrix<Double>(rows: 2, cols: 3).symmetricEigen())
    }

    func testGeneralEigenvalues() throws {
        // A rotation by 90°: λ = ±i, ρ = 1.
        let ev = try Matrix<Double>([[0, -1], [1, 0]]).eigenvalues()
        XCTAssertEqual(Set(ev.map { [$0.re, $0.im] }), Set([[0.0, 1.0], [0.0, -1.0]]))
        XCTAssertEqual(try Matrix<Double>([[0, -1], [1, 0]]).spectralRadius(), 1, accuracy: 1e-15)
        // Triangular: the diagonal.
        let t = try Matrix<Double>([[2, 5, 1], [0, -3, 7], [0, 0, 0.5]]).eigenvalues()
        Oracle.check("triangular eigenvalues", t.map(\.re).sorted(), [-3, 0.5, 2], tolerance: 1e-14)
        XCTAssertTrue(t.allSatisfy { $0.im == 0 })
        // Companion matrix of (x−1)(x−2)(x−3) = x³ − 6x² + 11x − 6.
        let c = try Matrix<Double>([[6, -11, 6], [1, 0, 0], [0, 1, 0]]).eigenvalues()
        Oracle.check("companion roots", c.map(\.re).sorted(), [1, 2, 3], tolerance: 1e-12)
        // Trace = Σλ for a random matrix (a theorem), and conjugate pairs come together.
        let a = random(10, 10, seed: 51)
        let lam = try a.eigenvalues()
        let trace = (0..<10).reduce(0.0) { $0 + a[$1, $1] }
        XCTAssertEqual(lam.reduce(0.0) { $0 + $1.re }, trace, accuracy: 1e-12)
        XCTAssertEqual(lam.reduce(0.0) { $0 + $1.im }, 0, accuracy: 1e-12)
        // ρ(A) ≤ ‖A‖₂.
        XCTAssertLessThanOrEqual(try a.spectralRadius(), try a.spectralNorm() + 1e-12)
        XCTAssertEqual(ComplexValue(re: 3e300, im: 4e300).magnitude, 5e300, accuracy: 1e286)
    }

    func testJacobianAtOriginEigenvaluesFollowTheTheorem() throws {
        // μ = ½ + λ(W)/4 for every eigenvalue (the-paper §2), checked eigenvalue by eigenvalue.
        let w = random(8, 8, seed: 61)
        let lw = try w.eigenvalues().map { ($0.re / 4 + 0.5, $0.im / 4) }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        let lj = try FixedPointStability.jacobianAtOrigin(w).eigenvalues().map { ($0.re, $0.im) }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        Oracle.check("eig(½I+¼W) re", lj.map(\.0), lw.map(\.0), tolerance: 1e-12)
        Oracle.check("eig(½I+¼W) im", lj.map(\.1), lw.map(\.1), tolerance: 1e-12)
        // ‖W‖₂ < 2 ⇒ ρ(J) < 1, on a matrix scaled to ‖W‖₂ = 1.99.
        let scaled = (1.99 / (try w.spectralNorm())) * w
        XCTAssertLessThan(try FixedPointStability.spectralRadiusAtOrigin(scaled), 1)
        // And the bound is tight at λ = +2: W = 2I gives ρ(J) = 1 exactly.
        XCTAssertEqual(try FixedPointStability.spectralRadiusAtOrigin(2.0 * Matrix<Double>.identity(3)), 1, accuracy: 1e-15)
    }

    // MARK: Power iteration

    func testPowerIterationIsALowerBoundThatConverges() throws {
        let a = Matrix<Double>.diagonal([5, 1, 0.5, 0.1]) // well separated
        let est = a.spectralNormEstimate(iterations: 30, seed: 3)
        XCTAssertEqual(est, 5, accuracy: 1e-12)
        let b = random(50, 50, seed: 71)
        let exact = try b.spectralNorm()
        for it in [1, 3, 10, 100] {
            XCTAssertLessThanOrEqual(b.spectralNormEstimate(iterations: it, seed: 5), exact * (1 + 1e-12), "a Rayleigh estimate never exceeds σ₁")
        }
        XCTAssertEqual(b.spectralNormEstimate(iterations: 2000, seed: 5), exact, accuracy: 1e-3 * exact)
        XCTAssertEqual(Matrix<Double>(rows: 3, cols: 3).spectralNormEstimate(), 0)
    }

    /// Matrix.solving (xGESV) against a closed form (Cramer's rule for 2×2), the residual ‖Ax − b‖
    /// for a random well-conditioned system in Float and Double, and its refusals.
    func testSolvingAgainstCramerAndResidual() throws {
        // [[2, 1], [1, 3]] x = [3, 5]: det = 5, x = ((3·3 − 1·5)/5, (2·5 − 1·3)/5) = (0.8, 1.4).
        Oracle.check("xGESV vs Cramer", Matrix<Double>([[2, 1], [1, 3]]).solving([3, 5])!, [0.8, 1.4], tolerance: 1e-15)
        var rng = SeededGenerator(seed: 41)
        let n = 40
        let a = Matrix<Double>.randomNormal(rows: n, cols: n, using: &rng) + 10 * Matrix<Double>.identity(n)
        let b = (0 ..< n).map { _ in rng.nextUniform(in: -1 ..< 1) }
        let x = try XCTUnwrap(a.solving(b))
        let ax = a * Matrix(rows: n, cols: 1, elements: x)
        Oracle.check("‖Ax − b‖ (Double)", ax.elements, b, tolerance: 1e-13)
        let af = a.converted(to: Float.self), bf = b.map(Float.init)
        let xf = try XCTUnwrap(af.solving(bf))
        Oracle.check("‖Ax − b‖ (Float)", (af * Matrix(rows: n, cols: 1, elements: xf)).elements, bf, tolerance: 1e-5)
        // Refusals: an exactly singular matrix, a NaN in A or b; the empty system has the empty solution.
        XCTAssertNil(Matrix<Double>([[1, 2], [2, 4]]).solving([1, 1]))
        XCTAssertNil(Matrix<Double>([[1, .nan], [0, 1]]).solving([1, 1]))
        XCTAssertNil(Matrix<Double>([[1, 0], [0, 1]]).solving([.infinity, 1]))
        XCTAssertEqual(Matrix<Double>(rows: 0, cols: 0).solving([]), [])
    }
}
