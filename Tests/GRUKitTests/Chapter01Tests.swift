import Foundation
import XCTest
import GRUKit
import GRUKitPresentation

/// Chapter 1 run as a user runs it: the table, the files, the figures, and clear errors.
final class Chapter01Tests: XCTestCase {
    static let figures = ["trajectories", "return-map"]

    /// Every non-comment, non-blank line of a .dat file is whitespace-separated numbers, as many as
    /// its block's `# column names` header says.
    static func assertNumericColumns(_ url: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        var columns: Int?
        var rows = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if raw.hasPrefix("#") {
                columns = raw.dropFirst().split(separator: " ").count
                continue
            }
            let fields = raw.split(separator: " ")
            XCTAssertEqual(fields.count, columns, "\(url.lastPathComponent): \(raw)", file: file, line: line)
            for f in fields { XCTAssertNotNil(Double(f), "\(url.lastPathComponent): \(f) is not a number", file: file, line: line) }
            rows += 1
        }
        XCTAssertGreaterThan(rows, 10, "\(url.lastPathComponent) holds too few rows", file: file, line: line)
    }

    func testNoRenderWritesDataScriptsAndTable() throws {
        let dir = try Executables.temporaryDirectory(self)
        let result = try Executables.run("ch01-dynamics", ["--out", dir.path, "--no-render"])
        XCTAssertEqual(result.status, 0, result.stderr)
        for name in Self.figures {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("\(name).gp").path), name)
            try Self.assertNumericColumns(dir.appendingPathComponent("\(name).dat"))
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("\(name).png").path),
                           "--no-render must not draw \(name).png")
        }
        // The table row for w_hh = 2.5: f′(0) = 1.125, h_∞ and h* both 0.7104.
        let row = result.stdout.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("2.5 ") }
        XCTAssertNotNil(row, result.stdout)
        XCTAssertEqual(row?.components(separatedBy: "0.7104").count, 3, "h_∞ and h* should both read 0.7104: \(row ?? "")")
        XCTAssertTrue(row?.contains("1.1250") ?? false)
        XCTAssertTrue(result.stdout.contains("trajectories.gp"), "the files written are listed")
        // The trajectory data: from h_0 = 0.5, w_hh = 2.5 the state ends near h* = 0.7104.
        let summary = try String(contentsOf: dir.appendingPathComponent("summary.dat"), encoding: .utf8)
        XCTAssertTrue(summary.contains("# w_hh fprime_0 h_inf h_star fprime_h_star"))
    }

    func testRendersFiguresAndEachScriptRedrawsAlone() throws {
        try XCTSkipUnless(Gnuplot.isInstalled, "gnuplot is not installed")
        let dir = try Executables.temporaryDirectory(self)
        let result = try Executables.run("ch01-dynamics", ["--out", dir.path, "--steps", "25"])
        XCTAssertEqual(result.status, 0, result.stderr)
        for name in Self.figures {
            let png = dir.appendingPathComponent("\(name).png")
            FigureTests.assertPNG(png)
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("\(name).svg").path))
            // Remove the picture and redraw it with gnuplot alone, as a reader would.
            try FileManager.default.removeItem(at: png)
            let process = Process()
            process.executableURL = Gnuplot.executable
            process.arguments = ["\(name).gp"]
            process.currentDirectoryURL = dir
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, "gnuplot \(name).gp failed")
            FigureTests.assertPNG(png)
        }
    }

    func testWithoutGnuplotItSaysOnceHowToInstallIt() throws {
        let dir = try Executables.temporaryDirectory(self)
        let result = try Executables.run("ch01-dynamics", ["--out", dir.path], environment: ["PATH": "/nonexistent"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr.components(separatedBy: "apt-get install gnuplot-nox").count, 2, result.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("return-map.gp").path))
    }

    func testBadFlagsExitNonZeroNamingTheFlag() throws {
        let bad = try Executables.run("ch01-dynamics", ["--scale", "huge"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--scale"), bad.stderr)
        XCTAssertTrue(bad.stderr.contains("huge"), bad.stderr)
        let steps = try Executables.run("ch01-dynamics", ["--steps", "0", "--no-render"])
        XCTAssertNotEqual(steps.status, 0)
        XCTAssertTrue(steps.stderr.contains("--steps must be at least 1"), steps.stderr)
    }
}
