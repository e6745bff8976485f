import XCTest
@testable import GRUKit

/// The in-place projection P_δ, gradient clipping and the SGD step.
final class EngineProjectionTests: XCTestCase {
    /// What one projection did, as the tests below ask it.
    struct Outcome { var clippedCount: Int; var changed: Bool { clippedCount > 0 } }

    /// P_c(W) by the training path (``SpectralProjector``, automatic method: the certified skip, else
    /// the leading eigenpairs of WᵀW), checked below against LAPACK's SVD and the full-SVD reference.
    func project(_ w: Matrix<Double>, c: Double) throws -> (Matrix<Double>, Outcome) {
        var out = w
        let p = try SpectralProjector<Double>(n: w.rows, threshold: c)
        let report = try p.project(&out)
        return (out, Outcome(clippedCount: report.clippedCount))
    }

    /// P_δ of a layer's candidate block W_hh (rows 2H..<3H of weightHH) by an SGD step with zero
    /// gradients and learning rate 0: the projection alone, as training applies it.
    @discardableResult
    func projectCandidate<S: BLASScalar>(_ layer: GRULayer<S>, delta: Double) throws -> UpdateResult {
        for p in layer.parameters { p.zeroGradient() }
        let r = SGD<S>().step(layer.parameters, learningRate: 0, method: .project(delta: delta), recurrent: layer)
        guard r.isFinite else { throw LinearAlgebraError.nonFiniteInput(routine: "projection") }
        return r
    }

    func testSingularValuesAreClippedAgainstLAPACK() throws {
        var rng = SeededGenerator(seed: 21)
        for n in [1, 3, 8] {
            let w = Matrix<Double>.randomNormal(rows: n, cols: n, std: 1.5, using: &rng)
            let c = 1.8
            let (p, outcome) = try project(w, c: c)
            let before = try w.singularValues(), after = try p.singularValues()
            Oracle.check("P_δ σ_i = min(σ_i, c), n = \(n)", after, before.map { min($0, c) }, tolerance: 1e-12)
            XCTAssertEqual(outcome.clippedCount, before.filter { $0 > c }.count)
            // Against the allocating reference implementation.
            var ref = w
            try SpectralProjection.projectByFullSVD(&ref, threshold: c)
            Oracle.check("P_δ in place vs reference, n = \(n)", p.elements, ref.elements, tolerance: 1e-12)
        }
    }

    func testProjectionIsTheFrobeniusNearestFeasibleMatrix() throws {
        var rng = SeededGenerator(seed: 22)
        let n = 6, c = 1.5
        let w = Matrix<Double>.randomNormal(rows: n, cols: n, std: 1.2, using: &rng)
        let (p, _) = try project(w, c: c)
        let best = (w - p).frobeniusNorm
        var closest = Double.infinity
        for i in 0..<400 {
            // Feasible candidates: random matrices scaled into ‖F‖₂ ≤ c, and feasible
            // perturbations of P(W) itself (the hard cases).
            var f: Matrix<Double>
            if i % 2 == 0 {
                f = Matrix.randomNormal(rows: n, cols: n, using: &rng)
            } else {
                f = p + Matrix.randomNormal(rows: n, cols: n, std: 1e-3 * Double(1 + i % 7), using: &rng)
            }
            let s = try f.spectralNorm()
            if s > c { f = (c / s * rng.nextUniform(in: 0.999..<1.0)) * f }
            XCTAssertLessThanOrEqual(try f.spectralNorm(), c * (1 + 1e-12))
            closest = min(closest, (w - f).frobeniusNorm)
        }
        print("OK     nearest: ‖W − P(W)‖_F = \(best), closest of 400 feasible matrices = \(closest)")
        XCTAssertLessThan(best, closest)
    }

    func testIdempotentAndBelowThresholdUnchangedBitForBit() throws {
        var rng = SeededGenerator(seed: 23)
        let w = Matrix<Double>.randomNormal(rows: 7, cols: 7, std: 2, using: &rng)
        let (p, o1) = try project(w, c: 1.9)
        XCTAssertTrue(o1.changed)
        let (pp, _) = try project(p, c: 1.9)
        Oracle.check("P_δ idempotent", pp.elements, p.elements, tolerance: 1e-13)
        let small = (1.0 / (try w.spectralNorm())) * w   // σ_1 = 1 < 1.9
        let (q, o2) = try project(small, c: 1.9)
        XCTAssertFalse(o2.changed)
        XCTAssertEqual(q.elements, small.elements, "a matrix below the threshold must be unchanged bit for bit")
        XCTAssertEqual(q.elements.map(\.bitPattern), small.elements.map(\.bitPattern))
    }

