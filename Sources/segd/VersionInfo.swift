import CFFmpeg
import Tensor

/// What `segd --version` prints: segd's version and the native libraries it runs on.
enum VersionInfo {
    static let segd = "0.1.0"

    static var description: String {
        func av(_ v: UInt32) -> String {
            "\(segd_version_major(v)).\(segd_version_minor(v)).\(segd_version_micro(v))"
        }
        return """
        segd \(segd)
        OpenBLAS: \(BLASRuntime.configuration) (kernels: \(BLASRuntime.coreName))
        FFmpeg: libavformat \(av(avformat_version())), libavcodec \(av(avcodec_version())), libswscale \(av(swscale_version())), libavutil \(av(avutil_version()))
        """
    }
}
