import XCTest
import GRUKit
@testable import grukit_book
import GRUKitChapterSupport
import GRUKitPresentation

/// The book must stay true to the chapters: a page whose woven source differs from its
/// chapter's main.swift is stale, and every image a page shows must exist.
final class BookTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testProseAndCodeAreSplitInOrder() {
        let source = """
        //: # Title
        //: Some *prose*.
        import GRUKit

        let x = 1
        /*:
         A block of prose
         over two lines.
         */
        print(x)
            //: indented prose
        let y = 2 /* not prose */
        """
        let blocks = LiterateSource.parse(source)
        XCTAssertEqual(blocks, [
            .prose("# Title\nSome *prose*."),
            .code("import GRUKit\n\nlet x = 1"),
            .prose("A block of prose\nover two lines."),
            .code("print(x)"),
            .prose("indented prose"),
            .code("let y = 2 /* not prose */"),
        ])
        XCTAssertEqual(BookPage(slug: "09-x", source: source).title, "Title")
    }

    func testSupportingFilesAreWovenAfterMainInNameOrder() {
        let page = BookPage(slug: "07-x", source: "//: # Seven\nrun()\n",
                            supporting: [(name: "Zeta.swift", source: "func z() {}\n"), (name: "Alpha.swift", source: "//: Helpers.\nfunc run() {}\n")])
        let text = page.sourceSection
        let main = text.range(of: "run()")!, alpha = text.range(of: "### `Chapters/07-x/Alpha.swift`")!, zeta = text.range(of: "### `Chapters/07-x/Zeta.swift`")!
        XCTAssertTrue(main.lowerBound < alpha.lowerBound && alpha.lowerBound < zeta.lowerBound)
        XCTAssertTrue(text.contains("Helpers.\n\n```swift\nfunc run() {}\n```"))
        // A change in a supporting file changes the woven section, so the staleness test sees it.
        XCTAssertNotEqual(text, BookPage(slug: "07-x", source: "//: # Seven\nrun()\n", supporting: [(name: "Alpha.swift", source: "func run() { }\n")]).sourceSection)
    }

    func testImageLinksInProsePointIntoTheChapterFigures() {
        let page = BookPage(slug: "01-dynamics", source: "//: ![Trajectories](trajectories.png)\nlet a = 1\n", figures: ["return-map.png", "trajectories.png"])
        XCTAssertTrue(page.sourceSection.contains("](figures/01-dynamics/trajectories.png)"))
        XCTAssertEqual(page.keyFigure, "trajectories.png")
        // A figure the prose does not show is not heaped at the end: it is a layout problem that stops the book.
        XCTAssertFalse(page.markdown.contains("return-map.png"))
        XCTAssertEqual(page.layoutProblems.count, 1)
        XCTAssertTrue(page.layoutProblems.first?.contains("it writes return-map.png, but its prose never shows it") == true,
                      "\(page.layoutProblems)")
    }

    func testEveryChapterHasAnUpToDatePage() throws {
        let chapters = Self.root.appendingPathComponent("Chapters")
        let slugs = try FileManager.default.contentsOfDirectory(atPath: chapters.path)
            .filter { FileManager.default.fileExists(atPath: chapters.appendingPathComponent("\($0)/main.swift").path) }.sorted()
        XCTAssertFalse(slugs.isEmpty)
        for slug in slugs {
            let folder = chapters.appendingPathComponent(slug)
            let source = try String(contentsOf: folder.appendingPathComponent("main.swift"), encoding: .utf8)
            let supporting = try FileManager.default.contentsOfDirectory(atPath: folder.path)
                .filter { $0.hasSuffix(".swift") && $0 != "main.swift" }
                .map { (name: $0, source: try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8)) }
            let pageURL = Self.root.appendingPathComponent("book/\(slug).md")
            guard let page = try? String(contentsOf: pageURL, encoding: .utf8) else {
                XCTFail("NOT OK book/\(slug).md is missing: run `make book`"); continue
            }
            let library = LibraryRegion.scan(Self.root.appendingPathComponent("Sources"), relativeTo: Self.root)
            let expected = BookPage(slug: slug, source: source, supporting: supporting, library: library).sourceSection
            if BookPage.normalizedForComparison(page).contains(expected) {
                print("OK     book/\(slug).md matches Chapters/\(slug)/main.swift")
            } else {
                XCTFail("NOT OK book/\(slug).md is stale: a file in Chapters/\(slug)/ changed; run `make book`")
            }
        }
    }

    /// Output cells: the run's output cut at its underlined section titles lands under the code that
    /// follows the heading of the same title; the header and unclaimed sections go to the end; and a
    /// page with its cells removed is the source-only weave again.
    func testOutputSitsUnderTheCodeThatPrintedIt() {
        let source = """
        //: # Chapter
        setUp()
        //: ## First part
        first()
        //: ## Second part
        second()
        //: ## Summary
        """
        let output = """
        Chapter 9 · Title
        ═════════════════
        seed 1

        First part
        ──────────
        a table

        Unclaimed
        ─────────
        stray

        Second part
        ───────────
        another

        First part
        ──────────
        again
        """
        let (preamble, cells) = BookPage.outputCells(output)
        XCTAssertEqual(preamble, "Chapter 9 · Title\n═════════════════\nseed 1")
        XCTAssertEqual(cells, [.init(title: "First part", text: "a table"), .init(title: "Unclaimed", text: "stray"),
                               .init(title: "Second part", text: "another"), .init(title: "First part", text: "again")])
        let page = BookPage(slug: "09-x", source: source, terminalOutput: output)
        let md = page.markdown
        func at(_ s: String) -> String.Index { md.range(of: s)!.lowerBound }
        XCTAssertTrue(at("first()") < at("a table") && at("a table") < at("## Second part"))
        XCTAssertTrue(at("a table") < at("again") && at("again") < at("## Second part"), "a heading takes every cell of its title")
        XCTAssertTrue(at("second()") < at("another") && at("another") < at("## Summary"))
        XCTAssertTrue(at("## The rest of what it prints") < at("stray"), "an unclaimed section goes to the end")
        XCTAssertTrue(at("## The rest of what it prints") < at("seed 1"))
        XCTAssertEqual(md.components(separatedBy: BookPage.outputBegin).count - 1, 2)
        XCTAssertTrue(BookPage.removingOutputCells(md).contains(page.sourceSection))
        // Without section titles the whole output stays in one block at the end.
        let plain = BookPage(slug: "09-x", source: source, terminalOutput: "just text\n").markdown
        XCTAssertTrue(plain.contains("## What it prints") && !plain.contains(BookPage.outputBegin))
    }

    /// Numbers from the run: `{{name}}` in the prose is woven as the value the chapter recorded (and
    /// `{{NN.name}}` as chapter NN's); a name no run recorded is reported, and the source-only weave is
    /// recovered from the woven page.
    func testProseCitesRecordedValuesByName() throws {
        let source = "//: # Three\n//: The peak is {{peak}} at {{peak.iteration}}; chapter 2 found {{02.fold}}.\nrun()\n"
        var own = RecordedValues(), other = RecordedValues()
        own["peak"] = "1.7"; own["peak.iteration"] = "24"; other["fold"] = "1.7573"
        let page = BookPage(slug: "03-x", source: source, values: [3: own, 2: other])
        XCTAssertEqual(page.unresolvedPlaceholders, [])
        XCTAssertTrue(page.markdown.contains("The peak is <!--{{peak}}-->1.7<!--/--> at <!--{{peak.iteration}}-->24<!--/-->; "
                                             + "chapter 2 found <!--{{02.fold}}-->1.7573<!--/-->."))
        XCTAssertTrue(BookPage.normalizedForComparison(page.markdown).contains(page.sourceSection))
        XCTAssertTrue(page.sourceSection.contains("The peak is {{peak}}"))
        var partial = RecordedValues()
        partial["peak"] = "1.7"
        XCTAssertEqual(BookPage(slug: "03-x", source: source, values: [3: partial]).unresolvedPlaceholders, ["peak.iteration", "02.fold"])
    }

    /// The library routines the theory is about are woven from marked regions of Sources/ into the
    /// chapters that ask for them; every request names an existing region.
    func testLibraryRegionsAreWovenWhereTheProseAsksForThem() throws {
        let file = """
            struct A {
                // book: step
                /// The step.
                func step() -> Int { 1 }
                // book: end
                func other() {}
            }
            """
        XCTAssertEqual(LibraryRegion.parse(file).map(\.name), ["step"])
        XCTAssertEqual(LibraryRegion.parse(file).first?.code, "/// The step.\nfunc step() -> Int { 1 }")
        let page = BookPage(slug: "09-x", source: "//: # Nine\n//: [[library: step]]\nrun()\n",
                            library: ["step": LibraryRegion(path: "Sources/A.swift", code: "func step() -> Int { 1 }")])
        XCTAssertTrue(page.sourceSection.contains("From the library, `Sources/A.swift`:\n\n```swift\nfunc step() -> Int { 1 }\n```"))
        XCTAssertEqual(BookPage(slug: "09-x", source: "//: [[library: nowhere]]\n").unresolvedLibraryRegions, ["nowhere"])
        // Every request in the chapters names a region of the library.
        let library = LibraryRegion.scan(Self.root.appendingPathComponent("Sources"), relativeTo: Self.root)
        let chapters = Self.root.appendingPathComponent("Chapters")
        var requests = 0
        for slug in try FileManager.default.contentsOfDirectory(atPath: chapters.path).sorted() {
            let folder = chapters.appendingPathComponent(slug)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.filter({ $0.hasSuffix(".swift") }) ?? [] {
                let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
                for case .prose(let p) in LiterateSource.parse(text) {
                    for r in LibraryRegion.requests(p) {
                        requests += 1
                        XCTAssertNotNil(library[r], "NOT OK Chapters/\(slug)/\(name) asks for [[library: \(r)]], which Sources/ does not mark")
                    }
                }
            }
        }
        XCTAssertGreaterThanOrEqual(requests, 3, "the chapters show the routines the theory is about")
    }

    /// Plumbing folds: option declarations up to `func run() throws {` and figure-layout functions go into
    /// collapsed blocks; the computation stays in view.
    func testPlumbingIsFolded() {
        let options = """
            struct C: ParsableCommand {
                @OptionGroup var common: ChapterOptions
                @Option var a = 1
                @Flag var b = false
                func validate() throws {}
                func run() throws {
                    compute()
            """
        let woven = BookPage.foldingPlumbing(options)
        XCTAssertTrue(woven.hasPrefix("<details><summary>The command line: 3 options and their checks</summary>"))
        XCTAssertTrue(woven.hasSuffix("```swift\n    func run() throws {\n        compute()\n```"))
        XCTAssertTrue(BookPage.foldingPlumbing("/// Draws.\nfunc spikeFigure(x: Int) -> Figure {\n}").contains("<summary>Figure layout: `spikeFigure`</summary>"))
        XCTAssertEqual(BookPage.foldingPlumbing("let x = 1"), "```swift\nlet x = 1\n```")
    }

    /// Every chapter page shows its output in several places,
    /// each under the code that made it.
    func testEveryChapterPageHasOutputCells() throws {
        let book = Self.root.appendingPathComponent("book")
        let pages = try FileManager.default.contentsOfDirectory(atPath: book.path).filter { $0.first?.isNumber == true && $0.hasSuffix(".md") }
        XCTAssertFalse(pages.isEmpty)
        for name in pages.sorted() {
            let text = try String(contentsOf: book.appendingPathComponent(name), encoding: .utf8)
            let cells = text.components(separatedBy: BookPage.outputBegin).count - 1
            XCTAssertGreaterThanOrEqual(cells, 2, "NOT OK book/\(name) shows its output in \(cells) places; "
                                        + "each section of the run should print under its code (report.section + a ## heading)")
            if cells >= 2 { print("OK     book/\(name): output in \(cells) cells") }
        }
    }

    func testEveryImageLinkInTheBookResolves() throws {
        let book = Self.root.appendingPathComponent("book")
        let pages = ((try? FileManager.default.contentsOfDirectory(atPath: book.path)) ?? []).filter { $0.hasSuffix(".md") }
        XCTAssertFalse(pages.isEmpty, "book/ has no pages: run `make book`")
        for name in pages {
            let text = try String(contentsOf: book.appendingPathComponent(name), encoding: .utf8)
            var rest = Substring(text)
            while let open = rest.range(of: "![") {
                rest = rest[open.upperBound...]
                guard let mid = rest.range(of: "]("), let close = rest[mid.upperBound...].firstIndex(of: ")") else { break }
                let target = String(rest[mid.upperBound..<close])
                rest = rest[close...]
                let exists = FileManager.default.fileExists(atPath: book.appendingPathComponent(target).path)
                XCTAssertTrue(exists, "NOT OK book/\(name) links \(target), which does not exist")
            }
        }
    }
}
