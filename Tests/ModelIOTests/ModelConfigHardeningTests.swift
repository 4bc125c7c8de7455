import Foundation
import Testing
import ModelIO

/// Hostile model.json values: each is an error naming the key, never a trap, an unbounded loop
/// or a misleading message.
@Suite struct ModelConfigHardeningTests {
    private var fixtureText: String {
        get throws { try String(contentsOfFile: Fixtures.tinyA + "/model.json", encoding: .utf8) }
    }

    /// The message of decoding tiny-a's model.json with `original` replaced by `replacement`.
    private func decodeError(replacing original: String, with replacement: String) throws -> String? {
        let text = try fixtureText
        #expect(text.contains(original), "fixture has no \(original)")
        let edited = text.replacingOccurrences(of: original, with: replacement)
        return errorMessage { _ = try ModelConfig.decode(Data(edited.utf8), path: "model.json") }
    }

    @Test(arguments: [
        (#""encoder_points": 4"#, #""encoder_points": 4611686018427387904"#, "pixel_decoder.encoder_points: 4611686018427387904 is too large: at most 1024"),
        ("\"dims\": [\n        16,", "\"dims\": [\n        4611686018427387904,", "clip.vision.dims[0]: 4611686018427387904 is too large: at most 65536"),
        (#""mlp_ratio": 4"#, #""mlp_ratio": 4611686018427387904"#, "clip.vision.mlp_ratio: 4611686018427387904 is too large: at most 64"),
        (#""width": 16"#, #""width": 4611686018427387904"#, "clip.text.width: 4611686018427387904 is too large: at most 65536"),
        ("\"depths\": [\n        1,", "\"depths\": [\n        1000000000,", "clip.vision.depths[0]: 1000000000 is too large: at most 1024"),
        (#""layers": 2"#, #""layers": 1000000"#, "clip.text.layers: 1000000 is too large: at most 1024"),
        (#""num_queries": 10"#, #""num_queries": 9223372036854775807"#, "transformer_decoder.num_queries: 9223372036854775807 is too large"),
        (#""max_size_test": 120"#, #""max_size_test": 1000000"#, "input.max_size_test: 1000000 is too large: at most 16384"),
    ])
    func hugeValuesAreBoundedNotTrapped(original: String, replacement: String, expected: String) throws {
        let message = try decodeError(replacing: original, with: replacement)
        #expect(message?.hasPrefix("model.json: \(expected)") == true, "\(message ?? "no error")")
    }

    @Test func integersBeyond64BitsAreOutOfRangeNotInvalidJSON() throws {
        let message = try decodeError(replacing: #""kernel_size": 7"#, with: #""kernel_size": 184467440737095516150"#)
        #expect(message?.hasPrefix("model.json: clip.vision.kernel_size: 184467440737095516150 is out of range") == true, "\(message ?? "")")
        let inList = try decodeError(replacing: "\"depths\": [\n        1,\n        1,", with: "\"depths\": [\n        1,\n        -99999999999999999999,")
        #expect(inList?.hasPrefix("model.json: clip.vision.depths[1]: -99999999999999999999 is out of range") == true, "\(inList ?? "")")
        let fraction = try decodeError(replacing: #""num_queries": 10"#, with: #""num_queries": 10.5"#)
        #expect(fraction == "model.json: transformer_decoder.num_queries: expected an integer, found 10.5")
        // A fraction where a number belongs is fine; an exponent-written integer too.
        #expect(try decodeError(replacing: #""num_queries": 10"#, with: #""num_queries": 1e1"#) == nil)
        // Broken JSON, a malformed number included, is still called that.
        #expect(try decodeError(replacing: #""num_queries": 10"#, with: #""num_queries": 10,,"#) == "model.json: not valid JSON")
        #expect(try decodeError(replacing: #""num_queries": 10"#, with: #""num_queries": 1-0"#) == "model.json: not valid JSON")
        #expect(try decodeError(replacing: #""num_queries": 10"#, with: #""num_queries": 010"#) == "model.json: not valid JSON")
    }

    @Test func aListGivenAsANumberSaysWhatListIsExpected() throws {
        let message = try decodeError(replacing: "\"dims\": [\n        16,\n        24,\n        32,\n        48\n      ]", with: "\"dims\": 16")
        #expect(message == "model.json: clip.vision.dims: expected a list of 4 integers")
        let element = try decodeError(replacing: "\"dims\": [\n        16,", with: "\"dims\": [\n        \"16\",")
        #expect(element == "model.json: clip.vision.dims[0]: expected an integer")
    }

    @Test func epsErrorsNameTheirOwnKey() throws {
        #expect(try decodeError(replacing: #""gn_eps": 1e-05"#, with: #""gn_eps": 0"#)
                == "model.json: pixel_decoder.gn_eps: must be a positive number, got 0.0")
        #expect(try decodeError(replacing: #""ln_eps": 1e-06"#, with: #""ln_eps": -1"#)
                == "model.json: clip.vision.ln_eps: must be a positive number, got -1.0")
        #expect(try decodeError(replacing: #""ln_eps": 1e-05"#, with: #""ln_eps": 0"#)
                == "model.json: clip.text.ln_eps: must be a positive number, got 0.0")
    }

    @Test func duplicateKeysAreRejectedByName() throws {
        #expect(try decodeError(replacing: #""name": "tiny-a","#, with: #""name": "tiny-a", "name": "other","#)
                == "model.json: name: is given twice in the same object; keep one (JSON readers disagree on which value wins)")
        let nested = try decodeError(replacing: #""mask_dim": 32,"#, with: #""mask_dim": 32, "mask_dim": 64,"#)
        #expect(nested?.hasPrefix("model.json: pixel_decoder.mask_dim: is given twice") == true, "\(nested ?? "")")
        // An escaped spelling is the same key.
        let escaped = try decodeError(replacing: #""name": "tiny-a","#, with: #""name": "tiny-a", "n\u0061me": "other","#)
        #expect(escaped?.hasPrefix("model.json: name: is given twice") == true, "\(escaped ?? "")")
        // The same key in two different objects is fine: tiny-a has "mlp_ratio" in vision and text.
        #expect(try fixtureText.components(separatedBy: #""mlp_ratio""#).count == 3)
        #expect(try decodeError(replacing: #""name": "tiny-a","#, with: #""name": "tiny-a","#) == nil)
    }

    @Test func weightSchemaReportsOverflowInsteadOfTrapping() throws {
        // A configuration built in code skips model.json's limits; the schema still never traps.
        var config = try ModelConfig.load(path: Fixtures.tinyA + "/model.json")
        config.pixelDecoder.encoderPoints = 1 << 62
        let message = errorMessage { _ = try WeightSchema.fcclip(config) }
        #expect(message?.hasPrefix("model.json: pixel_decoder.encoder_points: ") == true, "\(message ?? "")")
        config = try ModelConfig.load(path: Fixtures.tinyA + "/model.json")
        config.clip.vision.dims = [16, 24, 32, 1 << 62]
        #expect(errorMessage { _ = try WeightSchema.fcclip(config) }?.contains("does not fit in 64 bits") == true)
        config = try ModelConfig.load(path: Fixtures.tinyA + "/model.json")
        config.clip.vision.depths = [1_000_000_000, 1, 2, 1]
        let budget = WeightBudget(tensors: 300, values: .max, origin: "test budget")
        let depthMessage = errorMessage { _ = try WeightSchema.fcclip(config, budget: budget) }
        #expect(depthMessage == "model.json: clip.vision.depths: implies more than 300 tensors, but test budget: model.json does not describe these weights")
    }

    @Test func bundleBoundsTheSchemaByTheWeightFile() throws {
        // Within model.json's limits, but far more than tiny-a's 227 tensors and 4.3 MB can hold.
        let dir = try TemporaryDirectory()
        let text = try fixtureText
            .replacingOccurrences(of: "\"depths\": [\n        1,\n        1,\n        2,\n        1\n      ]", with: "\"depths\": [1000, 1000, 1000, 1000]")
            .replacingOccurrences(of: "\"weights\": \"weights.safetensors\"", with: "\"weights\": \"\(Fixtures.tinyA)/weights.safetensors\"")
            .replacingOccurrences(of: "../../tokenizer/", with: Fixtures.path("tokenizer") + "/")
        try Data(text.utf8).write(to: URL(fileURLWithPath: dir.file("model.json")))
        let message = errorMessage { _ = try ModelBundle(directory: dir.path) }
        #expect(message == "\(dir.file("model.json")): clip.vision.depths: implies more than 1251 tensors, but weights.safetensors holds 227 tensors, "
                + "4291520 bytes of data: model.json does not describe these weights", "\(message ?? "")")

        let wide = try fixtureText
            .replacingOccurrences(of: "        48\n      ]", with: "        60000\n      ]")
            .replacingOccurrences(of: "\"weights\": \"weights.safetensors\"", with: "\"weights\": \"\(Fixtures.tinyA)/weights.safetensors\"")
            .replacingOccurrences(of: "../../tokenizer/", with: Fixtures.path("tokenizer") + "/")
        try Data(wide.utf8).write(to: URL(fileURLWithPath: dir.file("model.json")))
        let wideMessage = errorMessage { _ = try ModelBundle(directory: dir.path) }
        #expect(wideMessage?.contains("implies more values than the weights can hold") == true, "\(wideMessage ?? "")")
    }
}
