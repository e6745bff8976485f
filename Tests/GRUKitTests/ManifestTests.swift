import Foundation
import XCTest

/// Package.swift lists the chapters (so that SwiftPM can cache the manifest): every chapter folder
/// must be in that list, and every listed name must be a chapter folder.
final class ManifestTests: XCTestCase {
    func testEveryChapterFolderIsListedInPackageSwift() throws {
        let root = DataFixtures.repositoryRoot()
        let manifest = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let start = try XCTUnwrap(manifest.range(of: "let chapterFolders = ["), "Package.swift must list `let chapterFolders = [...]`")
        let end = try XCTUnwrap(manifest[start.upperBound...].firstIndex(of: "]"))
        let listed = manifest[start.upperBound ..< end].split(separator: "\n")
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \",")) }.filter { !$0.isEmpty }
        let chapters = root.appendingPathComponent("Chapters")
        let folders = try FileManager.default.contentsOfDirectory(atPath: chapters.path)
            .filter { FileManager.default.fileExists(atPath: chapters.appendingPathComponent("\($0)/main.swift").path) }.sorted()
        XCTAssertFalse(folders.isEmpty)
        for folder in folders where !listed.contains(folder) {
            XCTFail("NOT OK Chapters/\(folder)/ is not listed in Package.swift's chapterFolders: it would not be built")
        }
        for name in listed where !folders.contains(name) {
            XCTFail("NOT OK Package.swift lists \(name), which is not a folder Chapters/\(name)/ with a main.swift")
        }
        XCTAssertEqual(listed, listed.sorted(), "chapterFolders is in chapter order")
    }

    /// The numerical core stands alone: its target depends on neither swift-argument-parser nor the
    /// gnuplot shim, and none of its files imports them (or the presentation and chapter-support
    /// modules); every target builds in the Swift 6 language mode.
    func testTheCoreDependsOnNoCommandLineAndNoPresentation() throws {
        let root = DataFixtures.repositoryRoot()
        let manifest = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let core = try XCTUnwrap(manifest.range(of: ".target(name: \"GRUKit\""), "Package.swift declares the GRUKit target")
        let declaration = manifest[core.lowerBound...].prefix { $0 != ")" }
        for forbidden in ["argumentParser", "ArgumentParser", "CGnuplotIostream", "GRUKitPresentation", "GRUKitChapterSupport"] {
            XCTAssertFalse(declaration.contains(forbidden), "NOT OK the GRUKit target depends on \(forbidden): \(declaration)")
        }
        XCTAssertTrue(manifest.contains("swiftLanguageModes: [.v6]"), "every target in the Swift 6 language mode")
        let sources = root.appendingPathComponent("Sources/GRUKit")
        let files = try XCTUnwrap(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        XCTAssertGreaterThan(files.count, 50)
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for module in ["ArgumentParser", "CGnuplotIostream", "GRUKitPresentation", "GRUKitChapterSupport"]
            where text.split(separator: "\n").contains(where: { $0.hasPrefix("import \(module)") || $0.hasPrefix("@testable import \(module)") }) {
                XCTFail("NOT OK \(file.lastPathComponent) in the core imports \(module)")
            }
        }
    }
}
