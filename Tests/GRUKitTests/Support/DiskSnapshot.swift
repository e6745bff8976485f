import Foundation
import XCTest

/// Everything under a folder, to assert that a refused operation changed nothing on disk: each
/// path (relative to the folder) with its kind and, for regular files, its bytes; symbolic links
/// with their target. FIFOs and devices are recorded by kind only (reading them would block).
struct DiskSnapshot: Equatable, CustomStringConvertible {
    var entries: [String: String]
    var contents: [String: Data]

    init(_ folder: URL) {
        entries = [:]
        contents = [:]
        func walk(_ url: URL, _ relative: String) {
            var st = stat()
            guard lstat(url.path, &st) == 0 else { return }
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                if !relative.isEmpty { entries[relative] = "folder" }
                for name in (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? [] {
                    walk(url.appendingPathComponent(name), relative.isEmpty ? name : relative + "/" + name)
                }
            case S_IFREG:
                let data = FileManager.default.contents(atPath: url.path) ?? Data()
                entries[relative] = "file of \(data.count) bytes, mode \(String(st.st_mode & 0o7777, radix: 8))"
                contents[relative] = data
            case S_IFLNK:
                entries[relative] = "link to " + ((try? FileManager.default.destinationOfSymbolicLink(atPath: url.path)) ?? "?")
            default:
                entries[relative] = "special \(st.st_mode & S_IFMT)"
            }
        }
        walk(folder, "")
    }

    var description: String { entries.keys.sorted().map { "\($0): \(entries[$0]!)" }.joined(separator: "\n") }

    /// Asserts that `folder` holds exactly what `self` recorded.
    func assertUnchanged(_ folder: URL, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let now = DiskSnapshot(folder)
        XCTAssertEqual(now, self, "\(what) changed the disk:\nbefore\n\(self)\nafter\n\(now)", file: file, line: line)
    }
}
