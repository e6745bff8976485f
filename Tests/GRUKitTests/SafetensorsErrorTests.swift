import Foundation
import XCTest
import GRUKit

/// Every malformed file is an error naming the file and the problem — never a trap.
final class SafetensorsErrorTests: XCTestCase {
    private let f32x4: [UInt8] = Array(repeating: 0, count: 16)

    /// Writes `bytes` to a file called `name` in a temporary folder, reads it, and returns the error.
    private func readError(_ bytes: [UInt8], name: String = "broken.safetensors",
                           file: StaticString = #filePath, line: UInt = #line) throws -> SafetensorsError {
        let dir = try Executables.temporaryDirectory(self)
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        do {
            _ = try SafetensorsFile(contentsOf: url, displayName: name)
        } catch let e as SafetensorsError {
            XCTAssertEqual(e.file, name, file: file, line: line)
            XCTAssertTrue(e.description.hasPrefix(name + ": "), e.description, file: file, line: line)
            print("error as reported: \(e)")
            return e
        }
        XCTFail("reading should have failed", file: file, line: line)
        throw CocoaError(.fileReadCorruptFile)
    }

    private func assemble(_ header: String, _ data: [UInt8], length: UInt64? = nil) -> [UInt8] {
        SafetensorsFixtures.assemble(header: header, data: data, lengthOverride: length)
    }

    func testTooShortAndAbsurdHeaderLengths() throws {
        XCTAssertEqual(try readError([1, 2, 3]).problem, .fileTooShort(size: 3))
        let e = try readError(assemble("{}", [], length: 1_000))
        XCTAssertEqual(e.problem, .headerLengthTooLarge(headerLength: 1_000, fileSize: 10))
        XCTAssertTrue(e.description.contains("header length 1000 is larger than the file"))
        XCTAssertEqual(try readError(assemble("{}", [], length: UInt64.max)).problem,
                       .headerLengthTooLarge(headerLength: UInt64.max, fileSize: 10))
    }

