import Foundation
import GRUKit
import GRUKitChapterSupport
import GRUKitPresentation

extension Chapter04 {
    // book: chapter04-two-by-two
    /// The 2×2 example: the SVD, the clipped values, the projected matrix, and the nearest-point check.
    package struct TwoByTwoExample {
        package var w: Matrix<Double>
        package var svd: SVD<Double>
        package var clipped: [Double]
        package var projected: Matrix<Double>
        /// ‖Ŵ − P_δ(Ŵ)‖_F.
        package var distance: Double
        /// The smallest ‖Ŵ − X‖_F over random feasible X (‖X‖₂ ≤ c).
        package var nearestRandom: Double

        package init(_ w: Matrix<Double>, threshold c: Double, samples: Int, seed: UInt64) throws {
            self.w = w
            svd = try w.svd()                                          // Step 1: Ŵ = U Σ Vᵀ
            clipped = svd.singularValues.map { min($0, c) }            // Step 2: σ̄_i = min(σ_i, c)
            projected = svd.reconstructed(with: clipped)               // Step 3: W = U Σ̄ Vᵀ
            distance = (w - projected).frobeniusNorm
            // Random feasible points: P_δ(Ŵ) plus a perturbation of random size, scaled back into the
            // ball ‖X‖₂ ≤ c when it left it (scaling towards 0 keeps it feasible).
            var rng = SeededGenerator(seed: seed)
            var best = Double.infinity
            for _ in 0..<samples {
                let size = 0.5 * rng.nextUniform()
                var x = projected + Matrix<Double>.randomNormal(rows: 2, cols: 2, std: size, using: &rng)
                let norm = try x.spectralNorm()
                if norm > c { x = (c / norm) * x }
                best = min(best, (w - x).frobeniusNorm)
            }
            nearestRandom = best
        }

        /// Fails when a random feasible matrix is nearer to Ŵ than P_δ(Ŵ): the projection would be wrong.
        package func checkNearest() throws {
            if nearestRandom < distance - 1e-12 {
                throw ChapterError.message("a random feasible matrix is nearer to Ŵ than P_δ(Ŵ): the projection is wrong")
            }
        }
    }
    // book: end
}

extension Chapter04.TwoByTwoExample {
    /// The tables the chapter prints, step by step: Ŵ, U, V, Σ and Σ̄, and W = U Σ̄ Vᵀ.
    package func tables(threshold c: Double) -> [TextTable] {
        func matrixTable(_ title: String, _ m: Matrix<Double>) -> TextTable {
            var t = TextTable(title: title, columns: ["", "col 1", "col 2"], format: "% .6f")
            for i in 0..<2 { t.add([.text("row \(i + 1)"), .number(m[i, 0]), .number(m[i, 1])]) }
            return t
        }
        var sigmaTable = TextTable(title: "Steps 1–2: Σ and Σ̄ = min(Σ, 2 − δ), 2 − δ = \(Gnuplot.number(c))",
                                   columns: ["i", "sigma", "sigma_clipped"], format: "%.6f")
        for i in 0..<2 { sigmaTable.add([.integer(i + 1), .number(svd.singularValues[i]), .number(clipped[i])]) }
        return [matrixTable("Ŵ", w), matrixTable("Step 1: U", svd.U), matrixTable("Step 1: V", svd.Vt.transposed), sigmaTable,
                matrixTable("Step 3: W = U Σ̄ Vᵀ", projected)]
    }

    /// `example.dat`: the singular values and their clipped values.
    package func data(threshold c: Double) -> DataTable {
        var table = DataTable(columns: ["i", "sigma", "sigma_clipped"], comments: [
            "Chapter 4: the 2x2 example W = [[\(w[0, 0]), \(w[0, 1])], [\(w[1, 0]), \(w[1, 1])]], its singular values and min(sigma_i, 2 - delta),",
            "2 - delta = \(c).",
        ])
        for i in 0..<2 { table.append([Double(i + 1), svd.singularValues[i], clipped[i]]) }
        return table
    }

    /// The example's numbers the prose cites, by name: `example.sigma1`, `example.sigma2`,
    /// `example.threshold` (2 − δ), `example.rho_before` and `example.rho_after` (ρ(½I + ¼W) of Ŵ and of P_δ(Ŵ)).
    package func record(into values: inout RecordedValues, threshold c: Double) throws {
        values["example.sigma1"] = String(format: "%.2f", svd.singularValues[0])
        values["example.sigma2"] = String(format: "%.2f", svd.singularValues[1])
        values["example.threshold"] = Gnuplot.number(c)
        values["example.rho_before"] = String(format: "%.2f", try FixedPointStability.spectralRadiusAtOrigin(w))
        values["example.rho_after"] = String(format: "%.2f", try FixedPointStability.spectralRadiusAtOrigin(projected))
    }

    /// The note under the tables: ‖W‖₂, ρ(J) before and after, and the nearest-point check.
    package func note(threshold c: Double) throws -> String {
        let projectedNorm = try projected.spectralNorm()
        let rhoBefore = try FixedPointStability.spectralRadiusAtOrigin(w)
        let rhoAfter = try FixedPointStability.spectralRadiusAtOrigin(projected)
        return String(format: """
            ‖W‖₂ = %.6f (2 − δ = %.6f);  ρ(½I + ¼Ŵ) = %.4f → ρ(½I + ¼W) = %.4f.
            Nearest point: ‖Ŵ − P_δ(Ŵ)‖_F = %.6f = √Σ(σ_i − c)₊² = %.6f; the nearest of 20000 random X with ‖X‖₂ ≤ 2 − δ is at %.6f.
            """, projectedNorm, c, rhoBefore, rhoAfter, distance,
            zip(svd.singularValues, clipped).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot(), nearestRandom)
    }
}
