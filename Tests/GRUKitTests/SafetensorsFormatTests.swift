import Foundation
import XCTest
import GRUKit

/// Writing and reading safetensors files: round trips, PyTorch's own files, byte-exact rewrites.
final class SafetensorsFormatTests: XCTestCase {
    func testRoundTripWriteReadEveryDType() throws {
        let dir = try Executables.temporaryDirectory(self)
        var file = SafetensorsFile(metadata: ["format": "pt", "note": "quote \" backslash \\ newline \n é"])
        let m = Matrix<Float>([[1, -2.5, 3], [0.125, 1e-3, -7]])
        file["w.f32"] = try SafetensorsTensor(m)
        file["w.f64"] = try SafetensorsTensor(Matrix<Double>([[Double.pi, -1e-300], [1e300, 0]]))
        file["h.f16"] = try SafetensorsTensor(values: [1, -2, 0.5, 65504, 6.103515625e-05, 5.960464477539063e-08], shape: [2, 3], dtype: .f16)
        file["b.bf16"] = try SafetensorsTensor(values: [1, -3.5, 1e30], shape: [3], dtype: .bf16)
        var ints: [UInt8] = []
        for v: Int64 in [-1, 42, Int64.max] { withUnsafeBytes(of: v.littleEndian) { ints.append(contentsOf: $0) } }
        file["steps.i64"] = try SafetensorsTensor(dtype: .i64, shape: [3], bytes: ints)
        file["scalar"] = try SafetensorsTensor(values: [2.5], shape: [], dtype: .f32)
        file["empty"] = try SafetensorsTensor(values: [], shape: [0, 3], dtype: .f32)
        file["名前 with \"quotes\""] = try SafetensorsTensor(values: [7], shape: [1], dtype: .f32)

        let url = dir.appendingPathComponent("round.safetensors")
        try file.write(to: url)
        let back = try SafetensorsFile(contentsOf: url)
        XCTAssertEqual(back.names, file.names, "tensor order survives")
        XCTAssertEqual(back.metadata, file.metadata)
        for name in file.names { XCTAssertEqual(back[name], file[name], name) }
        XCTAssertEqual(try back.matrix("w.f32", as: Float.self), m)
        XCTAssertEqual(try back.doubles("h.f16"), [1, -2, 0.5, 65504, 6.103515625e-05, 5.960464477539063e-08])
        XCTAssertEqual(try back.doubles("b.bf16"), [1, -3.5, Double(HalfPrecision.float(fromBFloat16: HalfPrecision.bfloat16(fromDouble: 1e30)))])
        XCTAssertEqual(try back.doubles("steps.i64"), [-1, 42, Double(Int64.max)])
        XCTAssertEqual(try back.doubles("scalar"), [2.5])
        XCTAssertEqual(back["empty"]?.count, 0)

        // Deterministic bytes; header padded with spaces to a multiple of 8; offsets contiguous
        // (checked through Foundation's JSON parser, independent of GRUKit's).
        let bytes = try [UInt8](Data(contentsOf: url))
        XCTAssertEqual(bytes, back.serialized(), "rewriting what was read gives the same bytes")
        let (n, entries) = try SafetensorsFixtures.header(of: bytes)
        XCTAssertEqual(n % 8, 0)
        XCTAssertTrue(bytes[8..<(8 + n)].last == UInt8(ascii: " ") || bytes[8 + n - 1] == UInt8(ascii: "}"))
        XCTAssertEqual((entries["__metadata__"] as? [String: String])?["note"], file.metadata?["note"])
        var expectedBegin = 0
        for name in file.names {
            let e = try XCTUnwrap(entries[name] as? [String: Any], name)
            let offsets = try XCTUnwrap(e["data_offsets"] as? [Int])
            XCTAssertEqual(offsets[0], expectedBegin, name)
            XCTAssertEqual(offsets[1] - offsets[0], file[name]!.bytes.count, name)
            XCTAssertEqual(e["dtype"] as? String, file[name]!.dtype.rawValue)
            XCTAssertEqual(e["shape"] as? [Int], file[name]!.shape)
            expectedBegin = offsets[1]
        }
        XCTAssertEqual(8 + n + expectedBegin, bytes.count)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["round.safetensors"], "no temporary left behind")
    }

    /// Every tensor of every PyTorch-written model decodes to the values PyTorch exported:
    /// dtype, shape, the first values exactly, and the float64 sum and sum of squares.
    func testReadsPyTorchFixturesToTheValuesPyTorchReported() throws {
        let torchDType = ["float32": "F32", "float64": "F64", "float16": "F16", "bfloat16": "BF16"]
        for model in SafetensorsFixtures.models {
            let file = try SafetensorsFixtures.file(model + ".safetensors")
            let tensors = try XCTUnwrap(SafetensorsFixtures.summary(of: model)["tensors"] as? [String: [String: Any]])
            XCTAssertEqual(Set(file.names), Set(tensors.keys), model)
            for (name, s) in tensors {
                let t = try file.tensor(name)
                XCTAssertEqual(t.dtype.rawValue, torchDType[s["dtype"] as! String], "\(model) \(name)")
                XCTAssertEqual(t.shape, s["shape"] as? [Int], "\(model) \(name)")
                let v = t.doubles()
                // The stored values are exact; Foundation's JSON number parsing on Linux is not always
                // correctly rounded (last-digit differences), hence 1e-15 rather than equality.
                Oracle.check("\(model) \(name): first values", Array(v.prefix(4)), try XCTUnwrap(s["first"] as? [Double]),
                             tolerance: 1e-15, floor: 1e-3)
                // Sums of ≤ 60 values of magnitude ≤ 4 in a different order: agree to ~1e-14.
                XCTAssertEqual(v.reduce(0, +), s["sum"] as! Double, accuracy: 1e-12, "\(model) \(name) sum")
                XCTAssertEqual(v.reduce(0) { $0 + $1 * $1 }, s["sum_squares"] as! Double, accuracy: 1e-12, "\(model) \(name) Σx²")
            }
            XCTAssertEqual(file.metadata?["format"], ["gru_bias", "gru_large", "gru_prefix_2layer", "gru_f64"].contains(model) ? "pt" : nil)
        }
    }

    /// The inputs and expected files read consistently: Σ g ⊙ h from them equals PyTorch's loss.
    func testInputsAndExpectedFilesReproducePyTorchsLoss() throws {
        for model in ["gru_bias", "gru_nobias", "gru_large", "gru_prefix_2layer", "gru_f64"] {
            let inputs = try SafetensorsFixtures.file(model + ".inputs.safetensors")
            let expected = try SafetensorsFixtures.file(model + ".expected.safetensors")
            let g = try inputs.doubles("g"), h = try expected.doubles("h")
            XCTAssertEqual(try inputs.tensor("x").shape, [6, 3, 5])
            XCTAssertEqual(try inputs.tensor("g").shape, [6, 3, 4])
            XCTAssertEqual(try expected.tensor("h").shape, [6, 3, 4])
            let loss = zip(g, h).reduce(0) { $0 + $1.0 * $1.1 }
            let torchLoss = try XCTUnwrap(SafetensorsFixtures.summary(of: model)["loss"] as? Double)
            // PyTorch summed in the model's precision (float32 for most): 72 terms, relative 1e-6.
            XCTAssertEqual(loss, torchLoss, accuracy: 1e-5 * max(1, abs(torchLoss)), model)
        }
    }

    /// Reading a PyTorch file and writing it back keeps every tensor's bytes and every header entry
    /// (dtype, shape, data_offsets) and the metadata.
    func testRewriteOfPyTorchFileKeepsDataAndEntries() throws {
        for model in SafetensorsFixtures.models {
            let original = try [UInt8](Data(contentsOf: SafetensorsFixtures.url(model + ".safetensors")))
            let rewritten = try SafetensorsFile(bytes: original, source: model).serialized()
            let (n0, e0) = try SafetensorsFixtures.header(of: original)
            let (n1, e1) = try SafetensorsFixtures.header(of: rewritten)
            XCTAssertEqual(Array(original[(8 + n0)...]), Array(rewritten[(8 + n1)...]), "\(model): data section identical")
            XCTAssertEqual(NSDictionary(dictionary: e0), NSDictionary(dictionary: e1), "\(model): header entries identical")
        }
    }

    /// F16 and BF16 conversions: every bit pattern decodes and re-encodes to itself, and encoding
    /// agrees with correctly rounded conversion (Swift's Float16 where it exists; a hand check of ties).
    func testHalfAndBFloat16Conversions() {
        for bits in 0...UInt16.max {
            let f = HalfPrecision.float(fromHalf: bits)
            if f.isNaN { XCTAssertTrue(HalfPrecision.float(fromHalf: HalfPrecision.half(fromDouble: Double(f))).isNaN); continue }
            XCTAssertEqual(HalfPrecision.half(fromDouble: Double(f)), bits, "half \(bits)")
            let b = HalfPrecision.float(fromBFloat16: bits)
            if !b.isNaN { XCTAssertEqual(HalfPrecision.bfloat16(fromDouble: Double(b)), bits, "bf16 \(bits)") }
        }
        // Ties go to even; just above a tie goes up; overflow at 65520.
        XCTAssertEqual(HalfPrecision.half(fromDouble: 1 + 0x1p-11), 0x3C00)           // 1 + ulp/2 → 1 (even)
        XCTAssertEqual(HalfPrecision.half(fromDouble: 1 + 3 * 0x1p-11), 0x3C02)       // 1 + 3ulp/2 → 1 + 2ulp (even)
        XCTAssertEqual(HalfPrecision.half(fromDouble: 1 + 0x1p-11 + 0x1p-40), 0x3C01) // above the tie → up
        XCTAssertEqual(HalfPrecision.half(fromDouble: 65519.99), 0x7BFF)
        XCTAssertEqual(HalfPrecision.half(fromDouble: 65520), 0x7C00)
        XCTAssertEqual(HalfPrecision.half(fromDouble: 0x1p-25), 0)                      // tie below the smallest subnormal → 0
        XCTAssertEqual(HalfPrecision.half(fromDouble: 0x1p-25 + 0x1p-40), 1)
        XCTAssertEqual(HalfPrecision.bfloat16(fromDouble: 1 + 0x1p-8), 0x3F80)
        XCTAssertEqual(HalfPrecision.bfloat16(fromDouble: 1 + 3 * 0x1p-8), 0x3F82)
        #if !(os(macOS) && arch(x86_64))
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<20_000 {
            let x = rng.nextNormal() * pow(2, Double(Int(rng.nextUniform() * 40) - 26))
            XCTAssertEqual(HalfPrecision.half(fromDouble: x), Float16(x).bitPattern, "\(x)")
        }
        #endif
    }

    func testPyTorchHalfFixtureMatchesFloat32Rounding() throws {
        // gru_f16 was written by PyTorch with .half(); each value must be a half that our encoder
        // reproduces, and its W_hn projection oracle was computed from exactly those values.
        let file = try SafetensorsFixtures.file("gru_f16.safetensors")
        let t = try file.tensor("weight_hh_l0")
        XCTAssertEqual(t.dtype, .f16)
        let v = t.doubles()
        let reencoded = try SafetensorsTensor(values: v, shape: t.shape, dtype: .f16)
        XCTAssertEqual(reencoded.bytes, t.bytes)
    }
}
