import Foundation
import Testing
import ModelIO
import Tensor

/// Bundles built in a temporary folder from tiny-a, then damaged one way each.
@Suite struct ModelBundleTests {
    /// A copy of tiny-a's model.json and weights with the tokenizer path made absolute.
    private func copyOfTinyA(editWeights: ((inout [String: Tensor]) -> Void)? = nil,
                             editConfig: ((inout [String: Any]) -> Void)? = nil) throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Fixtures.tinyA + "/model.json"))) as! [String: Any]
        config["tokenizer"] = Fixtures.path("tokenizer/bpe_simple_vocab_16e6.txt.gz")
        editConfig?(&config)
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: dir.file("model.json")))
        if let editWeights {
            let source = try SafeTensorsFile(path: Fixtures.tinyA + "/weights.safetensors")
            var tensors = [String: Tensor]()
            for name in source.names { tensors[name] = try source.tensor(name) }
            editWeights(&tensors)
            var writer = SafeTensorsWriter()
            for (name, t) in tensors { try writer.add(name, t) }
            try writer.write(to: dir.file("weights.safetensors"))
        } else {
            try FileManager.default.copyItem(atPath: Fixtures.tinyA + "/weights.safetensors", toPath: dir.file("weights.safetensors"))
        }
        return dir
    }

    @Test func loadsFixtureBundle() throws {
        let bundle = try ModelBundle(directory: Fixtures.tinyA)
        #expect(bundle.config.name == "tiny-a")
        #expect(bundle.tokenizerPath.hasSuffix("Fixtures/tokenizer/bpe_simple_vocab_16e6.txt.gz"))
        let stem = try bundle.weights.scoped("backbone.clip_model").scoped("visual.trunk").tensor("stem.0.weight", [16, 3, 4, 4])
        #expect(stem.shape == [16, 3, 4, 4])
    }

    @Test func scopedLookupErrorsNameTheFullKey() throws {
        let bundle = try ModelBundle(directory: Fixtures.tinyA)
        let scope = bundle.weights.scoped("sem_seg_head.predictor")
        #expect(scope.key("query_feat.weight") == "sem_seg_head.predictor.query_feat.weight")
        let message = errorMessage { _ = try scope.tensor("query_feat.weight", [250, 32]) }
        #expect(message?.contains("tensor 'sem_seg_head.predictor.query_feat.weight' has shape 10x32, expected 250x32") == true)
    }

    @Test func missingAndMisshapenTensorsAreReported() throws {
        let dir = try copyOfTinyA(editWeights: { t in
            t.removeValue(forKey: "sem_seg_head.predictor.decoder_norm.bias")
            t["void_embedding.weight"] = Tensor(shape: [1, 25])
            t["extra.thing"] = Tensor(shape: [2])
        })
        let check = try ModelBundle(directory: dir.path).check()
        #expect(!check.isComplete)
        #expect(check.missing.map(\.key) == ["sem_seg_head.predictor.decoder_norm.bias"])
        #expect(check.misshapen == [.init(key: "void_embedding.weight", expected: [1, 24], found: [1, 25])])
        #expect(check.unexpected == ["extra.thing"])
    }

    @Test func configThatDisagreesWithWeights() throws {
        let dir = try copyOfTinyA(editConfig: { c in
            var td = c["transformer_decoder"] as! [String: Any]
            td["num_queries"] = 12
            c["transformer_decoder"] = td
        })
        let check = try ModelBundle(directory: dir.path).check()
        #expect(Set(check.misshapen.map(\.key)) == ["sem_seg_head.predictor.query_feat.weight", "sem_seg_head.predictor.query_embed.weight"])
    }

    @Test func truncatedWeightsNameTheFile() throws {
        let dir = try copyOfTinyA()
        let path = dir.file("weights.safetensors")
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))
        let message = errorMessage { _ = try ModelBundle(directory: dir.path) }
        #expect(message?.hasPrefix("\(path): file is truncated (tensor '") == true, "\(message ?? "")")
    }

    @Test func missingPiecesAreNamed() throws {
        #expect(errorMessage { _ = try ModelBundle(directory: "/nonexistent/bundle") } == "/nonexistent/bundle: model bundle folder not found")

        let noConfig = try TemporaryDirectory()
        #expect(errorMessage { _ = try ModelBundle(directory: noConfig.path) } == "\(noConfig.file("model.json")): model configuration not found")

        let noWeights = try copyOfTinyA()
        try FileManager.default.removeItem(atPath: noWeights.file("weights.safetensors"))
        #expect(errorMessage { _ = try ModelBundle(directory: noWeights.path) }?.contains("weight file named by model.json 'weights' not found") == true)

        let badTokenizer = try copyOfTinyA(editConfig: { $0["tokenizer"] = "vocab.txt" })
        try "not gzip".write(toFile: badTokenizer.file("vocab.txt"), atomically: true, encoding: .utf8)
        #expect(errorMessage { _ = try ModelBundle(directory: badTokenizer.path) }?.contains("must be gzip-compressed") == true)

        let noTokenizer = try copyOfTinyA(editConfig: { $0["tokenizer"] = "missing.txt.gz" })
        #expect(errorMessage { _ = try ModelBundle(directory: noTokenizer.path) }?.contains("tokenizer vocabulary named by model.json 'tokenizer'") == true)
    }

    @Test func fixtureCopiesMatchShared() throws {
        // Tests/Fixtures must be unchanged copies of ../shared/fixtures where that exists.
        let shared = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/fixtures")
        guard FileManager.default.fileExists(atPath: shared.path) else { return }
        for relative in ["fcclip/tiny-a/weights.safetensors", "fcclip/tiny-a/io.safetensors", "fcclip/tiny-b/weights.safetensors",
                         "fcclip/postproc-a/io.safetensors", "tokenizer/bpe_simple_vocab_16e6.txt.gz", "tokenizer/cases.json"] {
            let ours = try Data(contentsOf: Fixtures.root.appendingPathComponent(relative))
            let theirs = try Data(contentsOf: shared.appendingPathComponent(relative))
            #expect(ours == theirs, "\(relative) differs from ../shared")
        }
    }
}
