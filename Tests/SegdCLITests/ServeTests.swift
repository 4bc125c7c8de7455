import Foundation
import LabelStream
import Testing

/// `segd serve` as it runs on a machine with cameras: real streams served on loopback by the
/// ffmpeg tool, killed and restarted; SIGHUP, SIGTERM and systemd's notify socket.
@Suite(.serialized) struct ServeTests {
    private func entry(_ name: String, url: String, vocabulary: String, fps: Double? = 5) -> String {
        "  \(name):\n    url: \(url)\n    vocabulary: \"\(vocabulary)\"\n" + (fps.map { "    fps: \($0)\n" } ?? "")
    }

    /// Whether a line of the label socket is a frame record (not an object event).
    static func isFrameRecord(_ line: Substring) -> Bool {
        let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        return object?["type"] as? String == "frame"
    }

    private func check(_ records: [FrameRecord], _ stream: String) {
        let frames = records.map(\.frame), pts = records.map(\.pts)
        #expect(zip(frames, frames.dropFirst()).allSatisfy { $0 < $1 }, "\(stream): frame numbers must increase: \(frames)")
        #expect(zip(pts, pts.dropFirst()).allSatisfy { $0 < $1 }, "\(stream): pts must increase")
    }

    /// TCP, UDP, HTTP and RTSP streams run side by side with one that cannot connect; the TCP source
    /// is killed and restarted: the daemon reconnects and the label stream continues with
    /// increasing frame numbers; SIGTERM then exits 0 with every record complete and its PNG
    /// written, and the sockets removed.
    ///
    /// Every server is readable (probed) before the daemon starts, and each wait names what it
    /// waits for and reports every stream's state, the servers' and the daemon log on timeout.
    @Test func streamsReconnectAndShutDownCleanly() throws {
        let tcp = try LoopbackStream("tcp"), udp = try LoopbackStream("udp"), http = try LoopbackStream("http")
        let rtsp = try LoopbackStream("rtsp")
        let servers = [tcp, udp, http, rtsp]
        for stream in servers { try stream.start() }
        let context = { "servers:\n" + servers.map { "  " + $0.diagnostics }.joined(separator: "\n") }
        let dead = try LoopbackStream.freePort()
        let daemon = try DaemonHarness(streams:
            entry("cam-tcp", url: tcp.url, vocabulary: "thing: person; car; stuff: sky")
            + entry("cam-udp", url: udp.url, vocabulary: "coco")
            + entry("cam-http", url: http.url, vocabulary: "thing: cat; stuff: wall")
            + entry("cam-rtsp", url: rtsp.url, vocabulary: "thing: dog; stuff: grass")
            + entry("cam-dead", url: "tcp://127.0.0.1:\(dead)", vocabulary: "coco"))
        let live = ["cam-tcp", "cam-udp", "cam-http", "cam-rtsp"]
        try daemon.waitForRecords(live, atLeast: 3, context: context)
        // The dead camera has been tried (connection refused) at least once by now.
        try daemon.waitUntil("cam-dead to fail a connection attempt", context: context) {
            (daemon.statuses()?["cam-dead"]?.reconnects ?? 0) >= 1
        }
        let first = try daemon.requireStatuses()
        #expect(first["cam-dead"]?.state == "backing-off" || first["cam-dead"]?.state == "connecting", "\(String(describing: first["cam-dead"]))")
        #expect(first["cam-dead"]?.last_error?.contains("cannot open") == true, "\(String(describing: first["cam-dead"]))")

        // The camera goes away and comes back.
        let before = daemon.records("cam-tcp").count
        let reconnectsBefore = try #require(try daemon.requireStatuses()["cam-tcp"]).reconnects
        tcp.stop()
        try daemon.waitUntil("the TCP stream to notice (reconnects above \(reconnectsBefore))", context: context) {
            (daemon.statuses()?["cam-tcp"]?.reconnects ?? 0) > reconnectsBefore
        }
        try tcp.start()
        try daemon.waitForRecords(["cam-tcp"], atLeast: before + 3, context: context)
        try daemon.waitUntil("the TCP stream running", context: context) { daemon.statuses()?["cam-tcp"]?.state == "running" }
        let statuses = try daemon.requireStatuses()
        let status = try #require(statuses["cam-tcp"])
        #expect(status.frames_decoded >= status.frames_processed + status.frames_skipped, "\(status)")
        // The other streams never noticed.
        #expect(statuses["cam-udp"]?.reconnects == 0, "\(String(describing: statuses["cam-udp"]))\n\(daemon.report())")

        #expect(daemon.stop(SIGTERM) == 0, "\(daemon.log)")
        for stream in live {
            let records = daemon.records(stream)
            check(records, stream)
            let pngs = try FileManager.default.contentsOfDirectory(atPath: "\(daemon.root)/out/\(stream)/current/panoptic")
            #expect(pngs.count == records.count, "\(stream): every record has its PNG")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: daemon.root + "/run").isEmpty, "sockets are removed on exit")
        print("serve test servers:\n" + context())
    }

    /// When a stream starves, the failure names it and shows where every stream stands (records,
    /// state, last error, reconnects) and the end of the daemon log.
    @Test func aWaitThatTimesOutNamesTheStreamAndItsState() throws {
        let dead = try LoopbackStream.freePort()
        let daemon = try DaemonHarness(streams: entry("cam-dead", url: "tcp://127.0.0.1:\(dead)", vocabulary: "coco"))
        try daemon.waitUntil("cam-dead to fail a connection attempt") { (daemon.statuses()?["cam-dead"]?.reconnects ?? 0) >= 1 }
        do {
            try daemon.waitForRecords(["cam-dead"], atLeast: 1, timeout: 0.5, context: { "servers: none" })
            Issue.record("a stream without a server has records")
        } catch {
            let message = String(describing: error)
            #expect(message.contains("waiting for 1 records from cam-dead"), "\(message)")
            #expect(message.contains("servers: none"), "\(message)")
            #expect(message.contains("cam-dead: 0 records, state "), "\(message)")
            #expect(message.contains("last_error \"cannot open"), "\(message)")
            #expect(message.contains("daemon (running: true) log"), "\(message)")
        }
        #expect(daemon.stop(SIGTERM) == 0, "\(daemon.log)")
    }

    /// SIGHUP with a changed vocabulary switches that stream in place (new records carry
    /// vocab_version 1 and the new labels) and leaves the other stream running untouched;
    /// `segd ctl` changes a vocabulary (version 2), pauses and resumes a stream;
    /// systemd hears READY=1 and STOPPING=1; a hostile control client changes nothing; on
    /// SIGTERM a socket subscriber gets the same last record as labels.jsonl.
    @Test func reloadSwitchesTheVocabularyWithoutDisturbingOtherStreams() throws {
        let dir = "/tmp/segd-hup-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clip = dir + "/clip.mp4"
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=15", "-frames:v", "45",
                              "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", clip])
        let notify = try NotifyListener(path: dir + "/notify.sock")
        let streams = { (vocabulary: String) in
            self.entry("dock", url: clip, vocabulary: vocabulary) + self.entry("gate", url: clip, vocabulary: "thing: dog; stuff: grass")
        }
        let daemon = try DaemonHarness(streams: streams("thing: cat; stuff: wall"), environment: ["NOTIFY_SOCKET": notify.path])
        try daemon.waitUntil("READY=1") { notify.messages.contains { $0.contains("READY=1") } }
        try daemon.waitForRecords(["dock", "gate"], atLeast: 3)

