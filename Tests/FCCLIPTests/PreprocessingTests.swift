import Foundation
import Testing
import FCCLIP
import GoldenFixtures
import ModelIO
import Tensor

// How we know `PillowResize` matches Pillow:
// 1. Exact uint8 equality with the golden fixtures' `input.image_resized_hwc_u8`, which the
//    fixture generator made with PIL `Image.resize((w, h), BILINEAR)` inside detectron2's
//    ResizeShortestEdge: tiny-a downscales 125x83 → 105x70 (antialiased, 3–4 taps per output),
//    tiny-b upscales 90x130 → 96x139 (2 taps).
// 2. Cases worked out on paper from Resample.c's algorithm (below), each confirmed with Pillow.
// 3. Extra cases made with Pillow 13.0.0 / numpy 2.4 in a scratch venv (script in
//    `pillowGenerated` below): small images with integer-free ratios, wide kernels (41 → 5),
//    mixed up/down axes, and whole-image FNV-1a hashes of realistic sizes
//    (1920x1080 → 1333x750, 640x480 → 1067x800, 1000x300 → 700x900).

/// The deterministic test image also computed in the Python generator:
/// `(x·37 + y·101 + c·59 + (x·y mod 13)·17) mod 256`.
func patternImage(width: Int, height: Int) -> RGBImage {
    var p = [UInt8](repeating: 0, count: width * height * 3)
    for y in 0..<height {
        for x in 0..<width {
            for c in 0..<3 {
                p[(y * width + x) * 3 + c] = UInt8((x * 37 + y * 101 + c * 59 + (x * y) % 13 * 17) % 256)
            }
        }
    }
    return try! RGBImage(width: width, height: height, pixels: p)
}

/// A one-row image whose three channels all hold `values`.
func grayRow(_ values: [UInt8]) -> RGBImage {
    try! RGBImage(width: values.count, height: 1, pixels: values.flatMap { [$0, $0, $0] })
}

/// Channel 0 of each pixel.
func firstChannel(_ image: RGBImage) -> [UInt8] { stride(from: 0, to: image.pixels.count, by: 3).map { image.pixels[$0] } }

func bytes(hex: String) -> [UInt8] {
    let u = Array(hex.utf8)
    func nibble(_ c: UInt8) -> UInt8 { c <= 57 ? c - 48 : c - 87 }
    return stride(from: 0, to: u.count, by: 2).map { nibble(u[$0]) << 4 | nibble(u[$0 + 1]) }
}

func fnv1a(_ data: [UInt8]) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in data { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
    return h
}

func inputConfig(min: Int, max: Int, divisibility: Int = 32) throws -> ModelConfig.InputConfig {
    let json = """
        {"pixel_mean": [122.7709383, 116.7460125, 104.09373615], "pixel_std": [68.5005327, 66.6321579, 70.32316305],
         "size_divisibility": \(divisibility), "min_size_test": \(min), "max_size_test": \(max)}
        """
    return try JSONDecoder().decode(ModelConfig.InputConfig.self, from: Data(json.utf8))
}

@Suite struct PreprocessingFixtureTests {
    func originalImage(_ f: GoldenFixture) throws -> RGBImage {
        let shape = try f.io.entry("input.image_orig_hwc_u8").shape
        return try RGBImage(width: shape[1], height: shape[0], pixels: Array(try f.io.rawBytes("input.image_orig_hwc_u8")))
    }

    @Test(arguments: ["tiny-a", "tiny-b"])
    func resizeMatchesPillowExactly(fixture: String) throws {
        let f = try GoldenFixture(fixture)
        let orig = try originalImage(f)
        let shape = try f.io.entry("input.image_resized_hwc_u8").shape
        let want = Array(try f.io.rawBytes("input.image_resized_hwc_u8"))
        let got = PillowResize.bilinear(orig, width: shape[1], height: shape[0])
        #expect(got.width == shape[1] && got.height == shape[0])
        let mismatches = zip(got.pixels, want).filter { $0 != $1 }.count
        #expect(got.pixels.count == want.count)
        #expect(mismatches == 0, "\(mismatches) of \(want.count) bytes differ from Pillow")
    }

