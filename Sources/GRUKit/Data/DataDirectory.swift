import Foundation

/// The folder that holds the data sets, and why it is that folder.
///
/// Resolution order (the first that applies wins):
/// 1. the `--data DIR` option (`DataOptions`),
/// 2. the environment variable `GRUKIT_DATA`,
/// 3. `data/` in the repository root: the nearest folder at or above the current directory
///    that contains `Package.swift`,
/// 4. `./data` when no such folder exists.
///
/// Layout inside it: `ptb/ptb.{train,valid,test}.txt` and
/// `nottingham/{Nottingham.mat,train.txt,valid.txt,test.txt}` (what `make data` writes).
public struct DataDirectory: Sendable, Equatable, CustomStringConvertible {
    /// Why the data directory is where it is; part of every "missing file" message.
    public enum Source: Sendable, Equatable {
        /// The `--data DIR` option was given (and not empty).
        case option
        /// The environment variable `GRUKIT_DATA` was set (and not empty).
        case environment
        /// Neither was given: `data/` in the nearest folder at or above the current directory
        /// that contains `Package.swift`.
        case repositoryDefault
        /// Neither was given and no `Package.swift` was found above the current directory:
        /// `./data`.
        case workingDirectoryDefault

        /// One phrase saying where the choice came from.
        public var explanation: String {
            switch self {
            case .option: return "given by --data"
            case .environment: return "given by the environment variable GRUKIT_DATA"
            case .repositoryDefault: return "the default: data/ in the repository root; set --data or GRUKIT_DATA to use another folder"
            case .workingDirectoryDefault: return "the default: ./data, as no Package.swift was found above the current directory; set --data or GRUKIT_DATA to use another folder"
            }
        }
    }

    /// The folder, as an absolute path when resolved from a default, otherwise as given.
    public let path: String
    /// Why ``path`` was chosen; quoted by ``DataError/missingFile(path:directory:source:)`` so that
    /// the message says how to point elsewhere.
    public let source: Source

    /// A data directory at `path` with the given reason, taken as is (nothing is checked or
    /// resolved); ``resolve(option:environment:currentDirectory:)`` is the usual way to get one.
    public init(path: String, source: Source) {
        self.path = path
        self.source = source
    }

    /// Resolves the data directory (see the type's documentation for the order).
    /// - Parameters:
    ///   - option: the value of `--data`, if given.
    ///   - environment: the process environment (injectable for tests).
    ///   - currentDirectory: where the search for `Package.swift` starts.
    /// - Returns: the directory and its ``Source``. Never throws and touches no data file: a
    ///   missing folder is reported only when a file is asked for (``existingFile(_:)``).
    public static func resolve(option: String?,
                               environment: [String: String] = ProcessInfo.processInfo.environment,
                               currentDirectory: String = FileManager.default.currentDirectoryPath) -> DataDirectory {
        if let option, !option.isEmpty { return DataDirectory(path: option, source: .option) }
        if let env = environment["GRUKIT_DATA"], !env.isEmpty { return DataDirectory(path: env, source: .environment) }
        if let root = repositoryRoot(from: currentDirectory) {
            return DataDirectory(path: (root as NSString).appendingPathComponent("data"), source: .repositoryDefault)
        }
        return DataDirectory(path: (currentDirectory as NSString).appendingPathComponent("data"),
                             source: .workingDirectoryDefault)
    }

    /// The nearest folder at or above `directory` (made absolute and standardised) that contains
    /// a `Package.swift`, or nil when none does up to the file-system root.
    public static func repositoryRoot(from directory: String) -> String? {
        var url = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL
        while true {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url.path
            }
            let parent = url.deletingLastPathComponent().standardizedFileURL
            if parent.path == url.path { return nil }
            url = parent
        }
    }

    /// The path of `relative` inside the data directory, without checking that it exists.
    public func path(of relative: String) -> String {
        (path as NSString).appendingPathComponent(relative)
    }

    /// The path of `relative` inside the data directory, after checking that a regular file (not a
    /// folder) exists there.
    ///
    /// - Throws: ``DataError/missingFile(path:directory:source:)`` naming the file, the folder, why
    ///   that folder, and the command that fetches the data, when nothing is there;
    ///   ``DataError/unreadable(path:reason:)`` saying what is there instead when it is a folder, a
    ///   FIFO, a socket or a device (fetching the data would not help: it is in the way).
    public func existingFile(_ relative: String) throws -> String {
        let full = path(of: relative)
        do { try InputFile.checkReadable(full) } catch let e as InputFileError {
            var st = stat()
            guard stat(full, &st) == 0 else { throw DataError.missingFile(path: full, directory: path, source: source) }
            throw DataError.unreadable(path: full, reason: e.reason)
        }
        return full
    }

    /// The path followed by the reason in parentheses, e.g. `/home/me/gru/data (given by --data)`.
    public var description: String { "\(path) (\(source.explanation))" }
}

/// Reads a whole data file into memory (`InputFile`: regular files only), turning what is
/// wrong into ``DataError/unreadable(path:reason:)`` naming the file ("no such file", "it is a
/// folder, not a file", "it is a FIFO (named pipe), not a regular file; …", the system's reason).
func readDataFile(_ path: String) throws -> [UInt8] {
    do { return try InputFile.read(path) } catch {
        throw DataError.unreadable(path: path, reason: AtomicFile.reason(error))
    }
}
