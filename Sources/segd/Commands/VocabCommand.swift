import ArgumentParser
import CLIP
import Foundation
import ModelIO

struct VocabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vocab",
        abstract: "Work with vocabularies and their text classifiers.",
        subcommands: [VocabEncodeCommand.self]
    )
}

/// `segd vocab encode --model BUNDLE --vocab V…`: fills the text classifier cache ahead of time.
struct VocabEncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encode vocabularies into the text classifier cache ahead of time.",
        discussion: """
        Builds the text classifier of each --vocab with the bundle's text tower, reading every \
        synonym already in the cache and encoding the others (14 prompts each), and writes them \
        to the cache, so that `segd segment` and `segd serve` with the same model and cache \
        folder start without encoding. Prints, per vocabulary, how many synonyms were found and \
        how many computed. For the daemon's cache run it as the daemon's user with --cache-dir \
        /var/cache/segd. Exit status 1 when an entry could not be written (the folder is named).
        """
    )

    @Option(help: "The model bundle folder.")
    var model: String

    @Option(help: "Vocabulary: a built-in NAME, @FILE, or inline classes (repeat for several).")
    var vocab: [String]

    @OptionGroup var cache: CacheOptions

    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        if vocab.isEmpty { throw ValidationError("give at least one --vocab") }
    }

    func run() throws {
        compute.apply()
        let warnings = WarningLog()
        guard let cache = cache.cache(warn: { warnings.add($0) }) else {
            throw CLIError("no cache folder: give --cache-dir, or set XDG_CACHE_HOME or HOME")
        }
        let builder: CachedTextClassifierBuilder
        let vocabularies: [Vocabulary]
        do {
            let bundle = try ModelBundle(directory: model)
            vocabularies = try vocab.map { try Vocabulary.resolve($0) }
            let config = bundle.config.clip
            guard config.text.vocabSize == CLIPTokenizer.vocabularySize else {
                throw CLIError("\(bundle.directory)/model.json: clip.text.vocab_size is \(config.text.vocabSize), "
                               + "but the CLIP BPE tokenizer has \(CLIPTokenizer.vocabularySize) ids")
            }
            let clip = bundle.weights.scoped("backbone.clip_model")
            builder = CachedTextClassifierBuilder(
                tokenizer: try CLIPTokenizer(vocabularyPath: bundle.tokenizerPath),
                encoder: try CLIPTextEncoder(clip, config: config),
                voidEmbedding: try bundle.weights.tensor("void_embedding.weight", [1, config.embedDim]),
                cache: cache)
        } catch {
            throw CLIError(String(describing: error))
        }
        let digestStart = ContinuousClock.now
        let digest = builder.modelDigest
        print("cache \(cache.entriesDirectory); text tower \(digest.hex.prefix(16)) (digest in \(Self.seconds(since: digestStart)))")
        var unwritten = 0
        for (spec, vocabulary) in zip(vocab, vocabularies) {
            let start = ContinuousClock.now
            let report = builder.classifier(for: vocabulary).report
            let name = spec.count > 40 ? String(spec.prefix(37)) + "..." : spec
            var line = "\(name): \(vocabulary.classes.count) classes, \(report.synonyms) synonyms: \(report.found) found, "
                + "\(report.computed) computed (\(report.promptsEncoded) prompts)"
            if report.rejected > 0 { line += ", \(report.rejected) damaged entries replaced" }
            print(line + ", \(report.stored) written, \(Self.seconds(since: start))")
            unwritten += report.computed - report.stored
        }
        for warning in warnings.messages { TextEmbeddingCache.warnOnStandardError(warning) }
        if unwritten > 0 {
            throw CLIError("\(unwritten) entries could not be written to \(cache.entriesDirectory); "
                           + "check that the folder is writable by this user and that the disk has room")
        }
    }

    private static func seconds(since start: ContinuousClock.Instant) -> String {
        let d = ContinuousClock.now - start
        return String(format: "%.2f s", Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
    }
}

/// Collects warnings from another thread, to print them at the end.
final class WarningLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []

    func add(_ message: String) {
        lock.lock()
        list.append(message)
        lock.unlock()
    }

    var messages: [String] {
        lock.lock()
        defer { lock.unlock() }
        return list
    }
}
