import ArgumentParser
import Foundation

/// `music-text`: converts a piano-roll MAT-file (`traindata`, `validdata`, `testdata`) into the
/// plain-text files `train.txt`, `valid.txt`, `test.txt` (format: `MusicText`). A CLI registers
/// it as a subcommand; `scripts/fetch-data.sh` uses it to make Nottingham's text files after a
/// download. The conversion is lossless and deterministic, so the files match the published sums.
public struct MusicTextCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "music-text",
        abstract: "Convert a piano-roll MAT-file into train.txt, valid.txt and test.txt.")

    @Argument(help: ArgumentHelp("The MAT-file (e.g. nottingham/Nottingham.mat).", valueName: "mat-file"))
    public var matFile: String

    @Option(name: .long, help: ArgumentHelp("Folder that receives the text files (default: the MAT-file's folder).", valueName: "dir"))
    public var out: String?

    public init() {}

    public func run() throws {
        let music = try PolyphonicMusic(matFile: matFile)
        let folder = out ?? (matFile as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder.isEmpty ? "." : folder, withIntermediateDirectories: true)
        for split in Split.allCases {
            let path = ((folder.isEmpty ? "." : folder) as NSString).appendingPathComponent(split.rawValue + ".txt")
            let tunes = music.split(split)
            try MusicText.write(tunes, to: path)
            print("\(path): \(tunes.count) tunes, \(tunes.reduce(0) { $0 + $1.steps }) time steps")
        }
    }
}