    func testRankDeficientAndRepeatedSingularValues() throws {
        var rng = SeededGenerator(seed: 24)
        // Rank 2 in 6 dimensions with σ = (5, 3, 0, 0, 0, 0).
        let a = Matrix<Double>.randomNormal(rows: 6, cols: 2, using: &rng), b = Matrix<Double>.randomNormal(rows: 2, cols: 6, using: &rng)
        let r = a * b
        let (pr, _) = try project(r, c: 1.0)
        let sr = try r.singularValues()
        Oracle.check("P_δ rank-deficient", try pr.singularValues(), sr.map { min($0, 1.0) }, tolerance: 1e-12)
        // Repeated singular values: Q1 diag(3,3,3,1,1) Q2ᵀ with orthogonal Q from an SVD.
        let q = try Matrix<Double>.randomNormal(rows: 5, cols: 5, using: &rng).svd()
        let m = SVD(U: q.U, singularValues: [3, 3, 3, 1, 1], Vt: q.Vt).reconstructed()
        let (pm, o) = try project(m, c: 2.0)
        XCTAssertEqual(o.clippedCount, 3)
        Oracle.check("P_δ repeated σ", try pm.singularValues(), [2, 2, 2, 1, 1], tolerance: 1e-12)
        let expected = SVD(U: q.U, singularValues: [2, 2, 2, 1, 1], Vt: q.Vt).reconstructed()
        Oracle.check("P_δ repeated σ matrix", pm.elements, expected.elements, tolerance: 1e-12)
    }

    func testOnlyTheCandidateBlockChanges() throws {
        for cell in GRUCell.allCases {
            let layer = GRULayer<Double>(inputSize: 3, hiddenSize: 5, cell: cell, bias: true, seed: 7)
            for p in layer.parameters { p.value = 4.0 * p.value }
            let before = layer.parameters.map(\.value)
            let o = try projectCandidate(layer, delta: 0.2)
            XCTAssertTrue(o.projected)
            let whh = layer.weightHH.value.elements, old = before[1].elements
            XCTAssertEqual(Array(whh[0..<50]), Array(old[0..<50]), "r and z blocks must not change")
            XCTAssertNotEqual(Array(whh[50..<75]), Array(old[50..<75]))
            XCTAssertEqual(layer.weightIH.value, before[0]); XCTAssertEqual(layer.biasIH!.value, before[2])
            Oracle.check("\(cell) candidate σ_1 after P_δ", [try layer.candidateBlock.spectralNorm()], [1.8], tolerance: 1e-12)
        }
    }

    func testProjectionRefusesNonFiniteMatrices() {
        let layer = GRULayer<Float>(inputSize: 2, hiddenSize: 3, cell: .resetAfter, bias: false, seed: 1)
        layer.weightHH.value[7, 1] = .nan
        XCTAssertThrowsError(try projectCandidate(layer, delta: 0.1))
        XCTAssertTrue(layer.weightHH.value[7, 1].isNaN)
    }

    func params(_ values: [[Double]]) -> [Parameter<Double>] {
        values.enumerated().map { i, v in
            let p = Parameter<Double>(name: "p\(i)", value: Matrix<Double>(rows: 1, cols: v.count))
            p.gradient = Matrix(rows: 1, cols: v.count, elements: v)
            return p
        }
    }

