import XCTest
import GRUKitChapterSupport

/// `runs/NAME.failed` as `--collect` prints it: no terminal escape sequences get through, and an
/// empty or unreadable file still says that the task failed.
final class FailureMessageTests: XCTestCase {
    func testEscapesAndEmptyFiles() throws {
        let dir = try Executables.temporaryDirectory(self)
        let hostile = dir.appendingPathComponent("sgd-lr1.failed"), empty = dir.appendingPathComponent("clip5-lr1.failed")
        let fifo = dir.appendingPathComponent("project0.2-lr1.failed")
        try Data("Error: \u{1B}]0;owned\u{07}\u{1B}[2J disk full\u{9B}31m\nsecond line\u{7F}\n".utf8).write(to: hostile)
        try Data().write(to: empty)
        XCTAssertEqual(mkfifo(fifo.path, 0o644), 0)
        let before = DiskSnapshot(dir)
        let message = FailureMessage.read(hostile)
        XCTAssertEqual(message, "Error: \\u{1B}]0;owned\\u{7}\\u{1B}[2J disk full\\u{9B}31m\\u{A}second line\\u{7F}")
        XCTAssertFalse(message.unicodeScalars.contains { $0.value < 0x20 || (0x7F ... 0x9F).contains($0.value) })
        for url in [empty, fifo] {
            XCTAssertTrue(FailureMessage.read(url).contains("its message was lost"), url.lastPathComponent)
        }
        XCTAssertTrue(FailureMessage.printable(" \n\t ").contains("its message was lost"))
        XCTAssertEqual(FailureMessage.printable("plain words, ü and ρ(J)"), "plain words, ü and ρ(J)")
        before.assertUnchanged(dir, "the runs folder")
    }
}
