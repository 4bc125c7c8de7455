import CFFmpeg

/// FFmpeg's own logging, which by default prints warnings and errors to stderr.
///
/// segd reports every FFmpeg failure through `MediaError` (with FFmpeg's message for the
/// error code), so FFmpeg's log would only duplicate those messages and add noise such as
/// "deprecated pixel format used" or per-packet warnings for damaged files. Every entry point
/// of `Media` that calls FFmpeg first calls `FFmpegLogging.configure()`, which sets the log
/// level to `AV_LOG_QUIET` exactly once per process (a lazily initialised global, so the
/// first call wins and later calls cost nothing). To see FFmpeg's log while debugging, call
/// `av_log_set_level(AV_LOG_VERBOSE)` *after* the first `Media` call (or after calling
/// `configure()` yourself): `configure()` never changes the level again.
public enum FFmpegLogging {
    /// Silences FFmpeg's logging the first time it is called; later calls do nothing.
    public static func configure() {
        _ = silenceOnce
    }
}

/// Runs once, thread-safely (Swift globals are initialised with `swift_once`).
private let silenceOnce: Void = {
    av_log_set_level(AV_LOG_QUIET)
}()