    func testMalformedJSON() throws {
        for header in ["{\"a\": ", "not json", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}} x",
                       "{\"a\":1,\"a\":2}", "[1, 2]", "\"just a string\"", String(repeating: "[", count: 5_000),
                       "{\"a\":\"\u{1}\"}", "{\"bad\\q\":1}"] {
            let e = try readError(assemble(header, []))
            guard case .malformedJSON = e.problem else { XCTFail("\(header.prefix(30)): \(e)"); continue }
            XCTAssertTrue(e.description.contains("malformed JSON header"), e.description)
        }
        XCTAssertTrue(try readError(assemble("{\"a\":1,\"a\":2}", [])).description.contains("duplicate key \"a\""))
        // Invalid UTF-8 inside a name.
        var bytes = assemble("{\"a\u{7F}\":{}}", [])
        bytes[try XCTUnwrap(bytes.firstIndex(of: 0x7F))] = 0xFF
        guard case .malformedJSON = try readError(bytes).problem else { return XCTFail("invalid UTF-8 accepted") }
    }

    func testUnsupportedDType() throws {
        let e = try readError(assemble(#"{"w":{"dtype":"C64","shape":[2],"data_offsets":[0,16]}}"#, f32x4))
        XCTAssertEqual(e.problem, .unsupportedDType(tensor: "w", dtype: "C64"))
        XCTAssertTrue(e.description.contains("unsupported dtype \"C64\""))
    }

    func testShapeAndOffsetInconsistency() throws {
        let e = try readError(assemble(#"{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}"#, Array(f32x4.prefix(12))))
        XCTAssertEqual(e.problem, .byteCountMismatch(tensor: "w", shape: [2, 2], dtype: "F32", expected: 16, actual: 12))
        XCTAssertTrue(e.description.contains("needs 16 bytes but data_offsets span 12"), e.description)
        // A shape whose product overflows.
        let big = try readError(assemble(#"{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,16]}}"#, f32x4))
        guard case .byteCountMismatch = big.problem else { return XCTFail("\(big)") }
    }

    func testTruncatedData() throws {
        let e = try readError(assemble(#"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, Array(f32x4.prefix(8))))
        XCTAssertEqual(e.problem, .truncatedData(tensor: "w", end: 16, available: 8))
        XCTAssertTrue(e.description.contains("truncated"))
        // A real PyTorch file cut short.
        let full = try [UInt8](Data(contentsOf: SafetensorsFixtures.url("gru_bias.safetensors")))
        guard case .truncatedData = try readError(Array(full.dropLast(5)), name: "gru_bias.safetensors").problem else {
            return XCTFail("a cut file must be reported as truncated")
        }
    }

    func testOverlappingGapsAndTrailingBytes() throws {
        let overlap = try readError(assemble(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, Array(f32x4.prefix(12))))
        XCTAssertEqual(overlap.problem, .overlappingOffsets(tensor: "b", other: "a"))
        let same = try readError(assemble(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, Array(f32x4.prefix(8))))
        XCTAssertEqual(same.problem, .overlappingOffsets(tensor: "b", other: "a"))
        let gap = try readError(assemble(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}}"#, f32x4))
        XCTAssertEqual(gap.problem, .gapInOffsets(tensor: "b", expectedBegin: 8, begin: 12))
        XCTAssertTrue(gap.description.contains("contiguous"))
        let late = try readError(assemble(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"#, f32x4))
        XCTAssertEqual(late.problem, .gapInOffsets(tensor: "a", expectedBegin: 0, begin: 8))
        let trailing = try readError(assemble(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, f32x4))
        XCTAssertEqual(trailing.problem, .trailingBytes(count: 8))
    }

    func testInvalidEntriesAndMetadata() throws {
        let cases: [(String, String)] = [
            (#"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, "shape entry"),
            (#"{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#, "shape entry"),
            (#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#, "end before they begin"),
            (#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0]}}"#, "data_offsets"),
            (#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4e0]}}"#, "data_offsets"),
            (#"{"w":{"shape":[1],"data_offsets":[0,4]}}"#, "no \"dtype\""),
            (#"{"w":[1]}"#, "not an object"),
        ]
        for (header, phrase) in cases {
            let e = try readError(assemble(header, Array(f32x4.prefix(4))))
            guard case .invalidEntry(let t, _) = e.problem else { XCTFail("\(header): \(e)"); continue }
            XCTAssertEqual(t, "w")
            XCTAssertTrue(e.description.contains(phrase), "\(e.description) should mention \(phrase)")
        }
        let meta = try readError(assemble(#"{"__metadata__":{"epoch":3}}"#, []))
        guard case .invalidMetadata = meta.problem else { return XCTFail("\(meta)") }
        XCTAssertTrue(meta.description.contains("\"epoch\""))
    }

    func testMissingTensorsFilesAndFolders() throws {
        let file = try SafetensorsFixtures.file("gru_bias.safetensors")
        XCTAssertThrowsError(try file.tensor("rnn.weight_hh_l0")) { error in
            XCTAssertEqual(error as? SafetensorsError,
                           SafetensorsError(file: "gru_bias.safetensors", problem: .missingTensor("rnn.weight_hh_l0")))
            XCTAssertEqual("\(error)", "gru_bias.safetensors: no tensor named \"rnn.weight_hh_l0\"")
        }
        let inputs = try SafetensorsFixtures.file("gru_bias.inputs.safetensors")
        XCTAssertThrowsError(try inputs.matrix("x", as: Double.self)) { error in
            XCTAssertEqual("\(error)", "gru_bias.inputs.safetensors: tensor \"x\": has shape [6, 3, 5], not a matrix")
        }
        let dir = try Executables.temporaryDirectory(self)
        XCTAssertThrowsError(try SafetensorsFile(contentsOf: dir.appendingPathComponent("absent.safetensors"))) { error in
            XCTAssertTrue("\(error)".contains("absent.safetensors: no such file"), "\(error)")
        }
        XCTAssertThrowsError(try SafetensorsFile(contentsOf: dir)) { error in
            XCTAssertTrue("\(error)".contains("is a folder"), "\(error)")
        }
    }

    /// Cutting a valid file at every length and flipping bytes of its header never traps: each
    /// attempt either reads or throws a SafetensorsError.
    func testNoTrapOnCorruptedFiles() throws {
        let full = try [UInt8](Data(contentsOf: SafetensorsFixtures.url("gru_prefix_2layer.safetensors")))
        var errors = 0
        for length in 0..<full.count {
            do { _ = try SafetensorsFile(bytes: Array(full.prefix(length)), source: "cut") } catch is SafetensorsError { errors += 1 }
        }
        XCTAssertEqual(errors, full.count, "every proper prefix is invalid")
        var rng = SeededGenerator(seed: 11)
        for _ in 0..<3_000 {
            var b = full
            for _ in 0..<3 {
                let i = Int(rng.nextUniform() * Double(min(full.count, 700)))
                b[i] = UInt8(Int(rng.nextUniform() * 256) & 0xFF)
            }
            do { _ = try SafetensorsFile(bytes: b, source: "flipped") } catch is SafetensorsError {}
        }
    }

    /// A failed write leaves the destination and its folder untouched.
    func testFailedWritesLeaveNothing() throws {
        let dir = try Executables.temporaryDirectory(self)
        var file = SafetensorsFile()
        file["w"] = try SafetensorsTensor(floats: [1, 2], shape: [2])
        let missingFolder = dir.appendingPathComponent("no/such/folder/out.safetensors")
        XCTAssertThrowsError(try file.write(to: missingFolder)) { error in
            XCTAssertTrue("\(error)".contains("does not exist"), "\(error)")
        }
        let folderAsTarget = dir.appendingPathComponent("sub")
        try FileManager.default.createDirectory(at: folderAsTarget, withIntermediateDirectories: false)
        XCTAssertThrowsError(try file.write(to: folderAsTarget))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["sub"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folderAsTarget.path), [])
        // Replacing an existing file works and leaves only the file.
        let target = dir.appendingPathComponent("out.safetensors")
        try Data("old".utf8).write(to: target)
        try file.write(to: target)
        XCTAssertEqual(try SafetensorsFile(contentsOf: target).floats("w"), [1, 2])
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)), ["sub", "out.safetensors"])
    }
}
