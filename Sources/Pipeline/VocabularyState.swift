import CLIP
import Foundation

/// The vocabulary a stream is segmented into, with a version that is bumped on every change
/// (records carry it as `vocab_version`). Thread-safe: the daemon's control socket changes it
/// while the inference stage reads it once per frame.
public final class VocabularyState: @unchecked Sendable {
    private let lock = NSLock()
    private var vocabulary: Vocabulary
    private var version: Int

    public init(_ vocabulary: Vocabulary, version: Int = 0) {
        self.vocabulary = vocabulary
        self.version = version
    }

    /// The vocabulary and its version, read together.
    public var current: (vocabulary: Vocabulary, version: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (vocabulary, version)
    }

    /// Replaces the vocabulary; returns the new version. Setting an equal vocabulary changes nothing.
    @discardableResult
    public func set(_ newValue: Vocabulary) -> Int {
        lock.lock()
        defer { lock.unlock() }
        if newValue != vocabulary {
            vocabulary = newValue
            version += 1
        }
        return version
    }
}
