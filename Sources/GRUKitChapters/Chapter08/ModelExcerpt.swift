import Foundation
import GRUKit
import GRUKitChapterSupport

extension Chapter08 {
    /// What chapter 8 keeps of a trained language model: the GRU layer (`weight_ih_l0`,
    /// `weight_hh_l0`, Float32, no biases) and the embedding rows of the words that occur in the
    /// first tokens of the PTB validation split, with their word ids — a few hundred kilobytes
    /// instead of the checkpoint's ten megabytes (whose embedding and output layers cover all
    /// 10,000 words). The tensor names of the layer are PyTorch's, so `gru inspect` reads an excerpt.
    package struct ModelExcerpt: Sendable {
        /// Tensor names of the excerpt file.
        package static let weightIH = "weight_ih_l0", weightHH = "weight_hh_l0"
        package static let rowsKey = "encoder.weight.rows", idsKey = "encoder.word_ids", textKey = "valid.tokens"

        /// The run's name (`sgd-lr10-s2`), from the checkpoint's fingerprint.
        package var name: String
        /// The layer's state map h_t = F(h_{t−1}, x_t) in Double.
        package var map: GRUStateMap
        /// The validation tokens the excerpt covers (the first tokens of the split), as word ids.
        package var text: [Int32]
        /// The inputs x = scale · E[w] of the words kept, by word id.
        var inputsByID: [Int32: [Double]]

        /// The excerpt of the checkpoint at `checkpoint` for the first `tokens` tokens of `valid`
        /// (word ids of the PTB vocabulary the model was trained with). The result is a safetensors
        /// file whose metadata names the run, the source file, the embedding scale and `tokens`.
        /// - Throws: when the checkpoint cannot be read, has GRU biases, is not a reset-after layer, or
        ///   its vocabulary is smaller than a token id.
        package static func make(checkpoint: URL, valid: [Int32], tokens: Int) throws -> SafetensorsFile {
            try make(try Checkpoint(contentsOf: checkpoint), file: checkpoint.lastPathComponent, valid: valid, tokens: tokens)
        }

        /// The excerpt of `saved` (read from `file`), as ``make(checkpoint:valid:tokens:)``.
        package static func make(_ saved: Checkpoint, file: String, valid: [Int32], tokens: Int) throws -> SafetensorsFile {
            var settings: [String: String] = [:]
            for line in saved.fingerprint.split(separator: "\n") {
                let kv = line.split(separator: "=", maxSplits: 1)
                if kv.count == 2 { settings[String(kv[0])] = String(kv[1]) }
            }
            guard let e = saved.parameters["encoder.weight"], let wih = saved.parameters[weightIH], let whh = saved.parameters[weightHH] else {
                throw ChapterError.message("\(file): not a language-model checkpoint (encoder.weight, weight_ih_l0, weight_hh_l0)")
            }
            guard saved.parameters["bias_ih_l0"] == nil, settings["cell"] == "reset-after" else {
                throw ChapterError.message("\(file): chapter 8 analyses bias-free reset-after GRUs (the standard scale's)")
            }
            let text = Array(valid.prefix(tokens))
            let ids = Array(Set(text)).sorted()
            guard let top = ids.last, Int(top) < e.rows else { throw ChapterError.message("\(file): a token id lies outside its vocabulary") }
            var rows = Matrix<Float>(rows: ids.count, cols: e.cols)
            for (k, id) in ids.enumerated() { for j in 0 ..< e.cols { rows[k, j] = e[Int(id), j] } }
            var out = SafetensorsFile(metadata: ["run": settings["name"] ?? file, "source": file, "status": saved.status,
                                                 "epoch": "\(saved.epoch)", "iteration": "\(saved.iteration)",
                                                 "embedding_scale": settings["embedding_scale"] ?? "0.01", "cell": "reset-after",
                                                 "valid_tokens": "\(text.count)"])
            out[weightIH] = try SafetensorsTensor(wih)
            out[weightHH] = try SafetensorsTensor(whh)
            out[rowsKey] = try SafetensorsTensor(rows)
            out[idsKey] = try SafetensorsTensor(floats: ids.map(Float.init), shape: [ids.count])
            out[textKey] = try SafetensorsTensor(floats: text.map(Float.init), shape: [text.count])
            return out
        }

        /// Cuts the excerpt of `checkpoint` (``make(checkpoint:valid:tokens:)``) and writes it to `url`
        /// (its folder created when missing); returns `url`.
        package static func write(checkpoint: URL, valid: [Int32], tokens: Int, to url: URL) throws -> URL {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try make(checkpoint: checkpoint, valid: valid, tokens: tokens).write(to: url)
            return url
        }

        /// Reads an excerpt written from ``make(checkpoint:valid:tokens:)``.
        package init(contentsOf url: URL) throws {
            let file = try SafetensorsFile(contentsOf: url)
            let meta = file.metadata ?? [:]
            guard let scale = meta["embedding_scale"].flatMap(Double.init), file[Self.textKey] != nil else {
                throw ChapterError.message("\(url.lastPathComponent): not a chapter-8 model excerpt (no embedding_scale or \(Self.textKey))")
            }
            let rows: Matrix<Double> = try file.matrix(Self.rowsKey)
            let ids = try file.doubles(Self.idsKey)
            guard ids.count == rows.rows else { throw ChapterError.message("\(url.lastPathComponent): \(ids.count) word ids for \(rows.rows) rows") }
            name = meta["run"] ?? url.deletingPathExtension().lastPathComponent
            map = GRUStateMap(weightIH: try file.matrix(Self.weightIH), weightHH: try file.matrix(Self.weightHH), form: .resetAfter)
            text = try file.doubles(Self.textKey).map { Int32($0) }
            inputsByID = Dictionary(uniqueKeysWithValues: ids.enumerated().map { k, id in (Int32(id), rows.row(k).map { $0 * scale }) })
        }

        /// The inputs x_t = scale · E[w_t] of `tokens`.
        /// - Throws: when a word has no row (it lies beyond the excerpt's tokens).
        package func inputs(_ tokens: [Int32]) throws -> [[Double]] {
            try tokens.map { id in
                guard let x = inputsByID[id] else {
                    throw ChapterError.message("\(name): word \(id) has no embedding row; the excerpt covers the first \(text.count) validation tokens")
                }
                return x
            }
        }

        /// The inputs of `tokens`, after checking that they are the start of the text the excerpt
        /// was cut from and that `valid` (the validation split of the data at hand) begins with it.
        /// - Throws: naming the first token that differs, or when `tokens` is longer than the excerpt.
        package func inputs(_ tokens: [Int32], checkedAgainst valid: [Int32]) throws -> [[Double]] {
            guard tokens.count <= text.count else {
                throw ChapterError.message("\(name): the excerpt covers \(text.count) validation tokens, \(tokens.count) were asked for (cut a longer one with --excerpt-from)")
            }
            if let t = tokens.indices.first(where: { $0 >= valid.count || tokens[$0] != text[$0] || valid[$0] != text[$0] }) {
                throw ChapterError.message("\(name): validation token \(t) is not the one the excerpt was cut from: the data is not the PTB it was trained on")
            }
            return try inputs(tokens)
        }
    }
}
