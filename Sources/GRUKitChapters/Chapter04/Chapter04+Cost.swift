import Foundation
import GRUKit
import GRUKitChapterSupport
import GRUKitPresentation

extension Chapter04 {
    /// What one exact projection of an n×n Float matrix costs by each method, and how exact each is:
    /// the timings of the main test case at every size, of every test case at the largest size, the
    /// certified skip, and every method's largest difference from a Double full SVD.
    package struct CostMeasurement {
        /// The decomposing methods, in the tables' order.
        package static let methods: [ProjectionMethod] = [.fullSVD, .eigen, .selectiveEigen, .automatic]
        /// The test case of the size sweep: one singular value above the threshold.
        package static let mainCase = ProjectionCase.oneAbove
        /// The largest relative difference from the full SVD the chapter accepts.
        package static let tolerance = 1e-5

        package var sizes: [Int]
        package var threshold: Double
        package var repeats: Int
        /// The main case at every size, every method.
        package var timings: [ProjectionTiming] = []
        /// The fastest certified skip (milliseconds) at every size.
        package var skips: [(n: Int, milliseconds: Double)] = []
        /// Every test case at the largest size, every method.
        package var byCase: [ProjectionTiming] = []
        /// Per size, each method's max |P_method(W) − P_fullSVD,Double(W)| / max |P(W)| over two cases.
        package var exactness: [(n: Int, differences: [Double])] = []

        /// The largest size measured.
        package var largest: Int { sizes.max()! }
        /// The largest difference from the full SVD over every size and method.
        package var worst: Double { exactness.flatMap(\.differences).max() ?? 0 }
        /// The data file's method names: the four methods and `weylSkip`.
        package static var names: [String] { methods.map(\.rawValue) + ["weylSkip"] }

        /// Times and checks every method at every size (`progress` advances once per size).
        package init(sizes: [Int], threshold c: Double, repeats: Int, seed: UInt64, progress: ProgressBar) throws {
            self.sizes = sizes
            self.threshold = c
            self.repeats = repeats
            for n in sizes {
                timings += try ProjectionCost.measure(n: [n], methods: Self.methods, cases: [Self.mainCase], threshold: c, repeats: repeats, seed: seed)
                guard let s = try ProjectionCost.certifiedSkipSeconds(n: n, threshold: c, repeats: repeats, seed: seed) else {
                    throw ChapterError.message("the Weyl bound did not certify a skip at n = \(n)")
                }
                skips.append((n, 1000 * s))
                progress.advance()
            }
            byCase = try ProjectionCost.measure(n: [sizes.max()!], methods: Self.methods, cases: ProjectionCase.allCases, threshold: c,
                                                repeats: repeats, seed: seed)
            for n in sizes {
                var diffs = Array(repeating: 0.0, count: Self.methods.count)
                for (i, tc) in [ProjectionCase.oneAbove, .tenPercentAbove].enumerated() {
                    let wf: Matrix<Float> = try ProjectionCost.testMatrix(n: n, testCase: tc, threshold: c, seed: seed &+ UInt64(i)).converted()
                    var reference: Matrix<Double> = wf.converted()
                    try SpectralProjection.projectByFullSVD(&reference, threshold: c)
                    for (k, m) in Self.methods.enumerated() {
                        var got = wf
                        try SpectralProjector<Float>(n: n, threshold: Float(c), method: m).project(&got)
                        diffs[k] = max(diffs[k], Self.relativeDifference(got, reference))
                    }
                }
                exactness.append((n, diffs))
            }
        }

        /// max |got − ref| / max |ref| over the entries.
        package static func relativeDifference(_ got: Matrix<Float>, _ ref: Matrix<Double>) -> Double {
            var d = 0.0, m = 0.0
            for (g, r) in zip(got.elements, ref.elements) { d = max(d, abs(Double(g) - r)); m = max(m, abs(r)) }
            return m == 0 ? d : d / m
        }

        /// The fastest time (milliseconds) of `method` on the main case at size `n`.
        package func milliseconds(_ name: String, n: Int) -> Double? {
            name == "weylSkip" ? skips.first { $0.n == n }?.milliseconds
                : timings.first { $0.n == n && $0.method.rawValue == name }?.minimumMilliseconds
        }

        /// `projection-cost.dat`: one index block per method, rows `n method milliseconds`.
        package func data(blasCore: String, blasThreads: Int) -> String {
            var text = """
                # Chapter 4: fastest wall-clock time (ms) of one exact projection P_delta of an n x n Float matrix,
                # threshold 2 - delta = \(threshold), test case \(Self.mainCase.rawValue) (sigma_1 = 1.25 c, the rest below c), \(repeats) timed repeats,
                # BLAS core \(blasCore), \(blasThreads) BLAS thread(s). weylSkip: a step certified by the carried Weyl bound.
                # One index block per method (two blank lines apart).

                """
            for (k, name) in Self.names.enumerated() {
                if k > 0 { text += "\n\n" }
                text += "# n method milliseconds\n"
                for n in sizes { if let ms = milliseconds(name, n: n) { text += "\(n) \(name) \(DataTable.format(ms))\n" } }
            }
            return text
        }

        /// The tables the chapter prints: the main case against n, every case at the largest n, and the exactness.
        package var tables: [TextTable] {
            var cost = TextTable(title: "One projection, case \(Self.mainCase.rawValue): fastest of \(repeats) repeats (Float)",
                                 columns: ["n"] + Self.names, formats: ["%g"] + Array(repeating: "", count: Self.names.count))
            for n in sizes {
                cost.add([.integer(n)] + Self.names.map { name in milliseconds(name, n: n).map { .text(duration(seconds: $0 / 1000)) } ?? .empty })
            }
            var cases = TextTable(title: "n = \(largest), every test case: fastest time (clipped count in brackets)",
                                  columns: ["case"] + Self.methods.map(\.rawValue), formats: Array(repeating: "", count: Self.methods.count + 1))
            for tc in ProjectionCase.allCases {
                var row: [TableCell] = [.text(tc.rawValue)]
                for m in Self.methods {
                    let t = byCase.first { $0.method == m && $0.testCase == tc }!
                    row.append(.text("\(duration(seconds: t.minimumMilliseconds / 1000)) (\(t.clipped))"))
                }
                cases.add(row)
            }
            var exact = TextTable(title: "Exactness: max |P_method(W) − P_fullSVD,Double(W)| / max |P(W)|, Float, over cases oneAbove and tenPercentAbove",
                                  columns: ["n"] + Self.methods.map(\.rawValue), format: "%.2e")
            for e in exactness { exact.add([.integer(e.n)] + e.differences.map { .number($0) }) }
            return [cost, cases, exact]
        }

        /// The line under the exactness table.
        package var exactnessNote: String { String(format: "max difference from the full SVD: %.3e (tolerance 1e-5)", worst) }

        /// Fails when a method differs from the full SVD by more than ``tolerance``.
        package func checkExactness() throws {
            if !(worst <= Self.tolerance) { throw ChapterError.message(String(format: "a projection method differs from the full SVD by %.3e > 1e-5", worst)) }
        }

        /// The timings the prose cites, by name: `cost.n`, `cost.CASE.METHOD` (milliseconds at the largest
        /// size, cases oneAbove and allAbove) and `cost.weylSkip` (a duration with its unit).
        package func record(into values: inout RecordedValues) {
            values["cost.n"] = "\(largest)"
            for m in Self.methods {
                for tc in [Self.mainCase, .allAbove] {
                    if let t = byCase.first(where: { $0.method == m && $0.testCase == tc }) {
                        values["cost.\(tc.rawValue).\(m.rawValue)"] = String(format: "%.1f", t.minimumMilliseconds)
                    }
                }
            }
            if let skip = milliseconds("weylSkip", n: largest) { values["cost.weylSkip"] = duration(seconds: skip / 1000) }
        }
    }
}
