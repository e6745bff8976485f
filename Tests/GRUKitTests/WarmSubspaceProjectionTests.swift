import XCTest
import GRUKit

/// ``ProjectionMethod/warmSubspace`` (and ``ProjectionMethod/automatic`` once it has a warm start)
/// against the Double full-SVD reference: cold, warm, stale and adversarial starts, Float and
/// Double, spectra with 0, 1, several and clustered values above c, values exactly at c, the zero
/// matrix and NaN. Exactness must never depend on the start: a bad start may only cost a fallback.
final class WarmSubspaceProjectionTests: XCTestCase {
    private let c = 1.8
    /// n = 96: the block capacity min(96, n/4) = 24 leaves room for the method (it needs ≥ 8).
    private let n = 96

    // MARK: Helpers

    /// Haar-random orthogonal factors (singular vectors of a Gaussian matrix) for a seed.
    private func factors(_ n: Int, seed: UInt64) throws -> SVD<Double> {
        var rng = SeededGenerator(seed: seed)
        return try Matrix<Double>.randomNormal(rows: n, cols: n, using: &rng).svd()
    }

    /// W = U diag(s) Vᵀ with the factors of `seed`.
    private func withSpectrum(_ s: [Double], seed: UInt64) throws -> Matrix<Double> {
        let f = try factors(s.count, seed: seed)
        let m = s.count
        let us = Matrix<Double>(rows: m, cols: m, elements: (0..<m * m).map { f.U.elements[$0] * s[$0 % m] })
        return us * f.Vt
    }

    /// n descending values: `above` prescribed ones, then uniform in [0.05c, 0.9c).
    private func spectrum(_ above: [Double], seed: UInt64) -> [Double] {
        var rng = SeededGenerator(seed: seed)
        var s = (0..<n).map { _ in c * rng.nextUniform(in: 0.05..<0.9) }
        for (i, v) in above.enumerated() { s[i] = v }
        return s.sorted(by: >)
    }

    private func reference(_ w: Matrix<Double>) throws -> (Matrix<Double>, Int) {
        var r = w
        let out = try SpectralProjection.projectByFullSVD(&r, threshold: c)
        return (r, out.clippedCount)
    }

    /// max |got − ref| / max |ref|.
    private func relativeDifference<T: BLASScalar>(_ got: Matrix<T>, _ ref: Matrix<Double>) -> Double {
        var d = 0.0, m = 0.0
        for (g, r) in zip(got.elements, ref.elements) { d = max(d, abs(Double(g) - r)); m = max(m, abs(r)) }
        if d.isNaN { return .nan }
        return m == 0 ? d : d / m
    }

    private func tolerance<T: BLASScalar>(_: T.Type) -> Double { T.self == Float.self ? 1e-5 : 1e-12 }

    /// Projects `w` (converted to T) with `projector` and checks it against the reference of the
    /// same T-rounded matrix; returns the report.
    @discardableResult
    private func check<T: BLASScalar>(_ label: String, _ w: Matrix<Double>, _ projector: SpectralProjector<T>,
                                                              expectClipped: Int? = nil, compareCount: Bool = true,
                                                              file: StaticString = #filePath, line: UInt = #line) throws -> ProjectionReport {
        var got: Matrix<T> = w.converted()
        let (ref, k) = try reference(got.converted())
        let report = try projector.project(&got)
        let e = relativeDifference(got, ref)
        Oracle.check("\(label) \(T.self) [\(report.method)\(report.certificateRejected ? ", rejected" : ""), \(projector.lastIterations) it]",
                     [e], [0], tolerance: tolerance(T.self), file: file, line: line)
        if compareCount { XCTAssertEqual(report.clippedCount, k, "\(label) \(T.self): clipped count", file: file, line: line) }
        if let e = expectClipped { XCTAssertEqual(k, e, "\(label): reference clipped count", file: file, line: line) }
        return report
    }

