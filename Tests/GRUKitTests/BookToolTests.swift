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
            try "//: # \(slug)\n//: ![the plot of \(slug)](plot.png)\nprint(1)\n".write(to: root.appendingPathComponent("Chapters/\(slug)/main.swift"), atomically: true, encoding: .utf8)
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

    /// A scratch repository with chapters 01-one and 02-two that have run (output and a PNG each), a
    /// committed book (pages, figures, a hand-written page) and a claims template citing chapter 2.
    func scratchRepository(ledger: String = "Chapter two measured {{02.x}}.\n") throws -> URL {
        let root = try Executables.temporaryDirectory(self)
        let fm = FileManager.default
        for slug in ["01-one", "02-two"] {
            try fm.createDirectory(at: root.appendingPathComponent("Chapters/\(slug)"), withIntermediateDirectories: true)
            try "//: # \(slug)\n//: ![the plot of \(slug)](plot.png)\nprint(1)\n".write(to: root.appendingPathComponent("Chapters/\(slug)/main.swift"), atomically: true, encoding: .utf8)
            try fm.createDirectory(at: root.appendingPathComponent("figures/\(slug)"), withIntermediateDirectories: true)
            try "1\n".write(to: root.appendingPathComponent("figures/\(slug)/output.txt"), atomically: true, encoding: .utf8)
            try Data([0x89, 0x50, 0x4E, 0x47, 1]).write(to: root.appendingPathComponent("figures/\(slug)/plot.png"))
            try fm.createDirectory(at: root.appendingPathComponent("book/figures/\(slug)"), withIntermediateDirectories: true)
            try "committed \(slug)\n".write(to: root.appendingPathComponent("book/\(slug).md"), atomically: true, encoding: .utf8)
            try Data([0x89, 0x50, 0x4E, 0x47, 0]).write(to: root.appendingPathComponent("book/figures/\(slug)/committed.png"))
        }
        try "x\t1.5\n".write(to: root.appendingPathComponent("figures/02-two/values.tsv"), atomically: true, encoding: .utf8)
        try "by hand\n".write(to: root.appendingPathComponent("book/the-paper.md"), atomically: true, encoding: .utf8)
        try ledger.write(to: root.appendingPathComponent("book/claims.template.md"), atomically: true, encoding: .utf8)
        return root
    }

    func testAScratchBookIsWoven() throws {
        let root = try scratchRepository()
        let r = try Executables.run("grukit-book", [], in: root)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        let fm = FileManager.default
        XCTAssertTrue(try String(contentsOf: root.appendingPathComponent("book/claims.md"), encoding: .utf8).contains("Chapter two measured 1.5."))
        XCTAssertTrue(fm.fileExists(atPath: root.appendingPathComponent("book/figures/01-one/plot.png").path))
        XCTAssertEqual(try String(contentsOf: root.appendingPathComponent("book/the-paper.md"), encoding: .utf8), "by hand\n")
        XCTAssertFalse(try fm.contentsOfDirectory(atPath: root.path).contains { $0.hasPrefix(".book.") }, "a staging folder was left behind")
    }

    /// A value of a later chapter that is missing (here: cited by chapter 2's prose) stops the book
    /// before any page is written: no half-regenerated book.
    func testAMissingLaterValueLeavesTheWholeBookAsItWas() throws {
        let root = try scratchRepository()
        try "//: # two\n//: It measured {{nothing}}.\nprint(1)\n".write(to: root.appendingPathComponent("Chapters/02-two/main.swift"),
                                                                       atomically: true, encoding: .utf8)
        let before = DiskSnapshot(root.appendingPathComponent("book"))
        let r = try Executables.run("grukit-book", [], in: root)
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("{{nothing}}") && r.stderr.contains("Nothing was written"), r.stderr)
        before.assertUnchanged(root.appendingPathComponent("book"), "book/")
    }

    /// A chapter folder without figures (a run with --no-render) keeps the committed figures.
    func testAChapterWithoutFiguresKeepsTheCommittedOnes() throws {
        let root = try scratchRepository()
        try FileManager.default.removeItem(at: root.appendingPathComponent("figures/02-two/plot.png"))
        let r = try Executables.run("grukit-book", [], in: root)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("book/figures/02-two/ is kept"), r.stdout)
        XCTAssertEqual(try Data(contentsOf: root.appendingPathComponent("book/figures/02-two/committed.png")), Data([0x89, 0x50, 0x4E, 0x47, 0]))
    }

    /// An output.txt or values.tsv that is a FIFO or a folder is named as such, and nothing is written.
    func testInputsOfTheWrongKindAreNamed() throws {
        for (file, kind) in [("figures/02-two/output.txt", "FIFO"), ("figures/02-two/output.txt", "folder"),
                             ("figures/02-two/values.tsv", "FIFO"), ("figures/02-two/values.tsv", "folder")] {
            let root = try scratchRepository()
            let url = root.appendingPathComponent(file)
            try FileManager.default.removeItem(at: url)
            if kind == "FIFO" { XCTAssertEqual(mkfifo(url.path, 0o644), 0) } else {
                try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
            }
            let before = DiskSnapshot(root.appendingPathComponent("book"))
            let r = try Executables.run("grukit-book", [], in: root)
            XCTAssertEqual(r.status, 1, "\(file) as a \(kind): " + r.stdout + r.stderr)
            XCTAssertTrue(r.stderr.contains(file) && r.stderr.contains(kind) && r.stderr.contains("Nothing was written")
                          && !r.stderr.contains("permission"), r.stderr)
            before.assertUnchanged(root.appendingPathComponent("book"), "book/ after \(file) as a \(kind)")
        }
    }

    /// Animated GIFs are copied and placed like PNGs, where the prose shows them.
    func testGIFsAreCopiedAndShown() throws {
        let root = try scratchRepository()
        try "//: # one\n//: ![the orbit](orbit.gif) and ![the plot](plot.png)\nprint(1)\n".write(
            to: root.appendingPathComponent("Chapters/01-one/main.swift"), atomically: true, encoding: .utf8)
        try Data("GIF89a".utf8).write(to: root.appendingPathComponent("figures/01-one/orbit.gif"))
        let r = try Executables.run("grukit-book", [], in: root)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertEqual(try Data(contentsOf: root.appendingPathComponent("book/figures/01-one/orbit.gif")), Data("GIF89a".utf8))
        let one = try String(contentsOf: root.appendingPathComponent("book/01-one.md"), encoding: .utf8)
        XCTAssertTrue(one.contains("![the orbit](figures/01-one/orbit.gif)"), one)
        XCTAssertFalse(one.contains("## Figures"), one)
    }

    /// A page reads as a notebook or the book stops, naming the chapter and what to fix, and writes
    /// nothing: a figure the prose never shows, an image whose alt text is only its file name, and a
    /// block of console output longer than 40 lines are each refused.
    func testTheBookStopsOnAnUnplacedFigureABareAltTextOrALongOutput() throws {
        let cases: [(name: String, change: (URL) throws -> Void, expected: String)] = [
            ("unplaced", { root in try Data("GIF89a".utf8).write(to: root.appendingPathComponent("figures/02-two/spin.gif")) },
             "it writes spin.gif, but its prose never shows it"),
            ("bare alt", { root in
                try "//: # two\n//: ![plot.png](plot.png)\nprint(1)\n".write(to: root.appendingPathComponent("Chapters/02-two/main.swift"),
                                                                            atomically: true, encoding: .utf8) },
             "the image plot.png has no alt text beyond its name"),
            ("long output", { root in
                let text = "Training\n────────\n" + (1...41).map { "batch \($0)" }.joined(separator: "\n") + "\n"
                try text.write(to: root.appendingPathComponent("figures/02-two/output.txt"), atomically: true, encoding: .utf8) },
             "the output of \"Training\" is 41 lines long (at most 40)"),
        ]
        for c in cases {
            let root = try scratchRepository()
            try c.change(root)
            let before = DiskSnapshot(root.appendingPathComponent("book"))
            let r = try Executables.run("grukit-book", [], in: root)
            XCTAssertEqual(r.status, 1, c.name + ": " + r.stdout + r.stderr)
            XCTAssertTrue(r.stderr.contains("Chapters/02-two does not read as a notebook yet") && r.stderr.contains(c.expected)
                          && r.stderr.contains("Nothing was written"), c.name + ": " + r.stderr)
            before.assertUnchanged(root.appendingPathComponent("book"), "book/ after \(c.name)")
        }
    }

    /// `make book` stops on a ledger sentence whose stated condition its numbers make false, naming the
    /// sentence, the rule and the values, and writes nothing; moving the value across the threshold
    /// changes the verdict and the dependent sentence of the woven ledger.
    func testTheLedgerStopsOnAFalseSentenceAndFollowsItsValues() throws {
        let ledger = "{{assert 02.x < 2: The origin stays stable.}} Verdict: {{verdict: reproduced if 02.x < 1 | otherwise partly}}; "
            + "{{if 02.x < 1: below one | else: not below one}}.\n"
        let root = try scratchRepository(ledger: ledger)
        var r = try Executables.run("grukit-book", [], in: root)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        var page = try String(contentsOf: root.appendingPathComponent("book/claims.md"), encoding: .utf8)
        XCTAssertTrue(page.contains("The origin stays stable. Verdict: **partly**") && page.contains("; not below one."), page)
        try "x\t0.5\n".write(to: root.appendingPathComponent("figures/02-two/values.tsv"), atomically: true, encoding: .utf8)
        r = try Executables.run("grukit-book", [], in: root)
        page = try String(contentsOf: root.appendingPathComponent("book/claims.md"), encoding: .utf8)
        XCTAssertTrue(page.contains("Verdict: **reproduced**") && page.contains("; below one."), page)

        try "x\t2.5\n".write(to: root.appendingPathComponent("figures/02-two/values.tsv"), atomically: true, encoding: .utf8)
        let before = DiskSnapshot(root.appendingPathComponent("book")), results = DiskSnapshot(root.appendingPathComponent("results"))
        r = try Executables.run("grukit-book", [], in: root)
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("\"The origin stays stable.\"") && r.stderr.contains("02.x < 2") && r.stderr.contains("02.x = \"2.5\"")
                      && r.stderr.contains("Nothing was written"), r.stderr)
        before.assertUnchanged(root.appendingPathComponent("book"), "book/")
        results.assertUnchanged(root.appendingPathComponent("results"), "results/")
    }
}

