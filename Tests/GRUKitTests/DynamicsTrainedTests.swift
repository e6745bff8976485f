import Foundation
import XCTest
import GRUKit
import GRUKitChapterSupport

/// The analysis of trained GRUs (chapter 8) on maps whose answers are known: the fixed-point finder
/// from given starts, slow points, finite-time Lyapunov exponents, the state map of a layer with
/// inputs, and spectral rescaling against the projection P_δ.
final class DynamicsTrainedTests: XCTestCase {
    /// Chapter 2's one-unit map f(h) = ½h + ½tanh(w_hh h/2) (w_hz = w_hr = 0) at w_hh = 2.5 has the
    /// fixed points 0 (unstable, f′(0) = ½ + 2.5/4) and ±0.7104 (stable); with w_hr = 1 the map
    /// changes and so do its points. The N-dimensional finder, run from a few starts of our choice,
    /// must return exactly the points of chapter 2's bracketing scalar finder, and classify them alike.
    func testFinderRecoversTheOneUnitFixedPoints() {
        for wHR in [0.0, 1.0] {
            let scalar = ScalarGRU(wHH: 2.5, wHZ: 0, wHR: wHR).fixedPoints()
            let map = InputFreeGRU(reset: Matrix([[wHR]]), update: Matrix([[0.0]]), candidate: Matrix([[2.5]]), form: .resetBefore)
            let points = map.criticalPoints(from: [-0.95, -0.6, -0.2, 0.05, 0.3, 0.6, 0.95].map { [$0] })
            XCTAssertEqual(points.count, scalar.count, "w_hr = \(wHR): \(points.map(\.h))")
            let sorted = points.sorted { $0.h[0] < $1.h[0] }
            for (p, s) in zip(sorted, scalar) {
                XCTAssertEqual(p.h[0], s.h, accuracy: 1e-10, "w_hr = \(wHR)")
                XCTAssertEqual(p.isStable, s.isStable)
                XCTAssertEqual(p.spectralRadius, abs(s.slope), accuracy: 1e-9)
                XCTAssertLessThan(p.residual, 1e-12)
                XCTAssertFalse(p.isSlowPoint)
            }
            if wHR == 0 {
                XCTAssertEqual(sorted.map { $0.h[0] }, [-0.7104, 0, 0.7104].map { $0 }, accuracy: 5e-5)
                XCTAssertEqual(sorted.map(\.classification), ["stable", "repeller", "stable"])
            }
        }
    }

    /// Two uncoupled units, W_hh = diag(2.5, 2.5) and no gate weights: the fixed points are the nine
    /// pairs of {−a, 0, a} with a = 0.7104…, the four with both entries non-zero stable, the four with
    /// one zero saddles with one unstable direction, the origin a repeller (two unstable directions).
    func testFinderRecoversAndClassifiesTheTwoUnitFixedPoints() {
        let zero = Matrix<Double>(rows: 2, cols: 2)
        let map = InputFreeGRU(reset: zero, update: zero, candidate: Matrix([[2.5, 0], [0, 2.5]]), form: .resetBefore)
        let a = ScalarGRU(wHH: 2.5).fixedPoints().map(\.h).max()!
        let grid = [-0.9, -0.45, 0, 0.45, 0.9]
        let starts = grid.flatMap { x in grid.map { [x, $0] } }
        let points = map.criticalPoints(from: starts)
        XCTAssertEqual(points.count, 9, "\(points.map(\.h))")
        for p in points {
            for x in p.h { XCTAssertTrue(abs(x) < 1e-10 || abs(abs(x) - a) < 1e-10, "\(p.h)") }
            let nonzero = p.h.filter { abs($0) > 0.1 }.count
            XCTAssertEqual(p.unstableDirections, 2 - nonzero, "\(p.h)")
            XCTAssertEqual(p.classification, ["repeller", "saddle (1 unstable)", "stable"][nonzero])
        }
        XCTAssertEqual(points.first?.h, [0, 0], "the origin first (sorted by norm)")
    }