    @Test(arguments: ["tiny-a", "tiny-b"])
    func preprocessorMatchesOfficial(fixture: String) throws {
        let f = try GoldenFixture(fixture)
        let pre = ImagePreprocessor(config: f.bundle.config.input)
        let orig = try originalImage(f)
        let out = pre(orig)
        let size = try f.integers("input.image_size_hw")
        let outSize = try f.integers("input.output_size_hw")
        #expect(out.resizedSize.height == Int(size[0]) && out.resizedSize.width == Int(size[1]))
        #expect(pre.resizedSize(height: orig.height, width: orig.width) == (Int(size[0]), Int(size[1])))
        #expect(out.originalSize.height == Int(outSize[0]) && out.originalSize.width == Int(outSize[1]))
        // The resized uint8 image is bit-exact (test above), and (x − mean)/std is done as
        // PyTorch does it: float32 mean/std buffers, one float32 subtract and one correctly
        // rounded float32 divide per element, so the values should be identical; 1e-6 only
        // leaves room for a last-ulp difference, while any wrong pixel, channel order, mean
        // or padding would give errors of 1e-3 or more.
        let want = try f.reference("input.image_normalized_padded")
        let got = out.tensor.permuted([0, 3, 1, 2])
        #expect(parity(fixture, "input.image_normalized_padded", got, want) <= 1e-6)
    }
}

@Suite struct PreprocessingHandComputedTests {
    // Notation below: scale = in/out, fs = max(scale, 1), support = fs, center(i) = (i + 0.5)·scale,
    // taps Int(center − support + 0.5) ..< Int(center + support + 0.5) clipped to [0, in),
    // w(x) = max(0, 1 − |(x − center + 0.5)/fs|), normalised, fixed = Int(0.5 + w·2²²),
    // out = clip((2²¹ + Σ fixed·v) >> 22).

    @Test func downscale4to2() {
        // scale 2, fs = support = 2.
        // i = 0: center 1, taps Int(−0.5) = 0 ..< Int(3.5) = 3: t = −0.25, 0.25, 0.75 →
        //   w = 0.75, 0.75, 0.25 (sum 1.75) → 3/7, 3/7, 1/7 → fixed 1797559 (1797558.857 rounded
        //   up), 1797559, 599186 (599186.286 rounded down); they sum to exactly 2²² = 4194304.
        // i = 1: center 3, taps Int(1.5) = 1 ..< min(Int(5.5), 4) = 4: weights 1/7, 3/7, 3/7.
        // Row [0, 100, 200, 255]:
        //   out0 = (2097152 + 100·1797559 + 200·599186) >> 22 = 301690252 >> 22 = 71 (exact 500/7 = 71.43)
        //   out1 = (2097152 + 100·599186 + 200·1797559 + 255·1797559) >> 22 = 879905097 >> 22 = 209
        //   (exact 1465/7 = 209.29). Pillow 13 gives [71, 209].
        let taps = PillowResize.fixedPointTaps(inSize: 4, outSize: 2)
        #expect(taps[0].start == 0 && taps[0].weights == [1797559, 1797559, 599186])
        #expect(taps[1].start == 1 && taps[1].weights == [599186, 1797559, 1797559])
        let out = PillowResize.bilinear(grayRow([0, 100, 200, 255]), width: 2, height: 1)
        #expect(out.width == 2 && out.height == 1)
        #expect(out.pixels == [71, 71, 71, 209, 209, 209])
    }

    @Test func upscale2to4() {
        // scale 0.5, fs = support = 1 (no antialiasing when upscaling).
        // i = 0: center 0.25, taps Int(−0.25) = 0 ..< Int(1.75) = 1: one tap (w 0.75 → 1) → copies v0.
        // i = 1: center 0.75, taps 0 ..< 2: t = −0.25, 0.75 → 0.75, 0.25 → fixed 3145728, 1048576.
        // i = 2: center 1.25, taps Int(0.75) = 0 ..< 2: 0.25, 0.75.
        // i = 3: center 1.75, taps Int(1.25) = 1 ..< min(Int(3.25), 2) = 2: one tap → copies v1.
        // So the edges are renormalised (clamped-looking) rather than blended with a border.
        // [10, 12]: 0.75·10 + 0.25·12 = 10.5 and 0.25·10 + 0.75·12 = 11.5 are exact halves in
        //   fixed point too (weights exact), and the 2²¹ start rounds them up: [10, 11, 12, 12].
        // [0, 255]: 63.75 → 64, 191.25 → 191. [10, 21]: 12.75 → 13, 18.25 → 18.
        let taps = PillowResize.fixedPointTaps(inSize: 2, outSize: 4)
        #expect(taps.map(\.start) == [0, 0, 0, 1])
        #expect(taps.map(\.weights) == [[4194304], [3145728, 1048576], [1048576, 3145728], [4194304]])
        #expect(firstChannel(PillowResize.bilinear(grayRow([10, 12]), width: 4, height: 1)) == [10, 11, 12, 12])
        #expect(firstChannel(PillowResize.bilinear(grayRow([0, 255]), width: 4, height: 1)) == [0, 64, 191, 255])
        #expect(firstChannel(PillowResize.bilinear(grayRow([10, 21]), width: 4, height: 1)) == [10, 13, 18, 21])
    }

