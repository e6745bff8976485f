import ArgumentParser
import GRUKit
import GRUKitPresentation

/// The `--data DIR` option that every chapter using a data set includes with
/// `@OptionGroup var data: DataOptions`.
///
/// ``directory`` applies the resolution order of ``DataDirectory``: `--data`, then `GRUKIT_DATA`,
/// then `data/` in the repository root.
package struct DataOptions: ParsableArguments {
    /// `--data dir`, verbatim; nil when not given (an empty value also counts as not given).
    /// Use ``directory`` rather than this.
    @Option(name: .customLong("data"),
            help: ArgumentHelp("Folder holding the data sets (default: $GRUKIT_DATA, else data/ in the repository root).",
                               valueName: "dir"))
    package var dataDirectory: String?

    /// No `--data` given. Required by `ParsableArguments`; the parser fills the option.
    package init() {}

    /// The resolved data directory (``DataDirectory/resolve(option:environment:currentDirectory:)``
    /// with this option, the process environment and the current directory). Does not check
    /// that the folder exists.
    package var directory: DataDirectory { DataDirectory.resolve(option: dataDirectory) }
}
