import ArgumentParser
import Foundation
import XCTest
import GRUKit
import GRUKitChapterSupport
import GRUKitChapters
import GRUKitPresentation

/// Chapter 2's computations in process — the one-unit scans and their tables, the Jacobian identity,
/// the eigenvalues of J, the H-unit finder, the phase portraits, the option checks — and one run of
/// the executable as a user runs it (tiny settings).
final class Chapter02Tests: XCTestCase {
    /// The data rows of a single-block .dat text, after checking that its column header is exactly `columns`.
    static func rows(_ text: String, columns: [String], file: StaticString = #filePath, line: UInt = #line) -> [[Double]] {
        let lines = text.split(separator: "\n")
        XCTAssertTrue(lines.contains { $0 == Substring("# " + columns.joined(separator: " ")) },
                      "no header line `# \(columns.joined(separator: " "))`", file: file, line: line)
        var out: [[Double]] = []
        for l in lines where !l.hasPrefix("#") && !l.allSatisfy(\.isWhitespace) {
            let v = l.split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
            XCTAssertEqual(v.count, columns.count, "`\(l)`", file: file, line: line)
            out.append(v)
        }
        return out
    }

    /// The data rows of a single-block .dat file, after checking that its column header is exactly `columns`.
    static func rows(_ url: URL, columns: [String], file: StaticString = #filePath, line: UInt = #line) throws -> [[Double]] {
        rows(try String(contentsOf: url, encoding: .utf8), columns: columns, file: file, line: line)
    }

    /// The text of a table cell.
    static func text(_ cell: TableCell) -> String? { if case .text(let s) = cell { return s } else { return nil } }
    /// The number of a table cell.
    static func number(_ cell: TableCell) -> Double? { if case .number(let x) = cell { return x } else { return nil } }

    /// Both scans: the origin at every w_hh, stable exactly below 2; the pitchfork's branches ±h* at 2.5,
    /// 3 and 4 (h* = tanh(w_hh h*/2)); the critical points and the diagram.
    func testOneUnitScans() throws {
        let oneUnit = Chapter02.OneUnit(step: 0.05, grid: 801)
        for (k, c) in Chapter02.cases.enumerated() {
            let rows = Self.rows(oneUnit.data(k).text, columns: ["w_hh", "h_star", "stable"])
            XCTAssertGreaterThan(rows.count, 80)
            XCTAssertTrue(rows.allSatisfy { $0[2] == 0 || $0[2] == 1 })
            XCTAssertTrue(rows.allSatisfy { abs($0[1]) < 1 })
            for row in rows where row[1] == 0 { XCTAssertEqual(row[2] == 1, row[0] < 2 - 1e-9, "\(c.name): origin at w_hh = \(row[0])") }
            if c.wHR == 0 {
                XCTAssertTrue(rows.filter { $0[0] < 2 - 1e-9 }.allSatisfy { $0[1] == 0 }, "no nonzero fixed point below 2")
                for (w, h) in [(2.5, 0.7104), (3.0, 0.8586), (4.0, 0.9575)] {
                    let at = rows.filter { abs($0[0] - w) < 1e-9 && $0[1] != 0 }
                    XCTAssertEqual(at.count, 2, "w_hh = \(w)")
                    for p in at { XCTAssertEqual(abs(p[1]), h, accuracy: 5e-5); XCTAssertEqual(p[2], 1) }
                }
            }
        }
        let branches = oneUnit.branchTable
        XCTAssertEqual(branches.rows.count, 8)
        let points = branches.rows.compactMap { Self.text($0[2]) }
        for expected in ["-0.7104s +0.0000u +0.7104s", "-0.8586s +0.0000u +0.8586s", "-0.9575s +0.0000u +0.9575s"] {
            XCTAssertTrue(points.contains(expected), "\(expected) in \(points)")
        }
        var values = RecordedValues()
        let critical = oneUnit.criticalTable(into: &values)
        XCTAssertEqual(critical.rows.count, 2)
        for row in critical.rows { XCTAssertEqual(Self.number(row[1]) ?? 0, 2, accuracy: 1e-6, "f′(0) = 1 at w_hh = 2, gates or not") }
        XCTAssertEqual(values["first_nonzero_stable.bifurcation"], "2.0000")
        XCTAssertEqual(Double(values["first_nonzero_stable.bifurcation-wr1"] ?? "") ?? 0, 1.7635, accuracy: 2e-3, "the fold below 2")
        let figure = oneUnit.figure
        XCTAssertEqual(figure.panels.count, 2)
        XCTAssertEqual(figure.panels.map { $0.series.count }, [3, 3])
    }

