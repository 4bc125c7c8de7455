import Foundation
import Testing
import ModelIO
import Tensor

@Suite struct SafeTensorsReaderTests {
    @Test func readsHandMadeFileOfEveryFloatDType() throws {
        let dir = try TemporaryDirectory()
        // F16 bit patterns and their exact values: 1, -2, 65504 (max), 2^-24 (smallest
        // subnormal), 2^-14 (smallest normal), +inf. BF16: 1.0 and 3.140625. F64: 0.1 rounds
        // to the float nearest 0.1.
        let f16: [UInt16] = [0x3C00, 0xC000, 0x7BFF, 0x0001, 0x0400, 0x7C00]
        let bf16: [UInt16] = [0x3F80, 0x4049]
        let f64: [Double] = [0.1, -3]
        let f32: [Float] = [1.5, -0.25, 3e-39]
        var data: [UInt8] = []
        for v in f32 { withUnsafeBytes(of: v.bitPattern.littleEndian) { data += $0 } }
        for v in f16 { withUnsafeBytes(of: v.littleEndian) { data += $0 } }
        for v in bf16 { withUnsafeBytes(of: v.littleEndian) { data += $0 } }
        for v in f64 { withUnsafeBytes(of: v.bitPattern.littleEndian) { data += $0 } }
        let header = """
        {"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},"h":{"dtype":"F16","shape":[2,3],"data_offsets":[12,24]},\
        "b":{"dtype":"BF16","shape":[2],"data_offsets":[24,28]},"d":{"dtype":"F64","shape":[2],"data_offsets":[28,44]},\
        "__metadata__":{"format":"pt"}}
        """
        try write(handMadeSafeTensors(header: header, data: data), to: dir.file("x.safetensors"))
        let file = try SafeTensorsFile(path: dir.file("x.safetensors"))
        #expect(file.metadata == ["format": "pt"])
        #expect(file.names == ["a", "b", "d", "h"])
        #expect(try file.tensor("a").scalars == f32)
        let h = try file.tensor("h")
        #expect(h.shape == [2, 3])
        #expect(h.scalars == [1, -2, 65504, 0x1p-24, 0x1p-14, .infinity])
        #expect(try file.tensor("b").scalars == [1, 3.140625])
        #expect(try file.tensor("d").scalars == [Float(0.1), -3])
    }

    @Test func readsIntegerDTypesWidened() throws {
        let dir = try TemporaryDirectory()
        var data: [UInt8] = []
        for v: Int64 in [-5, 1 << 40] { withUnsafeBytes(of: v.littleEndian) { data += $0 } }
        for v: Int32 in [-7, 9] { withUnsafeBytes(of: v.littleEndian) { data += $0 } }
        data += [200, 3]
        let header = """
        {"i64":{"dtype":"I64","shape":[2],"data_offsets":[0,16]},"i32":{"dtype":"I32","shape":[2],"data_offsets":[16,24]},\
        "u8":{"dtype":"U8","shape":[1,2],"data_offsets":[24,26]}}
        """
        try write(handMadeSafeTensors(header: header, data: data), to: dir.file("i.safetensors"))
        let file = try SafeTensorsFile(path: dir.file("i.safetensors"))
        #expect(try file.integers("i64").values == [-5, 1 << 40])
        #expect(try file.integers("i32").values == [-7, 9])
        let u8 = try file.integers("u8")
        #expect(u8.shape == [1, 2] && u8.values == [200, 3])
        // Integers are not silently read as weights.
        let message = errorMessage { _ = try file.tensor("u8") }
        #expect(message?.contains("'u8' is U8") == true)
    }

    @Test func unalignedFloat32IsCopiedCorrectly() throws {
        // Header of odd length puts the data at an address that is not 4-byte aligned.
        let dir = try TemporaryDirectory()
        var data: [UInt8] = []
        for v: Float in [7, 8, 9] { withUnsafeBytes(of: v.bitPattern.littleEndian) { data += $0 } }
        var header = #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}}"#
        while (8 + header.utf8.count) % 4 != 1 { header += " " }
        #expect((8 + header.utf8.count) % 4 != 0)
        try write(handMadeSafeTensors(header: header, data: data), to: dir.file("u.safetensors"))
        #expect(try SafeTensorsFile(path: dir.file("u.safetensors")).tensor("w").scalars == [7, 8, 9])
    }

    @Test func mappedWeightsAreCopiedOnWrite() throws {
        let file = try SafeTensorsFile(path: Fixtures.tinyA + "/weights.safetensors")
        let original = try file.tensor("backbone.clip_model.ln_final.weight", shape: [16])
        var copy = original
        copy[0] = 1234
        #expect(copy[0] == 1234)
        #expect(original[0] != 1234)
        #expect(try file.tensor("backbone.clip_model.ln_final.weight")[0] == original[0])
    }

    @Test func readsFixtureIOTensors() throws {
        let io = try SafeTensorsFile(path: Fixtures.tinyA + "/io.safetensors")
        // Values documented in fixtures/fcclip/README.md: 83x125 -> 70x105 -> 96x128.
        #expect(try io.integers("input.image_size_hw").values == [70, 105])
        #expect(try io.integers("input.output_size_hw").values == [83, 125])
        #expect(io.entries["input.image_orig_hwc_u8"]?.shape == [83, 125, 3])
        #expect(try io.tensor("input.image_normalized_padded").shape == [1, 3, 96, 128])
    }

