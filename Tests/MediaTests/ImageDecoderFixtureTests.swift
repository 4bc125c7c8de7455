import Foundation
import Testing
import FCCLIP
import ModelIO
import Media

/// The golden fixtures' images decode to exactly the uint8 HWC image the official pipeline
/// (detectron2 `read_image`, PIL) read.
@Suite struct ImageDecoderFixtureTests {
    static let fixtures: String = {
        var url = URL(fileURLWithPath: #filePath)
        url.deleteLastPathComponent()   // MediaTests
        url.deleteLastPathComponent()   // Tests
        return url.appendingPathComponent("Fixtures/fcclip").path
    }()

    @Test(arguments: ["tiny-a", "tiny-b"])
    func fixtureImageMatchesReference(name: String) throws {
        let dir = "\(Self.fixtures)/\(name)"
        let image = try ImageDecoder.decode(path: "\(dir)/image.png")
        let io = try SafeTensorsFile(path: "\(dir)/io.safetensors")
        let entry = try io.entry("input.image_orig_hwc_u8")
        #expect(entry.shape == [image.height, image.width, 3], "shape \(entry.shape) vs \(image.width)x\(image.height)")
        let reference = [UInt8](try io.rawBytes("input.image_orig_hwc_u8"))
        do { let same = image.pixels == reference; #expect(same) }
    }
}
