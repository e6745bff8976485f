// `grukit-book` — weaves every chapter into a Markdown page of the book (`make book`).
//
// For each Chapters/NN-slug/main.swift it writes book/NN-slug.md: the chapter's prose and code
// in order (main.swift, then the folder's other .swift files), what its quick run printed (figures/NN-slug/output.txt, saved by `make chapters`),
// its figures (copied from figures/NN-slug/*.png to book/figures/NN-slug/) and "Run it yourself";
// then book/README.md, the table of contents. Run from the repository root.
import Foundation
import GRUKit

let fm = FileManager.default
let root = URL(fileURLWithPath: fm.currentDirectoryPath)
let chaptersDir = root.appendingPathComponent("Chapters")
let bookDir = root.appendingPathComponent("book")

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("grukit-book: \(message)\n".utf8))
    exit(1)
}

guard let names = try? fm.contentsOfDirectory(atPath: chaptersDir.path) else {
    fail("no Chapters/ folder in \(root.path); run it from the repository root")
}
let slugs = names.filter { fm.fileExists(atPath: chaptersDir.appendingPathComponent("\($0)/main.swift").path) }.sorted()

/// Runs a built chapter with `--help` and returns what it printed (nil when it is not built).
func helpText(_ executable: String) -> String? {
    let url = root.appendingPathComponent(".build/release/\(executable)")
    guard fm.isExecutableFile(atPath: url.path) else { return nil }
    let p = Process()
    p.executableURL = url
    p.arguments = ["--help"]
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = FileHandle.nullDevice
    guard (try? p.run()) != nil else { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

// A page without its chapter's run would lose the committed figures and output: check every chapter
// first and write nothing unless all of them have run (`make chapters` saves output.txt last).
let notRun = slugs.filter { !fm.fileExists(atPath: root.appendingPathComponent("figures/\($0)/output.txt").path) }
if !notRun.isEmpty {
    fail("no output of " + notRun.map { "figures/\($0)/output.txt" }.joined(separator: ", ")
         + "; run `make` (or `make chapters`) first. Nothing was written.")
}

var contents: [(slug: String, title: String, key: String?)] = []
do {
    try fm.createDirectory(at: bookDir, withIntermediateDirectories: true)
    for slug in slugs {
        let folder = chaptersDir.appendingPathComponent(slug)
        let source = try String(contentsOf: folder.appendingPathComponent("main.swift"), encoding: .utf8)
        let supporting = try fm.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".swift") && $0 != "main.swift" }
            .map { (name: $0, source: try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8)) }
        let figuresDir = root.appendingPathComponent("figures/\(slug)")
        let output = try? String(contentsOf: figuresDir.appendingPathComponent("output.txt"), encoding: .utf8)
        let pngs = ((try? fm.contentsOfDirectory(atPath: figuresDir.path)) ?? []).filter { $0.hasSuffix(".png") }.sorted()
        if pngs.isEmpty { print("warning: figures/\(slug)/ has no PNG; run `make chapters` first") }
        // Copy the figures next to the page so the book reads on the repository's web page.
        let target = bookDir.appendingPathComponent("figures/\(slug)")
        try? fm.removeItem(at: target)
        try fm.createDirectory(at: target, withIntermediateDirectories: true)
        for png in pngs {
            try fm.copyItem(at: figuresDir.appendingPathComponent(png), to: target.appendingPathComponent(png))
        }
        let page = BookPage(slug: slug, source: source, supporting: supporting, terminalOutput: output, helpText: helpText("ch" + slug), figures: pngs)
        try AtomicFile.write(page.markdown, to: bookDir.appendingPathComponent("\(slug).md"))
        contents.append((slug, page.title, page.keyFigure))
        print("wrote book/\(slug).md (\(pngs.count) figures)")
    }
    var toc = ["# GRUKit, the book", "",
               "Each chapter of GRUKit woven into a page: its prose, its code, what it prints and its figures.",
               "Regenerate with `make book` (after `make`). Run any chapter yourself with `.build/release/chNN-slug`.", "",
               "[The paper, in our words](the-paper.md): the model, the theory, the method, the experiments and the claims",
               "that the chapters cite as \"the-paper §n\" (written by hand, not generated).", ""]
    for (i, c) in contents.enumerated() {
        toc.append("\(i + 1). [\(c.title)](\(c.slug).md)")
        if let key = c.key {
            toc.append("")
            toc.append("   [![\(c.title)](figures/\(c.slug)/\(key))](\(c.slug).md)")
        }
        toc.append("")
    }
    try AtomicFile.write(toc.joined(separator: "\n"), to: bookDir.appendingPathComponent("README.md"))
    print("wrote book/README.md (\(contents.count) chapters)")
} catch {
    fail("\(error)")
}
