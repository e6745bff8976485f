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
}