    @Test func fixedPointRoundingBreaksAnExactHalf() {
        // 6 → 5 (scale = fs = support = 1.2), output 3: center 4.2, taps Int(3.5) = 3 ..< Int(5.9) = 5,
        // t = −0.7/1.2, 0.3/1.2 → w = 0.41667, 0.75 (sum 1.16667) → 5/14, 9/14.
        // Inputs 160, 181: exact (5·160 + 9·181)/14 = 2429/14 = 173.5, which would round to 174.
        // Fixed point: 5/14·2²² = 1497965.71 → 1497966, 9/14·2²² = 2696338.29 → 2696338;
        // 2097152 + 160·1497966 + 181·2696338 = 729808890 < 174·2²² = 729808896, so Pillow gives
        // 173: the 22-bit weights, not the real ones, decide exact-half cases (found by a random
        // search against Pillow 13, which also returns 173).
        let taps = PillowResize.fixedPointTaps(inSize: 6, outSize: 5)
        #expect(taps[3].start == 3 && taps[3].weights == [1497966, 2696338])
        let out = PillowResize.bilinear(grayRow([125, 209, 211, 160, 181, 245]), width: 5, height: 1)
        #expect(firstChannel(out)[3] == 173)
    }

    @Test func identitySizeIsUnchanged() {
        let img = patternImage(width: 7, height: 5)
        #expect(PillowResize.bilinear(img, width: 7, height: 5) == img)
        // An unchanged axis is also an identity: scale 1 gives taps i, i+1 with weights 1, 0.
        #expect(PillowResize.fixedPointTaps(inSize: 3, outSize: 3).map(\.weights) == [[4194304, 0], [4194304, 0], [4194304]])
        let wider = PillowResize.bilinear(img, width: 9, height: 5)
        let rowsOnly = PillowResize.bilinear(grayRow([1, 2, 3]), width: 3, height: 1)
        #expect(rowsOnly.pixels == grayRow([1, 2, 3]).pixels)
        #expect(wider.height == 5 && wider.width == 9)
    }

    @Test func onePixelUpscaled() throws {
        // 1 → n: every output's taps clip to [0, 1): one tap, weight 1 → the colour is copied.
        let px = try RGBImage(width: 1, height: 1, pixels: [7, 130, 250])
        let out = PillowResize.bilinear(px, width: 3, height: 2)
        #expect(out.width == 3 && out.height == 2)
        #expect(out.pixels == Array(repeating: [7, 130, 250], count: 6).flatMap { $0 })
    }

