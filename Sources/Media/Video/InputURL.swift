/// How `VideoSource` reads a URL: the string given to `avformat_open_input`, the demuxer to
/// force, and whether it is a live source (network stream or capture device).
struct InputURL {
    /// What `avformat_open_input` opens (a device URL's path, otherwise the URL unchanged).
    let openName: String
    /// The demuxer to force, if any.
    let inputFormat: String?
    let isNetwork: Bool
    let isDevice: Bool
    /// Lower-cased URL scheme, nil for a plain path.
    let scheme: String?

    static let networkSchemes: Set<String> = [
        "http", "https", "tcp", "udp", "rtp", "rtsp", "rtsps", "rtmp", "rtmps", "srt", "tls", "mmsh", "mmst", "hls",
    ]

    init(_ url: String, forcedFormat: String?) {
        var scheme: String? = nil
        if let range = url.range(of: "://") {
            let candidate = url[..<range.lowerBound]
            if !candidate.isEmpty, candidate.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }) {
                scheme = candidate.lowercased()
            }
        }
        self.scheme = scheme
        if let scheme, scheme == "v4l2" || scheme == "video4linux2" {
            // v4l2:///dev/video0 → device /dev/video0 through the video4linux2 demuxer.
            let rest = url[url.range(of: "://")!.upperBound...]
            openName = rest.isEmpty ? "/dev/video0" : String(rest)
            inputFormat = forcedFormat ?? "video4linux2"
            isDevice = true
            isNetwork = false
        } else {
            openName = url
            inputFormat = forcedFormat
            isNetwork = scheme.map(Self.networkSchemes.contains) ?? false
            // A forced capture demuxer also reads a device.
            isDevice = ["video4linux2", "v4l2", "x11grab", "kmsgrab", "fbdev", "avfoundation", "dshow"]
                .contains(forcedFormat ?? "")
        }
    }

    /// Whether the RTSP transport should default to TCP (interleaved): UDP rarely survives
    /// NAT and firewalls and loses packets under load, which costs whole frames.
    var wantsRTSPOverTCP: Bool { scheme == "rtsp" || scheme == "rtsps" }
}
