import Foundation
import Tensor

/// A model bundle folder: `model.json`, the weights it names (safetensors) and the BPE
/// vocabulary it names (gzip). Loading opens and validates all three: only regular files are
/// opened (`RegularFile`), and the tensors model.json implies are derived within what the
/// weight file can hold (`WeightBudget`), so no model.json makes loading loop or allocate without
/// bound.
public struct ModelBundle: Sendable {
    public let directory: String
    public let config: ModelConfig
    public let weightFile: SafeTensorsFile
    /// Absolute path of the gzip-compressed BPE vocabulary.
    public let tokenizerPath: String
    /// Every tensor `config` implies (`WeightSchema.fcclip`), derived when the bundle is opened.
    public let expected: [ExpectedTensor]

    /// Opens the bundle at `directory`.
    public init(directory: String) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir) else {
            throw ModelIOError.fileNotFound(path: directory, what: "model bundle folder")
        }
        guard isDir.boolValue else {
            throw ModelIOError.unreadable(path: directory, reason: "a model bundle is a folder holding model.json, the weights and the tokenizer vocabulary")
        }
        self.directory = directory
        let configPath = (directory as NSString).appendingPathComponent("model.json")
        config = try ModelConfig.load(path: configPath)
        let weightsPath = ModelBundle.resolve(config.weights, in: directory)
        do {
            weightFile = try SafeTensorsFile(path: weightsPath, what: "weights file (model.json 'weights')")
        } catch ModelIOError.fileNotFound(let path, _) {
            throw ModelIOError.fileNotFound(path: path, what: "weight file named by model.json 'weights'")
        }
        expected = try WeightSchema.fcclip(config, path: configPath, budget: WeightBudget(file: weightFile))
        tokenizerPath = ModelBundle.resolve(config.tokenizer, in: directory)
        try ModelBundle.checkGzip(tokenizerPath)
    }

    /// Root-scoped weight lookup.
    public var weights: Weights { Weights(weightFile) }

    static func resolve(_ relative: String, in directory: String) -> String {
        let joined = relative.hasPrefix("/") ? relative : (directory as NSString).appendingPathComponent(relative)
        return (joined as NSString).standardizingPath
    }

    /// Checks that the tokenizer vocabulary is a regular file that starts like gzip. Its content
    /// is checked when the tokenizer loads it (CLIP's `CLIPTokenizer`).
    static func checkGzip(_ path: String) throws {
        let what = "tokenizer vocabulary named by model.json 'tokenizer' (open_clip's bpe_simple_vocab_16e6.txt.gz)"
        let (fd, _) = try RegularFile.open(path: path, what: what)
        defer { close(fd) }
        var magic = [UInt8](repeating: 0, count: 2)
        let count = read(fd, &magic, 2)
        guard count == 2, magic == [0x1f, 0x8b] else {
            throw ModelIOError.unreadable(path: path, reason: "the tokenizer vocabulary must be gzip-compressed, as open_clip ships it")
        }
    }

    /// Compares the weight file with what `config` implies.
    public func check() -> BundleCheck {
        BundleCheck(expected: expected, file: weightFile)
    }
}

/// The result of comparing a weight file with the tensors its configuration implies.
public struct BundleCheck: Sendable {
    public struct Mismatch: Sendable, Equatable {
        public let key: String
        public let expected: [Int]
        public let found: [Int]
        public init(key: String, expected: [Int], found: [Int]) {
            self.key = key
            self.expected = expected
            self.found = found
        }
    }
    public let expected: [ExpectedTensor]
    /// Expected keys absent from the file.
    public let missing: [ExpectedTensor]
    /// Expected keys present with another shape.
    public let misshapen: [Mismatch]
    /// Keys in the file that the model does not use and that are not known training-only tensors.
    public let unexpected: [String]
    /// Known training-only keys present in the file (ignored).
    public let ignored: [String]
    /// Expected keys stored in a non-float dtype.
    public let wrongDType: [String]

    public init(expected: [ExpectedTensor], file: SafeTensorsFile) {
        self.expected = expected
        var missing: [ExpectedTensor] = [], misshapen: [Mismatch] = [], wrongDType: [String] = []
        for t in expected {
            guard let e = file.entries[t.key] else { missing.append(t); continue }
            if e.shape != t.shape { misshapen.append(Mismatch(key: t.key, expected: t.shape, found: e.shape)) }
            if !e.dtype.isFloatingPoint { wrongDType.append(t.key) }
        }
        let expectedKeys = Set(expected.map(\.key))
        let extra = file.names.filter { !expectedKeys.contains($0) }
        ignored = extra.filter { key in WeightSchema.ignoredPrefixes.contains { key.hasPrefix($0) } }
        unexpected = extra.filter { key in !WeightSchema.ignoredPrefixes.contains { key.hasPrefix($0) } }
        self.missing = missing
        self.misshapen = misshapen
        self.wrongDType = wrongDType
    }

    /// True when every expected tensor is present with the right shape and a float dtype.
    public var isComplete: Bool { missing.isEmpty && misshapen.isEmpty && wrongDType.isEmpty }
}