        // A hostile control client: garbage, then a 1 MB line without newline.
        try HostileClient.send(to: daemon.root + "/run/control.sock", [Data("{not json\n".utf8), Data(count: 1 << 20)])

        try DaemonHarness.config(root: daemon.root, streams: streams("thing: person; car; stuff: sky"))
            .write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        let gateBefore = daemon.records("gate")
        kill(daemon.process.processIdentifier, SIGHUP)
        try daemon.waitUntil("a record with the new vocabulary") { daemon.records("dock").contains { $0.vocabVersion == 1 } }
        let dock = daemon.records("dock")
        check(dock, "dock")
        let versions = dock.map(\.vocabVersion)
        #expect(versions == versions.sorted())
        for record in dock where record.vocabVersion == 1 {
            #expect(record.segments.allSatisfy { ["person", "car", "sky"].contains($0.label) })
        }
        // The unchanged stream kept running: same disk segment, numbering continues, version 0.
        try daemon.waitUntil("more records from the unchanged stream") { daemon.records("gate").count > gateBefore.count }
        let gate = daemon.records("gate")
        #expect(Array(gate.prefix(gateBefore.count)) == gateBefore)
        #expect(gate.allSatisfy { $0.vocabVersion == 0 })

        // `segd ctl` against the running daemon: a vocabulary change at run time, pause, resume.
        let socket = daemon.root + "/run/control.sock"
        let vocab = try SegdProcess.run(["ctl", "--socket", socket, "vocab", "dock", "thing: dog; stuff: grass"])
        #expect(vocab.status == 0 && vocab.stdout.contains("dock: vocab_version 2"), "\(vocab.stdout)\(vocab.stderr)")
        try daemon.waitUntil("a record with the run-time vocabulary") { daemon.records("dock").contains { $0.vocabVersion == 2 } }
        for record in daemon.records("dock") where record.vocabVersion == 2 {
            #expect(record.segments.allSatisfy { ["dog", "grass"].contains($0.label) })
        }
        #expect(try SegdProcess.run(["ctl", "--socket", socket, "pause", "gate"]).status == 0)
        // (Between loops of its file the stream briefly shows backing-off.)
        try daemon.waitUntil("the stream paused") { daemon.statuses()?["gate"]?.state == "paused" }
        #expect(try SegdProcess.run(["ctl", "--socket", socket, "resume", "gate"]).status == 0)
        let unknown = try SegdProcess.run(["ctl", "--socket", socket, "pause", "nope"])
        #expect(unknown.status == 1 && unknown.stderr.contains("no stream named nope"), "\(unknown.stderr)")

