import Foundation
import XCTest
import GRUKit

/// Chapter 4 run as a user runs it (tiny settings): files and columns, the projected run's
/// constraint, the exactness check, and the 2×2 example against the closed-form singular values.
final class Chapter04Tests: XCTestCase {
    /// The singular values of [[a, b], [c, d]] in closed form: σ_{1,2} = (√((a+d)² + (c−b)²) ± √((a−d)² + (b+c)²))/2.
    static func closedFormSingularValues(_ a: Double, _ b: Double, _ c: Double, _ d: Double) -> (Double, Double) {
        let p = ((a + d) * (a + d) + (c - b) * (c - b)).squareRoot()
        let q = ((a - d) * (a - d) + (b + c) * (b + c)).squareRoot()
        return ((p + q) / 2, abs(p - q) / 2)
    }

    /// The index blocks of a data file: (the block's comment lines, its numeric rows). Blocks are
    /// separated by two blank lines.
    static func blocks(_ url: URL) throws -> [(comments: [String], rows: [[String]])] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.components(separatedBy: "\n\n\n").map { chunk in
            let lines = chunk.split(separator: "\n").map(String.init)
            return (lines.filter { $0.hasPrefix("#") },
                    lines.filter { !$0.hasPrefix("#") }.map { $0.split(whereSeparator: \.isWhitespace).map(String.init) })
        }
    }

    func testTinyRun() throws {
        let dir = try Executables.temporaryDirectory(self)
        let out = dir.appendingPathComponent("tmp")
        let (a, b, c, d) = (3.0, 1.0, -1.0, 0.5)
        let delta = 0.5, threshold = 2 - delta
        let r = try Executables.run("ch04-projection", ["--out", out.path, "--no-render", "--sizes", "16,32", "--repeats", "1",
                                                        "--iterations", "25", "--hidden", "4", "--examples", "6", "--steps", "30",
                                                        "--fade-learning-rates", "3,30", "--delta", String(delta),
                                                        "--clip-grid", "0.01,1", "--delta-grid", "0.1,0.5",
                                                        "--example", "\(a),\(b),\(c),\(d)"])
        XCTAssertEqual(r.status, 0, r.stderr)
        for name in ["example.dat", "training-compare.dat", "projection-cost.dat", "ellipse.gp", "ellipse.dat",
                     "training-compare.gp", "projection-cost.gp", "projection-sweep.gp", "projection-sweep.dat"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), name)
        }

        // The 2×2 example: σ_i from the closed form, clipped at 2 − δ.
        let example = try Chapter02Tests.rows(out.appendingPathComponent("example.dat"), columns: ["i", "sigma", "sigma_clipped"])
        let (s1, s2) = Self.closedFormSingularValues(a, b, c, d)
        XCTAssertEqual(example.count, 2)
        Oracle.check("2×2 singular values", example.map { $0[1] }, [s1, s2], tolerance: 1e-12)
        Oracle.check("2×2 clipped singular values", example.map { $0[2] }, [min(s1, threshold), min(s2, threshold)], tolerance: 1e-12)
        XCTAssertGreaterThan(s1, threshold, "the example must clip something")

        // Tuning: for each task and learning rate, one block of scores per method family, one row per knob;
        // the score is the mean loss over the last 10 % (here 2) of the 25 iterations.
        let tuning = try Self.blocks(out.appendingPathComponent("training-tuning.dat"))
        XCTAssertEqual(tuning.count, 6, "memory + two fading learning rates, clipping and projection each")
        var chosen: [String: Double] = [:]   // "task η family" → the knob with the lowest score
        for block in tuning {
            guard let hit = block.comments.lazy.compactMap({ line in
                line.firstMatch(of: #/task (\w+), learning rate ([0-9.e+-]+), (clipping|projection)/#).map { (line, $0) }
            }).first else {
                XCTFail("no title in \(block.comments)"); continue
            }
            let (title, m) = hit
            let rows = block.rows.map { $0.compactMap(Double.init) }
            XCTAssertEqual(rows.map { $0[0] }, m.3 == "clipping" ? [0.01, 1] : [0.1, 0.5], title)
            chosen["\(m.1) \(m.2) \(m.3)"] = rows.min { $0[1] < $1[1] }![0]
        }

        // Training: one block per shown run with the named columns; the clipped and projected runs shown
        // are the best of their grids; the projected runs obey the constraint of their own δ.
        let training = try Self.blocks(out.appendingPathComponent("training-compare.dat"))
        XCTAssertEqual(training.count, 9, "memory + two fading learning rates, three methods each")
        var projectedRows = 0
        for block in training {
            XCTAssertTrue(block.comments.contains("# iteration loss grad_norm spectral_norm rho projected"), "\(block.comments)")
            XCTAssertEqual(block.rows.count, 25)
            let rows = block.rows.map { $0.compactMap(Double.init) }
            XCTAssertTrue(rows.allSatisfy { $0.count == 6 })
            let title = block.comments.first { $0.contains(#/task \w+, method /#) } ?? ""
            let task = title.firstMatch(of: #/task (\w+),/#).map { String($0.1) } ?? "?"
            let rate = title.firstMatch(of: #/learning rate ([0-9.e+-]+)/#).map { String($0.1) } ?? "?"
            XCTAssertFalse(title.isEmpty, "no title in \(block.comments)")
            if let m = title.firstMatch(of: #/clip at ([0-9.e+-]+)/#) {
                XCTAssertEqual(Double(m.1), chosen["\(task) \(rate) clipping"], "the best clipping threshold is shown: \(title)")
            }
            if let m = title.firstMatch(of: #/P_δ, δ = ([0-9.e+-]+)/#) {
                let d = Double(m.1)!
                XCTAssertEqual(d, chosen["\(task) \(rate) projection"], "the best δ is shown: \(title)")
                for row in rows {
                    XCTAssertLessThanOrEqual(row[3], 2 - d + 1e-6, "‖W_hh‖₂ of a projected run, \(block.comments)")
                    XCTAssertLessThan(row[4], 1, "ρ(J) of a projected run")
                    XCTAssertLessThanOrEqual(row[4], 0.5 + row[3] / 4 + 1e-12, "ρ(J) ≤ ½ + ‖W‖₂/4")
                }
                projectedRows += rows.count
            } else {
                XCTAssertTrue(rows.allSatisfy { $0[5] == 0 }, "an unprojected run never projects")
            }
        }
        XCTAssertEqual(projectedRows, 3 * 25)
        XCTAssertEqual(chosen.count, 6)
        for line in ["Tuning clipping:", "Tuning P_δ:", "Training, each method at its best knob"] {
            XCTAssertTrue(r.stdout.contains(line), "no table \(line) in\n\(r.stdout)")
        }

        // Cost: `n method milliseconds`, every method at every size, positive times.
        let cost = try Self.blocks(out.appendingPathComponent("projection-cost.dat"))
        var seen: Set<String> = []
        for block in cost {
            XCTAssertTrue(block.comments.contains("# n method milliseconds"), "\(block.comments)")
            XCTAssertEqual(block.rows.map { $0[0] }, ["16", "32"])
            for row in block.rows {
                XCTAssertEqual(row.count, 3)
                XCTAssertGreaterThan(Double(row[2]) ?? -1, 0)
                seen.insert(row[1])
            }
        }
        XCTAssertEqual(seen, ["fullSVD", "eigen", "selectiveEigen", "automatic", "weylSkip"])

        // Exactness: the printed maximum difference from the full SVD.
        guard let line = r.stdout.split(separator: "\n").first(where: { $0.hasPrefix("max difference from the full SVD:") }),
              let value = line.split(separator: " ").compactMap({ Double($0) }).first else {
            return XCTFail("no exactness line in\n\(r.stdout)")
        }
        XCTAssertLessThanOrEqual(value, 1e-5)
        XCTAssertGreaterThan(value, 0, "Float results cannot match a Double reference bit for bit")
    }

    func testBadOptionsAreRejectedClearly() throws {
        for (args, flag) in [(["--delta", "2.5"], "--delta"), (["--sizes", "64,x"], "--sizes"), (["--example", "1,2,3"], "--example"),
                                 (["--clip-grid", "0.1,-1"], "--clip-grid"), (["--delta-grid", "0.1,2"], "--delta-grid"),
                                 (["--delta-sweep", "0.1,2"], "--delta-sweep"), (["--delta-sweep", "0.5"], "--delta-sweep"),
                                 (["--frames", "1"], "--frames")] {
            let r = try Executables.run("ch04-projection", args + ["--no-render"])
            XCTAssertNotEqual(r.status, 0, "\(args)")
            XCTAssertTrue(r.stderr.contains(flag), "\(args): \(r.stderr)")
        }
    }
}
