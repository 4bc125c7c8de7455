import CLIP
import Foundation
import Testing

/// Classifiers built through the on-disk cache: equal to the computed ones, per-synonym reuse,
/// damaged entries recomputed, folder failures tolerated, concurrent writers.
@Suite struct CachedTextClassifierTests {
    @Test func coldBuildIsTheComputedClassifierAndAWarmBuildReadsItBackBitForBit() throws {
        let model = try TextCacheFixture.model()
        let coco = try Vocabulary.resolve("coco")
        let scratch = CacheScratch()
        let direct = model.textClassifier(for: coco)

        let cold = CachedTextClassifierBuilder(model: model, cache: scratch.cache()).classifier(for: coco)
        #expect(cold.report.synonyms == 254 && cold.report.computed == 254 && cold.report.found == 0)
        #expect(cold.report.stored == 254 && cold.report.promptsEncoded == 3556)
        #expect(TextCacheFixture.bits(cold.classifier) == TextCacheFixture.bits(direct))
        #expect(cold.classifier.synonymCounts == direct.synonymCounts)
        #expect(scratch.entryNames.count == 254)

        // A new builder and cache object: what a second process start does.
        let warmBuilder = CachedTextClassifierBuilder(model: model, cache: scratch.cache())
        let warm = warmBuilder.classifier(for: coco)
        #expect(warm.report.found == 254 && warm.report.computed == 0 && warm.report.promptsEncoded == 0)
        #expect(warmBuilder.promptsEncoded == 0)
        #expect(TextCacheFixture.bits(warm.classifier) == TextCacheFixture.bits(direct))
    }

    @Test func changingOneClassEncodesOnlyThatClassesPrompts() throws {
        let model = try TextCacheFixture.model()
        let coco = try Vocabulary.resolve("coco")
        let scratch = CacheScratch()
        _ = CachedTextClassifierBuilder(model: model, cache: scratch.cache()).classifier(for: coco)

        var classes = coco.classes.map { (synonyms: $0.synonyms, isThing: $0.isThing) }
        classes[57] = (["settee", "davenport", "chesterfield"], true)  // was couch
        let changed = try Vocabulary(classes: classes)
        let builder = CachedTextClassifierBuilder(model: model, cache: scratch.cache())
        let result = builder.classifier(for: changed)
        #expect(result.report.computed == 3 && result.report.found == 254 - coco.classes[57].synonyms.count)
        #expect(result.report.promptsEncoded == 3 * PromptTemplates.vild.count)
        #expect(builder.promptsEncoded == 3 * PromptTemplates.vild.count)
        // Equal to computing the changed vocabulary from scratch (the changed class is encoded
        // in a batch of its own, so only summation order may differ).
        let direct = model.textClassifier(for: changed).embeddings.scalars
        let got = result.classifier.embeddings.scalars
        #expect(got.count == direct.count)
        #expect(zip(got, direct).allSatisfy { abs($0 - $1) <= 1e-6 })
        #expect(result.classifier.synonymCounts == changed.synonymCounts)
    }

    @Test func aSynonymThatAppearsTwiceIsEncodedOnce() throws {
        let model = try TextCacheFixture.model()
        let vocabulary = try Vocabulary(classes: [(["dog", "hound"], true), (["puppy", "dog"], true)])
        let builder = CachedTextClassifierBuilder(model: model, cache: nil)
        let result = builder.classifier(for: vocabulary)
        #expect(result.report.synonyms == 3 && result.report.computed == 3 && result.report.stored == 0)
        let e = model.textEncoder.embedDim, rows = result.classifier.embeddings.scalars
        #expect(Array(rows[0..<e]) == Array(rows[(3 * e)..<(4 * e)]))  // "dog" in both classes
        #expect(zip(rows, model.textClassifier(for: vocabulary).embeddings.scalars).allSatisfy { abs($0 - $1) <= 1e-6 })
    }