    /// A small random perturbation: W + ε·G with ‖G‖_F = 1 (an SGD-like step).
    private func perturbed(_ w: Matrix<Double>, by eps: Double, seed: UInt64) -> Matrix<Double> {
        var rng = SeededGenerator(seed: seed)
        let g = Matrix<Double>.randomNormal(rows: w.rows, cols: w.cols, using: &rng)
        let f = g.frobeniusNorm
        return Matrix(rows: w.rows, cols: w.cols, elements: (0..<w.count).map { w.elements[$0] + eps * g.elements[$0] / f })
    }

    // MARK: Spectra × starts × precisions

    private func spectraCases() -> [(String, [Double], Int)] {
        [("none above", spectrum([], seed: 1), 0),
         ("one above", spectrum([1.3 * c], seed: 2), 1),
         ("five above", spectrum([1.9 * c, 1.5 * c, 1.2 * c, 1.1 * c, 1.02 * c], seed: 3), 5),
         ("clustered above", spectrum((0..<6).map { 1.2 * c * (1 + Double($0) * 1e-7) }, seed: 4), 6),
         ("cluster straddling c", spectrum([1.001 * c, 1.0001 * c, 0.9999 * c, 0.999 * c, 0.99 * c], seed: 5), 2)]
    }

    private func coldAndWarm<T: BLASScalar>(_: T.Type) throws {
        for (i, (label, s, k)) in spectraCases().enumerated() {
            let w = try withSpectrum(s, seed: 10 + UInt64(i))
            // Cold start: pseudo-random block.
            let p = try SpectralProjector<T>(n: n, threshold: T(c), method: .warmSubspace)
            try check("\(label) cold", w, p, expectClipped: k)
            // Warm start: the next "step" of a slowly changing matrix.
            let w2 = perturbed(w, by: 1e-3, seed: 20 + UInt64(i))
            let r = try check("\(label) warm", w2, p)
            XCTAssertEqual(r.method, .warmSubspace, "\(label): a warm start on a nearby matrix should certify")
            XCTAssertFalse(r.certificateRejected)
            // Automatic: the first call seeds (leading eigenpairs); while the constraint binds the second
            // uses the warm start, and while nothing is clipped it keeps the eigensolver (σ_1 exactly).
            let a = try SpectralProjector<T>(n: n, threshold: T(c))
            let r1 = try check("\(label) automatic first", w, a)
            let r2 = try check("\(label) automatic second", w2, a)
            if r1.clippedCount > 0 {
                XCTAssertEqual(r2.method, r2.action == .skipped ? .automatic : .warmSubspace, label)
            } else if r1.action != .skipped, r2.action != .skipped {
                XCTAssertEqual(r2.method, .leadingEigen, label)
            }
        }
    }

    func testColdAndWarmStartsAgreeWithFullSVDInDouble() throws { try coldAndWarm(Double.self) }
    func testColdAndWarmStartsAgreeWithFullSVDInFloat() throws { try coldAndWarm(Float.self) }

    /// Starts that do not span the leading singular vectors: the vectors of an unrelated matrix,
    /// the trailing singular vectors (exactly orthogonal to the clipped ones: the block finds no
    /// value above c and only the Cholesky certificate can notice), NaN vectors.
    private func badStarts<T: BLASScalar>(_: T.Type) throws {
        let s = spectrum([1.5 * c, 1.3 * c, 1.1 * c], seed: 6)
        let w = try withSpectrum(s, seed: 30)
        let f = try factors(n, seed: 30)
        let cap = 24
        // Row i of Vt is v_i: the trailing cap right singular vectors.
        let trailing: [[T]] = (0..<cap).map { j in (0..<n).map { T(f.Vt[n - 1 - j, $0]) } }
        let unrelated: [[T]] = try { let g = try factors(n, seed: 99); return (0..<cap).map { j in (0..<n).map { T(g.Vt[j, $0]) } } }()
        let nan: [[T]] = (0..<cap).map { _ in [T](repeating: .nan, count: n) }
        let identical: [[T]] = (0..<cap).map { _ in [T](repeating: 1, count: n) }
        for (label, start) in [("trailing vectors", trailing), ("unrelated vectors", unrelated), ("NaN vectors", nan),
                               ("identical vectors", identical)] {
            for method in [ProjectionMethod.warmSubspace, .automatic] {
                let p = try SpectralProjector<T>(n: n, threshold: T(c), method: method)
                p.setWarmStart(start)
                let r = try check("\(label) \(method)", w, p, expectClipped: 3)
                // (.automatic with a start from setWarmStart but no clipping yet keeps the eigensolver, so
                // only the explicit method exercises the certificate; both must be exact.)
                if method == .warmSubspace && (label == "trailing vectors" || label == "NaN vectors") {
                    XCTAssertTrue(r.certificateRejected, "\(label) \(method): the certificate must reject this start")
                }
                if label == "trailing vectors" || label == "NaN vectors" { XCTAssertNotEqual(r.method, .warmSubspace) }
            }
        }
    }

