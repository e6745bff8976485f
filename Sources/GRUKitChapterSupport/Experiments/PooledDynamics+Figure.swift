import Foundation
import GRUKit
import GRUKitPresentation

extension PooledDynamics {
    /// The method families the pooled series are drawn for, in order (a log of any other method counts
    /// by ``family(of:)``).
    package static let families: [TrainingMethod.Family] = [.sgd, .clip, .project]

    /// A log's method family from its header's method (`clip(5.0)+project(δ=0.2)` counts as the
    /// projection: the projection is what bounds W_hh there).
    package static func family(of r: LoggedRun) -> String {
        if r.method.contains("project") { return TrainingMethod.Family.project.name }
        if r.method.contains("clip") { return TrainingMethod.Family.clip.name }
        return TrainingMethod.Family.sgd.name
    }

    /// `runs` split by method family, each group named "SCALE scale, FAMILY" (empty groups left out).
    package static func groups(scale: String, runs: [LoggedRun]) -> [(name: String, runs: [LoggedRun])] {
        families.map(\.name).compactMap { family in
            let members = runs.filter { Self.family(of: $0) == family }
            return members.isEmpty ? nil : ("\(scale) scale, \(family)", members)
        }
    }

    /// The gradient norm against ρ(J) at h* = 0 on a log gradient axis, one series per group (the
    /// colour says the method family; filled points for the paper's scale, crosses for any other), the
    /// line ρ(J) = 1 dashed, and a large circle on the record each divergence started from. The left
    /// panel spans every record (log ρ axis: a blow-up throws ρ(J) to the tens or thousands); the right
    /// one zooms into ρ(J) ∈ [0.5, 1.5] on a linear axis, where most records and the crossing lie. The
    /// title carries Spearman's rank correlation over every point.
    package func figure(name: String, subject: String) -> Figure {
        let title = "Gradient norm against ρ(J) at h* = 0, \(subject) (Spearman "
            + (spearman.map { String(format: "%.2f", $0) } ?? "undefined") + ")"
        var whole = Panel(title: title, xLabel: "ρ(J) at h* = 0, J = ½I + ¼W_{hh}", yLabel: "gradient norm",
                          logScale: [.x, .y], key: .below)
        var zoom = Panel(title: "The same, ρ(J) between 0.5 and 1.5", xLabel: "ρ(J) at h* = 0", yLabel: "gradient norm",
                         xRange: 0.5 ... 1.5, logScale: [.y], key: .off)
        var seen: [String] = []
        for p in points where !seen.contains(p.group) { seen.append(p.group) }
        for k in 0 ..< 2 {
            var panel = k == 0 ? whole : zoom
            panel.command("set arrow from 1, graph 0 to 1, graph 1 nohead dashtype 2 lc rgb 'gray40'")
            for group in seen {
                let p = points.filter { $0.group == group && (k == 0 || (0.5 ... 1.5).contains($0.rho)) }
                let family = Self.families.firstIndex { group.hasSuffix($0.name) } ?? 0
                let paper = group.hasPrefix("paper")
                panel.plot(.xy(p.isEmpty ? [.nan] : p.map(\.rho), p.isEmpty ? [.nan] : p.map(\.gradient), columns: ("rho", "gradient_norm"),
                               title: group.isEmpty ? "records" : group,
                               style: Style.points.lineType(family + 1).pointType(paper ? 7 : 2).pointSize(paper ? 0.5 : 0.4)))
            }
            let d = divergences.filter { k == 0 || (0.5 ... 1.5).contains($0.rho) }
            if !d.isEmpty {
                panel.plot(.xy(d.map(\.rho), d.map(\.gradient), columns: ("rho", "gradient_norm"),
                               title: "record a divergence started from", style: Style.points.lineType(7).pointType(6).pointSize(3)))
            }
            if k == 0 { whole = panel } else { zoom = panel }
        }
        return Figure(name, layout: Figure.Layout(rows: 1, columns: 2), panelSize: (620, 640), panels: [whole, zoom])
    }

    /// One line for a page: records, runs, the rank correlation, the records with ρ(J) > 1 (and how
    /// many of them in runs that never diverged) and the divergences that started above 1.
    package func sentence(_ name: String) -> String {
        "\(name): \(points.count) records of \(Set(points.map(\.run)).count) runs; Spearman's rank correlation of ρ(J) and the "
            + "gradient norm \(spearman.map { String(format: "%.2f", $0) } ?? "undefined"); ρ(J) > 1 in \(aboveOne.count) records, "
            + "\(crossedWithoutBlowUp.count) of them in runs that neither diverged nor exploded (largest gradient norm there "
            + "\(crossedWithoutBlowUp.map(\.gradient).max().map { String(format: "%.2f", $0) } ?? "—")); "
            + "\(divergences.filter { $0.rho > 1 }.count) of \(divergences.count) divergences started from ρ(J) > 1."
    }
}
