import Foundation
import Testing
import FCCLIP
import GoldenFixtures
import Tensor

@Suite struct SinePositionEncodingTests {
    /// Against the official encodings of every level of both decoders (NCHW `[1, C, h, w]`).
    @Test(arguments: ["tiny-a", "tiny-b"])
    func matchesOfficialEncodings(fixture: String) throws {
        let f = try GoldenFixture(fixture)
        for key in ["pixel_decoder.pos.0", "pixel_decoder.pos.1", "pixel_decoder.pos.2", "decoder.pos.0", "decoder.pos.1", "decoder.pos.2"] {
            let want = try f.referenceNHWC(key)
            let (h, w, c) = (want.shape[1], want.shape[2], want.shape[3])
            let got = SinePositionEncoding.encode(height: h, width: w, channels: c).reshaped([1, h, w, c])
            // sin/cos of the same float32 arguments: errors are a few ulp of values in [-1, 1].
            #expect(parity(fixture, key, got, want) <= 1e-6)
        }
    }

    @Test func handComputedCorner() {
        // 1x2 map, 4 channels; first pixel: y = 1/(1 + 1e-6)·2π, x = 1/(2 + 1e-6)·2π (just under π).
        // half = 2, t = [1, 1]: channels [sin y, cos y, sin x, cos x]. Reference in Double; the
        // float32 arguments near π and 2π are off by up to 1 ulp (2.4e-7 / 4.8e-7), hence 5e-7.
        let p = SinePositionEncoding.encode(height: 1, width: 2, channels: 4)
        let y = 2 * Double.pi / (1 + 1e-6), x = 2 * Double.pi / (2 + 1e-6)
        #expect(abs(Double(p[0, 0, 0]) - sin(y)) < 5e-7)
        #expect(abs(Double(p[0, 0, 1]) - cos(y)) < 5e-7)
        #expect(abs(Double(p[0, 0, 2]) - sin(x)) < 5e-7)
        #expect(abs(Double(p[0, 0, 3]) - cos(x)) < 5e-7)
        // Second pixel: x = 2/(2 + 1e-6)·2π.
        #expect(abs(Double(p[0, 1, 2]) - sin(2 * x)) < 5e-7)
    }
}