    /// Just before the fold of the w_hr = 1 diagram (chapter 2: a saddle-node near w_hh ≈ 1.76) the
    /// two fixed points about to be born are absent, but |f(h) − h| has a positive local minimum
    /// there: a slow point. The finder must report it (flagged slow, speed at the minimum) where a
    /// fine scan of |f(h) − h| has its local minimum, and drop it when slow points are not asked for.
    func testSlowPointBeforeTheFold() {
        let w = 1.70
        let scalar = ScalarGRU(wHH: w, wHZ: 0, wHR: 1)
        let map = InputFreeGRU(reset: Matrix([[1.0]]), update: Matrix([[0.0]]), candidate: Matrix([[w]]), form: .resetBefore)
        // The local minimum of |f(h) − h| away from the origin, by a fine scan.
        let hs = stride(from: -0.99, through: 0.99, by: 1e-5).map { $0 }
        let speed = hs.map { abs(scalar($0) - $0) }
        func isGhost(_ i: Int) -> Bool {
            let localMinimum: Bool = speed[i] < speed[i - 1] && speed[i] <= speed[i + 1]
            return localMinimum && speed[i] < 0.05 && abs(hs[i]) > 0.05
        }
        let minima = (1 ..< hs.count - 1).filter(isGhost)
        XCTAssertEqual(minima.count, 1, "one ghost of the fold: \(minima.map { (hs[$0], speed[$0]) })")
        let ghost = hs[minima[0]]
        let starts = [-0.9, -0.5, 0.2, 0.5, 0.9].map { [$0] }
        let points = map.criticalPoints(from: starts, slowSpeed: 0.05)
        let slow = points.filter(\.isSlowPoint)
        XCTAssertEqual(slow.count, 1, "\(points.map { ($0.h, $0.residual, $0.isSlowPoint) })")
        XCTAssertEqual(slow.first?.h[0] ?? .nan, ghost, accuracy: 1e-4)
        XCTAssertEqual(slow.first?.residual ?? .nan, speed[minima[0]], accuracy: 1e-8)
        XCTAssertGreaterThan(slow.first?.residual ?? 0, 1e-6)
        XCTAssertEqual(points.filter { !$0.isSlowPoint }.map { $0.h[0] }, [0], accuracy: 1e-15, "only the origin is a fixed point")
        XCTAssertTrue(map.criticalPoints(from: starts).allSatisfy { !$0.isSlowPoint })
    }

    /// For a constant linear map J = A the QR method's exponents are log|λ_i(A)| up to O(1/T); their
    /// sum is (1/T) log|det Aᵀ| = log|det A| to rounding. A triangular A has its eigenvalues on the
    /// diagonal.
    func testLyapunovExponentsOfALinearMap() {
        let a = Matrix<Double>([[1.3, 0.5, -0.2, 0.1], [0, -0.8, 0.3, 0.4], [0, 0, 0.5, 0.7], [0, 0, 0, 0.2]])
        let t = 4000
        let all = LyapunovExponents.finiteTime(Array(repeating: a, count: t), count: 4)
        let expected = [1.3, 0.8, 0.5, 0.2].map { Foundation.log($0) }
        for (l, e) in zip(all, expected) { XCTAssertEqual(l, e, accuracy: 2e-3) }
        XCTAssertEqual(all.reduce(0, +), expected.reduce(0, +), accuracy: 1e-12, "volume growth = log|det A|")
        let top = LyapunovExponents.finiteTime(Array(repeating: a, count: t), count: 1, seed: 7)
        XCTAssertEqual(top[0], Foundation.log(1.3), accuracy: 2e-3)
        // A rotation by 1 radian scaled by 0.9: complex eigenvalues 0.9e^{±i}, both exponents log 0.9.
        let r = Matrix<Double>([[0.9 * Foundation.cos(1.0), -0.9 * Foundation.sin(1.0)], [0.9 * Foundation.sin(1.0), 0.9 * Foundation.cos(1.0)]])
        for l in LyapunovExponents.finiteTime(Array(repeating: r, count: 50), count: 2) { XCTAssertEqual(l, Foundation.log(0.9), accuracy: 1e-12) }
    }

