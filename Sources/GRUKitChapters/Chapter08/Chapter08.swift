import Foundation
import GRUKit

/// Chapter 8, "Trained GRUs that crossed": the models of chapter 5's standard scale that learned,
/// read back from small committed excerpts (``ModelExcerpt``) and their training logs
/// (``LogCrossing``), analysed as dynamical systems (``Dynamics``) and laid out as tables, figures and
/// recorded values (``Pages``).
public enum Chapter08 {
    /// The three gates of PyTorch's GRU layout, in the order their row blocks are stacked in
    /// `weight_ih_l0` and `weight_hh_l0`: reset r, update z, candidate n (the core's ``GateBlock``).
    package typealias Gate = GateBlock

    /// The H×I (or H×H) row block of one gate in a stacked 3H×· PyTorch weight, through the core's
    /// typed gate-block view.
    package static func block(_ weights: Matrix<Double>, _ gate: Gate) -> Matrix<Double> {
        weights[block: gate]
    }
}

extension Chapter08 {
    /// The run names of a comma-separated list (blanks dropped).
    package static func names(_ list: String) -> [String] {
        list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