    /// The first nonzero stable fixed point, refined by bisection: the pitchfork at 2 without gates (to
    /// within what the root finder's grid resolves: just past 2 the new points ±√(3(w_hh − 2)/2), to leading order, lie
    /// closer to the origin than a coarse grid separates).
    func testFirstNonzeroStable() {
        let rows = ScalarBifurcation.scan(from: 1.8, to: 2.2, step: 0.1, wHZ: 0, wHR: 0, gridPoints: 801)
        let birth = Chapter02.firstNonzeroStable(rows, wHZ: 0, wHR: 0, gridPoints: 801) ?? 0
        XCTAssertGreaterThanOrEqual(birth, 2)
        XCTAssertEqual(birth, 2, accuracy: 1e-4)
        let below = ScalarBifurcation.scan(from: 0, to: 1.5, step: 0.1, wHZ: 0, wHR: 0, gridPoints: 801)
        XCTAssertNil(Chapter02.firstNonzeroStable(below, wHZ: 0, wHR: 0, gridPoints: 801))
    }

    /// J(0) = ½I + ¼W_hh for both cell forms, by finite differences and analytically.
    func testJacobianIdentity() {
        var rng = SeededGenerator(seed: 1)
        let check = Chapter02.jacobianCheck(hidden: 4, rng: &rng)
        XCTAssertEqual(check.rows.map(\.form), GRUCell.allCases)
        XCTAssertLessThan(check.worst, 1e-8)
        XCTAssertTrue(check.rows.allSatisfy { $0.analytic < 1e-12 })
        var again = SeededGenerator(seed: 1), values = RecordedValues()
        let report = Chapter02.jacobianReport(hidden: 4, rng: &again, into: &values)
        XCTAssertEqual(report.table.rows.count, 2)
        XCTAssertTrue(report.note.hasPrefix("Largest difference between the finite-difference Jacobian"))
        XCTAssertEqual(values["jacobian.max_difference"], String(format: "%.2e", check.worst))
    }

    /// The eigenvalues of J: one group per norm; the symmetric W_hh attains ρ(J) = ½ + ‖W_hh‖₂/4, the
    /// Gaussian one stays below it; two rows of panels.
    func testEigenvalues() throws {
        var rng = SeededGenerator(seed: 1)
        let eigen = try Chapter02.Eigenvalues(size: 8, norms: [1.9, 2.1], seed: 1, rng: &rng)
        let gaussian = Self.rows(eigen.data.gaussian.text, columns: ["norm", "re", "im"])
        XCTAssertEqual(Set(gaussian.map { $0[0] }), [1.9, 2.1])
        XCTAssertEqual(gaussian.count, 16)
        XCTAssertTrue(Self.rows(eigen.data.symmetric.text, columns: ["norm", "re", "im"]).allSatisfy { $0[2] == 0 }, "real eigenvalues")
        for row in eigen.rhoTable.rows {
            let norm = Self.number(row[0])!, bound = Self.number(row[1])!
            XCTAssertEqual(bound, 0.5 + norm / 4, accuracy: 1e-15)
            XCTAssertEqual(Self.number(row[3])!, bound, accuracy: 1e-10, "symmetric W_hh: the bound is attained")
            XCTAssertLessThanOrEqual(Self.number(row[2])!, bound + 1e-10)
        }
        XCTAssertEqual(eigen.figure.panels.count, 4)
        XCTAssertEqual(Chapter02.format([1.5, 2, 2.5]), "%.1f")
        XCTAssertEqual(Chapter02.format([1.95, 2.05]), "%.2f", "a norm of 1.95 does not print as 1.9")
    }

