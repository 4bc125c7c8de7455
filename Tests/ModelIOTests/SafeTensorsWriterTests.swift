import Foundation
import Testing
import ModelIO
import Tensor

@Suite struct SafeTensorsWriterTests {
    @Test func roundTripsTensorsIntegersAndMetadata() throws {
        let dir = try TemporaryDirectory()
        var writer = SafeTensorsWriter(metadata: ["producer": "segd"])
        let t = Tensor(shape: [2, 3], values: [1, -2, 3.5, .infinity, -0, 1e-40])
        try writer.add("layer.weight", t)
        try writer.add("sizes", int64s: [7, -1], shape: [2])
        try writer.add("empty", Tensor(shape: [0, 4]))
        try writer.write(to: dir.file("out.safetensors"))

        let file = try SafeTensorsFile(path: dir.file("out.safetensors"))
        #expect(file.metadata == ["producer": "segd"])
        let back = try file.tensor("layer.weight", shape: [2, 3])
        #expect(back.scalars.map(\.bitPattern) == t.scalars.map(\.bitPattern))
        #expect(try file.integers("sizes").values == [7, -1])
        #expect(try file.tensor("empty").shape == [0, 4])
    }

    @Test func headerIsPaddedSoDataIsAligned() throws {
        var writer = SafeTensorsWriter()
        try writer.add("x", Tensor(shape: [1], values: [1]))
        let bytes = try writer.serialized()
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect((8 + headerLength) % 8 == 0)
        #expect(bytes.count == 8 + headerLength + 4)
    }

    @Test func rejectsDuplicatesAndBadSizes() throws {
        var writer = SafeTensorsWriter()
        try writer.add("x", Tensor(shape: [1], values: [1]))
        #expect(errorMessage { try writer.add("x", Tensor(shape: [1], values: [2])) }?.contains("added twice") == true)
        #expect(errorMessage { try writer.add("y", dtype: .f32, shape: [3], bytes: [0, 0, 0, 0]) }?.contains("do not fit shape 3") == true)
        #expect(errorMessage { try writer.add("__metadata__", Tensor(shape: [1], values: [1])) } != nil)
    }

    @Test func writeIntoMissingFolderFailsClearly() throws {
        var writer = SafeTensorsWriter()
        try writer.add("x", Tensor(shape: [1], values: [1]))
        let message = errorMessage { try writer.write(to: "/nonexistent-dir/out.safetensors") }
        #expect(message?.hasPrefix("/nonexistent-dir/out.safetensors: cannot write") == true)
    }
}
