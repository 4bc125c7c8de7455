import ArgumentParser
import CLIP
import Foundation

/// The text classifier cache options of `segd segment` and `segd vocab encode`.
struct CacheOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The cache folder for text classifiers (default: $XDG_CACHE_HOME/segd, else ~/.cache/segd).",
        valueName: "dir"))
    var cacheDir: String?

    @Option(help: ArgumentHelp(
        "Bound on the text classifier cache in MiB; least recently used entries are deleted beyond it.",
        valueName: "mib"))
    var cacheMaxMb: Int = TextEmbeddingCache.defaultMaxBytes >> 20

    func validate() throws {
        if cacheMaxMb < 1 || cacheMaxMb > 1 << 20 { throw ValidationError("--cache-max-mb must be from 1 to 1048576 (MiB)") }
        if let cacheDir, cacheDir.isEmpty { throw ValidationError("--cache-dir must name a folder") }
    }

    /// The folder: `--cache-dir`, else `CacheLocation.defaultDirectory`.
    var directory: String? {
        cacheDir.map { ($0 as NSString).expandingTildeInPath }
            ?? CacheLocation.defaultDirectory(environment: ProcessInfo.processInfo.environment)
    }

    /// The cache, or nil (with a warning) when there is no folder to use.
    func cache(warn: @escaping @Sendable (String) -> Void = TextEmbeddingCache.warnOnStandardError) -> TextEmbeddingCache? {
        guard let directory else {
            warn("text classifier cache: no --cache-dir, XDG_CACHE_HOME or HOME; classifiers are computed in memory")
            return nil
        }
        return TextEmbeddingCache(directory: directory, maxBytes: cacheMaxMb << 20, warn: warn)
    }
}
