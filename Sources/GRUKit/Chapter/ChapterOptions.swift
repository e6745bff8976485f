import ArgumentParser

/// How big a chapter's run is: `quick` (the default; seconds to a few minutes) or
/// `paper` (the paper's full setting, where it differs).
public enum Scale: String, ExpressibleByArgument, CaseIterable, Sendable {
    case quick, paper
}

/// The options every chapter shares. A chapter declares `@OptionGroup var common: ChapterOptions`.
public struct ChapterOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Folder that receives the chapter's .dat, .gp and figures.", valueName: "dir"))
    public var out: String?

    @Option(name: .long, help: "Seed of every random draw in the chapter.")
    public var seed: UInt64 = 1

    @Option(name: .long, help: "quick (the default) or paper (the paper's full setting).")
    public var scale: Scale = .quick

    @Flag(name: .customLong("no-render"), help: "Write .dat and .gp files but do not call gnuplot.")
    public var noRender: Bool = false

    public init() {}

    /// The output folder: `--out`, or `figures/<slug>` relative to the current directory.
    public func outputDirectory(slug: String) -> String { out ?? "figures/\(slug)" }
}
