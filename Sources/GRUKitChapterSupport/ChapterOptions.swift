import ArgumentParser
import GRUKit
import GRUKitPresentation

/// How big a chapter's run is: `quick` (the default; seconds to a few minutes), `standard` (the
/// training chapters 5 and 6 only: the whole data set at a size where the models learn, minutes
/// per run) or `paper` (the paper's full setting, where it differs).
package enum Scale: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// `quick`: reduced sizes, epochs or grids so that every chapter finishes in seconds to a few
    /// minutes on a laptop (the default, and what the tests run); `standard`: chapters 5 and 6's
    /// middle size (``PennTreebankSetting``, ``NottinghamSetting``), which the other chapters
    /// refuse (``ChapterOptions/requireScale(_:)``); `paper`: the sizes and iteration counts of the
    /// paper, for reproducing its numbers. The raw value is the `--scale` argument; any other value
    /// is rejected by the parser, listing all three.
    case quick, standard, paper
}

/// The options every chapter shares. A chapter declares `@OptionGroup var common: ChapterOptions`.
///
/// Bad values (a seed that is not a non-negative integer, an unknown scale) are rejected by
/// swift-argument-parser, which names the flag and exits with status 64 before the chapter runs.
package struct ChapterOptions: ParsableArguments {
    /// `--out dir`: the folder that receives the chapter's files; nil when not given, in which
    /// case ``outputDirectory(slug:)`` uses `figures/<slug>`. Created if missing by ``ChapterOutput``.
    @Option(name: .long, help: ArgumentHelp("Folder that receives the chapter's .dat, .gp and figures.", valueName: "dir"))
    package var out: String?

    /// `--seed n` (default 1): the seed of every random draw in the chapter, so that a run is
    /// reproduced exactly by repeating its seed (and thread count: BLAS sums may reorder).
    @Option(name: .long, parsing: .unconditional, help: "Seed of every random draw in the chapter.")
    package var seed: UInt64 = 1

    /// `--scale quick|paper` (default ``Scale/quick``): how big the run is.
    @Option(name: .long, help: "quick (the default), standard (chapters 5 and 6: the whole data set, minutes per run) or paper (the paper's full setting).")
    package var scale: Scale = .quick

    /// `--no-render`: write the `.dat` and `.gp` files but do not call gnuplot (the pictures can be
    /// drawn later with `gnuplot NAME.gp` in the output folder).
    @Flag(name: .customLong("no-render"), help: "Write .dat and .gp files but do not call gnuplot.")
    package var noRender: Bool = false

    /// The defaults: no `--out`, seed 1, quick scale, rendering on. Required by `ParsableArguments`;
    /// the parser fills the properties from the command line.
    package init() {}

    /// Refuses a `--scale` that the chapter has no setting for (`standard` outside chapters 5 and 6),
    /// so that `--scale standard` never silently runs the quick setting.
    /// - Throws: `ValidationError` naming the flag, the value and the scales the chapter has.
    package func requireScale(_ supported: [Scale] = [.quick, .paper]) throws {
        guard supported.contains(scale) else {
            throw ValidationError("--scale \(scale.rawValue): this chapter has the scales \(supported.map(\.rawValue).joined(separator: " and ")) (standard belongs to chapters 5 and 6).")
        }
    }

    /// The output folder: `--out`, or `figures/<slug>` relative to the current directory.
    package func outputDirectory(slug: String) -> String { out ?? "figures/\(slug)" }
}
