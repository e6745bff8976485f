import Foundation
import XCTest

/// The book's hand-written pages are reachable from its table of contents, and no page links to a
/// page that is not there.
final class BookPagesTests: XCTestCase {
    static let book = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("book")

    /// The targets of the Markdown links `[text](target)` in `text`, in order (images included).
    static func linkTargets(in text: String) -> [String] {
        var targets: [String] = []
        var rest = Substring(text)
        while let mid = rest.range(of: "](") {
            rest = rest[mid.upperBound...]
            guard let close = rest.firstIndex(of: ")") else { break }
            targets.append(String(rest[..<close]))
            rest = rest[close...]
        }
        return targets
    }

    /// The relative `.md` file a link target names, without its `#anchor`; nil for a web address, a
    /// bare anchor, or anything that is not a Markdown page.
    static func pagePath(_ target: String) -> String? {
        if target.contains("://") || target.hasPrefix("mailto:") || target.hasPrefix("#") { return nil }
        let path = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? target
        return path.hasSuffix(".md") ? path : nil
    }

    func testLinkParsing() {
        let text = "See [the paper](the-paper.md#1-the-model), [PyTorch](https://pytorch.org/x.md), [here](#top), "
            + "![a figure](figures/01-dynamics/a.png) and [notation](notation.md)."
        XCTAssertEqual(Self.linkTargets(in: text).compactMap(Self.pagePath), ["the-paper.md", "notation.md"])
    }

    func testNotationAndReferencesExistAndAreLinkedFromTheContents() throws {
        let readme = try String(contentsOf: Self.book.appendingPathComponent("README.md"), encoding: .utf8)
        let linked = Set(Self.linkTargets(in: readme).compactMap(Self.pagePath))
        for page in ["the-paper.md", "notation.md", "references.md"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: Self.book.appendingPathComponent(page).path),
                          "NOT OK book/\(page) is missing")
            XCTAssertTrue(linked.contains(page), "NOT OK book/README.md does not link \(page)")
        }
    }

    func testEveryPageLinkInTheBookResolves() throws {
        let fm = FileManager.default
        let pages = try fm.contentsOfDirectory(atPath: Self.book.path).filter { $0.hasSuffix(".md") }.sorted()
        XCTAssertFalse(pages.isEmpty, "book/ has no pages")
        for name in pages {
            let text = try String(contentsOf: Self.book.appendingPathComponent(name), encoding: .utf8)
            for target in Self.linkTargets(in: text).compactMap(Self.pagePath) {
                XCTAssertTrue(fm.fileExists(atPath: Self.book.appendingPathComponent(target).path),
                              "NOT OK book/\(name) links \(target), which is not in book/")
            }
        }
    }
}