    func testStaleAndAdversarialStartsStayExactInDouble() throws { try badStarts(Double.self) }
    func testStaleAndAdversarialStartsStayExactInFloat() throws { try badStarts(Float.self) }

    // MARK: Edge values

    private func edges<T: BLASScalar>(_: T.Type) throws {
        // σ_i exactly c (a diagonal matrix: c is exactly representable as the entry itself).
        var d = [Double](repeating: 0, count: n)
        for i in 0..<n { d[i] = [c, -c, 0.5, 1][i % 4] }
        let p = try SpectralProjector<T>(n: n, threshold: T(c), method: .warmSubspace)
        let r = try check("diagonal with σ = c", Matrix<Double>.diagonal(d), p, expectClipped: 0)
        XCTAssertEqual(r.clippedCount, 0)
        // c exactly equal to some σ_i of a dense matrix, others above and below. Rounded to T the
        // three values move by about u·c to either side: whether they are clipped is within the
        // rounding (values within a few u of c count as c), so only the matrix is compared.
        let s = spectrum([1.4 * c, c, c, c], seed: 7)
        try check("dense with σ = c", try withSpectrum(s, seed: 40), try SpectralProjector<T>(n: n, threshold: T(c), method: .warmSubspace),
                  compareCount: false)
        // The zero matrix: unchanged (and no NaN from the empty clipped set).
        let zero = try SpectralProjector<T>(n: n, threshold: T(c), method: .warmSubspace)
        var z = Matrix<T>(rows: n, cols: n)
        let rz = try zero.project(&z)
        XCTAssertEqual(rz.clippedCount, 0)
        XCTAssertTrue(z.elements.allSatisfy { $0 == 0 })
        // Every σ above c: the block never reaches below c, so the method must give up.
        let all = (0..<n).map { c * (1.05 + Double($0) / Double(n)) }
        let pa = try SpectralProjector<T>(n: n, threshold: T(c), method: .warmSubspace)
        let ra = try check("all above", try withSpectrum(all.sorted(by: >), seed: 41), pa, expectClipped: n)
        XCTAssertTrue(ra.certificateRejected)
        // NaN in W: refused before anything (as every method), W unchanged, warm start kept.
        var bad: Matrix<T> = try withSpectrum(spectrum([1.2 * c], seed: 8), seed: 42).converted()
        bad[3, 5] = .nan
        let before = bad.elements.map { Double($0) }
        XCTAssertThrowsError(try p.project(&bad)) { XCTAssertEqual($0 as? LinearAlgebraError, .nonFiniteInput(routine: "SpectralProjector")) }
        XCTAssertEqual(bad.elements.map { Double($0) }.map(\.bitPattern), before.map(\.bitPattern))
    }

    func testEdgeValuesInDouble() throws { try edges(Double.self) }
    func testEdgeValuesInFloat() throws { try edges(Float.self) }

    // MARK: Training-like sequence

