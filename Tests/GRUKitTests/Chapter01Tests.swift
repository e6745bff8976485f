import ArgumentParser
import Foundation
import XCTest
import GRUKit
import GRUKitChapterSupport
import GRUKitChapters
import GRUKitPresentation

/// Chapter 1's computations in process — the fixed points, the table and `summary.dat`, the figures'
/// data and scripts, the option checks — and one run of the executable as a user runs it.
final class Chapter01Tests: XCTestCase {
    /// Every non-comment, non-blank line of a data file's text is whitespace-separated numbers, as many
    /// as its block's `# column names` header says; returns the number of rows.
    @discardableResult
    static func assertNumericColumns(_ text: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) -> Int {
        var columns: Int?
        var rows = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if raw.hasPrefix("#") {
                columns = raw.dropFirst().split(separator: " ").count
                continue
            }
            let fields = raw.split(separator: " ")
            XCTAssertEqual(fields.count, columns, "\(name): \(raw)", file: file, line: line)
            for f in fields { XCTAssertNotNil(Double(f), "\(name): \(f) is not a number", file: file, line: line) }
            rows += 1
        }
        XCTAssertGreaterThan(rows, 10, "\(name) holds too few rows", file: file, line: line)
        return rows
    }

    /// The bisection's h* solves h = tanh(w_hh h/2), agrees with the library's root finder, and exists
    /// only past 2; just past 2 it follows h* ≈ √(3(w_hh − 2)/2) (exercise 5c).
    func testFixedPoints() {
        for w in [2.1, 2.5, 3.0, 4.0] {
            let h = Chapter01.symmetricFixedPoint(w)!
            XCTAssertEqual(h, tanh(w * h / 2), accuracy: 1e-14, "w_hh = \(w)")
            let finder = ScalarGRU(wHH: w).fixedPoints().map(\.h).first { $0 > 0 }!
            XCTAssertEqual(h, finder, accuracy: 1e-10, "w_hh = \(w)")
            XCTAssertEqual(Chapter01.nonzeroFixedPoints(w, gates: .init()), [h, -h])
        }
        for w in [-1.0, 1.5, 2.0] {
            XCTAssertNil(Chapter01.symmetricFixedPoint(w))
            XCTAssertEqual(Chapter01.nonzeroFixedPoints(w, gates: .init()), [])
        }
        XCTAssertEqual(Chapter01.symmetricFixedPoint(2.5)!, 0.7104, accuracy: 5e-5)
        XCTAssertEqual(Chapter01.symmetricFixedPoint(2.002)!, (3 * 0.002 / 2).squareRoot(), accuracy: 1e-4)
        // With the gates on, the nonzero fixed points are the finder's, and each is a fixed point of f.
        let gates = Chapter01.Gates(wHZ: 0.7, wHR: -0.4)
        let roots = Chapter01.nonzeroFixedPoints(2.5, gates: gates)
        XCTAssertFalse(roots.isEmpty)
        for h in roots { XCTAssertEqual(gates.gru(2.5)(h), h, accuracy: 1e-12) }
    }

    /// The cobweb alternates up to the curve and across to the diagonal; `limit` iterates the map.
    func testCobwebAndLimit() {
        let gru = ScalarGRU(wHH: 2.5)
        let path = Chapter01.cobweb(gru, from: 0.05, steps: 3)
        XCTAssertEqual(path.count, 7)
        let orbit = gru.trajectory(from: 0.05, steps: 3)
        XCTAssertEqual(path[0], [0.05, 0.05])
        for t in 0..<3 {
            XCTAssertEqual(path[2 * t + 1], [orbit[t], orbit[t + 1]])
            XCTAssertEqual(path[2 * t + 2], [orbit[t + 1], orbit[t + 1]])
        }
        XCTAssertEqual(Chapter01.limit(gru, from: 0.5, steps: 40), gru.trajectory(from: 0.5, steps: 40).last!)
        XCTAssertEqual(Chapter01.limit(gru, from: 0.5, steps: 10_000), Chapter01.symmetricFixedPoint(2.5)!, accuracy: 1e-12)
    }

    /// The table of the default run: the rows 1.5, 2, 2.5, 3; at 2.5 f′(0) = 1.125 and h_∞ = h* = 0.7104;
    /// `summary.dat` holds the same numbers with NaN where there is no h*.
    func testDefaultTable() throws {
        let o = try Chapter01.Options.parse([])
        XCTAssertTrue(o.isDefault)
        XCTAssertEqual(o.tableWeights, [1.5, 2.0, 2.5, 3.0])
        XCTAssertEqual(o.trajectorySteps(scale: .quick), 40)
        XCTAssertEqual(o.trajectorySteps(scale: .paper), 80)
        let table = Chapter01.Table(weights: o.tableWeights, gates: o.gates, limitSteps: o.limitSteps)
        XCTAssertEqual(table.rows.map(\.origin), ["stable", "critical", "unstable", "unstable"])
        let row = table.rows[2]
        XCTAssertEqual(row.slope, 1.125, accuracy: 1e-15)
        XCTAssertEqual(row.hInf, 0.7104, accuracy: 5e-5)
        XCTAssertEqual(row.hInf, row.hStar!, accuracy: 1e-12, "iterating and solving meet")
        XCTAssertLessThan(abs(row.slopeStar!), 1, "the new fixed points are stable")
        XCTAssertEqual(table.rows[3].hStar!, 0.8586, accuracy: 5e-5)
        XCTAssertNil(table.rows[0].hStar)
        XCTAssertEqual(table.rows[0].hInf, 0, accuracy: 1e-12)
        XCTAssertGreaterThan(table.rows[1].hInf, 0.01, "at w_hh = 2 the origin attracts only algebraically")

        let printed = table.text.render()
        XCTAssertTrue(printed.contains("The one-unit GRU, w_hz = w_hr = 0"), printed)
        let line = printed.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("2.5 ") } ?? ""
        XCTAssertEqual(line.components(separatedBy: "0.7104").count, 3, "h_∞ and h* both read 0.7104: \(line)")
        XCTAssertTrue(line.contains("1.1250"), String(line))

        let data = table.data.text
        XCTAssertTrue(data.contains("# w_hh fprime_0 h_inf h_star fprime_h_star"), data)
        XCTAssertTrue(data.contains("after 10000 steps"), data)
        let rows = data.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }
        XCTAssertEqual(rows.count, 4)
        XCTAssertTrue(rows[0].lowercased().contains("nan"), String(rows[0]))
        XCTAssertTrue(table.note(defaults: true).contains("w_hh = 1.5 every state decays"))
        var values = RecordedValues()
        table.record(into: &values)
        XCTAssertEqual(values["h_star.2.5"], "0.7104")
        XCTAssertEqual(values["h_star.3"], "0.8586")
        XCTAssertNil(values["h_star.2"], "no nonzero fixed point at 2")
    }

    /// `--w-hh 1.9,2.1`: the figures show those weights, the table adds 2 and 3 and its numbers are the
    /// library's; `--w-hh 2.02,2.1` prints w_hh with two decimals.
    func testWeightFlags() throws {
        let o = try Chapter01.Options.parse(["--w-hh", "1.9,2.1", "--frames", "3"])
        XCTAssertFalse(o.isDefault)
        XCTAssertEqual(o.tableWeights, [1.9, 2.0, 2.1, 3.0])
        let table = Chapter01.Table(weights: o.tableWeights, gates: o.gates, limitSteps: o.limitSteps)
        XCTAssertEqual(table.rows[0].slope, 0.975, accuracy: 1e-15)
        XCTAssertEqual(table.rows[2].slope, 1.025, accuracy: 1e-15)
        XCTAssertEqual(table.rows[2].origin, "unstable")
        XCTAssertEqual(table.rows[2].hStar!, ScalarGRU(wHH: 2.1).fixedPoints().map(\.h).first { $0 > 0 }!, accuracy: 1e-10)
        XCTAssertTrue(table.note(defaults: false).contains("whatever w_hz and w_hr are"))
        let printed = Chapter01.Table(weights: [2.02, 2.1], gates: .init(), limitSteps: 10).text.render()
        XCTAssertTrue(printed.contains("2.02 "), printed)

        let script = Chapter01.trajectoriesFigure(weights: o.figureWeights, gates: o.gates, steps: 25).script
        XCTAssertTrue(script.contains("w_{hh} = 1.9") && script.contains("w_{hh} = 2.1") && !script.contains("w_{hh} = 1.5"))
        let sweep = Chapter01.cobwebSweepAnimation(sweep: o.sweep, frames: o.frames, gates: o.gates)
        XCTAssertTrue(sweep.script.contains("set terminal gif animate"))
        XCTAssertTrue(sweep.script.contains("# Frame 3 of 3: w_{hh} = 2.500"), sweep.script)
        Self.assertNumericColumns(sweep.dataTable!.text, "cobweb-sweep.dat")
    }

    /// With the gates on, f′(0) does not move (exercise 5a) and h* is the finder's largest root.
    func testGateFlags() throws {
        let o = try Chapter01.Options.parse(["--w-hh", "2.5", "--w-hz", "0.7", "--w-hr", "-0.4"])
        let table = Chapter01.Table(weights: o.tableWeights, gates: o.gates, limitSteps: o.limitSteps)
        XCTAssertTrue(table.text.render().contains("The one-unit GRU, w_hz = 0.7, w_hr = -0.4"))
        let row = table.rows.first { $0.wHH == 2.5 }!
        XCTAssertEqual(row.slope, 1.125, accuracy: 1e-12)
        XCTAssertEqual(row.hStar!, ScalarGRU(wHH: 2.5, wHZ: 0.7, wHR: -0.4).fixedPoints().map(\.h).filter { $0 > 0 }.max()!, accuracy: 1e-12)
        XCTAssertTrue(table.data.text.contains("largest positive fixed point"))
    }

    /// The figures' data are numeric columns, and the return map draws one cobweb per weight.
    func testFigureData() {
        let gates = Chapter01.Gates()
        let trajectories = Chapter01.trajectoriesFigure(weights: [1.5, 2.5], gates: gates, steps: 40)
        XCTAssertEqual(trajectories.panels.count, 2)
        Self.assertNumericColumns(trajectories.dataTable!.text, "trajectories.dat")
        let returnMap = Chapter01.returnMapFigure(weights: [1.5, 2.5], gates: gates)
        XCTAssertEqual(returnMap.panels.count, 4, "return map above, distance from the diagonal below, per weight")
        Self.assertNumericColumns(returnMap.dataTable!.text, "return-map.dat")
        XCTAssertTrue(returnMap.script.contains("unstable fixed point"), "the origin is unstable at 2.5")
    }

    /// The figures render with gnuplot, and each script redraws its picture alone, as a reader would.
    func testFiguresRenderAndEachScriptRedrawsAlone() throws {
        try XCTSkipUnless(Gnuplot.isInstalled, "gnuplot is not installed")
        let dir = try Executables.temporaryDirectory(self)
        let gates = Chapter01.Gates()
        let stills = [Chapter01.trajectoriesFigure(weights: [1.5, 2.5], gates: gates, steps: 25),
                      Chapter01.returnMapFigure(weights: [1.5, 2.5], gates: gates)]
        for figure in stills {
            let files = try figure.write(to: dir)
            let png = dir.appendingPathComponent("\(figure.name).png")
            for _ in 0..<2 {
                try? FileManager.default.removeItem(at: png)
                _ = try Gnuplot.render(script: files.script)
                FigureTests.assertPNG(png)
            }
        }
        let files = try Chapter01.cobwebSweepAnimation(sweep: (1.5, 2.5), frames: 4, gates: gates).write(to: dir)
        _ = try Gnuplot.render(script: files.script)
        FigureTests.assertGIF(dir.appendingPathComponent("cobweb-sweep.gif"))
    }

    func testBadOptionsAreRejectedClearly() throws {
        for (args, message) in [(["--w-hh", "1.9,x"], "--w-hh"), (["--w-hh", "1,2,3,4,5"], "--w-hh takes 1 to 4"),
                                (["--w-hh", "12"], "--w-hh: 12.0 lies outside"), (["--w-hz", "nan"], "--w-hz"),
                                (["--w-hr", "11"], "--w-hr must be a number in −10…10"),
                                (["--sweep-w-hh", "1.5"], "--sweep-w-hh takes exactly 2"), (["--frames", "1"], "--frames must lie in 2…400"),
                                (["--steps", "0"], "--steps must be at least 1"), (["--limit-steps", "0"], "--limit-steps must be at least 1")] {
            XCTAssertThrowsError(try Chapter01.Options.parse(args), "\(args)") { error in
                XCTAssertTrue(Chapter01.Options.message(for: error).contains(message), "\(args): \(Chapter01.Options.message(for: error))")
            }
        }
        XCTAssertThrowsError(try ChapterOptions.parse(["--scale", "huge"])) { error in
            XCTAssertTrue(ChapterOptions.message(for: error).contains("huge"))
        }
    }

    /// The chapter as a user runs it on a machine without gnuplot: it ends well, writes every file the
    /// book draws, prints the table, and says once how to install gnuplot.
    func testRunWithoutGnuplot() throws {
        let dir = try Executables.temporaryDirectory(self)
        let result = try Executables.run("ch01-dynamics", ["--out", dir.path, "--frames", "3"], environment: ["PATH": "/nonexistent"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr.components(separatedBy: "apt-get install gnuplot-nox").count, 2, result.stderr)
        for name in ["summary.dat", "values.tsv", "trajectories.gp", "trajectories.dat", "return-map.gp", "return-map.dat", "cobweb-sweep.gp", "cobweb-sweep.dat"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent(name).path), name)
        }
        XCTAssertTrue(result.stdout.contains("The one-unit GRU, w_hz = w_hr = 0"), result.stdout)
        XCTAssertTrue(result.stdout.contains("trajectories.gp"), "the files written are listed")
    }
}
