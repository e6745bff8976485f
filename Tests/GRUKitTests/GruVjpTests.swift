import Foundation
import XCTest
import GRUKit

/// `gru vjp`, run as a user would, against PyTorch's autograd (scripts/make-fixtures.py).
///
/// Errors are measured per tensor as max_i |a_i − b_i| / max_i |b_i| (relative to the tensor's
/// largest entry, so entries that happen to be near zero do not dominate).
final class GruVjpTests: XCTestCase {
    /// The fixtures whose expected file holds PyTorch's results in the model's own dtype.
    static let nativeCases = ["gru_bias", "gru_nobias", "gru_large", "gru_f64",
                              "vjp_t1_b1", "vjp_h1", "vjp_b1_saturated", "vjp_prefix_wide", "vjp_i1_f64"]
    /// The fixtures whose expected file also holds PyTorch's float64 results (`f64.` keys).
    static let float64Cases = ["vjp_t1_b1", "vjp_h1", "vjp_b1_saturated", "vjp_prefix_wide", "vjp_i1_f64", "vjp_bf16_f16"]

    func relativeError(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count)
        let scale = b.map(abs).max() ?? 0
        let d = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        return scale > 0 ? d / scale : d
    }

    /// Runs `gru vjp` on fixture NAME in a fresh folder and returns the output file.
    func runVjp(_ name: String, extra: [String] = [], file: StaticString = #filePath, line: UInt = #line) throws -> SafetensorsFile {
        let dir = try Executables.temporaryDirectory(self)
        let run = try Executables.run("gru", ["vjp", SafetensorsFixtures.url(name + ".safetensors").path,
                                              SafetensorsFixtures.url(name + ".inputs.safetensors").path, "-o", "out.safetensors"] + extra,
                                      in: dir, file: file, line: line)
        XCTAssertEqual(run.status, 0, "\(name): \(run.stderr)", file: file, line: line)
        return try SafetensorsFile(contentsOf: dir.appendingPathComponent("out.safetensors"), displayName: name + " output")
    }

    /// Compares every `prefix`-key of the expected file with the output's key (the prefix
    /// removed), and the output's key set with the expected one. Returns the largest error.
    @discardableResult
    func compare(_ name: String, _ out: SafetensorsFile, expectedPrefix prefix: String, dtype: SafetensorsDType, tolerance: Double,
                 file: StaticString = #filePath, line: UInt = #line) throws -> Double {
        let expected = try SafetensorsFixtures.file(name + ".expected.safetensors")
        let keys = expected.names.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
            .filter { !$0.hasPrefix("projected_hn.") && !$0.hasPrefix("f64.") }
        XCTAssertEqual(Set(out.names), Set(keys), "\(name): the output holds exactly h, grad.x, grad.h0 and grad.KEY", file: file, line: line)
        var worst = 0.0
        for key in keys.sorted() {
            let e = try expected.tensor(prefix + key), o = try out.tensor(key)
            XCTAssertEqual(o.shape, e.shape, "\(name) \(key): shape", file: file, line: line)
            XCTAssertEqual(o.dtype, dtype, "\(name) \(key): dtype", file: file, line: line)
            guard o.shape == e.shape else { continue }
            let err = relativeError(o.doubles(), e.doubles())
            worst = max(worst, err)
            Oracle.check("vjp \(name) \(key) (\(dtype.rawValue) vs torch \(prefix.isEmpty ? String(describing: e.dtype.rawValue) : "F64"))",
                         [err], [0], tolerance: tolerance, file: file, line: line)
        }
        print("vjp \(name): max relative error \(worst) (\(dtype.rawValue) output, expected \(prefix.isEmpty ? "native" : "float64"))")
        return worst
    }

    /// Float32 output against PyTorch's float32 (or float64) autograd: PyTorch's float32 result
    /// carries its own rounding (~1e-7 relative over these short windows), ours is a
    /// float64 result rounded once; 1e-4 is the required bound, ~1e-6 is expected. Float64
    /// output against PyTorch's float64: both are double-precision evaluations of the same
    /// formulas differing only in summation order (measured ≤ 1e-15), so 1e-13.
    func testVjpMatchesPyTorchAutograd() throws {
        var table: [String] = []
        for name in GruVjpTests.nativeCases {
            let isF64 = try SafetensorsFixtures.file(name + ".safetensors").tensor(
                try GRUStateDict(SafetensorsFixtures.file(name + ".safetensors")).layers[0].weightHH).dtype == .f64
            let out = try runVjp(name)
            let e32 = try compare(name, out, expectedPrefix: "", dtype: .f32, tolerance: isF64 ? 1e-6 : 1e-4)
            var row = "\(name): float32 output vs torch \(isF64 ? "float64" : "float32") \(e32)"
            if isF64 {
                let e64 = try compare(name, try runVjp(name, extra: ["--dtype", "f64"]), expectedPrefix: "", dtype: .f64, tolerance: 1e-13)
                row += ", float64 output vs torch float64 \(e64)"
            }
            table.append(row)
        }
        for name in GruVjpTests.float64Cases {
            let e64 = try compare(name, try runVjp(name, extra: ["--dtype", "f64"]), expectedPrefix: "f64.", dtype: .f64, tolerance: 1e-13)
            table.append("\(name): float64 output vs torch float64 on the files' exact values \(e64)")
        }
        print(table.joined(separator: "\n"))
    }

    /// Layer 1 then layer 0 of the two-layer `rnn.` GRU, chained through grad.x, reproduce
    /// PyTorch's gradients of the whole stack (checks --layer, the prefix and the key names).
    func testVjpLayersComposeToTheStackedGRU() throws {
        let dir = try Executables.temporaryDirectory(self)
        let name = "gru_prefix_2layer"
        let model = SafetensorsFixtures.url(name + ".safetensors").path
        let inputs = try SafetensorsFixtures.file(name + ".inputs.safetensors")
        let expected = try SafetensorsFixtures.file(name + ".expected.safetensors")
        let x = try inputs.tensor("x"), h0 = try inputs.doubles("h0"), g = try inputs.tensor("g")
        let (T, B, H) = (6, 3, 4)
        func write(_ file: String, _ tensors: [(String, [Double], [Int])]) throws {
            var f = SafetensorsFile()
            for (k, v, s) in tensors { f[k] = try SafetensorsTensor(values: v, shape: s, dtype: .f64) }
            try f.write(to: dir.appendingPathComponent(file))
        }
        func vjp(_ input: String, layer: Int) throws -> SafetensorsFile {
            let run = try Executables.run("gru", ["vjp", model, input, "-o", "out\(layer).safetensors", "--layer", "\(layer)", "--dtype", "f64"], in: dir)
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertTrue(run.stdout.contains("rnn.weight_hh_l\(layer)"), run.stdout)
            XCTAssertTrue(run.stdout.contains("note: the GRU has 2 layers; this is layer \(layer) alone"), run.stdout)
            return try SafetensorsFile(contentsOf: dir.appendingPathComponent("out\(layer).safetensors"))
        }
        let h0Layer0 = Array(h0[0..<(B * H)]), h0Layer1 = Array(h0[(B * H)...])
        try write("in0.safetensors", [("x", x.doubles(), x.shape), ("h0", h0Layer0, [B, H]), ("g", [Double](repeating: 0, count: T * B * H), g.shape)])
        let states0 = try vjp("in0.safetensors", layer: 0).tensor("h")
        try write("in1.safetensors", [("x", states0.doubles(), states0.shape), ("h0", h0Layer1, [1, B, H]), ("g", g.doubles(), g.shape)])
        let out1 = try vjp("in1.safetensors", layer: 1)
        try write("in0b.safetensors", [("x", x.doubles(), x.shape), ("h0", h0Layer0, [B, H]), ("g", try out1.doubles("grad.x"), g.shape)])
        let out0 = try vjp("in0b.safetensors", layer: 0)

        XCTAssertEqual(try out1.tensor("grad.h0").shape, [1, B, H], "grad.h0 has the shape h0 was given in")
        let pairs: [(String, [Double], String)] = [
            ("h", try out1.doubles("h"), "h"),
            ("grad.x", try out0.doubles("grad.x"), "grad.x"),
            ("grad.h0", try out0.doubles("grad.h0") + out1.doubles("grad.h0"), "grad.h0"),
        ] + (try ["weight_ih", "weight_hh", "bias_ih", "bias_hh"].flatMap { p in
            try [0, 1].map { k in ("grad.rnn.\(p)_l\(k)", try (k == 0 ? out0 : out1).doubles("grad.rnn.\(p)_l\(k)"), "grad.rnn.\(p)_l\(k)") }
        })
        for (label, got, key) in pairs {
            Oracle.check("vjp stacked \(label) vs torch float32", [relativeError(got, try expected.doubles(key))], [0], tolerance: 1e-4)
        }
        XCTAssertEqual(Set(out0.names), ["h", "grad.x", "grad.h0", "grad.rnn.weight_ih_l0", "grad.rnn.weight_hh_l0",
                                         "grad.rnn.bias_ih_l0", "grad.rnn.bias_hh_l0"])
    }

    /// Bad input: exit status 1 (64 for a bad flag), a message naming the file, the tensor and
    /// the expected and actual shapes, and nothing written (an existing output keeps its bytes).
    func testVjpErrorsNameTheProblemAndWriteNothing() throws {
        let dir = try Executables.temporaryDirectory(self)
        let model = SafetensorsFixtures.url("gru_bias.safetensors").path
        let good = try SafetensorsFixtures.file("gru_bias.inputs.safetensors")
        func inputs(_ file: String, _ change: (inout SafetensorsFile) throws -> Void) throws {
            var f = good
            try change(&f)
            try f.write(to: dir.appendingPathComponent(file))
        }
        try inputs("no_g.safetensors") { $0["g"] = nil }
        try inputs("g_shape.safetensors") { $0["g"] = try SafetensorsTensor(values: [Double](repeating: 0, count: 6 * 3 * 5), shape: [6, 3, 5], dtype: .f32) }
        try inputs("x_shape.safetensors") { $0["x"] = try SafetensorsTensor(values: [Double](repeating: 0, count: 6 * 3 * 4), shape: [6, 3, 4], dtype: .f32) }
        try inputs("x_rank.safetensors") { $0["x"] = try SafetensorsTensor(values: [Double](repeating: 0, count: 18 * 5), shape: [18, 5], dtype: .f32) }
        try inputs("h0_stack.safetensors") { $0["h0"] = try SafetensorsTensor(values: [Double](repeating: 0, count: 24), shape: [2, 3, 4], dtype: .f32) }
        try inputs("g_nan.safetensors") {
            var v = try good.doubles("g"); v[7] = .nan
            $0["g"] = try SafetensorsTensor(values: v, shape: [6, 3, 4], dtype: .f32)
        }
        try inputs("x_int.safetensors") { $0["x"] = try SafetensorsTensor(dtype: .i32, shape: [6, 3, 5], bytes: [UInt8](repeating: 0, count: 360)) }
        try inputs("empty.safetensors") {
            $0["x"] = try SafetensorsTensor(values: [], shape: [0, 3, 5], dtype: .f32)
            $0["g"] = try SafetensorsTensor(values: [], shape: [0, 3, 4], dtype: .f32)
        }
        try Data("keep me".utf8).write(to: dir.appendingPathComponent("existing.safetensors"))
        let inputsPath = SafetensorsFixtures.url("gru_bias.inputs.safetensors").path
        let cases: [([String], [String])] = [
            ([model, "no_g.safetensors"], ["no_g.safetensors", "no tensor named \"g\""]),
            ([model, "g_shape.safetensors"], ["g_shape.safetensors", "tensor \"g\"", "[6, 3, 5]", "[6, 3, 4]"]),
            ([model, "x_shape.safetensors"], ["tensor \"x\"", "[6, 3, 4]", "[6, 3, 5]", "I = 5"]),
            ([model, "x_rank.safetensors"], ["tensor \"x\"", "[18, 5]", "[T, B, I]"]),
            ([model, "h0_stack.safetensors"], ["tensor \"h0\"", "[2, 3, 4]", "[3, 4]", "the chosen layer's initial state alone"]),
            ([model, "g_nan.safetensors"], ["tensor \"g\"", "element 7", "nan"]),
            ([model, "x_int.safetensors"], ["tensor \"x\"", "I32"]),
            ([model, "empty.safetensors"], ["tensor \"x\"", "[0, 3, 5]", "at least 1"]),
            ([model, "missing.safetensors"], ["missing.safetensors", "no such file"]),
            ([inputsPath, inputsPath], ["gru_bias.inputs.safetensors", "no GRU layer found"]),
            ([model, inputsPath, "--layer", "1"], ["no GRU layer 1", "layers present: 0"]),
            ([model, inputsPath, "--prefix", "rnn."], ["no GRU layer under the prefix \"rnn.\""]),
        ]
        for (args, phrases) in cases {
            for out in ["new.safetensors", "existing.safetensors"] {
                let run = try Executables.run("gru", ["vjp"] + args + ["-o", out], in: dir)
                XCTAssertEqual(run.status, 1, "\(args): \(run.stderr)")
                for p in phrases { XCTAssertTrue(run.stderr.contains(p), "\(args): expected “\(p)” in: \(run.stderr)") }
            }
        }
        // Usage errors (exit 64): -o naming an input, a negative layer, an unknown dtype.
        try FileManager.default.copyItem(atPath: model, toPath: dir.appendingPathComponent("model.safetensors").path)
        for args in [["model.safetensors", inputsPath, "-o", "./model.safetensors"], ["model.safetensors", inputsPath, "-o", inputsPath],
                     ["model.safetensors", inputsPath, "-o", "new.safetensors", "--layer", "-1"],
                     ["model.safetensors", inputsPath, "-o", "new.safetensors", "--dtype", "f16"], ["model.safetensors", inputsPath]] {
            let run = try Executables.run("gru", ["vjp"] + args, in: dir)
            XCTAssertEqual(run.status, 64, "\(args): \(run.stderr)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("new.safetensors").path))
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("existing.safetensors"), encoding: .utf8), "keep me")
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("model.safetensors")), try Data(contentsOf: URL(fileURLWithPath: model)))
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: dir.path).contains { $0.hasSuffix(".tmp") })
    }
}