    /// W_{t+1} = P(W_t + E_t) with a step E_t that pushes σ_1 above c on every step (the binding
    /// regime: about 2 % along the leading singular pair, plus a random part): every result equals
    /// the reference, and the warm start certifies most steps.
    func testBindingSequenceIsExactAndMostlyCertified() throws {
        var w: Matrix<Float> = try withSpectrum(spectrum([1.3 * c, 1.2 * c, 1.1 * c], seed: 9), seed: 50).converted()
        let projector = try SpectralProjector<Float>(n: n, threshold: Float(c))
        var rng = SeededGenerator(seed: 51)
        var warmCertified = 0
        for step in 0..<30 {
            let svd = try w.converted(to: Double.self).svd()
            var g = Matrix<Float>.randomNormal(rows: n, cols: n, std: 1, using: &rng)
            let gn = g.frobeniusNorm
            for i in 0..<g.count {
                let push = 0.04 * c * svd.U[i / n, 0] * svd.Vt[0, i % n]
                g.elements[i] = Float(push) + 0.02 * g.elements[i] / gn
            }
            var next = w
            for i in 0..<next.count { next.elements[i] += g.elements[i] }
            let (ref, k) = try reference(next.converted())
            let report = try projector.project(&next, stepFrobeniusNorm: g.frobeniusNorm.nextUp * 1.001)
            XCTAssertLessThanOrEqual(relativeDifference(next, ref), 1e-5, "step \(step): \(report.method)")
            XCTAssertEqual(report.clippedCount, k, "step \(step)")
            XCTAssertGreaterThan(k, 0, "step \(step): the constraint should bind")
            if report.method == .warmSubspace { warmCertified += 1 }
            w = next
        }
        print("OK     binding sequence: \(warmCertified) of 30 steps certified by the warm subspace")
        XCTAssertGreaterThanOrEqual(warmCertified, 25)
    }

    // MARK: In the optimiser

    /// SGD with the projection (automatic) against the same steps with the full-SVD projection,
    /// on a 64-unit layer (block capacity 16): each step adds 0.1·u_1v_1ᵀ to the candidate block
    /// (its leading singular pair) plus small noise everywhere, so σ_1 reaches c after a few steps
    /// and the constraint then binds on every step. The candidate block of the 3H×H gate matrix
    /// (row stride H) is projected in place, the warm start survives from step to step, and every
    /// step equals the reference.
    func testSGDStepsUseTheWarmSubspaceAndMatchFullSVD() throws {
        let h = 64
        let a = GRULayer<Float>(inputSize: 5, hiddenSize: h, cell: .resetAfter, bias: false, seed: 12)
        let b = GRULayer<Float>(inputSize: 5, hiddenSize: h, cell: .resetAfter, bias: false, seed: 12)
        let fast = SGD<Float>(), reference = SGD<Float>()
        reference.projectionMethod = .fullSVD
        var rng = SeededGenerator(seed: 98)
        var methods: [ProjectionMethod: Int] = [:]
        var binding = 0
        for step in 0..<30 {
            let svd = try a.candidateBlock.converted(to: Double.self).svd()
            for (pa, pb) in zip(a.parameters, b.parameters) {
                var g: Matrix<Float> = Matrix<Double>.randomNormal(rows: pa.value.rows, cols: pa.value.cols, std: 0.001, using: &rng).converted()
                if pa === a.weightHH {
                    for i in 0..<h { for j in 0..<h { g[2 * h + i, j] -= Float(0.1 * svd.U[i, 0] * svd.Vt[0, j]) } }
                }
                pa.gradient = g; pb.gradient = g
            }
            let ra = fast.step(a.parameters, learningRate: 1, method: .project(delta: 0.2), recurrent: a)
            _ = reference.step(b.parameters, learningRate: 1, method: .project(delta: 0.2), recurrent: b)
            let report = try XCTUnwrap(ra.projection)
            if report.clippedCount > 0 {
                binding += 1
                methods[report.method, default: 0] += 1
            }
            let wa = a.weightHH.value.elements.map(Double.init), wb = b.weightHH.value.elements.map(Double.init)
            let diff = zip(wa, wb).map { abs($0 - $1) }.max()! / wb.map(abs).max()!
            XCTAssertLessThanOrEqual(diff, 1e-5, "step \(step): \(report.method) \(report.action) differs from the full SVD by \(diff)")
            b.weightHH.value = a.weightHH.value
        }
        print("OK     SGD on H = 64: \(binding) binding steps of 30, by method: \(methods)")
        XCTAssertGreaterThanOrEqual(binding, 15, "the push should make the constraint bind")
        XCTAssertGreaterThanOrEqual(methods[.warmSubspace] ?? 0, binding - 2, "the warm start should certify the binding steps")
    }

