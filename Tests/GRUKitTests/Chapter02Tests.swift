import Foundation
import XCTest
import GRUKit

/// Chapter 2 run as a user runs it (tiny settings): files, columns, and the key numbers.
final class Chapter02Tests: XCTestCase {
    /// The data rows of a single-block .dat file, after checking that its column header is exactly `columns`.
    static func rows(_ url: URL, columns: [String], file: StaticString = #filePath, line: UInt = #line) throws -> [[Double]] {
        let text = try String(contentsOf: url, encoding: .utf8)
        let lines = text.split(separator: "\n")
        XCTAssertTrue(lines.contains { $0 == Substring("# " + columns.joined(separator: " ")) },
                      "\(url.lastPathComponent): no header line `# \(columns.joined(separator: " "))`", file: file, line: line)
        var out: [[Double]] = []
        for l in lines where !l.hasPrefix("#") && !l.allSatisfy(\.isWhitespace) {
            let v = l.split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
            XCTAssertEqual(v.count, columns.count, "\(url.lastPathComponent): `\(l)`", file: file, line: line)
            out.append(v)
        }
        return out
    }

    func testTinyRun() throws {
        let dir = try Executables.temporaryDirectory(self)
        let r = try Executables.run("ch02-fixed-points", ["--out", dir.appendingPathComponent("tmp").path, "--no-render",
                                                          "--step", "0.05", "--grid", "801", "--starts", "15", "--eigen-size", "12", "--hidden", "4"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let out = dir.appendingPathComponent("tmp")
        for name in ["bifurcation", "bifurcation-wr1"] {
            let rows = try Self.rows(out.appendingPathComponent(name + ".dat"), columns: ["w_hh", "h_star", "stable"])
            XCTAssertGreaterThan(rows.count, 80)
            XCTAssertTrue(rows.allSatisfy { $0[2] == 0 || $0[2] == 1 })
            XCTAssertTrue(rows.allSatisfy { abs($0[1]) < 1 })
            // The origin is listed at every w_hh, stable exactly below 2.
            for row in rows where row[1] == 0 { XCTAssertEqual(row[2] == 1, row[0] < 2 - 1e-9, "origin at w_hh = \(row[0])") }
            if name == "bifurcation" {
                XCTAssertTrue(rows.filter { $0[0] < 2 - 1e-9 }.allSatisfy { $0[1] == 0 }, "no nonzero fixed point below 2")
                for (w, h) in [(2.5, 0.7104), (3.0, 0.8586), (4.0, 0.9575)] {
                    let at = rows.filter { abs($0[0] - w) < 1e-9 && $0[1] != 0 }
                    XCTAssertEqual(at.count, 2, "w_hh = \(w)")
                    for p in at { XCTAssertEqual(abs(p[1]), h, accuracy: 5e-5); XCTAssertEqual(p[2], 1) }
                }
            }
        }
        _ = try Self.rows(out.appendingPathComponent("eigenvalues.dat"), columns: ["norm", "re", "im"])
        for fig in ["bifurcation-diagram", "jacobian-eigenvalues", "phase-portrait"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(fig + ".gp").path), fig)
        }
        // Printed numbers: the branches, the critical point, the Jacobian identity.
        XCTAssertTrue(r.stdout.contains("-0.7104s +0.0000u +0.7104s"), r.stdout)
        XCTAssertTrue(r.stdout.contains("-0.8586s +0.0000u +0.8586s"))
        XCTAssertTrue(r.stdout.contains("-0.9575s +0.0000u +0.9575s"))
        XCTAssertTrue(r.stdout.contains("2.000000"), "bifurcation point")
        let line = r.stdout.split(separator: "\n").first { $0.hasPrefix("Largest difference") }
        let value = line.flatMap { $0.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: CharacterSet(charactersIn: "(),"))) }.first }
        XCTAssertNotNil(value, r.stdout)
        XCTAssertLessThan(value ?? 1, 1e-8)
    }

    /// The norms are flags: the eigenvalue figure gets one column per `--eigen-norms` value, the finder
    /// one row group per `--finder-norms` value, the phase portrait one panel per `--phase-norms` value,
    /// and ρ(J(0)) in the finder's table is ½ + ‖W_hh‖₂/4 (the symmetric W_hh attains the bound).
    func testNormFlags() throws {
        let dir = try Executables.temporaryDirectory(self)
        let r = try Executables.run("ch02-fixed-points", ["--out", dir.path, "--no-render", "--step", "0.05", "--grid", "801",
                                                          "--starts", "10", "--eigen-size", "8", "--hidden", "3",
                                                          "--eigen-norms", "1.9,2.1", "--finder-norms", "1.95,2.05",
                                                          "--phase-norms", "2.2", "--frames", "3"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let eigen = try Self.rows(dir.appendingPathComponent("eigenvalues.dat"), columns: ["norm", "re", "im"])
        XCTAssertEqual(Set(eigen.map { $0[0] }), [1.9, 2.1])
        for (norm, rho) in [(1.95, 0.9875), (2.05, 1.0125)] {
            let line = r.stdout.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(String(format: "%.2f ", norm)) }
            XCTAssertTrue(line?.contains(String(format: "%.4f", rho)) ?? false, "‖W_hh‖₂ = \(norm): \(line ?? "no row")\n\(r.stdout)")
        }
        let portrait = try String(contentsOf: dir.appendingPathComponent("phase-portrait.gp"), encoding: .utf8)
        XCTAssertTrue(portrait.contains("‖W_{hh}‖_2 = 2.2") && !portrait.contains("# Panel 2"))
        let sweep = try String(contentsOf: dir.appendingPathComponent("phase-sweep.gp"), encoding: .utf8)
        XCTAssertTrue(sweep.contains("set terminal gif animate") && sweep.contains("# Frame 3 of 3"))
        XCTAssertTrue(sweep.contains("ρ(J(0)) = 1.1250, origin unstable"), "the last frame is ‖W_hh‖₂ = 2.5")
    }

    func testBadNormFlagsNameTheFlag() throws {
        for (args, message) in [(["--eigen-norms", "0,2"], "--eigen-norms: a spectral norm must be positive"),
                                (["--finder-norms", "2,x"], "--finder-norms"), (["--phase-norms", "1,2,3,4,5"], "--phase-norms takes 1 to 4"),
                                (["--phase-sweep", "1,11"], "--phase-sweep: 11.0 lies outside"), (["--frames", "500"], "--frames must lie in 2…200")] {
            let r = try Executables.run("ch02-fixed-points", args + ["--no-render"])
            XCTAssertEqual(r.status, 64, "\(args)")
            XCTAssertTrue(r.stderr.contains(message), "\(args): \(r.stderr)")
        }
    }

    func testBadOptionsAreRejectedClearly() throws {
        let r = try Executables.run("ch02-fixed-points", ["--step", "0", "--no-render"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("--step"), r.stderr)
    }
}
