import Foundation
import XCTest

/// Runs the package's built executables (chapters, `gru`) the way a user would, in the style
/// of swift-argument-parser's example tests. `swift build` puts them beside the test bundle.
enum Executables {
    /// The folder holding the build products (the one that contains the .xctest bundle).
    static var productsDirectory: URL {
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            return bundle.bundleURL.deletingLastPathComponent()
        }
        return Bundle.main.bundleURL
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `name` with `arguments` in `directory`, waits, and returns its exit status and output.
    /// Fails the test (rather than crashing) when the executable has not been built.
    static func run(_ name: String, _ arguments: [String], in directory: URL? = nil,
                    environment: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) throws -> Result {
        let url = productsDirectory.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            XCTFail("\(name) is not built at \(url.path); run `swift build` first", file: file, line: line)
            throw CocoaError(.fileNoSuchFile)
        }
        return try run(url: url, arguments, in: directory, environment: environment)
    }

    /// Runs any program with `arguments`, extra `environment` variables and the variables in
    /// `removing` unset; standard input is empty. Waits and returns its exit status and output.
    static func run(url: URL, _ arguments: [String], in directory: URL? = nil,
                    environment: [String: String] = [:], removing: [String] = []) throws -> Result {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var env = ProcessInfo.processInfo.environment
        for k in removing { env[k] = nil }
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes before waiting so a chatty child cannot block on a full pipe.
        final class Box: @unchecked Sendable { var data = Data() }
        let errBox = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errBox.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errBox.data, as: UTF8.self))
    }

    /// A fresh temporary folder, removed when the test ends.
    static func temporaryDirectory(_ test: XCTestCase) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("grukit-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }
}
