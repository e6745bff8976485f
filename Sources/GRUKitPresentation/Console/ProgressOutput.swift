import Foundation

/// Where a progress display goes, decided once from which standard streams are terminals (as
/// tqdm, PyTorch's usual bar, draws on standard error):
///
/// - the redrawn bar goes to standard error, and only when standard error is a terminal: a chapter
///   run by `make` (standard output piped through `tee` into `output.txt`) still shows it, and a log
///   or a CI run (standard error not a terminal) gets none of its control characters;
/// - the plain lines that stand in for a bar (a summary when a bar ends, the trainer's PyTorch-style
///   lines) go to standard output, exactly as when no bar is drawn, except when standard output is a
///   terminal too: there the bar already says it, on the same screen.
///
/// So a chapter's standard output is the same bytes whether or not a bar is drawn beside it.
public struct ProgressOutput {
    /// Whether the bar is drawn (standard error is a terminal).
    public let drawsBar: Bool
    /// Whether the plain progress lines are printed (standard output is not a terminal, or no bar is drawn).
    public let printsLines: Bool
    /// Where the bar is drawn: standard error, unbuffered.
    public let bar: (String) -> Void
    /// Where the plain lines go: standard output, flushed after each piece.
    public let lines: (String) -> Void

    /// The decision from `isTerminal` (`isatty(fd) == 1` by default), asked about standard error and
    /// standard output.
    /// - Parameters:
    ///   - isTerminal: whether a file descriptor (`STDERR_FILENO`, `STDOUT_FILENO`) is a terminal.
    ///   - bar: where the bar goes when drawn; standard error by default.
    ///   - lines: where the plain lines go; standard output by default.
    public init(isTerminal: (Int32) -> Bool = { isatty($0) == 1 }, bar: @escaping (String) -> Void = StandardError.write,
                lines: @escaping (String) -> Void = StandardOutput.write) {
        drawsBar = isTerminal(STDERR_FILENO)
        printsLines = !(drawsBar && isTerminal(STDOUT_FILENO))
        self.bar = bar
        self.lines = lines
    }
}