    /// At a stable fixed point h* of the input-free GRU the orbit stays at h*, the Jacobian is
    /// constant, and the maximal exponent is log ρ(∂F/∂h(h*)): checked at the origin of a map with
    /// ‖W_hh‖₂ = 1.5 (ρ = ρ(½I + ¼W_hh)) and at the non-zero stable points of one with ‖W_hh‖₂ = 2.5.
    func testLyapunovExponentAtAStableFixedPointIsLogRho() throws {
        var rng = SeededGenerator(seed: 11)
        let n = 5
        let base = Matrix<Double>.randomNormal(rows: n, cols: n, std: 1, using: &rng)
        let sym = 0.5 * (base + base.transposed)
        let wr = Matrix<Double>.randomNormal(rows: n, cols: n, std: 0.3, using: &rng)
        let wz = Matrix<Double>.randomNormal(rows: n, cols: n, std: 0.3, using: &rng)
        var checked = 0
        for norm in [1.5, 2.5] {
            let w = (norm / (try sym.spectralNorm())) * sym
            for form in GRUCell.allCases {
                let map = InputFreeGRU(reset: wr, update: wz, candidate: w, form: form)
                for p in map.fixedPoints(starts: 60) where p.isStable {
                    let lyap = map.lyapunovExponents(from: p.h, steps: 3000)[0]
                    XCTAssertEqual(lyap, Foundation.log(p.spectralRadius), accuracy: 3e-3, "‖W‖ = \(norm), \(form), h* = \(p.h)")
                    if p.norm == 0 {
                        XCTAssertEqual(p.spectralRadius, try FixedPointStability.spectralRadiusAtOrigin(w), accuracy: 1e-12)
                    }
                    checked += 1
                }
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 4, "stable points at both norms and forms")
    }

    /// A layer with biases, run by the engine in Double, against its state map: the same states, the
    /// Jacobians of ``GRUStateMap`` against central differences, and their product against the
    /// engine's backpropagation: for loss = gᵀh_T, ∂loss/∂h_0 = (J_T ⋯ J_1)ᵀ g.
    func testStateMapMatchesTheEngineAndItsJacobiansTheGradient() throws {
        for cell in GRUCell.allCases {
            let layer = GRULayer<Double>(inputSize: 3, hiddenSize: 4, cell: cell, bias: true, seed: 5)
            // Larger weights than the default, so that the gates and the tanh are far from linear.
            layer.weightHH.value = 3 * layer.weightHH.value
            layer.weightIH.value = 2 * layer.weightIH.value
            var rng = SeededGenerator(seed: 6)
            let t = 6
            let xs = (0 ..< t).map { _ in (0 ..< 3).map { _ in rng.nextUniform(in: -1 ..< 1) } }
            let h0 = (0 ..< 4).map { _ in rng.nextUniform(in: -0.5 ..< 0.5) }
            let engine = layer.forward(Matrix(rows: t, cols: 3, elements: xs.flatMap { $0 }), initialState: Matrix(rows: 1, cols: 4, elements: h0))
            let map = GRUStateMap(layer: layer)
            let states = map.states(inputs: xs, from: h0)
            for k in 0 ..< t { for i in 0 ..< 4 { XCTAssertEqual(states[k][i], engine[k, i], accuracy: 1e-14, "\(cell) t = \(k + 1)") } }

            let js = map.jacobians(inputs: xs, from: h0)
            var h = h0
            for (k, x) in xs.enumerated() {
                let f = map.map(input: x)
                let fd = f.finiteDifferenceJacobian(at: h)
                XCTAssertLessThan((js[k] - fd).maxAbs, 1e-8, "\(cell) J_\(k + 1)")
                h = f(h)
            }
            let g = (0 ..< 4).map { _ in rng.nextUniform(in: -1 ..< 1) }
            var upstream = g
            for j in js.reversed() { upstream = j.multiplied(by: upstream, transposeSelf: true) }
            var dOut = Matrix<Double>(rows: t, cols: 4)
            for i in 0 ..< 4 { dOut[t - 1, i] = g[i] }
            _ = layer.forward(Matrix(rows: t, cols: 3, elements: xs.flatMap { $0 }), initialState: Matrix(rows: 1, cols: 4, elements: h0))
            let back = layer.backward(outputGradient: dOut).initialState
            for i in 0 ..< 4 { XCTAssertEqual(upstream[i], back[0, i], accuracy: 1e-12, "\(cell) ∂loss/∂h_0") }
            // And both against central differences of gᵀh_T in h_0 (Double).
            for i in 0 ..< 4 {
                var hp = h0, hm = h0
                hp[i] += 1e-6; hm[i] -= 1e-6
                let lp = zip(g, map.states(inputs: xs, from: hp).last!).reduce(0) { $0 + $1.0 * $1.1 }
                let lm = zip(g, map.states(inputs: xs, from: hm).last!).reduce(0) { $0 + $1.0 * $1.1 }
                XCTAssertEqual(upstream[i], (lp - lm) / 2e-6, accuracy: 1e-8)
            }
        }
    }

    /// W = U diag(2.6, 1.2, 0.7, 0.3) Vᵀ has one singular value above c = 1.8. Rescaling and P_δ then
    /// agree on what the stabiliser is for, σ_1 = c with the same u_1, v_1; rescaling also scales
    /// σ_2.. by c/σ_1, P_δ leaves them, so P_δ moves W less (it is the Frobenius-nearest). For a
    /// rank-one W the two are the same matrix; for σ_1 ≤ c neither changes W.
    func testSpectralRescaleAgreesWithTheProjectionOnTheTopSingularValue() throws {
        var rng = SeededGenerator(seed: 3)
        let u = try Matrix<Double>.randomNormal(rows: 4, cols: 4, std: 1, using: &rng).svd().U
        let v = try Matrix<Double>.randomNormal(rows: 4, cols: 4, std: 1, using: &rng).svd().U
        let c = SpectralProjection.threshold(delta: 0.2)
        for sigmas in [[2.6, 1.2, 0.7, 0.3], [2.6, 0, 0, 0]] {
            let w = u * Matrix.diagonal(sigmas) * v.transposed
            var rescaled = w, projected = w
            let r = try SpectralRescaling.rescale(&rescaled, threshold: c)
            let p = try SpectralProjection.projectByFullSVD(&projected, threshold: c)
            XCTAssertEqual(r.largestSingularValue, 2.6, accuracy: 1e-12)
            XCTAssertEqual(r.factor, c / 2.6, accuracy: 1e-15)
            XCTAssertEqual(p.clippedCount, 1)
            let sr = try rescaled.svd(), sp = try projected.svd()
            XCTAssertEqual(sr.singularValues[0], c, accuracy: 1e-12)
            XCTAssertEqual(sp.singularValues[0], c, accuracy: 1e-12)
            let uDot = (0 ..< 4).map { sr.U[$0, 0] * sp.U[$0, 0] }.reduce(0, +)
            let vDot = (0 ..< 4).map { sr.Vt[0, $0] * sp.Vt[0, $0] }.reduce(0, +)
            XCTAssertEqual(abs(uDot), 1, accuracy: 1e-10)
            XCTAssertEqual(abs(vDot), 1, accuracy: 1e-10)
            for k in 1 ..< 4 {
                XCTAssertEqual(sr.singularValues[k], sigmas[k] * c / 2.6, accuracy: 1e-12)
                XCTAssertEqual(sp.singularValues[k], sigmas[k], accuracy: 1e-12)
            }
            if sigmas[1] == 0 {
                XCTAssertLessThan((rescaled - projected).maxAbs, 1e-12, "rank one: the same matrix")
            } else {
                XCTAssertGreaterThan((rescaled - projected).maxAbs, 0.1, "full rank: different matrices")
                XCTAssertGreaterThan((rescaled - w).frobeniusNorm, (projected - w).frobeniusNorm)
            }
        }
        var inside = Matrix<Double>([[1.0, 0.2], [0.1, 0.9]])
        let before = inside
        XCTAssertFalse(try SpectralRescaling.rescale(&inside, threshold: c).changed)
        XCTAssertEqual(inside, before)
    }

    /// The training method `.rescale(delta:)`: after SGD with zero gradients the candidate block is
    /// (c/σ_1)·W_hn with σ_1 = c, the r and z rows and W_ih untouched; the step reports it. In Float
    /// the bound holds to rounding. Its names follow the other methods'.
    func testSGDRescaleStepActsOnTheCandidateBlockOnly() throws {
        let layer = GRULayer<Float>(inputSize: 2, hiddenSize: 5, cell: .resetAfter, bias: false, seed: 2)
        var block = layer.candidateBlock.converted(to: Double.self)
        block = (3 / (try block.spectralNorm())) * block
        layer.candidateBlock = block.converted(to: Float.self)
        let rz = Array(layer.weightHH.value.elements[0 ..< 50]), wih = layer.weightIH.value
        let before = layer.candidateBlock
        for p in layer.parameters { p.gradient = Matrix(rows: p.value.rows, cols: p.value.cols) }
        let result = SGD<Float>().step(layer.parameters, learningRate: 0.1, method: .rescale(delta: 0.2), recurrent: layer)
        XCTAssertTrue(result.projected && result.isFinite)
        XCTAssertEqual(result.singularValueBeforeProjection ?? 0, 3, accuracy: 1e-5)
        let after = layer.candidateBlock
        XCTAssertEqual(Double(try after.converted(to: Double.self).spectralNorm()), 1.8, accuracy: 1e-5)
        let f = Float(1.8) / Float(result.singularValueBeforeProjection!)
        for (a, b) in zip(after.elements, before.elements) { XCTAssertEqual(a, f * b, accuracy: 1e-6) }
        XCTAssertEqual(Array(layer.weightHH.value.elements[0 ..< 50]), rz)
        XCTAssertEqual(layer.weightIH.value, wih)
        // A second step finds σ_1 ≤ c (to rounding) and leaves the block alone.
        let again = SGD<Float>().step(layer.parameters, learningRate: 0.1, method: .rescale(delta: 0.19), recurrent: layer)
        XCTAssertFalse(again.projected)
        XCTAssertEqual(TrainingMethod.rescale(delta: 0.2).description, "rescale(δ=0.2)")
        XCTAssertEqual(TrainingMethod.rescale(delta: 0.2).shortName, "rescale0.2")
        XCTAssertEqual(TrainingMethod.rescale(delta: 0.2).delta, 0.2)
        XCTAssertFalse(TrainingMethod.rescale(delta: 0.2).projects)
        XCTAssertEqual(try TrainingOptions.parseMethods("rescale,project"), [.rescale, .project])
    }
}

private func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, _ message: String = "",
                            file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, message, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, message, file: file, line: line) }
}
