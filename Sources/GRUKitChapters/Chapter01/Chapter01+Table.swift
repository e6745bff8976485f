import Foundation
import GRUKit
import GRUKitChapterSupport
import GRUKitPresentation

extension Chapter01 {
    /// One row of the table: for a weight w_hh, the slope at the origin, where the state settles and
    /// the nonzero fixed point with its slope.
    package struct Row: Equatable {
        package var wHH: Double
        package var slope: Double
        package var hInf: Double
        package var hStar: Double?
        package var slopeStar: Double?

        // book: chapter01-table-row
        /// The row for `w`: f′(0), h_∞ (the map iterated `limitSteps` times from h_0 = 0.5) and h* with
        /// f′(h*) — the positive root of h = tanh(w_hh h/2) when the gates are off, else the largest
        /// positive fixed point the root finder brackets.
        package init(_ w: Double, gates: Gates, limitSteps: Int) {
            let gru = gates.gru(w)
            let slope = gru.derivative(at: 0)
            let hStar = gates.areOff ? symmetricFixedPoint(w) : nonzeroFixedPoints(w, gates: gates).filter { $0 > 0 }.max()
            let slopeStar = hStar.map { gru.derivative(at: $0) }
            let hInf = limit(gru, from: 0.5, steps: limitSteps)
            self.init(wHH: w, slope: slope, hInf: hInf, hStar: hStar, slopeStar: slopeStar)
        }
        // book: end

        package init(wHH: Double, slope: Double, hInf: Double, hStar: Double?, slopeStar: Double?) {
            self.wHH = wHH; self.slope = slope; self.hInf = hInf; self.hStar = hStar; self.slopeStar = slopeStar
        }

        /// "stable", "unstable" or "critical": whether the origin attracts (|f′(0)| < 1).
        package var origin: String { slope < 1 ? "stable" : slope > 1 ? "unstable" : "critical" }
    }

    /// The table of the chapter: one ``Row`` per weight, printed (``text``) and saved as `summary.dat`
    /// (``data``).
    package struct Table {
        package var gates: Gates
        package var limitSteps: Int
        package var rows: [Row]

        package init(weights: [Double], gates: Gates, limitSteps: Int) {
            self.gates = gates
            self.limitSteps = limitSteps
            rows = weights.map { Row($0, gates: gates, limitSteps: limitSteps) }
        }

        /// The console table, with as many decimals for w_hh as the weights need (one for the
        /// defaults), so that 2.05 does not print as 2.0.
        package var text: TextTable {
            let weights = rows.map(\.wHH)
            let decimals = (1...4).first { d in weights.allSatisfy { Double(String(format: "%.\(d)f", $0)) == $0 } } ?? 6
            var table = TextTable(title: "The one-unit GRU, \(gates.text)",
                                  columns: ["w_hh", "f′(0) = ½ + w_hh/4", "origin", "h_∞ from h_0 = 0.5",
                                            gates.areOff ? "h* (h = tanh(w_hh h/2))" : "largest h* > 0", "f′(h*)"],
                                  formats: ["%.\(decimals)f", "%.4f", "", "%.4f", "%.4f", "%.4f"])
            for r in rows {
                table.add([.number(r.wHH), .number(r.slope), .text(r.origin), .number(r.hInf), .optional(r.hStar), .optional(r.slopeStar)])
            }
            return table
        }

        /// `summary.dat`: `w_hh fprime_0 h_inf h_star fprime_h_star`, NaN where there is no h*.
        package var data: DataTable {
            var summary = DataTable(columns: ["w_hh", "fprime_0", "h_inf", "h_star", "fprime_h_star"], comments: [
                "Chapter 1: the one-unit GRU with \(gates.text).",
                "fprime_0 = f'(0) = 1/2 + w_hh/4; h_inf = h after \(limitSteps) steps from h_0 = 0.5;",
                gates.areOff ? "h_star = positive root of h = tanh(w_hh h/2) (NaN when w_hh <= 2); fprime_h_star = f'(h_star)."
                    : "h_star = largest positive fixed point of f (NaN when there is none); fprime_h_star = f'(h_star).",
            ])
            for r in rows { summary.append([r.wHH, r.slope, r.hInf, r.hStar ?? .nan, r.slopeStar ?? .nan]) }
            return summary
        }

        /// `h_star.W` for every weight W (`%g`, so 2.5 and 3) that has a nonzero fixed point: h* to four
        /// decimals, as the table prints it.
        package func record(into values: inout RecordedValues) {
            for r in rows { if let h = r.hStar { values["h_star.\(String(format: "%g", r.wHH))"] = String(format: "%.4f", h) } }
        }

        /// The closing remark on the table, for the default weights (`defaults`) or for any others.
        package func note(defaults: Bool) -> String {
            if defaults {
                return """
                    f′(0) crosses 1 at w_hh = 2: for w_hh = 1.5 every state decays to 0; for w_hh = 2.5 the origin \
                    is unstable and states settle on ±h*. Chapter 2 follows the fixed points through this bifurcation.
                    """
            }
            return """
                f′(0) = ½ + w_hh/4 crosses 1 at w_hh = 2 whatever w_hz and w_hr are: below it the states decay \
                to 0, past it they leave the origin for the fixed points h* of the table.
                """
        }
    }
}
