import Daemon
import Pipeline
import Foundation
import Testing

@Suite struct ConfigExampleTests {
    /// The repository root, from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func exampleConfigLoadsWithTheDocumentedValues() throws {
        let path = Self.root.appendingPathComponent("config/segd.yaml").path
        let config = try DaemonConfig.load(path: path, environment: [:])
        #expect(config.model == "/usr/local/share/segd/fcclip-convnext-large")
        #expect(config.threads == 8)
        #expect(config.outputRoot == "/var/lib/segd")
        #expect(config.socketDirectory == "/run/segd")
        #expect(config.controlSocket == "/run/segd/control.sock")
        #expect(config.metricsListen == "127.0.0.1:9464")
        #expect(config.shutdownTimeout == 10)
        #expect(config.reconnect == ReconnectPolicy(initialDelay: 1, maxDelay: 30, stallTimeout: 10))
        #expect(config.streams.map(\.name) == ["dock", "lobby-replay"])

        var documentedTracking = TrackerOptions()
        documentedTracking.filter.minScore = 0.3
        documentedTracking.filter.minArea = 400
        #expect(config.streams[0] == StreamConfig(
            name: "dock", url: "rtsp://camera-dock.example.lan:554/stream1",
            vocabulary: "person; forklift, fork lift truck; pallet; cardboard box; spilled liquid",
            task: .panoptic, fps: 2, inputSize: 640, inputMaxSize: 1066,
            outputs: .init(disk: true, socket: true, overlay: true, semantic: false),
            retention: .init(segmentMinutes: 60, maxAgeHours: 72, maxMegabytes: 20000), paused: false,
            tracking: documentedTracking))
        #expect(config.streams[1] == StreamConfig(
            name: "lobby-replay", url: "https://media.example.lan/lobby/recording.mp4", vocabulary: "coco",
            task: .instance, fps: 1, outputs: .init(disk: true, socket: false),
            retention: .init(maxAgeHours: 24)))
    }

    /// The systemd template points each instance at its own folders through the environment.
    @Test func exampleConfigWithTheTemplateUnitsEnvironment() throws {
        let path = Self.root.appendingPathComponent("config/segd.yaml").path
        let config = try DaemonConfig.load(path: path, environment: [
            "SEGD_SOCKET_DIR": "/run/segd/cams", "SEGD_OUTPUT_ROOT": "/var/lib/segd/cams",
            "SEGD_CONTROL_SOCKET": "/run/segd/cams/control.sock",
        ])
        #expect(config.socketDirectory == "/run/segd/cams")
        #expect(config.outputRoot == "/var/lib/segd/cams")
        #expect(config.controlSocket == "/run/segd/cams/control.sock")
    }

    @Test func modelBundleCheck() throws {
        let scratch = ConfigScratch()
        let fixture = Self.root.appendingPathComponent("Tests/Fixtures/fcclip/tiny-a").path
        let good = scratch.write(minimalConfig.replacingOccurrences(of: "/models/fcclip", with: fixture), to: "good.yaml")
        let bundle = try DaemonConfig.load(path: good, environment: [:]).checkModelBundle(configPath: good, environment: [:])
        #expect(bundle.check().isComplete)

        let bad = scratch.write("# a comment\n" + minimalConfig, to: "bad.yaml")
        let config = try DaemonConfig.load(path: bad, environment: [:])
        let error = try #require(throws: ConfigError.self) { try config.checkModelBundle(configPath: bad, environment: [:]) }
        #expect(error.key == "model" && error.line == 2)
        #expect(error.message.contains("/models/fcclip"))

        let fromEnvironment = try #require(throws: ConfigError.self) {
            try config.checkModelBundle(configPath: bad, environment: ["SEGD_MODEL": "/models/fcclip"])
        }
        #expect(fromEnvironment.line == nil && fromEnvironment.message.contains("SEGD_MODEL"))
    }
}