    func testClippingSemantics() {
        // Norm √(9 + 16 + 144) = 13.
        let ps = params([[3, 4], [12]])
        XCTAssertEqual(Parameters.gradientNorm(ps), 13, accuracy: 1e-14)
        let n1 = GradientClipping.clipGlobalNorm(ps, maxNorm: 20)
        XCTAssertEqual(n1, 13, accuracy: 1e-14)
        XCTAssertEqual(ps[0].gradient.elements + ps[1].gradient.elements, [3, 4, 12], "below the threshold: unchanged")
        let n2 = GradientClipping.clipGlobalNorm(ps, maxNorm: 5)
        XCTAssertEqual(n2, 13, accuracy: 1e-14, "the returned norm is the pre-clip one")
        let k = 5 / (13 + 1e-6)
        Oracle.check("clipped gradients", ps[0].gradient.elements + ps[1].gradient.elements, [3 * k, 4 * k, 12 * k], tolerance: 1e-15)
        Oracle.check("clipped norm = max·‖g‖/(‖g‖+1e-6)", [Parameters.gradientNorm(ps)], [5 * 13 / (13 + 1e-6)], tolerance: 1e-14)
        let bad = params([[1, .infinity], [2]])
        XCTAssertEqual(GradientClipping.clipGlobalNorm(bad, maxNorm: 1), .infinity)
        XCTAssertEqual(bad[0].gradient.elements[0], 1)
        XCTAssertTrue(GradientClipping.clipGlobalNorm(params([[.nan]]), maxNorm: 1).isNaN)
    }

    /// The one clipping rule: maxNorm/(‖g‖ + 1e-6) when below 1, else nil; TrainingMethod's scale agrees.
    func testClippingCoefficient() {
        XCTAssertEqual(GradientClipping.coefficient(norm: 13, maxNorm: 5), 5 / (13 + 1e-6))
        XCTAssertNil(GradientClipping.coefficient(norm: 4, maxNorm: 5))
        XCTAssertNil(GradientClipping.coefficient(norm: 5 - 1e-6, maxNorm: 5), "c = 1 exactly: not clipped")
        XCTAssertNil(GradientClipping.coefficient(norm: .nan, maxNorm: 5))
        XCTAssertEqual(GradientClipping.coefficient(norm: .infinity, maxNorm: 5), 0)
        for norm in [0.5, 4.0, 13.0, 1e30, .infinity, .nan] {
            let scale = TrainingMethod.clip(maxNorm: 5).clipScale(gradientNorm: norm)
            let expected = GradientClipping.coefficient(norm: norm, maxNorm: 5) ?? 1
            XCTAssertEqual(scale, expected, "norm \(norm)")
        }
    }

    func testSGDStepClipAndProject() {
        let layer = GRULayer<Double>(inputSize: 2, hiddenSize: 4, cell: .resetBefore, bias: false, seed: 3)
        var rng = SeededGenerator(seed: 9)
        for p in layer.parameters { p.gradient = Matrix.randomNormal(rows: p.value.rows, cols: p.value.cols, std: 10, using: &rng) }
        let before = layer.parameters.map(\.value), grads = layer.parameters.map(\.gradient)
        let norm = Parameters.gradientNorm(layer.parameters)
        let sgd = SGD<Double>()
        let r = sgd.step(layer.parameters, learningRate: 0.5, method: .clipAndProject(maxNorm: 1, delta: 0.5), recurrent: layer)
        XCTAssertEqual(r.gradientNorm, norm, accuracy: 1e-12); XCTAssertTrue(r.clipped); XCTAssertTrue(r.isFinite)
        let k = 1 / (norm + 1e-6)
        // W_ih took the clipped SGD step exactly.
        let expected = zip(before[0].elements, grads[0].elements).map { $0 - 0.5 * k * $1 }
        Oracle.check("SGD step on W_ih", layer.weightIH.value.elements, expected, tolerance: 1e-15)
        XCTAssertLessThanOrEqual(try layer.candidateBlock.spectralNorm(), 1.5 + 1e-12)
        // Non-finite gradient: nothing changes.
        layer.weightIH.gradient[0, 0] = .nan
        let snapshot = layer.parameters.map(\.value)
        let bad = sgd.step(layer.parameters, learningRate: 0.5, method: .sgd)
        XCTAssertFalse(bad.isFinite)
        XCTAssertEqual(layer.parameters.map(\.value), snapshot)
    }

    func testDiagnosticsAgainstClosedForm() throws {
        // W_hn = diag(d): ‖W‖₂ = max|d|, ρ(½I + ¼W) = max|½ + d/4|.
        let layer = GRULayer<Float>(inputSize: 1, hiddenSize: 3, cell: .resetBefore, bias: false, seed: 2)
        layer.candidateBlock = .diagonal([3, -1, -7])
        let d = try layer.stabilityDiagnostics()
        Oracle.check("‖W_hh‖₂ and ρ(J)", [d.spectralNorm, d.spectralRadius], [7, 1.25], tolerance: 1e-6)
    }
}
