// `doc-coverage` — lists the public symbols of GRUKit that have no doc comment (`make docs`).
//
// It reads the symbol graphs that DocC's plugin extracts for GRUKit (`make docs` passes
// GRUKit.symbols.json and the GRUKit@Module.symbols.json of extensions to other modules' types)
// and reports every public symbol declared in this package's sources (one with a source location)
// that has no `///` comment. Members synthesised by the compiler (Equatable's ==, Codable's
// init(from:), …) are not counted, nor are extension blocks themselves (`extension Double { … }`
// declares nothing; its members are counted). Exit status 1 when anything is undocumented.
//
//     doc-coverage .build/<triple>/extracted-symbols/<package>/GRUKit/GRUKit*.symbols.json
import Foundation

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("doc-coverage: \(message)\n".utf8))
    exit(2)
}

let paths = Array(CommandLine.arguments.dropFirst())
guard !paths.isEmpty else { fail("usage: doc-coverage SYMBOL-GRAPH.json …") }

var total = 0
var missing: [(file: String, line: Int, name: String)] = []
for path in paths {
    guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)") }
    guard let graph = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
          let symbols = graph["symbols"] as? [[String: Any]] else { fail("\(path) is not a symbol graph") }
    for symbol in symbols {
        guard let location = symbol["location"] as? [String: Any],
              let uri = location["uri"] as? String else { continue }
        let identifier = (symbol["identifier"] as? [String: Any])?["precise"] as? String ?? ""
        if identifier.contains("::SYNTHESIZED::") { continue }
        if (symbol["kind"] as? [String: Any])?["identifier"] as? String == "swift.extension" { continue }
        total += 1
        let doc = (symbol["docComment"] as? [String: Any])?["lines"] as? [[String: Any]] ?? []
        let text = doc.compactMap { $0["text"] as? String }.joined().trimmingCharacters(in: .whitespaces)
        if text.isEmpty {
            let name = (symbol["pathComponents"] as? [String] ?? []).joined(separator: ".")
            let line = ((location["position"] as? [String: Any])?["line"] as? Int ?? 0) + 1
            let file = uri.components(separatedBy: "/Sources/").last.map { "Sources/" + $0 } ?? uri
            missing.append((file, line, name))
        }
    }
}

for m in missing.sorted(by: { ($0.file, $0.line) < ($1.file, $1.line) }) {
    print("\(m.file):\(m.line): undocumented public symbol \(m.name)")
}
print("\(total - missing.count) of \(total) public symbols documented, \(missing.count) undocumented")
exit(missing.isEmpty ? 0 : 1)
