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

    /// `--w-hh 1.9,2.1`: the figures show those two weights, the table adds 2 and 3, and each row's
    /// numbers are the library's (f′(0) = ½ + w_hh/4; h* the root of h = tanh(w_hh h/2)).
    func testWeightFlagsChangeTheTableAndFigures() throws {
        let dir = try Executables.temporaryDirectory(self)
        let result = try Executables.run("ch01-dynamics", ["--out", dir.path, "--no-render", "--w-hh", "1.9,2.1", "--frames", "3"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("w_hh 1.9,2.1"), "the header names the weights")
        let rows = result.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        XCTAssertEqual(rows.filter { ["1.9 ", "2.0 ", "2.1 ", "3.0 "].contains(where: $0.hasPrefix) }.count, 4, result.stdout)
        let hStar = ScalarGRU(wHH: 2.1).fixedPoints().map(\.h).first { $0 > 0 }!
        let row21 = rows.first { $0.hasPrefix("2.1 ") } ?? ""
        XCTAssertTrue(row21.contains("1.0250") && row21.contains("unstable"), row21)
        XCTAssertTrue(row21.contains(String(format: "%.4f", hStar)), "h* = \(hStar): \(row21)")
        XCTAssertTrue(rows.first { $0.hasPrefix("1.9 ") }?.contains("0.9750") ?? false)
        // The figures' panels follow the flag: two trajectories panels titled 1.9 and 2.1.
        let script = try String(contentsOf: dir.appendingPathComponent("trajectories.gp"), encoding: .utf8)
        XCTAssertTrue(script.contains("w_{hh} = 1.9") && script.contains("w_{hh} = 2.1") && !script.contains("w_{hh} = 1.5"))
        // The animation: three frames from 1.5 to 2.5, its data a block per series.
        let sweep = try String(contentsOf: dir.appendingPathComponent("cobweb-sweep.gp"), encoding: .utf8)
        XCTAssertTrue(sweep.contains("set terminal gif animate"))
        XCTAssertTrue(sweep.contains("# Frame 3 of 3: w_{hh} = 2.500"), sweep)
        try Self.assertNumericColumns(dir.appendingPathComponent("cobweb-sweep.dat"))
    }

    /// With the gates on, f′(0) does not move (exercise 5a) and h* is the library finder's largest root.
    func testGateFlags() throws {
        let dir = try Executables.temporaryDirectory(self)
        let result = try Executables.run("ch01-dynamics", ["--out", dir.path, "--no-render", "--w-hh", "2.5",
                                                           "--w-hz", "0.7", "--w-hr", "-0.4", "--frames", "2"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("The one-unit GRU, w_hz = 0.7, w_hr = -0.4"), result.stdout)
        let row = result.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.hasPrefix("2.5 ") } ?? ""
        let hStar = ScalarGRU(wHH: 2.5, wHZ: 0.7, wHR: -0.4).fixedPoints().map(\.h).filter { $0 > 0 }.max()!
        XCTAssertTrue(row.contains("1.1250") && row.contains(String(format: "%.4f", hStar)), "h* = \(hStar): \(row)")
    }

    /// The animation is a GIF drawn by gnuplot, and its script redraws it alone.
    func testAnimationRendersAndItsScriptRedrawsIt() throws {
        try XCTSkipUnless(Gnuplot.isInstalled, "gnuplot is not installed")
        let dir = try Executables.temporaryDirectory(self)
        let result = try Executables.run("ch01-dynamics", ["--out", dir.path, "--frames", "4"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let gif = dir.appendingPathComponent("cobweb-sweep.gif")
        FigureTests.assertGIF(gif)
        try FileManager.default.removeItem(at: gif)
        let redraw = try Executables.run(url: Gnuplot.executable!, ["cobweb-sweep.gp"], in: dir)
        XCTAssertEqual(redraw.status, 0, redraw.stderr)
        FigureTests.assertGIF(gif)
    }

    func testBadFlagsExitNonZeroNamingTheFlag() throws {
        for (args, message) in [(["--w-hh", "1.9,x"], "--w-hh"), (["--w-hh", "1,2,3,4,5"], "--w-hh takes 1 to 4"),
                                (["--w-hh", "12"], "--w-hh: 12.0 lies outside"), (["--w-hz", "nan"], "--w-hz"),
                                (["--w-hr", "11"], "--w-hr must be a number in −10…10"),
                                (["--sweep-w-hh", "1.5"], "--sweep-w-hh takes exactly 2"), (["--frames", "1"], "--frames must lie in 2…400")] {
            let r = try Executables.run("ch01-dynamics", args + ["--no-render"])
            XCTAssertEqual(r.status, 64, "\(args)")
            XCTAssertTrue(r.stderr.contains(message), "\(args): \(r.stderr)")
        }
        let bad = try Executables.run("ch01-dynamics", ["--scale", "huge"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--scale"), bad.stderr)
        XCTAssertTrue(bad.stderr.contains("huge"), bad.stderr)
        let steps = try Executables.run("ch01-dynamics", ["--steps", "0", "--no-render"])
        XCTAssertNotEqual(steps.status, 0)
        XCTAssertTrue(steps.stderr.contains("--steps must be at least 1"), steps.stderr)
    }
}
