import Foundation
import GRUKit
import GRUKitChapterSupport
import GRUKitPresentation

extension Chapter02 {
    // book: chapter02-jacobian-check
    /// J(0) of a random H-unit GRU, in both cell forms, against the formula ½I + ¼W_hh: by central finite
    /// differences and by the analytic Jacobian. The weights are drawn from `rng` (one 3H×H weight_hh per
    /// form, entries N(0, (1.5/√H)²)); `worst` is the largest finite-difference discrepancy.
    package static func jacobianCheck(hidden: Int, rng: inout SeededGenerator)
        -> (rows: [(form: GRUCell, finiteDifference: Double, analytic: Double)], worst: Double) {
        var rows: [(GRUCell, Double, Double)] = []
        var worst = 0.0
        for form in GRUCell.allCases {
            let w = Matrix<Double>.randomNormal(rows: 3 * hidden, cols: hidden, std: 1.5 / Double(hidden).squareRoot(), using: &rng)
            let gru = InputFreeGRU(weightHH: w, form: form)
            let zero = [Double](repeating: 0, count: hidden)
            let formula = FixedPointStability.jacobianAtOrigin(gru.candidateBlock)
            let fd = (gru.finiteDifferenceJacobian(at: zero) - formula).maxAbs
            let an = (gru.jacobian(at: zero) - formula).maxAbs
            worst = max(worst, fd)
            rows.append((form, fd, an))
        }
        return (rows, worst)
    }
    // book: end

    /// The table of ``jacobianCheck(hidden:rng:)``, its note, and `jacobian.max_difference` recorded.
    package static func jacobianReport(hidden: Int, rng: inout SeededGenerator, into values: inout RecordedValues) -> (table: TextTable, note: String) {
        let check = jacobianCheck(hidden: hidden, rng: &rng)
        var identity = TextTable(title: "J(0) against ½I + ¼W_hh (random weights, H = \(hidden))",
                                 columns: ["form", "max |J_fd − (½I + ¼W)|", "max |J_analytic − (½I + ¼W)|"], formats: ["", "%.2e", "%.2e"])
        for r in check.rows { identity.add([.text(r.form.rawValue), .number(r.finiteDifference), .number(r.analytic)]) }
        values["jacobian.max_difference"] = String(format: "%.2e", check.worst)
        return (identity, String(format: "Largest difference between the finite-difference Jacobian and ½I + ¼W_hh: %.2e (central differences, step 1e-6).", check.worst))
    }

