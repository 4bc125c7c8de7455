/// Why a BPE vocabulary could not be loaded. Every case names the file.
public enum CLIPTokenizerError: Error, CustomStringConvertible, Equatable {
    /// The file is missing or unreadable, or is not a complete gzip stream.
    case unreadable(path: String, reason: String)
    /// The file decompressed but does not hold open_clip's BPE merges.
    case invalidVocabulary(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "\(path): cannot read the BPE vocabulary: \(reason)"
        case .invalidVocabulary(let path, let reason):
            return "\(path): not open_clip's BPE vocabulary (bpe_simple_vocab_16e6.txt.gz): \(reason)"
        }
    }
}
