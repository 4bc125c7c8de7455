import Foundation
import Testing

/// The unit files in systemd/ pass `systemd-analyze verify` and carry the settings the daemon
/// relies on.
@Suite struct SystemdUnitTests {
    static let unitFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("systemd")

    /// (file in systemd/, the name to verify it as)
    static let units = [("segd.service", "segd.service"), ("segd@.service", "segd@example.service")]

    @Test(arguments: units) func verifies(file: String, verifyAs: String) throws {
        guard let analyze = Self.executable("systemd-analyze") else {
            Issue.record("systemd-analyze not found on PATH: install systemd (apt-get install systemd) to check the unit files")
            return
        }
        let trueBinary = try #require(["/bin/true", "/usr/bin/true"].first { FileManager.default.isExecutableFile(atPath: $0) })
        let folder = NSTemporaryDirectory() + "segd-units-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }

        // verify checks that ExecStart's binary exists; segd is not installed here.
        let text = try String(contentsOf: Self.unitFolder.appendingPathComponent(file), encoding: .utf8)
        #expect(text.contains("ExecStart=/usr/local/bin/segd serve --config /etc/segd/"))
        let rewritten = text.replacingOccurrences(of: "ExecStart=/usr/local/bin/segd ", with: "ExecStart=\(trueBinary) ")
        try rewritten.write(toFile: folder + "/" + file, atomically: true, encoding: .utf8)

        let (status, output) = try Self.run(analyze, ["verify", folder + "/" + verifyAs])
        #expect(status == 0, "systemd-analyze verify \(verifyAs) exited with \(status):\n\(output)")
        let stem = file.replacingOccurrences(of: ".service", with: "")
        let complaints = output.split(separator: "\n").filter { $0.contains(folder) || $0.contains(stem + ".service") || $0.contains(stem + "example") }
        #expect(complaints.isEmpty, "systemd-analyze verify \(verifyAs) warned:\n\(complaints.joined(separator: "\n"))")
    }

    @Test(arguments: units.map(\.0)) func carriesTheDaemonsSettings(file: String) throws {
        let settings = try Self.settings(file)
        for (key, value) in [("Type", "notify"), ("NotifyAccess", "main"), ("WatchdogSec", "30"), ("Restart", "on-failure"),
                             ("RestartSec", "5"), ("TimeoutStopSec", "30"), ("UMask", "0007"), ("RuntimeDirectoryMode", "0750"),
                             ("ExecReload", "/bin/kill -HUP $MAINPID"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"),
                             ("PrivateTmp", "yes"), ("NoNewPrivileges", "yes"), ("User", "segd"), ("SupplementaryGroups", "video"),
                             ("DeviceAllow", "char-video4linux rw"), ("WantedBy", "multi-user.target"),
                             ("CacheDirectory", "segd"), ("CacheDirectoryMode", "0750")] {
            #expect(settings[key] == [value], "\(file): \(key)")
        }
        #expect(settings["LimitNOFILE"] != nil)
        #expect(settings["RestrictAddressFamilies"]?.first?.contains("AF_INET6") == true)
        if file == "segd@.service" {
            #expect(settings["ExecStart"] == ["/usr/local/bin/segd serve --config /etc/segd/%i.yaml"])
            #expect(settings["RuntimeDirectory"] == ["segd/%i"])
            #expect(settings["StateDirectory"] == ["segd/%i"])
            #expect(settings["Environment"] == ["SEGD_SOCKET_DIR=/run/segd/%i", "SEGD_CONTROL_SOCKET=/run/segd/%i/control.sock",
                                                "SEGD_OUTPUT_ROOT=/var/lib/segd/%i"])
        } else {
            #expect(settings["ExecStart"] == ["/usr/local/bin/segd serve --config /etc/segd/segd.yaml"])
            #expect(settings["RuntimeDirectory"] == ["segd"])
            #expect(settings["StateDirectory"] == ["segd"])
        }
    }

    /// Every `Key=value` line of a unit file, values in file order.
    static func settings(_ file: String) throws -> [String: [String]] {
        let text = try String(contentsOf: unitFolder.appendingPathComponent(file), encoding: .utf8)
        var settings: [String: [String]] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.hasPrefix("[") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            settings[String(line[..<equals]), default: []].append(String(line[line.index(after: equals)...]))
        }
        return settings
    }

    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let folders = path.split(separator: ":").map(String.init) + ["/usr/bin", "/bin", "/usr/sbin", "/sbin"]
        return folders.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `executable` and returns its exit status and stdout + stderr.
    static func run(_ executable: String, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
