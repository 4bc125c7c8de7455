import Foundation
import Testing
import ModelIO

@Suite struct WeightSchemaTests {
    /// The official ConvNeXt-L state dict (key, shape), as listed in the spec's TSV, which
    /// was derived by instantiating the official modules: an independent reference.
    private func officialStateDict() throws -> [String: [Int]] {
        let text = try String(contentsOfFile: Fixtures.path("spec/fcclip-convnext-large-state-dict.tsv"), encoding: .utf8)
        var out: [String: [Int]] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let cols = line.split(separator: "\t")
            let shape = cols[1] == "scalar" ? [] : cols[1].split(separator: "x").map { Int($0)! }
            out[String(cols[0])] = shape
        }
        return out
    }

    @Test func realConfigImpliesExactlyTheOfficialStateDict() throws {
        let config = try ModelConfig.load(path: Fixtures.path("spec/fcclip_convnext_large.model.json"))
        let schema = try WeightSchema.fcclip(config)
        var official = try officialStateDict()
        #expect(official.removeValue(forKey: "criterion.empty_weight") == [134])
        let ours = Dictionary(uniqueKeysWithValues: schema.map { ($0.key, $0.shape) })
        #expect(schema.count == ours.count, "duplicate keys in the schema")
        #expect(Set(ours.keys).subtracting(official.keys).sorted() == [])
        #expect(Set(official.keys).subtracting(ours.keys).sorted() == [])
        for (key, shape) in official { #expect(ours[key] == shape, "\(key)") }
        // The TSV's stated total, less the 134-element training-only tensor.
        let total: Int = schema.map { $0.shape.reduce(1, *) }.reduce(0, +)
        #expect(total == 372_494_344 - 134)
    }

    @Test(arguments: ["fcclip/tiny-a", "fcclip/tiny-b"])
    func fixtureBundlesAreComplete(folder: String) throws {
        let bundle = try ModelBundle(directory: Fixtures.path(folder))
        let check = bundle.check()
        #expect(check.isComplete)
        #expect(check.missing.isEmpty && check.misshapen.isEmpty && check.unexpected.isEmpty)
        #expect(check.ignored == ["criterion.empty_weight"])
        #expect(check.expected.count + 1 == bundle.weightFile.entries.count)
    }

    @Test func decoderInputProjectionsAppearOnlyWhenWidthsDiffer() throws {
        var config = try ModelConfig.load(path: Fixtures.tinyA + "/model.json")
        #expect(try !WeightSchema.fcclip(config).contains { $0.key.hasPrefix("sem_seg_head.predictor.input_proj") })
        config.pixelDecoder.convDim = 64
        let keys = try WeightSchema.fcclip(config).filter { $0.key.hasPrefix("sem_seg_head.predictor.input_proj") }
        #expect(keys.map(\.key) == (0..<3).flatMap { ["sem_seg_head.predictor.input_proj.\($0).weight", "sem_seg_head.predictor.input_proj.\($0).bias"] })
        #expect(keys.first?.shape == [32, 64, 1, 1])
    }
}
