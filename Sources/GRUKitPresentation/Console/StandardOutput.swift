import Foundation

/// The console's one way to standard output: text written through the same C `stdout` stream that
/// `print` uses (so the two interleave in order) and flushed at once, so that a progress bar, a
/// report line and a chapter's `print` appear in the order they were made even when the output is a
/// pipe or a file.
///
/// It goes through `print` rather than `fputs(_, stdout)` because Swift 6 refuses any reference to
/// the C global `stdout` (mutable shared state); `fflush(nil)` flushes every output stream, stdout
/// among them, without naming it.
public enum StandardOutput {
    /// Writes `text` as it is (no newline added) and flushes.
    public static func write(_ text: String) {
        print(text, terminator: "")
        fflush(nil)
    }
}

/// Standard error, for the progress bar (``ProgressOutput``): written at once, unbuffered, so that a
/// redrawn bar appears as it is made.
public enum StandardError {
    /// Writes `text` as it is (no newline added).
    public static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
