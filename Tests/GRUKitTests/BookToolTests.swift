import Foundation
import XCTest

/// `grukit-book` run as `make book` runs it, in a scratch repository.
final class BookToolTests: XCTestCase {
    /// Without the chapters' saved output (a fresh clone before `make`) the tool refuses and leaves the
    /// committed pages and figures as they are.
    func testRefusesWithoutChapterOutputAndWritesNothing() throws {
        let root = try Executables.temporaryDirectory(self)
        let fm = FileManager.default
        for slug in ["01-one", "02-two"] {
            try fm.createDirectory(at: root.appendingPathComponent("Chapters/\(slug)"), withIntermediateDirectories: true)
            try "//: # \(slug)\nprint(1)\n".write(to: root.appendingPathComponent("Chapters/\(slug)/main.swift"), atomically: true, encoding: .utf8)
        }
        // Chapter 1 has run, chapter 2 has not.
        try fm.createDirectory(at: root.appendingPathComponent("figures/01-one"), withIntermediateDirectories: true)
        try "1\n".write(to: root.appendingPathComponent("figures/01-one/output.txt"), atomically: true, encoding: .utf8)
        try fm.createDirectory(at: root.appendingPathComponent("book/figures/02-two"), withIntermediateDirectories: true)
        let page = root.appendingPathComponent("book/02-two.md"), png = root.appendingPathComponent("book/figures/02-two/plot.png")
        try "committed page\n".write(to: page, atomically: true, encoding: .utf8)
        try Data([0x89, 0x50, 0x4E, 0x47]).write(to: png)

        let r = try Executables.run("grukit-book", [], in: root)
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("figures/02-two/output.txt") && r.stderr.contains("Nothing was written"), r.stderr)
        XCTAssertFalse(r.stderr.contains("figures/01-one/output.txt"), r.stderr)
        XCTAssertEqual(try String(contentsOf: page, encoding: .utf8), "committed page\n")
        XCTAssertEqual(try Data(contentsOf: png), Data([0x89, 0x50, 0x4E, 0x47]))
        XCTAssertFalse(fm.fileExists(atPath: root.appendingPathComponent("book/01-one.md").path))
    }
}
