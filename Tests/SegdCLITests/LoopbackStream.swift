import Foundation

/// A live MPEG-TS stream served on loopback by the ffmpeg command-line tool, as a camera or a
/// streaming server would serve it: `ffmpeg -re` paces a test pattern to real time.
///
/// Like a camera, it serves from `start()` until `stop()`. ffmpeg's tcp and http servers take
/// one client and exit when it hangs up (the daemon hangs up on a connection that a loaded
/// machine makes too slow to open, then reconnects), and an RTSP publisher exits when the relay
/// refuses it; so a server that exits while serving is started again, and `diagnostics` says
/// how often. `start()` returns only once the stream can be read, found by probing (never by
/// sleeping): ffmpeg listens on the port or has accepted a client (tcp, http), datagrams arrive
/// (udp), the relay listens and answers DESCRIBE with 200 because the publisher has announced
/// the stream (rtsp).
final class LoopbackStream: @unchecked Sendable {
    let url: String
    let scheme: String
    /// Where clients connect (the relay's client port for rtsp).
    private let port: Int
    private let output: String
    /// The RTSP server the publisher pushes to (rtsp only), and the port the publisher uses.
    private var relayArguments: [String] = []
    private var sourcePort = 0
    private let directory: String
    private let logPath: String
    private let log: FileHandle
    private let lock = NSLock()
    // Guarded by `lock`.
    private var publisher: Process?
    private var relay: Process?
    private var serving = false
    private var starts = 0
    private var exits: [String] = []

    /// How long `start()` waits for the stream to become readable.
    static let readyTimeout = 60.0

    /// `tcp` (ffmpeg listens; one client), `udp` (ffmpeg sends datagrams to the port),
    /// `http` (ffmpeg serves one client) or `rtsp` (ffmpeg publishes to Debian's
    /// rtsp-server-perl, which serves RTP over UDP to any number of clients), on free ports.
    init(_ scheme: String) throws {
        self.scheme = scheme
        port = try Self.freePort()
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
            sourcePort = try Self.freePort()
            url = "rtsp://127.0.0.1:\(port)/cam?udp"
            output = "rtsp://127.0.0.1:\(sourcePort)/cam"
            relayArguments = ["rtsp-server-perl", "-c", "\(port)", "-s", "\(sourcePort)", "--client_listen_address", "127.0.0.1",
                              "--source_listen_address", "127.0.0.1", "--rtp_start_port", "\(30000 + port % 20000)"]
        default:
            throw TestMedia.Failure(description: "unknown scheme \(scheme)")
        }
        directory = "/tmp/segd-loopback-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        logPath = directory + "/stderr.log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
    }

    /// Starts (or restarts) serving; returns once a client can read the stream.
    func start() throws {
        lock.lock()
        serving = true
        lock.unlock()
        if !relayArguments.isEmpty {
            try startRelay()
            try waitReady("the RTSP relay to listen on ports \(sourcePort) and \(port)") {
                LoopbackProbe.isListening(tcpPort: sourcePort) && LoopbackProbe.isListening(tcpPort: port)
            }
        }
        lock.lock()
        let running = publisher?.isRunning == true
        lock.unlock()
        if !running { try spawn() }
        switch scheme {
        case "udp":
            try waitReady("datagrams on port \(port)") { LoopbackProbe.receivesDatagram(udpPort: port, timeout: 1) }
        case "rtsp":
            let describe = "rtsp://127.0.0.1:\(port)/cam"
            try waitReady("the publisher to announce \(describe) (DESCRIBE answered 200)") {
                LoopbackProbe.rtspDescribeStatus(port: port, url: describe) == 200
            }
        default:
            try waitReady("ffmpeg to listen on port \(port)") {
                lock.lock()
                let pid = publisher?.isRunning == true ? publisher?.processIdentifier : nil
                lock.unlock()
                return pid.map { LoopbackProbe.servesTCP(pid: $0, port: port) } ?? false
            }
        }
    }

    /// Kills the server (a camera that loses power); it stays down until `start()`. SIGKILL:
    /// ffmpeg waiting in a TCP `listen` does not act on SIGTERM until a client connects.
    func stop() {
        lock.lock()
        serving = false
        let process = publisher
        publisher = nil
        lock.unlock()
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// How often the server was started and how its runs ended, whether it (and the relay) run
    /// now, and the end of what they wrote to stderr: for failure messages.
    var diagnostics: String {
        lock.lock()
        let starts = starts, exits = exits, running = publisher?.isRunning == true
        let relayRunning = relay?.isRunning
        lock.unlock()
        let stderr = ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").split(separator: "\n").suffix(8)
        return "\(scheme) server \(url): ffmpeg started \(starts) time(s), "
            + "ended \(exits.isEmpty ? "never" : exits.joined(separator: ", ")), \(running ? "running" : "not running")"
            + (relayRunning.map { $0 ? "; relay running" : "; relay not running" } ?? "")
            + (stderr.isEmpty ? "" : "; stderr: " + stderr.joined(separator: " | "))
    }

    deinit {
        stop()
        lock.lock()
        let relay = relay
        lock.unlock()
        if let relay, relay.isRunning {
            kill(relay.processIdentifier, SIGKILL)
            relay.waitUntilExit()
        }
        try? log.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: - Processes

    private func startRelay() throws {
        lock.lock()
        defer { lock.unlock() }
        if relay?.isRunning == true { return }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/rtsp-server-perl") else {
            throw TestMedia.Failure(description: "the RTSP test needs Debian's rtsp-server-perl (apt-get install rtsp-server-perl; tools/bootstrap.sh installs it)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = relayArguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = log
        try process.run()
        relay = process
    }

    /// Starts ffmpeg; when it exits while serving, it is started again a moment later.
    private func spawn() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = ["ffmpeg", "-hide_banner", "-v", "error", "-nostdin", "-re", "-f", "lavfi",
                         "-i", "testsrc2=size=160x120:rate=15", "-t", "600", "-c:v", "libx264", "-preset", "ultrafast",
                         "-tune", "zerolatency", "-g", "15", "-pix_fmt", "yuv420p"]
        if scheme == "http" { arguments += ["-listen", "1"] }
        arguments += scheme == "rtsp" ? ["-f", "rtsp", output] : ["-f", "mpegts", output]
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = log
        process.terminationHandler = { [weak self] ended in self?.exited(ended) }
        lock.lock()
        defer { lock.unlock() }
        guard serving else { return }
        try process.run()
        publisher = process
        starts += 1
    }

    private func exited(_ process: Process) {
        lock.lock()
        exits.append(process.terminationReason == .uncaughtSignal ? "signal \(process.terminationStatus)"
                     : "status \(process.terminationStatus)")
        let again = serving && publisher === process
        lock.unlock()
        guard again else { return }
        // A pause, so that a server that cannot start (its port taken) does not spin.
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { [weak self] in
            guard let self else { return }
            self.lock.lock()
            let wanted = self.serving && self.publisher === process
            self.lock.unlock()
            if wanted { try? self.spawn() }
        }
    }

    private func waitReady(_ what: String, _ ready: () -> Bool) throws {
        do {
            try TestMedia.waitUntil(timeout: Self.readyTimeout, ready)
        } catch {
            throw TestMedia.Failure(description: "\(scheme) stream not ready after \(Self.readyTimeout) s, waiting for \(what); \(diagnostics)")
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
