import Foundation
import GRUKit

/// What can go wrong when writing or drawing a figure.
public enum FigureError: Error, LocalizedError, CustomStringConvertible, Equatable {
    /// A file could not be written (folder missing, no permission, disk full).
    case cannotWrite(path: String, reason: String)
    /// gnuplot ran but exited with a non-zero status; `stderr` holds its message (file, line, error).
    case gnuplotFailed(script: String, status: Int32, stderr: String)
    /// gnuplot could not be started at all.
    case cannotStartGnuplot(reason: String)

    /// The message for a user: the path or script and the reason, with gnuplot's own error
    /// text (which names the script line) on the following lines.
    public var description: String {
        switch self {
        case .cannotWrite(let path, let reason):
            return "cannot write \(path): \(reason)"
        case .gnuplotFailed(let script, let status, let stderr):
            let message = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            return "gnuplot failed on \(script) (exit status \(status))"
                + (message.isEmpty ? "" : ":\n" + message)
        case .cannotStartGnuplot(let reason):
            return "cannot start gnuplot: \(reason)"
        }
    }

    /// The same text as ``description``, so `localizedDescription` shows it too.
    public var errorDescription: String? { description }
}

/// A gnuplot session: collect commands and data, then stream them to a `gnuplot` process through
/// gnuplot-iostream (the C++ library of `libgnuplot-iostream-dev`, under this layer). Data goes in as
/// named datablocks (`$name << EOD … EOD`), which a later `plot $name index k` reads like a file.
///
///     var gp = Gnuplot()
///     gp.send("set terminal pngcairo size 600,450")
///     gp.send("set output 'sine.png'")
///     gp.send(datablock: "sine", table)
///     gp.send("plot $sine using 1:2 with lines title 'sin x'")
///     try gp.run(in: folder)
///
/// The static side finds gnuplot on PATH, runs a written script in its folder (``render(script:)``),
/// and says once per process how to install gnuplot when it is missing.
public struct Gnuplot: Sendable {
    /// The commands so far, one per line.
    public private(set) var lines: [String] = []

    /// An empty session: no commands yet.
    public init() {}

    /// Appends one command (or several, separated by newlines).
    public mutating func send(_ command: String) { lines.append(command) }

    /// Appends a datablock `$name << EOD`, the table's text, `EOD`; plot it with `plot $name index k`.
    ///
    /// - Precondition: `name` is an identifier (a letter or `_`, then letters, digits, `_`);
    ///   traps otherwise.
    public mutating func send(datablock name: String, _ table: DataTable) {
        precondition(name.first.map { $0.isLetter || $0 == "_" } == true && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" },
                     "Gnuplot: datablock name \(name) must be an identifier")
        lines.append("$\(name) << EOD")
        var text = table.text
        if text.hasSuffix("\n") { text.removeLast() }
        lines.append(text)
        lines.append("EOD")
    }

    /// The session as one script.
    public var script: String { lines.joined(separator: "\n") + "\n" }

    /// What gnuplot printed, decoded as UTF-8.
    public struct Output: Sendable, Equatable {
        /// Its standard output: what the script sends there, e.g. a terminal with no `set output`,
        /// or `print` after `set print "-"`.
        public var stdout: String
        /// Its standard error: gnuplot's `print` output by default, and its warnings, even on success.
        public var stderr: String
    }

    /// Streams ``script`` to a new gnuplot process whose working folder is `directory` (so relative
    /// file names resolve there), through a gnuplot-iostream session; waits for it to exit and
    /// returns what it printed.
    ///
    /// - Throws: ``FigureError/gnuplotFailed(script:status:stderr:)`` on a non-zero exit (with
    ///   gnuplot's own message), ``FigureError/cannotStartGnuplot(reason:)`` when it is not installed.
    @discardableResult
    public func run(in directory: URL) throws -> Output {
        try Self.execute(script, in: directory, label: "<stdin>")
    }

    // MARK: - The gnuplot program

