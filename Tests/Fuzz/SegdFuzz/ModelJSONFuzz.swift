import Foundation
import ModelIO

/// model.json: strict decoding, validation, and the weight schema it implies (bounded by a
/// budget the size of a small weight file, as `segd model inspect` bounds it by the real one).
enum ModelJSONFuzz {
    static let budget = WeightBudget(tensors: 4_096, values: 1 << 24, origin: "the fuzz budget")

    static let target = FuzzTarget(name: "model-json", summary: "ModelConfig.decode, validate, WeightSchema") { input in
        guard let config = try? ModelConfig.decode(Data(input), path: "model.json") else { return }
        guard (try? config.validate(path: "model.json")) != nil else { return }
        guard let schema = try? WeightSchema.fcclip(config, path: "model.json", budget: budget) else { return }
        precondition(schema.count <= budget.tensors, "the schema has more tensors than its budget")
        precondition(Set(schema.map(\.key)).count == schema.count, "the schema repeats a key")
    }
}
