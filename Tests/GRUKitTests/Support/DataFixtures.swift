import Foundation
import XCTest
import GRUKit

/// Helpers for the data tests: files in temporary folders, the repository root, the real data
/// (when present), and running `scripts/fetch-data.sh`.
enum DataFixtures {
    /// The repository root: the folder above Tests/ that holds Package.swift.
    static func repositoryRoot(file: StaticString = #filePath) -> URL {
        var url = URL(fileURLWithPath: "\(file)").deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url = url.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }

    /// Writes `bytes` to `name` inside `dir` (creating subfolders) and returns the path.
    @discardableResult
    static func write(_ bytes: [UInt8], _ name: String, in dir: URL) throws -> String {
        let url = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
        return url.path
    }

    @discardableResult
    static func write(_ text: String, _ name: String, in dir: URL) throws -> String {
        try write(Array(text.utf8), name, in: dir)
    }

    /// The data directory resolved the normal way (GRUKIT_DATA, else data/ in the repository
    /// root), or a skip saying what is missing and how to get it.
    static func realData(_ files: [String]) throws -> DataDirectory {
        let dir = DataDirectory.resolve(option: nil, currentDirectory: repositoryRoot().path)
        for f in files {
            do { _ = try dir.existingFile(f) } catch {
                throw XCTSkip("real data absent (\(f) not in \(dir.path)); run `make data` to test against it")
            }
        }
        return dir
    }

    #if DEBUG
    static let buildConfiguration = "debug"
    #else
    static let buildConfiguration = "release"
    #endif

    static let allDataFiles = [PennTreebank.trainFile, PennTreebank.validFile, PennTreebank.testFile,
                               "nottingham/Nottingham.mat", "nottingham/train.txt", "nottingham/valid.txt", "nottingham/test.txt"]

    typealias ProcessResult = Executables.Result

    /// Runs `bash arguments…` with extra environment variables; waits and returns the result.
    static func bash(_ arguments: [String], environment: [String: String], removing: [String] = []) throws -> ProcessResult {
        try Executables.run(url: URL(fileURLWithPath: "/bin/bash"), arguments, environment: environment, removing: removing)
    }

    /// sha256 of a file by `sha256sum` (the tool the fetch script uses).
    static func sha256(_ path: String) throws -> String {
        let r = try bash(["-c", "sha256sum \"$1\" | cut -d' ' -f1", "sha", path], environment: [:])
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Asserts that `body` throws a `DataError` whose description contains every fragment.
    static func assertDataError<T>(_ body: @autoclosure () throws -> T, contains fragments: [String],
                                   file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try body()
            XCTFail("expected a DataError containing \(fragments)", file: file, line: line)
        } catch let error as DataError {
            let text = error.description
            for f in fragments where !text.contains(f) {
                XCTFail("error message lacks \"\(f)\": \(text)", file: file, line: line)
            }
        } catch {
            XCTFail("expected a DataError, got \(error)", file: file, line: line)
        }
    }

    /// A random piano roll with `steps` frames (each key on with probability 0.1).
    static func randomRoll(steps: Int, using g: inout SeededGenerator) -> PianoRoll {
        PianoRoll(steps: steps, notes: (0 ..< steps * PianoRoll.keys).map { _ in g.nextUniform() < 0.1 ? 1 : 0 })
    }
}