    @Test func pillowGenerated() {
        // Made with (Pillow 13.0.0, numpy 2.4.6):
        //   a = pattern(w, h)  # same formula as patternImage, uint8 [h, w, 3]
        //   Image.fromarray(a).resize((w1, h1), Image.BILINEAR).tobytes().hex()
        let cases: [(w: Int, h: Int, w1: Int, h1: Int, hex: String)] = [
            (41, 29, 5, 4,  // wide antialiasing kernels: support 8.2 horizontally, 7.25 vertically
             "79817d7e827c7c7f7d83797c86798179857d747c7d6e7681817b838f73777d82807c7d7e787e7b7d7e817d7d7d7f7b8b7e8c826e7d82737d7b747b88"),
            (6, 4, 17, 11,  // upscale by non-integer factors
            "003b76013c770e49841b569128639e3570ab427db84f8ac55d98d36aa5e077b2b884bf6b91cc1d9ed914abe621b8f32eb9f42f05407b06417b134e84" +
            "205b8e2d67983b71a5487ab25485c05e93ce67a0db72adb680bb6d8dc8249ad51ca8e329b5f036b6f13729649f2b669d3a75884a8572598b66697576" +
            "786085785a95636aa54e79b44e89a45d987f6da8587cb75b8bc66a9bd67a9cd77b4e89c4508bc0619c8c73ae5785ae35967a47a846589c2f6a69417c" +
            "35528d2964933b76904c878d5e999a70abab81bcbd83bebf738bc6748dc17ba18783b44c8db426a17b3ab5414ea8275d6e3b64344e6c275b7a3b638e" +
            "4f6aa2597bb6618fca68a2dd69a4df98538e96558c7f6b7568815d5c8b52727468885d7e8b5981746f6a5d8553608156766a6c8c5282805d986973ae" +
            "5289c4508bc6bc1a55b81c568234624c4d6e2a627d426d955a79ad6d8aa57aa37086bc3999a632b1704ac93a62a73f7a7157923b70ab3772ada71c57" +
            "a41e597839744c538e3268a34d6ea96774af7982a17f9d7585b84997a93bb17e41cc5247a44e5e67577b2a5f9925609b6e417c6e437e65609b5d7cb7" +
            "5e8bc67a73ae975a959d578385747b6c91727298608f8f48ab872f8a78445466681d558b18538e3665a03968a35387c26ea6e18aafeaa877b2c7407b" +
            "c12c668a4b80536a9b4e86856ca14e8bbb176fa2293f7653104a7e0c47822f6aa5326da8518cc770abe68fb3eeae78b3cd3d78c627628b46815065a0" +
            "49848a68a34f87c2146ca7263d78510e497c0a4580"),
            (9, 13, 4, 20,  // down horizontally, up vertically
            "1f5a956aa5a1aca23b3d447f56787f617b8c95a268614d6f8c8f6a5e56737b9c9a8855646e547782826679759c8552826c5b9686846a66768d797581" +
            "7d80b47e7077518c786aa572a6847a93618875ac7766a16eba79799367766fa689609b68bc66a1847c4e4d86a7599360a869a470887b7d898a6e8754" +
            "91829e6c9a8d877d83757d6e78b08f77b1836a60936c74ad847a71709b848c6a796189a47e6a66617b83a17e585691996093724a4f7fa09e324e8990" +
            "9fa45a7ea14a82a5724a85aab0a2608ec943629da8427db85584ab4a85a14681b5316ca780bb6f8b6d7b785a952b66a1b7f22dd26448a93b7628639e"),
        ]
        for c in cases {
            let out = PillowResize.bilinear(patternImage(width: c.w, height: c.h), width: c.w1, height: c.h1)
            #expect(out.pixels == bytes(hex: c.hex), "\(c.w)x\(c.h) → \(c.w1)x\(c.h1)")
        }
    }

    @Test func realisticSizesMatchPillowHashes() {
        // FNV-1a 64 of Pillow's output bytes for the pattern image (generator as above).
        let cases: [(w: Int, h: Int, w1: Int, h1: Int, hash: UInt64)] = [
            (1920, 1080, 1333, 750, 0x40f2_3411_cb30_1c80),
            (640, 480, 1067, 800, 0xe823_4153_26b2_f6a6),
            (1000, 300, 700, 900, 0xb3e6_abdb_f83c_3096),
        ]
        for c in cases {
            let img = patternImage(width: c.w, height: c.h)
            let start = DispatchTime.now().uptimeNanoseconds
            let out = PillowResize.bilinear(img, width: c.w1, height: c.h1)
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            print("PillowResize \(c.w)x\(c.h) → \(c.w1)x\(c.h1): \(String(format: "%.1f", ms)) ms")
            #expect(fnv1a(out.pixels) == c.hash, "\(c.w)x\(c.h) → \(c.w1)x\(c.h1)")
        }
    }

    @Test func rgbImageValidates() {
        #expect(throws: RGBImageError.emptySize(width: 0, height: 3)) { try RGBImage(width: 0, height: 3, pixels: []) }
        #expect(throws: RGBImageError.pixelCountMismatch(width: 2, height: 2, expected: 12, found: 11)) {
            try RGBImage(width: 2, height: 2, pixels: [UInt8](repeating: 0, count: 11))
        }
    }
}

