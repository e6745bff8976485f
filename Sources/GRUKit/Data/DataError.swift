import Foundation

/// Every way loading a data set can fail, each with a message that names the file (and the line
/// or byte offset where that means something) and says what to do about it.
///
/// The ``description`` is written for the person running a chapter: it is what a command-line tool
/// prints before exiting, so it must be enough to fix the problem without reading the source.
public enum DataError: Error, CustomStringConvertible, LocalizedError, Equatable {
    /// A data file is absent. `directory` is where it was looked for and `source` why there.
    case missingFile(path: String, directory: String, source: DataDirectory.Source)
    /// The file exists but could not be read (permissions, a folder in its place, an I/O error).
    case unreadable(path: String, reason: String)
    /// A file could not be written (the previous file, if any, is left as it was).
    case unwritable(path: String, reason: String)
    /// The file holds no tokens / no tunes at all.
    case emptyFile(path: String)
    /// Text that is not what the format promises (binary bytes, invalid UTF-8, a bad field).
    /// `line` is 1-based; nil when the problem concerns the whole file.
    case invalidText(path: String, line: Int?, reason: String)
    /// A word of a validation or test split that the training vocabulary lacks, in a vocabulary
    /// without `<unk>` to map it to.
    case outOfVocabulary(path: String, line: Int, word: String)
    /// A MAT-file that cannot be read: wrong format or version, truncated, corrupt, unsupported.
    case invalidMATFile(path: String, reason: String)
    /// A MAT-file without the requested variable.
    case missingVariable(path: String, name: String, available: [String])
    /// A variable that exists but does not have the expected shape, class or values.
    case invalidVariable(path: String, name: String, reason: String)
    /// Batching parameters that cannot be applied to the data (e.g. a batch size of 0, or more
    /// parallel streams than tokens).
    case invalidBatching(reason: String)

    /// The command that fetches the data sets into the data directory.
    public static let fetchCommand = "make data"

    /// The message, naming the file and, where it applies, `path:line:` in the style of compilers,
    /// so editors and terminals can jump to it; a missing file also says where it was looked for,
    /// why there, and how to fetch the data.
    public var description: String {
        switch self {
        case let .missingFile(path, directory, source):
            return """
            Missing data file \(path)
              looked in \(directory) (\(source.explanation))
              fetch the data sets with `\(Self.fetchCommand)` (or `GRUKIT_DATA=\(directory) \(Self.fetchCommand)`), \
            or point --data or GRUKIT_DATA at a folder that holds them
            """
        case let .unreadable(path, reason):
            return "Cannot read \(path): \(reason)"
        case let .unwritable(path, reason):
            return "Cannot write \(path): \(reason)"
        case let .emptyFile(path):
            return "\(path) is empty: it holds no data (re-fetch it with `\(Self.fetchCommand)`)"
        case let .invalidText(path, line, reason):
            if let line { return "\(path):\(line): \(reason)" }
            return "\(path): \(reason)"
        case let .outOfVocabulary(path, line, word):
            return "\(path):\(line): the word \"\(word)\" is not in the training vocabulary, which has no <unk> to map it to"
        case let .invalidMATFile(path, reason):
            return "\(path): not a readable MAT-file: \(reason)"
        case let .missingVariable(path, name, available):
            let list = available.isEmpty ? "none" : available.joined(separator: ", ")
            return "\(path): the MAT-file has no variable named \"\(name)\" (it has: \(list))"
        case let .invalidVariable(path, name, reason):
            return "\(path): variable \"\(name)\": \(reason)"
        case let .invalidBatching(reason):
            return "Cannot batch the data: \(reason)"
        }
    }

    /// The same text as ``description``, so `localizedDescription` shows it too.
    public var errorDescription: String? { description }
}