    /// The finder: one row group per norm; at the origin ρ = ½ + ‖W_hh‖₂/4 (the symmetric W_hh attains
    /// the bound), stable below 2 and not above it; every point's residual below 10⁻¹².
    func testFinder() throws {
        var rng = SeededGenerator(seed: 1)
        let table = try Chapter02.finderTable(hidden: 3, norms: [1.95, 2.05], starts: 10, seed: 1, rng: &rng)
        XCTAssertEqual(table.formats[0], "%.2f")
        var norm = 0.0
        var origins: [Double: Double] = [:]
        for row in table.rows {
            if let n = Self.number(row[0]) { norm = n }
            XCTAssertLessThan(Self.number(row[5]) ?? 1, 1e-12)
            if let size = Self.number(row[2]), size < 1e-12 { origins[norm] = Self.number(row[3]) }
        }
        XCTAssertEqual(origins[1.95] ?? 0, 0.9875, accuracy: 1e-9)
        XCTAssertEqual(origins[2.05] ?? 0, 1.0125, accuracy: 1e-9)
    }

    /// The phase portraits: one panel per norm, the same gates at every norm, and an animation whose last
    /// frame is ‖W_hh‖₂ = 2.5 with the origin unstable.
    func testPhasePortraits() throws {
        let gru = Chapter02.twoUnitGRUs(seed: 1)
        let a = try gru(1.5), b = try gru(2.5)
        XCTAssertEqual(try a.candidateBlock.spectralNorm(), 1.5, accuracy: 1e-12)
        XCTAssertEqual((a.block(.update) - b.block(.update)).maxAbs, 0, "the same gates at every norm")
        XCTAssertEqual((a.block(.reset) - b.block(.reset)).maxAbs, 0)
        let portrait = Chapter02.phasePortrait([(b, 2.2)], starts: 10, seed: 1)
        XCTAssertEqual(portrait.panels.map(\.title), ["‖W_{hh}‖_2 = 2.2"])
        let sweep = try Chapter02.phaseSweepAnimation(gru, sweep: (1.5, 2.5), frames: 3, starts: 10, seed: 1)
        XCTAssertEqual(sweep.frames.count, 3)
        XCTAssertTrue(sweep.frames.last?.panels.first?.title?.contains("ρ(J(0)) = 1.1250, origin unstable") ?? false)
        XCTAssertTrue(sweep.frames.first?.panels.first?.title?.contains("origin stable") ?? false)
    }

    func testBadOptionsNameTheFlag() throws {
        for (args, message) in [(["--eigen-norms", "0,2"], "--eigen-norms: a spectral norm must be positive"),
                                (["--finder-norms", "2,x"], "--finder-norms"), (["--phase-norms", "1,2,3,4,5"], "--phase-norms takes 1 to 4"),
                                (["--phase-sweep", "1,11"], "--phase-sweep: 11.0 lies outside"), (["--frames", "500"], "--frames must lie in 2…200"),
                                (["--step", "0"], "--step"), (["--grid", "10"], "--grid"), (["--hidden", "1"], "--hidden"),
                                (["--starts", "0"], "--starts"), (["--eigen-size", "1"], "--eigen-size")] {
            XCTAssertThrowsError(try Chapter02.Options.parse(args), "\(args)") { error in
                XCTAssertTrue(Chapter02.Options.message(for: error).contains(message), "\(args): \(Chapter02.Options.message(for: error))")
            }
        }
        XCTAssertEqual(try Chapter02.Options.parse([]).startCount(scale: .quick), 200)
        XCTAssertEqual(try Chapter02.Options.parse([]).startCount(scale: .paper), 1000)
    }

    /// The chapter as a user runs it, tiny: it ends well and writes every file the book draws.
    func testTinyRun() throws {
        let dir = try Executables.temporaryDirectory(self)
        let out = dir.appendingPathComponent("tmp")
        let r = try Executables.run("ch02-fixed-points", ["--out", out.path, "--no-render", "--step", "0.05", "--grid", "801",
                                                          "--starts", "15", "--eigen-size", "12", "--hidden", "4", "--frames", "3"])
        XCTAssertEqual(r.status, 0, r.stderr)
        for name in ["bifurcation.dat", "bifurcation-wr1.dat", "eigenvalues.dat", "eigenvalues-symmetric.dat", "values.tsv"]
            + ["bifurcation-diagram", "jacobian-eigenvalues", "phase-portrait", "phase-sweep"].map({ $0 + ".gp" }) {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), name)
        }
        XCTAssertTrue(r.stdout.contains("-0.7104s +0.0000u +0.7104s"), r.stdout)
    }
}
