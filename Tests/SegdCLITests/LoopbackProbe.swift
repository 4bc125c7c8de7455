import Foundation

/// Probes that tell when a loopback server can be used, so that tests wait for readiness
/// instead of sleeping for a guess.
enum LoopbackProbe {
    /// Whether some socket listens on TCP `port` of the loopback (or any) address, read from
    /// /proc/net/tcp without connecting: a server that accepts a single client (ffmpeg's tcp
    /// and http outputs) would take a probing connection for its client and exit when it closed.
    static func isListening(tcpPort port: Int) -> Bool {
        let hexPort = String(format: ":%04X", port)
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                // sl local_address rem_address st ...; st 0A is LISTEN.
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                if fields.count > 3, fields[1].hasSuffix(hexPort), fields[3] == "0A" { return true }
            }
        }
        return false
    }

    /// Whether process `pid` holds a TCP socket on local `port` that listens or has a client
    /// (ffmpeg's `listen=1` closes its listening socket once a client is accepted, and a client
    /// that retries quickly, like the daemon, may be accepted between two probes). Read from
    /// /proc without connecting.
    static func servesTCP(pid: Int32, port: Int) -> Bool {
        let fdDirectory = "/proc/\(pid)/fd"
        let inodes = Set(((try? FileManager.default.contentsOfDirectory(atPath: fdDirectory)) ?? []).compactMap { fd -> String? in
            guard let link = try? FileManager.default.destinationOfSymbolicLink(atPath: fdDirectory + "/" + fd),
                  link.hasPrefix("socket:[") else { return nil }
            return String(link.dropFirst("socket:[".count).dropLast())
        })
        guard !inodes.isEmpty else { return false }
        let hexPort = String(format: ":%04X", port)
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode; 0A LISTEN, 01 ESTABLISHED.
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                if fields.count > 9, fields[1].hasSuffix(hexPort), fields[3] == "0A" || fields[3] == "01",
                   inodes.contains(String(fields[9])) { return true }
            }
        }
        return false
    }

    /// Whether a datagram arrives on UDP `port` of 127.0.0.1 within `timeout` seconds (the port
    /// is bound only while probing, so that the reader the test starts later can bind it).
    static func receivesDatagram(udpPort port: Int, timeout: Double) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { return false }
        var wait = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 2048)
        return recv(fd, &buffer, buffer.count, 0) > 0
    }

    /// The status code an RTSP server answers to `DESCRIBE url` (200 once a publisher has
    /// announced the stream, 404 before), or nil when nothing answers on `port`.
    static func rtspDescribeStatus(port: Int, url: String, timeout: Double = 2) -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var wait = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        let request = Array("DESCRIBE \(url) RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\n\r\n".utf8)
        guard send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else { return nil }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        while !answer.contains(UInt8(ascii: "\n")) {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { return nil }
            answer += buffer[0..<n]
        }
        // "RTSP/1.0 200 OK"
        let statusLine = String(decoding: answer.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        let fields = statusLine.split(separator: " ")
        return fields.count >= 2 ? Int(fields[1]) : nil
    }
}