    /// gnuplot's location: the first executable `gnuplot` on PATH, or nil.
    public static var executable: URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent("gnuplot")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// True when gnuplot is on PATH.
    public static var isInstalled: Bool { executable != nil }

    /// The advice printed when gnuplot is missing.
    public static let installAdvice = """
        gnuplot is not installed, so the figures were written as data (.dat) and scripts (.gp) only.
        Install it with `sudo apt-get install gnuplot-nox` (Debian/Ubuntu) or `brew install gnuplot`,
        then draw any figure with `cd <folder> && gnuplot NAME.gp`.
        """

    private static let adviceLock = NSLock()
    nonisolated(unsafe) private static var adviceGiven = false

    /// Prints ``installAdvice`` to standard error the first time it is called in this process;
    /// later calls print nothing. Returns true when it printed.
    @discardableResult
    public static func adviseInstallOnce() -> Bool {
        adviceLock.lock()
        defer { adviceLock.unlock() }
        guard !adviceGiven else { return false }
        adviceGiven = true
        FileHandle.standardError.write(Data((installAdvice + "\n").utf8))
        return true
    }

    /// Has a fresh gnuplot, started in the script's own folder, `load` the script and nothing else,
    /// so the pictures come from the written files alone (as `gnuplot NAME.gp` draws them for a reader).
    ///
    /// - Throws: ``FigureError/gnuplotFailed(script:status:stderr:)`` with gnuplot's message on a
    ///   non-zero exit; ``FigureError/cannotStartGnuplot(reason:)`` when gnuplot is not installed.
    @discardableResult
    public static func render(script: URL) throws -> Output {
        try execute("load \(quoted(script.lastPathComponent))\n", in: script.deletingLastPathComponent(), label: script.path)
    }

    /// Sends `commands` to a gnuplot session in `directory`, closes it and reports gnuplot's exit.
    /// When gnuplot stops early the send fails; its exit status and message then tell why.
    private static func execute(_ commands: String, in directory: URL, label: String) throws -> Output {
        guard let executable else {
            throw FigureError.cannotStartGnuplot(reason: "no gnuplot on PATH (install it with `sudo apt-get install gnuplot-nox`)")
        }
        let session = try GnuplotSession(gnuplot: executable, in: directory)
        session.send(commands)
        let closing = session.close()
        guard closing.status == 0 else {
            throw FigureError.gnuplotFailed(script: label, status: closing.status, stderr: closing.stderr)
        }
        return Output(stdout: closing.stdout, stderr: closing.stderr)
    }

    // MARK: - Text helpers

    /// A gnuplot double-quoted string literal, the one way every string (a title, a label, a series
    /// title made from a log's file name, a file name) reaches a gnuplot script: `\` and `"` escaped,
    /// a newline as `\n` (a line break in a title), and the backquote and every other control
    /// character as an octal escape (`\140`, `\015`, …). gnuplot substitutes the output of a shell
    /// command for text between backquotes inside double quotes (command-line substitution), before
    /// the string is parsed: written as `\140` the character is only a backquote after parsing, so a
    /// title holding `` `rm -rf ~` `` prints that text and runs nothing. (Macros, `@name`, are not
    /// expanded inside quotes.)
    public static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "`": out += "\\140"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    let octal = String(u.value, radix: 8)
                    out += "\\" + String(repeating: "0", count: 3 - octal.count) + octal
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    /// `text` as one line of a comment (`# …`) in a script or a data file: line breaks and other
    /// control characters become spaces, so that text from a file (a log's name) cannot end the
    /// comment and start a command or a data row.
    public static func commentText(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || Character($0).isNewline }) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map {
            $0.value < 0x20 || $0.value == 0x7F || Character($0).isNewline ? " " : $0
        }))
    }

    /// A number as gnuplot reads it back exactly (same rules as ``DataTable/format(_:)``, NaN as `NaN`).
    public static func number(_ x: Double) -> String { DataTable.format(x) }
}
