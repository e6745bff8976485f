import Foundation
import XCTest
import GRUKit

/// The PyTorch-written fixtures of `scripts/make-fixtures.py` and the summary it exported with them.
enum SafetensorsFixtures {
    /// Tests/GRUKitTests/Fixtures, found from this source file so no bundle resources are needed.
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The model names the script writes (each NAME.safetensors; most with inputs/expected files).
    static let models = ["gru_bias", "gru_nobias", "gru_large", "gru_prefix_2layer", "gru_f64", "gru_f16", "gru_bf16"]

    static func url(_ name: String) -> URL { folder.appendingPathComponent(name) }

    static func file(_ name: String) throws -> SafetensorsFile {
        try SafetensorsFile(contentsOf: url(name), displayName: name)
    }

    /// fixtures.json, parsed by Foundation (independently of GRUKit's own JSON reader).
    static func summary() throws -> [String: Any] {
        let data = try Data(contentsOf: url("fixtures.json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// fixtures.json's entry for one model: {"tensors": {...}, "layers": {...}, "loss": ...}.
    static func summary(of model: String) throws -> [String: Any] {
        let files = try XCTUnwrap(summary()["files"] as? [String: Any])
        return try XCTUnwrap(files[model] as? [String: Any], "fixtures.json has no entry \(model)")
    }

    /// The layer report the script computed with torch.linalg for the weight_hh key `key`.
    static func layerSummary(model: String, key: String) throws -> [String: Any] {
        let layers = try XCTUnwrap(summary(of: model)["layers"] as? [String: Any])
        return try XCTUnwrap(layers[key] as? [String: Any], "no layer \(key) for \(model)")
    }

    /// A safetensors file's header, parsed by Foundation: (header length, entries by name).
    static func header(of bytes: [UInt8]) throws -> (length: Int, entries: [String: Any]) {
        var n = 0
        for i in 0..<8 { n |= Int(bytes[i]) << (8 * i) }
        let json = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + n)]))
        return (n, try XCTUnwrap(json as? [String: Any]))
    }

    /// The raw bytes of tensor `name` in a file's bytes, located through a Foundation-parsed header.
    static func rawTensorBytes(_ bytes: [UInt8], _ name: String) throws -> [UInt8] {
        let (n, entries) = try header(of: bytes)
        let entry = try XCTUnwrap(entries[name] as? [String: Any], "no tensor \(name)")
        let offsets = try XCTUnwrap(entry["data_offsets"] as? [Int])
        return Array(bytes[(8 + n + offsets[0])..<(8 + n + offsets[1])])
    }

    /// Hand-assembles a safetensors file: the 8-byte length (or `lengthOverride`), the header text
    /// exactly as given (no padding), then `data`.
    static func assemble(header: String, data: [UInt8], lengthOverride: UInt64? = nil) -> [UInt8] {
        let h = Array(header.utf8)
        var out: [UInt8] = []
        withUnsafeBytes(of: (lengthOverride ?? UInt64(h.count)).littleEndian) { out.append(contentsOf: $0) }
        return out + h + data
    }
}
