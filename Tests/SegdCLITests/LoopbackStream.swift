import Foundation

/// A live MPEG-TS stream served on loopback by the ffmpeg command-line tool, as a camera or a
/// streaming server would serve it: `ffmpeg -re` paces a test pattern to real time.
final class LoopbackStream {
    let url: String
    private let output: String
    private var process: Process?
    /// The RTSP server the publisher pushes to (rtsp only).
    private var relay: Process?
    private var relayArguments: [String] = []

    /// `tcp` (ffmpeg listens; one client), `udp` (ffmpeg sends datagrams to the port),
    /// `http` (ffmpeg serves one client) or `rtsp` (ffmpeg publishes to Debian's
    /// rtsp-server-perl, which serves RTP over UDP to any number of clients), on free ports.
    init(_ scheme: String) throws {
        let port = try Self.freePort()
        switch scheme {
        case "tcp":
            url = "tcp://127.0.0.1:\(port)"
            output = url + "?listen=1"
        case "udp":
            url = "udp://127.0.0.1:\(port)"
            output = url + "?pkt_size=1316"
        case "http":
            url = "http://127.0.0.1:\(port)/live.ts"
            output = url
        case "rtsp":
            let sourcePort = try Self.freePort()
            url = "rtsp://127.0.0.1:\(port)/cam?udp"
            output = "rtsp://127.0.0.1:\(sourcePort)/cam"
            relayArguments = ["rtsp-server-perl", "-c", "\(port)", "-s", "\(sourcePort)", "--client_listen_address", "127.0.0.1",
                              "--source_listen_address", "127.0.0.1", "--rtp_start_port", "\(30000 + port % 20000)"]
        default:
            throw TestMedia.Failure(description: "unknown scheme \(scheme)")
        }
    }

    /// Starts (or restarts) serving.
    func start() throws {
        if !relayArguments.isEmpty && relay == nil {
            guard FileManager.default.isExecutableFile(atPath: "/usr/bin/rtsp-server-perl") else {
                throw TestMedia.Failure(description: "the RTSP test needs Debian's rtsp-server-perl (apt-get install rtsp-server-perl; tools/bootstrap.sh installs it)")
            }
            let relay = Process()
            relay.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            relay.arguments = relayArguments
            relay.standardOutput = FileHandle.nullDevice
            relay.standardError = FileHandle.nullDevice
            try relay.run()
            self.relay = relay
            Thread.sleep(forTimeInterval: 1)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = ["ffmpeg", "-hide_banner", "-v", "error", "-nostdin", "-re", "-f", "lavfi",
                         "-i", "testsrc2=size=160x120:rate=15", "-t", "600", "-c:v", "libx264", "-preset", "ultrafast",
                         "-tune", "zerolatency", "-g", "15", "-pix_fmt", "yuv420p"]
        if url.hasPrefix("http") { arguments += ["-listen", "1"] }
        arguments += url.hasPrefix("rtsp") ? ["-f", "rtsp", output] : ["-f", "mpegts", output]
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
    }

    /// Kills the server (a camera that loses power). SIGKILL: ffmpeg waiting in a TCP `listen`
    /// does not act on SIGTERM until a client connects.
    func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    deinit {
        stop()
        if let relay, relay.isRunning {
            kill(relay.processIdentifier, SIGKILL)
            relay.waitUntilExit()
        }
    }

    /// A TCP port nothing listens on right now (bound to port 0, then released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(fd, pointer, length) == 0 else { return -1 }
                return getsockname(fd, pointer, &length)
            }
        }
        guard bound == 0 else { throw TestMedia.Failure(description: "cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
