import ArgumentParser
import Foundation
import GRUKit

/// `music-text`: converts a piano-roll MAT-file (`traindata`, `validdata`, `testdata`) into the
/// plain-text files `train.txt`, `valid.txt`, `test.txt` (format: ``MusicText``). A CLI registers
/// it as a subcommand; `scripts/fetch-data.sh` uses it to make Nottingham's text files after a
/// download. The conversion is lossless and deterministic, so the files match the published sums.
public struct MusicTextCommand: ParsableCommand {
    /// The subcommand's name, `music-text`, and its one-line abstract for `--help`.
    public static let configuration = CommandConfiguration(
        commandName: "music-text",
        abstract: "Convert a piano-roll MAT-file into train.txt, valid.txt and test.txt.")

    /// The piano-roll MAT-file to read (positional argument), e.g. `nottingham/Nottingham.mat`.
    @Argument(help: ArgumentHelp("The MAT-file (e.g. nottingham/Nottingham.mat).", valueName: "mat-file"))
    public var matFile: String

    /// `--out dir`: the folder that receives the text files, created if missing; nil: the
    /// MAT-file's own folder. Existing files there are replaced atomically.
    @Option(name: .long, help: ArgumentHelp("Folder that receives the text files (default: the MAT-file's folder).", valueName: "dir"))
    public var out: String?

    /// No arguments yet. Required by `ParsableCommand`; the parser fills the properties.
    public init() {}

    /// Reads the MAT-file, writes `train.txt`, `valid.txt`, `test.txt` into the folder and prints
    /// one line per split with its tune and time-step counts.
    ///
    /// - Throws: the ``DataError`` of ``PolyphonicMusic/init(matFile:)`` (missing or malformed
    ///   file or variable) or of ``MusicText/write(_:to:)``; ``DataError/unwritable(path:reason:)``
    ///   naming the folder and why when it cannot be created (a file in its way, no permission).
    public func run() throws {
        let music = try PolyphonicMusic(matFile: matFile)
        let folder = out ?? (matFile as NSString).deletingLastPathComponent
        do { try AtomicFile.createFolder(URL(fileURLWithPath: folder.isEmpty ? "." : folder)) } catch {
            throw DataError.unwritable(path: folder, reason: "cannot create the folder: " + AtomicFile.reason(error))
        }
        for split in Split.allCases {
            let path = ((folder.isEmpty ? "." : folder) as NSString).appendingPathComponent(split.rawValue + ".txt")
            let tunes = music.split(split)
            try MusicText.write(tunes, to: path)
            print("\(path): \(tunes.count) tunes, \(tunes.reduce(0) { $0 + $1.steps }) time steps")
        }
    }
}