        // A subscriber connected at shutdown receives everything up to the last record on disk.
        let tail = Process()
        tail.executableURL = SegdProcess.executable
        tail.arguments = ["tail", daemon.root + "/run/dock.sock"]
        let pipe = Pipe()
        tail.standardOutput = pipe
        try tail.run()
        // Blocks until the subscriber has printed something (its first record).
        var received = pipe.fileHandleForReading.availableData
        #expect(daemon.stop(SIGTERM) == 0, "\(daemon.log)")
        received.append(pipe.fileHandleForReading.readDataToEndOfFile())
        let streamed = String(decoding: received, as: UTF8.self)
        tail.waitUntilExit()
        let lastOnDisk = try String(contentsOfFile: daemon.root + "/out/dock/current/labels.jsonl", encoding: .utf8)
            .split(separator: "\n").last.map(String.init)
        // The socket also carries object events after their frame's record; compare frame records.
        let lastStreamed = streamed.split(separator: "\n").last { Self.isFrameRecord($0) }.map(String.init)
        #expect(lastStreamed == lastOnDisk, "\(streamed.suffix(2000))")
        #expect(notify.messages.contains { $0.contains("STOPPING=1") })
    }

    /// The holes a fault matrix found, against the running daemon: a stream whose input size
    /// cannot fit in memory fails alone (visible in `segd ctl list`) while the other runs; a
    /// control client can neither make the daemon read a file nor forge a log line.
    @Test func hostileControlRequestsAndAnOversizedStreamLeaveTheDaemonRunning() throws {
        let dir = "/tmp/segd-harden-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clip = dir + "/clip.mp4"
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=15", "-frames:v", "30",
                              "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", clip])
        let secret = dir + "/secret.txt"
        try "thing: SECRET-CONTENT\nthing: SECRET-CONTENT\n".write(toFile: secret, atomically: true, encoding: .utf8)
        let streams = entry("dock", url: clip, vocabulary: "thing: cat; stuff: wall")
            + entry("huge", url: clip, vocabulary: "coco") + "    input_size: 1024\n    input_max_size: 2048\n"
        // 64 MiB holds the tiny model's default input, not 1024x2048 (about 490 MiB).
        let daemon = try DaemonHarness(streams: streams + "memory_limit_mb: 64\n")
        try daemon.waitForRecords(["dock"], atLeast: 3)
        let huge = try #require(try daemon.requireStatuses()["huge"])
        #expect(huge.state == "failed", "\(huge)")
        #expect(huge.last_error?.contains("working memory") == true && huge.last_error?.contains("input_size") == true,
                "\(String(describing: huge.last_error))")
        #expect(daemon.log.contains("stream huge not started"), "\(daemon.log)")

        let socket = daemon.root + "/run/control.sock"
        for request in ["@" + secret, "@/etc/passwd", "@../secret.txt"] {
            let result = try SegdProcess.run(["ctl", "--socket", socket, "vocab", "dock", request])
            #expect(result.status == 1, "\(request): \(result.stdout)")
            #expect(result.stderr.contains("vocabulary_dir"), "\(request): \(result.stderr)")
            #expect(!result.stderr.contains("SECRET") && !result.stderr.contains("root:"), "\(request): \(result.stderr)")
        }
        // Refused (control characters are not allowed in a vocabulary) or accepted, it is logged
        // on one line; so is a label with a line separator and a bidirectional override.
        _ = try SegdProcess.run(["ctl", "--socket", socket, "vocab", "dock", "person\nFAKE LOG LINE\u{1B}[2J"])
        let odd = try SegdProcess.run(["ctl", "--socket", socket, "vocab", "dock", "thing: cat\u{2028}FAKE LOG LINE\u{202E}"])
        // Without the limit, a reload starts the stream that failed, in its place.
        try DaemonHarness.config(root: daemon.root, streams: streams).write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        let reload = try SegdProcess.run(["ctl", "--socket", socket, "reload"])
        #expect(reload.status == 0 && reload.stdout.contains("started huge"), "\(reload.stdout)\(reload.stderr)")
        try daemon.waitUntil("the failed stream to start") { (daemon.statuses()?["huge"]).map { $0.state != "failed" } ?? false }
        let names = try SegdProcess.run(["ctl", "--socket", socket, "list", "--json"]).stdout
        #expect(names.range(of: "\"dock\"")!.lowerBound < names.range(of: "\"huge\"")!.lowerBound, "configuration order kept")
        #expect(daemon.stop(SIGTERM) == 0, "\(daemon.log)")
        let lines = daemon.log.split(separator: "\n")
        #expect(!lines.contains { $0.hasPrefix("FAKE LOG LINE") }, "\(daemon.log)")
        #expect(!daemon.log.contains("\u{1B}"), "no raw escape reaches the log")
        #expect(!daemon.log.contains("\u{2028}") && !daemon.log.contains("\u{202E}"))
        if odd.status == 0 {
            #expect(lines.contains { $0.contains("cat\\u{2028}FAKE LOG LINE\\u{202E}") }, "\(daemon.log)")
        }
        #expect(lines.contains { $0.contains("control: reload:") }, "\(daemon.log)")
        #expect(!daemon.log.contains("SECRET"), "\(daemon.log)")

        // Tracking is on by default in the daemon: every `new` event has exactly one `end`, also
        // for objects still in view at SIGTERM.
        let events = try String(contentsOfFile: daemon.root + "/out/dock/current/events.jsonl", encoding: .utf8)
            .split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let news = events.filter { $0["event"] as? String == "new" }.compactMap { $0["id"] as? Int }
        let ends = events.filter { $0["event"] as? String == "end" }.compactMap { $0["id"] as? Int }
        #expect(!news.isEmpty, "\(events.count) events")
        #expect(news.sorted() == ends.sorted(), "new \(news), end \(ends)")
    }
}

/// A datagram socket standing in for systemd's notify socket; collects what it receives.
final class NotifyListener: @unchecked Sendable {
    let path: String
    private let fd: Int32
    private let lock = NSLock()
    private var received: [String] = []

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw TestMedia.Failure(description: "cannot bind \(path)") }
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = recv(fd, &buffer, buffer.count, 0)
                if n <= 0 { return }
                lock.lock()
                received.append(String(decoding: buffer[0..<n], as: UTF8.self))
                lock.unlock()
            }
        }
        thread.start()
    }

    var messages: [String] {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    deinit {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
        unlink(path)
    }
}

/// Writes raw bytes to a Unix socket and hangs up, ignoring what happens.
enum HostileClient {
    static func send(to path: String, _ payloads: [Data]) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[i] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw TestMedia.Failure(description: "cannot connect to \(path)") }
        for payload in payloads {
            _ = payload.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
    }
}