    /// The eigenvalues μ = ½ + λ/4 of J = ½I + ¼W_hh for a Gaussian and a symmetric W_hh (leading eigenvalue
    /// +‖W_hh‖₂), each rescaled to every norm of `norms`: the data files, the table of ρ(J) and the figure.
    package struct Eigenvalues {
        package var size: Int
        package var seed: UInt64
        package var norms: [Double]
        /// Per norm: the eigenvalues of J for the Gaussian and for the symmetric W_hh.
        package var spectra: [(norm: Double, gaussian: [ComplexValue<Double>], symmetric: [ComplexValue<Double>])] = []

        /// Draws the Gaussian and then the symmetric matrix from `rng`.
        package init(size: Int, norms: [Double], seed: UInt64, rng: inout SeededGenerator) throws {
            self.size = size
            self.seed = seed
            self.norms = norms
            let gaussian = Matrix<Double>.randomNormal(rows: size, cols: size, std: 1, using: &rng)
            let symmetric = try symmetricWithPositiveTop(size, rng: &rng)
            for norm in norms {
                let jg = FixedPointStability.jacobianAtOrigin(try rescaled(gaussian, toNorm: norm))
                let js = FixedPointStability.jacobianAtOrigin(try rescaled(symmetric, toNorm: norm))
                spectra.append((norm, try jg.eigenvalues(), try js.eigenvalues()))
            }
        }

        /// `eigenvalues.dat` (Gaussian W_hh) and `eigenvalues-symmetric.dat`: rows `norm re im`.
        package var data: (gaussian: DataTable, symmetric: DataTable) {
            var eigenData = DataTable(columns: ["norm", "re", "im"], comments: [
                "Chapter 2: eigenvalues mu = 1/2 + lambda/4 of J = I/2 + W_hh/4 for a Gaussian \(size)x\(size) W_hh",
                "rescaled to spectral norm `norm` (seed \(seed)).",
            ])
            var eigenSymmetric = DataTable(columns: ["norm", "re", "im"], comments: [
                "Chapter 2: as eigenvalues.dat for a symmetric W_hh whose leading eigenvalue is +||W_hh||_2.",
            ])
            for s in spectra {
                for e in s.gaussian { eigenData.append([s.norm, e.re, e.im]) }
                for e in s.symmetric { eigenSymmetric.append([s.norm, e.re, e.im]) }
            }
            return (eigenData, eigenSymmetric)
        }

        /// ρ(J) at the origin for each norm, against the bound ½ + ‖W_hh‖₂/4.
        package var rhoTable: TextTable {
            var rhoTable = TextTable(title: "ρ(J) at the origin", columns: ["‖W_hh‖₂", "bound ½ + ‖W‖₂/4", "ρ(J) Gaussian W", "ρ(J) symmetric W"],
                                     formats: [Chapter02.format(norms), "%.4f", "%.4f", "%.4f"])
            for s in spectra {
                rhoTable.add([.number(s.norm), .number(0.5 + s.norm / 4), .number(Self.top(s.gaussian).magnitude),
                              .number(Self.top(s.symmetric).magnitude)])
            }
            return rhoTable
        }

        /// The eigenvalue of largest modulus, which decides stability: |μ| = ρ(J).
        static func top(_ e: [ComplexValue<Double>]) -> ComplexValue<Double> { e.max { $0.magnitude < $1.magnitude }! }

        /// `jacobian-eigenvalues`: upper row the Gaussian W_hh in the complex plane; lower row the symmetric
        /// W_hh, whose eigenvalues are real and would merge into a bar on the real axis, spread out by rank.
        package var figure: Figure {
            var eigenFigure = Figure("jacobian-eigenvalues", layout: .init(rows: 2, columns: norms.count), panelSize: (430, 470))
            var lowerRow: [Panel] = []
            for (norm, eg, es) in spectra {
                let topG = Self.top(eg), topS = Self.top(es)
                var panel = Panel(title: "Gaussian W_{hh}, ‖W_{hh}‖_2 = \(norm)", xLabel: "Re μ", yLabel: "Im μ",
                                  xRange: -1.3...1.3, yRange: -1.3...1.3, key: .below, equalAxes: true)
                panel.command("unset arrow 11")   // raw commands persist: the lines μ = ±1 are the lower row's
                panel.command("unset arrow 12")
                panel.command("set parametric")
                panel.command("set trange [0:2*pi]")
                panel.plot(.function("cos(t), sin(t)", title: "|μ| = 1", style: .lines.color("#000000").width(1.5)))
                panel.plot(.function("0.5 + \(norm / 4)*cos(t), \(norm / 4)*sin(t)", title: "|μ − ½| ≤ ‖W_{hh}‖_2/4",
                                     style: .lines.color("#555555").width(1).dashed))
                panel.plot(.xy(eg.map(\.re), eg.map(\.im), columns: ("re", "im"), title: "eigenvalues μ",
                               style: .points.lineType(1).pointType(7).pointSize(0.5)))
                panel.plot(.xy([topG.re], [topG.im], columns: ("re", "im"),
                               title: String(format: "largest |μ| = ρ(J) = %.3f", topG.magnitude),
                               style: .points.color("#D55E00").pointType(6).pointSize(2.2).width(2.5)))
                eigenFigure.addPanel(panel)

                // The symmetric W_hh: real eigenvalues, sorted, plotted against their rank.
                let sorted = es.map(\.re).sorted()
                var strip = Panel(title: "symmetric W_{hh}, ‖W_{hh}‖_2 = \(norm)", xLabel: "μ (real)", yLabel: "rank of μ (1 = smallest)",
                                  xRange: -1.3...1.3, yRange: 0...Double(sorted.count + 1), key: .below)
                strip.command("unset parametric")
                strip.command("set arrow 11 from 1, graph 0 to 1, graph 1 nohead lc rgb '#000000' lw 1.5")
                strip.command("set arrow 12 from -1, graph 0 to -1, graph 1 nohead lc rgb '#000000' lw 1.5")
                strip.plot(.xy(sorted, sorted.indices.map { Double($0 + 1) }, columns: ("mu", "rank"), title: "eigenvalues μ",
                               style: .points.lineType(1).pointType(7).pointSize(0.5)))
                let topRank = Double(sorted.firstIndex(of: topS.re).map { $0 + 1 } ?? sorted.count)
                strip.plot(.xy([topS.re], [topRank], columns: ("mu", "rank"),
                               title: String(format: "largest |μ| = ρ(J) = %.3f", topS.magnitude),
                               style: .points.color("#D55E00").pointType(6).pointSize(2.2).width(2.5)))
                strip.plot(.function("NaN", title: "|μ| = 1  (μ = ±1)", style: .lines.color("#000000").width(1.5)))
                lowerRow.append(strip)
            }
            for strip in lowerRow { eigenFigure.addPanel(strip) }
            return eigenFigure
        }
    }

    /// The fixed points of an H-unit GRU (symmetric W_hh drawn from `rng` with leading eigenvalue +‖W_hh‖₂,
    /// rescaled to each norm; the same random gates, N(0, (0.5/√H)²), at every norm), found by
    /// `InputFreeGRU.fixedPoints(starts:seed:)`, one row group per norm.
    package static func finderTable(hidden: Int, norms: [Double], starts: Int, seed: UInt64, rng: inout SeededGenerator) throws -> TextTable {
        var finderTable = TextTable(title: "Fixed points of an H = \(hidden) GRU (symmetric W_hh, leading eigenvalue +‖W_hh‖₂, random gates)",
                                    columns: ["‖W_hh‖₂", "found", "‖h*‖₂", "ρ(∂F/∂h(h*))", "stable", "‖F(h*) − h*‖"],
                                    formats: [format(norms), "", "%.4f", "%.4f", "", "%.1e"])
        let baseW = try symmetricWithPositiveTop(hidden, rng: &rng)
        let gateRNGState = rng
        for norm in norms {
            var gateRNG = gateRNGState
            let gru = gruWith(wHH: try rescaled(baseW, toNorm: norm), gateScale: 0.5, form: .resetBefore, rng: &gateRNG)
            let fps = gru.fixedPoints(starts: starts, seed: seed)
            for (i, p) in fps.enumerated() {
                finderTable.add([i == 0 ? .number(norm) : .empty, i == 0 ? .integer(fps.count) : .empty, .number(p.norm),
                                 .number(p.spectralRadius), .text(p.isStable ? "yes" : "no"), .number(p.residual)])
            }
        }
        return finderTable
    }
}
