import Foundation
import GRUKit

/// The message of a failed array task (`runs/NAME.failed`) as `--collect` shows it: printable on a
/// terminal and never empty.
package enum FailureMessage {
    /// What `--collect` says for a `.failed` file whose text is empty (e.g. written on a full disk) or unreadable.
    static let lost = "the task failed, but its message was lost (the .failed file is empty or unreadable); "
        + "the task's Slurm output file may hold it"

    /// `text` made safe to print: every control character (ESC and the rest of C0 and C1, DEL, but
    /// also line breaks and tabs, which would let one run's message pose as several lines) written as
    /// `\u{XX}`; leading and trailing white space trimmed; an empty result replaced by ``lost``.
    package static func printable(_ text: String) -> String {
        var out = ""
        for scalar in text.trimmingCharacters(in: .whitespacesAndNewlines).unicodeScalars {
            let v = scalar.value
            if v < 0x20 || (0x7F ... 0x9F).contains(v) || v == 0x2028 || v == 0x2029 {
                out += "\\u{" + String(v, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out.isEmpty ? lost : out
    }

    /// The printable message of the `.failed` file at `url` (``lost`` when it is empty, not UTF-8, not a
    /// regular file or cannot be read; at most 4 KiB of it is read).
    package static func read(_ url: URL) -> String {
        // A FIFO would block the read and a folder cannot be read: only a regular file is opened.
        guard (try? InputFile.checkReadable(url.path)) != nil, let handle = try? FileHandle(forReadingFrom: url) else { return lost }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: 4096) else { return lost }
        return printable(String(decoding: data, as: UTF8.self))
    }
}