@Suite struct PreprocessingSizeTests {
    @Test func resizedSizeRule() throws {
        let coco = ImagePreprocessor(config: try inputConfig(min: 800, max: 1333))
        // Spec §1 worked example: 683x512 (w x h) → short side 800: 683·800/512 = 1067.19 → 1067.
        #expect(coco.resizedSize(height: 512, width: 683) == (800, 1067))
        // 1920x1080: 1920·800/1080 = 1422.2 > 1333 → × 1333/1422.2: h = 749.81 → 750, w = 1333.
        #expect(coco.resizedSize(height: 1080, width: 1920) == (750, 1333))
        // Extreme aspect ratio, max side caps: 100 x 2000 (h x w) → 800 x 16000 → × 1333/16000
        // → 66.65 x 1333 → (67, 1333); and transposed.
        #expect(coco.resizedSize(height: 100, width: 2000) == (67, 1333))
        #expect(coco.resizedSize(height: 2000, width: 100) == (1333, 67))
        // 1 x 10000 → 800 x 8e6 → × 1333/8e6 → 0.133 → int(0.633) = 0 rows: detectron2 would
        // produce an empty image; the preprocessor clamps to 1 when resampling.
        #expect(coco.resizedSize(height: 1, width: 10000) == (0, 1333))
        // Square: both sides = short target.
        #expect(coco.resizedSize(height: 300, width: 300) == (800, 800))
        // Cityscapes (1024, 2560): 1024x2048 is unchanged (Pillow then returns a copy).
        let cityscapes = ImagePreprocessor(config: try inputConfig(min: 1024, max: 2560))
        #expect(cityscapes.resizedSize(height: 1024, width: 2048) == (1024, 2048))
    }

    @Test func halfRoundsUp() throws {
        // int(x + 0.5), not Python's round() (banker's) and not truncation:
        // 2 x 13 with short target 1: scale 0.5 → 1 x 6.5 → int(7.0) = 7 (round() would give 6).
        #expect(ImagePreprocessor(config: try inputConfig(min: 1, max: 100)).resizedSize(height: 2, width: 13) == (1, 7))
        // 4 x 6 with target 5: scale 1.25 → 5 x 7.5 → 8.
        #expect(ImagePreprocessor(config: try inputConfig(min: 5, max: 100)).resizedSize(height: 4, width: 6) == (5, 8))
        // Through the max-size branch: 5 x 40, target 5, max 20 → 5 x 40 → × 0.5 → 2.5 x 20 → (3, 20).
        #expect(ImagePreprocessor(config: try inputConfig(min: 5, max: 20)).resizedSize(height: 5, width: 40) == (3, 20))
        // Just below a half stays down: 83 x 125 → 70 x 105.42 → 105 (tiny-a).
        #expect(ImagePreprocessor(config: try inputConfig(min: 70, max: 120)).resizedSize(height: 83, width: 125) == (70, 105))
    }

    @Test func normalizeAndPad() throws {
        // 2 x 3 image, target 2 (no resize), divisibility 4 → tensor [1, 4, 4, 3].
        let pre = ImagePreprocessor(config: try inputConfig(min: 2, max: 100, divisibility: 4))
        let img = patternImage(width: 3, height: 2)
        let out = pre(img)
        #expect(out.tensor.shape == [1, 4, 4, 3])
        #expect(out.resizedSize == (2, 3) && out.originalSize == (2, 3))
        let mean: [Float] = [122.7709383, 116.7460125, 104.09373615], std: [Float] = [68.5005327, 66.6321579, 70.32316305]
        for y in 0..<4 {
            for x in 0..<4 {
                for c in 0..<3 {
                    let want: Float = (y < 2 && x < 3) ? (Float(img.pixels[(y * 3 + x) * 3 + c]) - mean[c]) / std[c] : 0
                    #expect(out.tensor[0, y, x, c] == want, "(\(y), \(x), \(c))")
                }
            }
        }
        // Divisibility ≤ 1: no padding.
        let unpadded = ImagePreprocessor(config: try inputConfig(min: 2, max: 100, divisibility: 0))(img)
        #expect(unpadded.tensor.shape == [1, 2, 3, 3])
    }
}
