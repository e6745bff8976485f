/// How many singular values of a test matrix exceed the threshold c.
package enum ProjectionCase: String, CaseIterable, Sendable {
    /// σ_i uniform in [0.05c, 0.95c]: the projection is the identity.
    case noneAbove
    /// σ_1 = 1.25c, the rest as in `noneAbove`.
    case oneAbove
    /// ⌈n/10⌉ values uniform in [1.01c, 1.5c], the rest as in `noneAbove`.
    case tenPercentAbove
    /// Every σ_i uniform in [1.01c, 2c].
    case allAbove

    /// The n prescribed singular values, descending: n uniform draws in [0.05c, 0.95c) from `rng`,
    /// then the leading ones replaced as the case says (one more draw each, except `oneAbove`).
    package func singularValues(n: Int, threshold c: Double, using rng: inout SeededGenerator) -> [Double] {
        let above: Int
        switch self {
        case .noneAbove: above = 0
        case .oneAbove: above = Swift.min(1, n)
        case .tenPercentAbove: above = (n + 9) / 10
        case .allAbove: above = n
        }
        var s = (0..<n).map { _ in c * rng.nextUniform(in: 0.05..<0.95) }
        for i in 0..<above {
            switch self {
            case .oneAbove: s[i] = 1.25 * c
            case .allAbove: s[i] = c * rng.nextUniform(in: 1.01..<2)
            default: s[i] = c * rng.nextUniform(in: 1.01..<1.5)
            }
        }
        return s.sorted(by: >)
    }
}

/// One timing from ``ProjectionCost/measure(n:methods:cases:threshold:repeats:seed:)``.
package struct ProjectionTiming: Sendable {
    /// The matrix size n (n×n).
    package var n: Int
    /// The projection method timed.
    package var method: ProjectionMethod
    /// How many singular values of the test matrix exceeded the threshold.
    package var testCase: ProjectionCase
    /// The median wall-clock time of one projection, in milliseconds (the upper median for an even
    /// number of repetitions).
    package var milliseconds: Double
    /// The fastest repetition, in milliseconds (least disturbed by other load on the machine).
    package var minimumMilliseconds: Double
    /// The number of clipped singular values the method reported.
    package var clipped: Int
}

/// The cost of one exact projection by each ``ProjectionMethod``, in Float (training precision).
package enum ProjectionCost {
    /// W = Q₁ diag(s) Q₂ᵀ with s from `testCase` and Q₁, Q₂ the singular vectors of an n×n
    /// standard normal matrix (Haar-distributed orthogonal matrices), built in Double.
    /// - Throws: ``LinearAlgebraError`` if the SVD used to draw Q₁, Q₂ fails.
    package static func testMatrix(n: Int, testCase: ProjectionCase, threshold c: Double, seed: UInt64) throws -> Matrix<Double> {
        var rng = SeededGenerator(seed: seed)
        let g = Matrix<Double>.randomNormal(rows: n, cols: n, using: &rng)
        let svd = try g.svd()
        let s = testCase.singularValues(n: n, threshold: c, using: &rng)
        return SVD(U: svd.U, singularValues: s, Vt: svd.Vt).reconstructed()
    }

    /// The fastest wall-clock time (seconds) of a certified skip at size n: an automatic Float
    /// projector that knows σ_1 ≤ 0.95c from a first projection of a ``ProjectionCase/noneAbove``
    /// matrix is handed a step of Frobenius norm 0.01c, which Weyl's inequality certifies (the bound
    /// is reset and re-established between repeats). Nil when the bound did not certify the skip
    /// (which the numbers above rule out unless the projector changed); throws what the projector throws.
    package static func certifiedSkipSeconds(n: Int, threshold c: Double, repeats: Int, seed: UInt64) throws -> Double? {
        var w: Matrix<Float> = try testMatrix(n: n, testCase: .noneAbove, threshold: c, seed: seed).converted()
        let projector = try SpectralProjector<Float>(n: n, threshold: Float(c), method: .automatic)
        try projector.project(&w)
        var best = Double.infinity
        for _ in 0 ..< max(repeats, 1) {
            let report = try projector.project(&w, stepFrobeniusNorm: Float(0.01 * c))
            guard report.action == .skipped else { return nil }
            best = min(best, report.seconds)
            projector.resetBound()
            try projector.project(&w)
        }
        return best
    }

    /// Median time (ms) of one Float projection of an n×n test matrix, for every combination of
    /// size, method and case. Each repetition projects a fresh copy of the same matrix with a
    /// projector built once per (n, method) (so workspace allocation is excluded, as in training);
    /// for ``ProjectionMethod/automatic`` no step size is passed, so it never skips by the Weyl
    /// certificate and measures the check itself (scan + leading eigenpairs), and its warm start
    /// is forgotten before each repetition (a cold call). ``ProjectionMethod/warmSubspace`` keeps
    /// its warm start from the previous repetition of the same matrix: its best case, as in
    /// training late on, when W moves little per step. Uses the current ``BLAS/threads`` setting.
    /// - Precondition: repeats ≥ 1, every n ≥ 1.
    /// - Throws: ``LinearAlgebraError`` from the test-matrix construction or a projection.
    package static func measure(n sizes: [Int], methods: [ProjectionMethod], cases: [ProjectionCase] = ProjectionCase.allCases,
                               threshold c: Double = 1.8, repeats: Int, seed: UInt64) throws -> [ProjectionTiming] {
        precondition(repeats >= 1, "ProjectionCost.measure: repeats must be ≥ 1")
        var out: [ProjectionTiming] = []
        for n in sizes {
            var matrices: [ProjectionCase: Matrix<Float>] = [:]
            for (i, tc) in cases.enumerated() {
                matrices[tc] = try testMatrix(n: n, testCase: tc, threshold: c, seed: seed &+ UInt64(i) &* 7919).converted()
            }
            for m in methods {
                let projector = try SpectralProjector<Float>(n: n, threshold: Float(c), method: m)
                for tc in cases {
                    let original = matrices[tc]!
                    var w = original
                    var times: [Double] = []
                    var clipped = 0
                    // One untimed warm-up call (first-touch of the workspace, BLAS thread start-up).
                    for r in 0...repeats {
                        w.elements.withUnsafeMutableBufferPointer { p in
                            original.elements.withUnsafeBufferPointer { q in p.baseAddress!.update(from: q.baseAddress!, count: q.count) }
                        }
                        projector.resetBound()
                        if m != .warmSubspace { projector.resetWarmStart() }
                        let report = try projector.project(&w)
                        if r > 0 { times.append(report.seconds * 1000) }
                        clipped = report.clippedCount
                    }
                    times.sort()
                    out.append(ProjectionTiming(n: n, method: m, testCase: tc, milliseconds: times[times.count / 2],
                                           minimumMilliseconds: times[0], clipped: clipped))
                }
            }
        }
        return out
    }
}