    @Test func damagedTruncatedAndForeignEntriesAreRecomputedAndRewritten() throws {
        let model = try TextCacheFixture.model()
        let vocabulary = try Vocabulary(classes: [(["cat"], true), (["dog"], true), (["bird"], true), (["sky"], false)])
        let scratch = CacheScratch()
        let first = CachedTextClassifierBuilder(model: model, cache: scratch.cache())
        let reference = first.classifier(for: vocabulary).classifier
        let cache = scratch.cache()
        let path = { (synonym: String) in cache.path(for: first.key(synonym: synonym)) }

        // A flipped payload bit, a cut file, another synonym's entry under this name, garbage.
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path("cat"))))
        bytes[EmbeddingCacheEntry.headerSize + 5] ^= 0x10
        try Data(bytes).write(to: URL(fileURLWithPath: path("cat")))
        let dog = try Data(contentsOf: URL(fileURLWithPath: path("dog")))
        try dog.prefix(dog.count - 4).write(to: URL(fileURLWithPath: path("dog")))
        try FileManager.default.removeItem(atPath: path("bird"))
        try FileManager.default.copyItem(atPath: path("sky"), toPath: path("bird"))
        try FileManager.default.removeItem(atPath: path("sky"))
        try Data(repeating: 0x41, count: 152).write(to: URL(fileURLWithPath: path("sky")))

        let second = CachedTextClassifierBuilder(model: model, cache: cache).classifier(for: vocabulary)
        #expect(second.report.rejected == 4 && second.report.computed == 4 && second.report.stored == 4)
        #expect(TextCacheFixture.bits(second.classifier) == TextCacheFixture.bits(reference))
        // Rewritten: a third build finds every entry.
        let third = CachedTextClassifierBuilder(model: model, cache: scratch.cache()).classifier(for: vocabulary)
        #expect(third.report.found == 4 && third.report.rejected == 0)
        #expect(TextCacheFixture.bits(third.classifier) == TextCacheFixture.bits(reference))
    }

    @Test func anUnusableFolderWarnsOnceAndTheClassifierIsComputedInMemory() throws {
        let model = try TextCacheFixture.model()
        let vocabulary = try Vocabulary.resolve("thing: person; dog; stuff: sky")
        let scratch = CacheScratch()
        try FileManager.default.createDirectory(atPath: scratch.path, withIntermediateDirectories: true)
        // The cache folder's parent is a regular file: nothing can be created there, even as root.
        let blocked = scratch.path + "/file"
        try Data("not a folder".utf8).write(to: URL(fileURLWithPath: blocked))
        let warnings = Warnings()
        let cache = TextEmbeddingCache(directory: blocked + "/segd", warn: { warnings.add($0) })
        let builder = CachedTextClassifierBuilder(model: model, cache: cache)
        let first = builder.classifier(for: vocabulary)
        let second = builder.classifier(for: try Vocabulary.resolve("thing: cat; stuff: grass"))
        #expect(first.report.computed == 3 && first.report.stored == 0)
        #expect(second.report.computed == 2 && second.report.stored == 0)
        #expect(TextCacheFixture.bits(first.classifier) == TextCacheFixture.bits(model.textClassifier(for: vocabulary)))
        #expect(warnings.messages.count == 1)
        #expect(warnings.messages.first?.contains(blocked) == true)
        #expect(warnings.messages.first?.contains("computed in memory") == true)
    }

    @Test func concurrentWritersLeaveOnlyWholeEntries() throws {
        let model = try TextCacheFixture.model()
        let coco = try Vocabulary.resolve("coco")
        let reference = TextCacheFixture.bits(model.textClassifier(for: coco))
        let scratch = CacheScratch()
        // Four builders with their own cache objects race on one folder, twice over.
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<2 {
                let built = CachedTextClassifierBuilder(model: model, cache: scratch.cache()).classifier(for: coco)
                results.add(TextCacheFixture.bits(built.classifier), rejected: built.report.rejected)
            }
        }
        #expect(results.all.allSatisfy { $0 == reference })
        #expect(results.rejected == 0)
        #expect(scratch.entryNames.count == 254)
        #expect(scratch.entryNames.allSatisfy { $0.hasSuffix(TextEmbeddingCache.entryExtension) })
        let final = CachedTextClassifierBuilder(model: model, cache: scratch.cache()).classifier(for: coco)
        #expect(final.report.found == 254)
    }
}

private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [[UInt32]] = []
    private var rejectedTotal = 0
    func add(_ bits: [UInt32], rejected: Int) { lock.lock(); list.append(bits); rejectedTotal += rejected; lock.unlock() }
    var all: [[UInt32]] { lock.lock(); defer { lock.unlock() }; return list }
    var rejected: Int { lock.lock(); defer { lock.unlock() }; return rejectedTotal }
}
