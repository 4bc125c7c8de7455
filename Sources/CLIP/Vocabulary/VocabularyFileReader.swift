import Foundation
import ModelIO

/// Reads a vocabulary file through ModelIO's `RegularFile`: a regular file only (a FIFO or a
/// device would block or never end), and never more than `VocabularyLimits.maxTextBytes` of it.
enum VocabularyFileReader {
    static func contents(of path: String) throws -> Data {
        do {
            return try RegularFile.read(path: path, what: "vocabulary file", limit: VocabularyLimits.maxTextBytes)
        } catch let error as ModelIOError {
            if case .tooLarge = error { throw VocabularyError(.tooLarge, at: nil, error.description) }
            throw VocabularyError(.unreadableFile, at: nil, error.description)
        }
    }
}