    /// The regression this guards against: once a warm start exists, a call that clips nothing must
    /// still establish σ_1 itself (not only "≤ c"), or no later step could skip by Weyl's inequality.
    /// A projector that has clipped, then sees a matrix with σ_1 = 0.95c, certifies the next small
    /// steps for free; and the certified skip that chapters 4 and 7 time exists at every size.
    func testAWarmProjectorStillSkipsOnceTheConstraintStopsBinding() throws {
        let n = 64
        let p = try SpectralProjector<Float>(n: n, threshold: Float(c))
        var above: Matrix<Float> = try ProjectionCost.testMatrix(n: n, testCase: .oneAbove, threshold: c, seed: 3).converted()
        XCTAssertGreaterThan(try p.project(&above).clippedCount, 0)
        XCTAssertGreaterThan(p.warmStartCount, 0)
        var below: Matrix<Float> = try ProjectionCost.testMatrix(n: n, testCase: .noneAbove, threshold: c, seed: 4).converted()
        p.resetBound()
        // The first call after the binding stops may still use the warm start (it only learns σ_1 ≤ c);
        // it clips nothing, so the next decomposition is the eigensolver's, and the step after that skips.
        let first = try p.project(&below)
        XCTAssertEqual(first.clippedCount, 0)
        let second = try p.project(&below, stepFrobeniusNorm: Float(0.01 * c))
        if second.action != .skipped { XCTAssertEqual(second.method, .leadingEigen, "after an unchanged call the eigensolver gives σ_1") }
        let third = try p.project(&below, stepFrobeniusNorm: Float(0.01 * c))
        XCTAssertEqual(third.action, .skipped, "after \(second.method) the bound \(second.certifiedBound ?? .nan) should leave room for a step")
        for size in [8, 64, 128] {
            XCTAssertNotNil(try ProjectionCost.certifiedSkipSeconds(n: size, threshold: c, repeats: 3, seed: 1), "n = \(size)")
        }
    }

    /// After ``SpectralProjector/resetHistory()`` a warm projector computes bit for bit what a new one
    /// computes (the trainer relies on it at every epoch start, so that a run resumed from a checkpoint
    /// repeats an uninterrupted one); without the reset the warm start changes the method used.
    func testResetHistoryMakesAProjectorActLikeANewOne() throws {
        let w0 = try withSpectrum(spectrum([1.3 * c, 1.1 * c], seed: 7), seed: 50)
        let steps = (1 ... 8).map { perturbed(w0, by: 1e-3 * Double($0), seed: 60 + UInt64($0)) }
        let warm = try SpectralProjector<Float>(n: n, threshold: Float(c))
        let reset = try SpectralProjector<Float>(n: n, threshold: Float(c))
        for m in steps.prefix(4) {
            var a: Matrix<Float> = m.converted(), b: Matrix<Float> = m.converted()
            _ = try warm.project(&a); _ = try reset.project(&b)
        }
        reset.resetHistory()
        let fresh = try SpectralProjector<Float>(n: n, threshold: Float(c))
        var methods: (warm: [ProjectionMethod], fresh: [ProjectionMethod]) = ([], [])
        for m in steps.dropFirst(4) {
            var a: Matrix<Float> = m.converted(), b: Matrix<Float> = m.converted(), f: Matrix<Float> = m.converted()
            let rw = try warm.project(&a), rb = try reset.project(&b), rf = try fresh.project(&f)
            XCTAssertEqual(b.elements.map(\.bitPattern), f.elements.map(\.bitPattern), "after resetHistory: as a new projector")
            XCTAssertEqual(rb.method, rf.method)
            methods.warm.append(rw.method); methods.fresh.append(rf.method)
        }
        XCTAssertNotEqual(methods.warm.first, methods.fresh.first, "the warm start matters: \(methods)")
    }
}
