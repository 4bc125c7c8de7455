import CLIP
import FCCLIP
import Foundation
import ModelIO

extension StreamConfig {
    /// The largest model input this stream gives the model of `input`: its short side and the
    /// cap on its long side (`input_size`, `input_max_size`, or the bundle's defaults and ratio).
    public func modelInputBounds(_ input: ModelConfig.InputConfig) -> (short: Int, long: Int) {
        Self.modelInputBounds(inputSize: inputSize, inputMaxSize: inputMaxSize, input)
    }

    static func modelInputBounds(inputSize: Int?, inputMaxSize: Int?, _ input: ModelConfig.InputConfig) -> (short: Int, long: Int) {
        let short = inputSize ?? input.minSizeTest
        let long = inputMaxSize
            ?? Int((Double(short) * Double(input.maxSizeTest) / Double(max(input.minSizeTest, 1))).rounded())
        return (short, long)
    }

    /// `WorkingMemory`'s estimate for this stream's largest input, in bytes.
    public func estimatedWorkingMemory(_ config: ModelConfig) -> Int {
        let bounds = modelInputBounds(config.input)
        return WorkingMemory.estimatedBytes(config: config, shortSide: bounds.short, maxSide: bounds.long)
    }
}

extension DaemonConfig {
    /// Opens `model`, compares its weights with what its model.json implies (a header
    /// comparison; no weights are read) and loads its tokenizer vocabulary. Throws a `ConfigError` about the key `model`, located at
    /// its line in `configPath` (or naming `SEGD_MODEL` when the environment set it), when the
    /// bundle is missing, unreadable or incomplete.
    @discardableResult
    public func checkModelBundle(configPath: String,
                                 environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ModelBundle {
        func failure(_ message: String) -> ConfigError {
            let variable = DaemonConfig.environmentVariable(forKey: ["model"])
            if let value = environment[variable], !value.trimmingCharacters(in: .whitespaces).isEmpty {
                return ConfigError(path: configPath, key: "model", message: "\(message) (from environment variable \(variable))")
            }
            let text = (try? String(contentsOfFile: configPath, encoding: .utf8)) ?? ""
            let line = (try? ConfigDocument(text: text, path: configPath))?.line(of: ["model"])
            return ConfigError(path: configPath, key: "model", line: line, message: message)
        }
        let bundle: ModelBundle
        do {
            bundle = try ModelBundle(directory: model)
        } catch {
            throw failure("cannot open the model bundle: \(error)")
        }
        let check = bundle.check()
        guard check.isComplete else {
            var problems: [String] = []
            if !check.missing.isEmpty { problems.append("\(check.missing.count) missing (first: \(check.missing[0].key))") }
            if !check.misshapen.isEmpty { problems.append("\(check.misshapen.count) with a wrong shape (first: \(check.misshapen[0].key))") }
            if !check.wrongDType.isEmpty { problems.append("\(check.wrongDType.count) not floating-point (first: \(check.wrongDType[0]))") }
            throw failure("the model bundle \(model) is incomplete: \(problems.joined(separator: ", ")) tensors; `segd model inspect \(model)` lists them")
        }
        // Loaded as `segd serve` loads it, so a damaged tokenizer vocabulary shows here too.
        do {
            _ = try CLIPTokenizer(vocabularyPath: bundle.tokenizerPath)
        } catch {
            throw failure("the model bundle's tokenizer vocabulary cannot be used: \(error)")
        }
        return bundle
    }

    /// Checks that every stream's input size fits in memory with `bundle`'s model: its
    /// estimated working memory must not exceed `memory_limit_mb` or, without one, this machine's
    /// physical memory. Throws a `ConfigError` at the stream's `input_size` (or the stream).
    public func checkStreamMemory(bundle: ModelBundle, configPath: String,
                                  physicalMemory: Int = Int(clamping: ProcessInfo.processInfo.physicalMemory)) throws {
        let (budget, what) = memoryLimitMegabytes.map { ($0 << 20, "memory_limit_mb (\($0))") }
            ?? (physicalMemory, "this machine's memory")
        for stream in streams {
            let needs = stream.estimatedWorkingMemory(bundle.config)
            guard needs > budget else { continue }
            let bounds = stream.modelInputBounds(bundle.config.input)
            let key = stream.inputSize != nil ? ["streams", stream.name, "input_size"] : ["streams", stream.name]
            let text = (try? String(contentsOfFile: configPath, encoding: .utf8)) ?? ""
            let line = (try? ConfigDocument(text: text, path: configPath))?.line(of: key)
            throw ConfigError(path: configPath, key: key.joined(separator: "."), line: line,
                              message: "inputs up to \(bounds.short)x\(bounds.long) need about \(MemoryBudget.gib(needs)) of working memory "
                                + "with this model, more than \(what) allows (\(MemoryBudget.gib(budget))); lower input_size and input_max_size")
        }
    }
}