    @Test func lookupErrorsNameFileTensorAndShapes() throws {
        let path = Fixtures.tinyA + "/weights.safetensors"
        let file = try SafeTensorsFile(path: path)
        let missing = errorMessage { _ = try file.tensor("no.such.tensor", shape: [2, 3]) }
        #expect(missing == "\(path): missing tensor 'no.such.tensor' (expected shape 2x3); the file does not match this model's configuration")
        let wrong = errorMessage { _ = try file.tensor("backbone.clip_model.visual.trunk.stem.0.weight", shape: [16, 3, 2, 2]) }
        #expect(wrong == "\(path): tensor 'backbone.clip_model.visual.trunk.stem.0.weight' has shape 16x3x4x4, expected 16x3x2x2; the weights and model.json disagree")
    }
}

/// Damaged files: each must fail when opened, with a message that says what is wrong.
@Suite struct SafeTensorsValidationTests {
    private func openError(_ bytes: [UInt8]) throws -> String? {
        let dir = try TemporaryDirectory()
        let path = dir.file("bad.safetensors")
        try write(bytes, to: path)
        return errorMessage { _ = try SafeTensorsFile(path: path) }
    }

    private let good = #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#

    @Test func validFileOpens() throws {
        #expect(try openError(handMadeSafeTensors(header: good, data: [UInt8](repeating: 0, count: 8))) == nil)
    }

    @Test func emptyAndTinyFilesAreTruncated() throws {
        #expect(try openError([])?.contains("file is truncated (0 bytes") == true)
        #expect(try openError([1, 2, 3])?.contains("file is truncated (3 bytes") == true)
    }

    @Test func headerLongerThanFileIsTruncated() throws {
        var bytes = handMadeSafeTensors(header: good, data: [UInt8](repeating: 0, count: 8))
        bytes = Array(bytes.prefix(30))
        #expect(try openError(bytes)?.contains("header says \(good.utf8.count) bytes but the file has only 22") == true)
    }

    @Test func dataCutShortIsTruncated() throws {
        let bytes = handMadeSafeTensors(header: good, data: [UInt8](repeating: 0, count: 5))
        #expect(try openError(bytes)?.contains("tensor 'w' ends at byte 8 of a data section of 5 bytes") == true)
    }

    @Test func headerThatIsNotJSON() throws {
        #expect(try openError(handMadeSafeTensors(header: "not json at all", data: []))?.contains("header is not a JSON object") == true)
        #expect(try openError(handMadeSafeTensors(header: "[1,2]", data: []))?.contains("header is not a JSON object") == true)
    }

    @Test func implausibleHeaderLength() throws {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt64(1 << 40).littleEndian) { bytes += $0 }
        #expect(try openError(bytes + [0x7b, 0x7d])?.contains("implausible") == true)
    }

    @Test func unknownDTypeNamesTensor() throws {
        let header = #"{"w":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}"#
        let message = try openError(handMadeSafeTensors(header: header, data: [0, 0]))
        #expect(message?.contains("tensor 'w' has unsupported dtype 'F8_E4M3'") == true)
    }

    @Test func sizeThatDisagreesWithShape() throws {
        let header = #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#
        let message = try openError(handMadeSafeTensors(header: header, data: [UInt8](repeating: 0, count: 8)))
        #expect(message?.contains("tensor 'w' of shape 3 F32 needs 12 bytes but data_offsets [0, 8] span 8") == true)
    }

    @Test func shapeWhoseByteCountOverflowsSaysSo() throws {
        // (2^62 + 6) · 4 elements wrap to 24, · 4 bytes to 96: the span is 96 bytes too.
        let header = #"{"w":{"dtype":"F32","shape":[4611686018427387910,4],"data_offsets":[0,96]}}"#
        let message = try openError(handMadeSafeTensors(header: header, data: [UInt8](repeating: 0, count: 96)))
        #expect(message?.contains("tensor 'w' of shape 4611686018427387910x4 F32 is impossibly large (its byte count does not fit in 64 bits)") == true,
                "\(message ?? "no error")")
        #expect(message?.contains("needs") == false)
    }

    @Test func overlappingTensors() throws {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        let message = try openError(handMadeSafeTensors(header: header, data: [UInt8](repeating: 0, count: 12)))
        #expect(message?.contains("tensors 'a' 0..<8 and 'b' 4..<12 overlap") == true)
    }

    @Test func malformedEntries() throws {
        for (header, fragment) in [
            (#"{"w":{"shape":[1],"data_offsets":[0,4]}}"#, "entry 'w' has no dtype"),
            (#"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, "entry 'w' has no valid shape"),
            (#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#, "entry 'w' has no valid data_offsets"),
            (#"{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#, "entry 'w' has no valid shape"),
            (#"{"w":7}"#, "entry 'w' is not an object"),
        ] {
            let message = try openError(handMadeSafeTensors(header: header, data: [0, 0, 0, 0]))
            #expect(message?.contains(fragment) == true, "\(header): \(message ?? "no error")")
        }
    }

    @Test func missingFileIsNotFound() {
        let message = errorMessage { _ = try SafeTensorsFile(path: "/nonexistent/weights.safetensors") }
        #expect(message == "/nonexistent/weights.safetensors: safetensors file not found")
    }
}
