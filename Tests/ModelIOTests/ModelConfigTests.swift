import Foundation
import Testing
import ModelIO

@Suite struct ModelConfigTests {
    private var realConfigPath: String { Fixtures.path("spec/fcclip_convnext_large.model.json") }

    private func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
    }

    /// Decodes `object` as model.json and returns the error message (nil if it decoded).
    private func decodeError(_ object: [String: Any]) -> String? {
        errorMessage { _ = try ModelConfig.decode(JSONSerialization.data(withJSONObject: object), path: "model.json") }
    }

    @Test func readsRealConvNeXtLargeConfig() throws {
        let c = try ModelConfig.load(path: realConfigPath)
        #expect(c.clip.vision.depths == [3, 3, 27, 3])
        #expect(c.clip.vision.dims == [192, 384, 768, 1536])
        #expect(c.clip.text.width == 768 && c.clip.text.layers == 16)
        #expect(c.transformerDecoder.numQueries == 250 && c.transformerDecoder.layers == 9)
        #expect(c.inference.overlapThreshold == 0.8)
        #expect(c.backboneFeatures.map(\.stride) == [4, 8, 16, 32])
    }

    @Test func readsFixtureConfigs() throws {
        let a = try ModelConfig.load(path: Fixtures.tinyA + "/model.json")
        #expect(a.clip.vision.dims == [16, 24, 32, 48] && a.inference.overlapThreshold == 0.4)
        let b = try ModelConfig.load(path: Fixtures.tinyB + "/model.json")
        #expect(b.transformerDecoder.layers == 4 && b.inference.ensembleOnValidMask)
    }

    @Test func unknownKeysAreErrorsNamingTheKey() throws {
        var root = try json(realConfigPath)
        root["colour"] = 1
        #expect(decodeError(root)?.hasPrefix("model.json: colour: unknown key") == true)

        root = try json(realConfigPath)
        var clip = root["clip"] as! [String: Any], vision = clip["vision"] as! [String: Any]
        vision["dimz"] = [1, 2, 3, 4]
        clip["vision"] = vision
        root["clip"] = clip
        let message = decodeError(root)
        #expect(message?.hasPrefix("model.json: clip.vision.dimz: unknown key (known keys here: arch, depths, dims") == true, "\(message ?? "")")

        root = try json(realConfigPath)
        var inference = root["inference"] as! [String: Any]
        inference["overlap_treshold"] = 0.5
        root["inference"] = inference
        #expect(decodeError(root)?.hasPrefix("model.json: inference.overlap_treshold: unknown key") == true)
    }

    @Test func missingKeysAreErrorsExceptInference() throws {
        var root = try json(realConfigPath)
        var decoder = root["transformer_decoder"] as! [String: Any]
        decoder.removeValue(forKey: "num_queries")
        root["transformer_decoder"] = decoder
        #expect(decodeError(root) == "model.json: transformer_decoder.num_queries: missing key")

        root = try json(realConfigPath)
        root.removeValue(forKey: "inference")
        let c = try ModelConfig.decode(JSONSerialization.data(withJSONObject: root), path: "model.json")
        #expect(c.inference == ModelConfig.InferenceConfig())
        #expect(c.inference.alpha == 0.4 && c.inference.beta == 0.8 && c.inference.detectionsPerImage == 100)

        root = try json(realConfigPath)
        root["inference"] = ["alpha": 0.3]
        let partial = try ModelConfig.decode(JSONSerialization.data(withJSONObject: root), path: "model.json")
        #expect(partial.inference.alpha == 0.3 && partial.inference.overlapThreshold == 0.8)
    }

    @Test func wrongTypesNameTheKey() throws {
        var root = try json(realConfigPath)
        var clip = root["clip"] as! [String: Any]
        clip["embed_dim"] = "768"
        root["clip"] = clip
        #expect(decodeError(root) == "model.json: clip.embed_dim: expected an integer")
        let notJSON = errorMessage { _ = try ModelConfig.decode(Data("{oops".utf8), path: "model.json") }
        #expect(notJSON == "model.json: not valid JSON")
    }

    @Test(arguments: [
        ("clip.vision.dims", "[16, 24, 32]", "needs 4 positive widths"),
        ("clip.text.heads", "5", "width 768 is not divisible by 5 heads"),
        ("pixel_decoder.mask_dim", "128", "must equal transformer_decoder.hidden_dim (256)"),
        ("pixel_decoder.transformer_in_features", #"["res3", "res9"]"#, "must be distinct names among"),
        ("pixel_decoder.common_stride", "16", "between 4 and the finest transformer feature's stride 8"),
        ("format", #""segd.fcclip.v2""#, "'segd.fcclip.v2' is not supported"),
        ("inference.alpha", "1.5", "must be between 0 and 1"),
        ("input.pixel_std", "[1.0, 0.0, 1.0]", "needs 3 positive values"),
    ])
    func invalidValuesNameKeyAndReason(key: String, valueJSON: String, fragment: String) throws {
        let value = try JSONSerialization.jsonObject(with: Data(valueJSON.utf8), options: .fragmentsAllowed)
        var root = try json(realConfigPath)
        let parts = key.split(separator: ".").map(String.init)
        if parts.count == 1 {
            root[parts[0]] = value
        } else {
            var inner = root[parts[0]] as! [String: Any]
            if parts.count == 2 {
                inner[parts[1]] = value
            } else {
                var inner2 = inner[parts[1]] as! [String: Any]
                inner2[parts[2]] = value
                inner[parts[1]] = inner2
            }
            root[parts[0]] = inner
        }
        let message = decodeError(root)
        #expect(message?.hasPrefix("model.json: \(key): ") == true, "\(message ?? "no error")")
        #expect(message?.contains(fragment) == true, "\(message ?? "no error")")
    }
}
