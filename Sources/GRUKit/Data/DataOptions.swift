import ArgumentParser

/// The `--data DIR` option that every chapter using a data set includes with
/// `@OptionGroup var data: DataOptions`.
///
/// `directory` applies the resolution order of `DataDirectory`: `--data`, then `GRUKIT_DATA`,
/// then `data/` in the repository root.
public struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data"),
            help: ArgumentHelp("Folder holding the data sets (default: $GRUKIT_DATA, else data/ in the repository root).",
                               valueName: "dir"))
    public var dataDirectory: String?

    public init() {}

    /// The resolved data directory.
    public var directory: DataDirectory { DataDirectory.resolve(option: dataDirectory) }
}
