import Daemon
import Foundation
import Testing

/// Every rejected file names the key and its line (`minimalConfig` has `dock` on line 3 and its
/// `vocabulary` on line 5, so an appended stream key is on line 6).
@Suite struct ConfigValidationTests {
    let scratch = ConfigScratch()

    private func expectError(_ text: String, key: String?, line: Int?, containing fragment: String,
                             sourceLocation: SourceLocation = #_sourceLocation) {
        guard let error = scratch.error(text) else {
            Issue.record("the file loaded, expected an error about \(key ?? "the file")", sourceLocation: sourceLocation)
            return
        }
        #expect(error.key == key, "\(error)", sourceLocation: sourceLocation)
        #expect(error.line == line, "\(error)", sourceLocation: sourceLocation)
        #expect(error.message.contains(fragment), "\(error)", sourceLocation: sourceLocation)
    }

    @Test func descriptionIsFileLineKeyMessage() throws {
        let error = try #require(scratch.error(minimalConfig + "\n    fps: -2"))
        let path = (scratch.directory as NSString).appendingPathComponent("segd.yaml")
        #expect(error == ConfigError(path: path, key: "streams.dock.fps", line: 6,
                                     message: "must be a positive number of frames per second (got -2)"))
        #expect(error.description == "\(path):6: streams.dock.fps: must be a positive number of frames per second (got -2)")
        #expect(ConfigError(path: "a.yaml", message: "no such file").description == "a.yaml: no such file")
        #expect(ConfigError(path: "a.yaml", line: 3, message: "invalid YAML").description == "a.yaml:3: invalid YAML")
        #expect(ConfigError(path: "a.yaml", key: "model", message: "x").description == "a.yaml: model: x")
    }

    @Test func unknownKeysAreErrorsWithSuggestions() {
        expectError(minimalConfig + "\n    fsp: 2", key: "streams.dock.fsp", line: 6, containing: "did you mean `fps`?")
        expectError(minimalConfig + "\n    outputs:\n      overlya: true", key: "streams.dock.outputs.overlya", line: 7,
                    containing: "did you mean `overlay`?")
        expectError("modle: /m\n" + minimalConfig, key: "modle", line: 1, containing: "did you mean `model`?")
        expectError(minimalConfig + "\nmetrics:\n  port: 9000", key: "metrics.port", line: 7, containing: "known here: listen")
        expectError(minimalConfig + "\nreconnect:\n  retries: 3", key: "reconnect.retries", line: 7, containing: "unknown key")
    }

    @Test func valuesOfTheWrongShape() {
        expectError(minimalConfig + "\n    fps: [1, 2]", key: "streams.dock.fps", line: 6, containing: "not a list")
        expectError(minimalConfig + "\n    outputs: true", key: "streams.dock.outputs", line: 6, containing: "must be a mapping")
        expectError(minimalConfig + "\n    url2:\n      a: b", key: "streams.dock.url2", line: 6, containing: "unknown key")
        expectError("model:\n  path: /m\nstreams: {}", key: "model", line: 1, containing: "not a mapping")
        expectError("model: /m\nstreams:\n  - url: a", key: "streams", line: 2, containing: "not a list")
        expectError("- a\n- b", key: nil, line: 1, containing: "must be a YAML mapping")
    }

    @Test func badValues() {
        expectError("threads: 0\n" + minimalConfig, key: "threads", line: 1, containing: "at least 1 (got 0)")
        expectError("threads: 2.5\n" + minimalConfig, key: "threads", line: 1, containing: "whole number")
        expectError("threads: many\n" + minimalConfig, key: "threads", line: 1, containing: "(got many)")
        expectError("shutdown_timeout: -1\n" + minimalConfig, key: "shutdown_timeout", line: 1, containing: "positive number")
        expectError(minimalConfig + "\n    fps: fast", key: "streams.dock.fps", line: 6, containing: "(got fast)")
        expectError(minimalConfig + "\n    fps: .nan", key: "streams.dock.fps", line: 6, containing: "positive number")
        expectError(minimalConfig + "\n    task: panoptc", key: "streams.dock.task", line: 6,
                    containing: "must be panoptic, semantic or instance (got panoptc)")
        expectError(minimalConfig + "\n    input_size: 0", key: "streams.dock.input_size", line: 6, containing: "at least 1")
        expectError(minimalConfig + "\n    input_size: 640\n    input_max_size: 320", key: "streams.dock.input_max_size", line: 7,
                    containing: "must not be less than input_size")
        expectError(minimalConfig + "\n    paused: maybe", key: "streams.dock.paused", line: 6, containing: "true or false")
        expectError(minimalConfig + "\n    outputs:\n      disk: 2", key: "streams.dock.outputs.disk", line: 7, containing: "true or false")
        expectError(minimalConfig + "\n    retention:\n      max_age_hours: 0", key: "streams.dock.retention.max_age_hours", line: 7,
                    containing: "positive number")
        expectError(minimalConfig.replacingOccurrences(of: "rtsp://cam/1", with: "''"), key: "streams.dock.url", line: 4,
                    containing: "must not be empty")
    }

    @Test func reconnectDelaysMustBeOrdered() {
        expectError(minimalConfig + "\nreconnect:\n  initial_delay: 10\n  max_delay: 5", key: "reconnect.max_delay", line: 8,
                    containing: "must not be less than reconnect.initial_delay")
        // With max_delay left at its default (30), the file's initial_delay is the culprit.
        expectError(minimalConfig + "\nreconnect:\n  initial_delay: 60", key: "reconnect.initial_delay", line: 7,
                    containing: "must not be less than")
    }

    @Test func metricsAddressMustBeHostAndPort() throws {
        for bad in ["localhost", "9464", ":9464", "host:0", "host:70000", "::1:9464", "[::1]", "a b:1"] {
            expectError(minimalConfig + "\nmetrics:\n  listen: '\(bad)'", key: "metrics.listen", line: 7, containing: "host:port")
        }
        for good in ["localhost:9464", "0.0.0.0:1", "[::]:9464", "[fe80::1%eth0]:80"] {
            #expect(try scratch.load(minimalConfig + "\nmetrics:\n  listen: '\(good)'").metricsListen == good)
        }
    }

    @Test func streamNamesAreChecked() {
        for bad in ["-cam", ".hidden", "a/b", "a b", String(repeating: "x", count: 65)] {
            expectError("model: /m\nstreams:\n  '\(bad)':\n    url: a\n    vocabulary: coco", key: "streams.\(bad)", line: 3,
                        containing: "invalid stream name")
        }
    }

    @Test func requiredKeys() {
        expectError("streams:\n  dock:\n    url: a\n    vocabulary: coco", key: "model", line: nil, containing: "is required")
        expectError("model: /m", key: "streams", line: nil, containing: "at least one stream")
        expectError("model: /m\nstreams: {}", key: "streams", line: 2, containing: "at least one stream")
        expectError("model: /m\nstreams:", key: "streams", line: 2, containing: "at least one stream")
        expectError("model: /m\nstreams:\n  dock:\n    vocabulary: coco", key: "streams.dock.url", line: 3, containing: "is required")
        expectError("model: /m\nstreams:\n  dock:\n    url: a", key: "streams.dock.vocabulary", line: 3, containing: "is required")
        expectError("model: /m\nstreams:\n  dock:", key: "streams.dock.url", line: 3, containing: "is required")
    }

    @Test func vocabulariesMustResolve() {
        expectError(minimalConfig.replacingOccurrences(of: "person; forklift", with: "person,, car"), key: "streams.dock.vocabulary",
                    line: 5, containing: "invalid vocabulary")
        expectError(minimalConfig.replacingOccurrences(of: "person; forklift", with: "'@missing.txt'"), key: "streams.dock.vocabulary",
                    line: 5, containing: "missing.txt")
    }

    @Test func outputCombinations() {
        expectError(minimalConfig + "\n    outputs: {disk: false, semantic: true}", key: "streams.dock.outputs.semantic", line: 6,
                    containing: "written with the disk output")
        expectError(minimalConfig + "\n    outputs: {disk: false, socket: false}", key: "streams.dock.outputs", line: 6,
                    containing: "every output is off")
    }

    @Test func socketPathsMustFitSockaddrUn() {
        let long = "/run/" + String(repeating: "d", count: 100)
        expectError("socket_dir: \(long)\n" + minimalConfig, key: "socket_dir", line: 1, containing: "at most 107")
        expectError("socket_dir: /run/segd\ncontrol_socket: \(long)/c.sock\n" + minimalConfig, key: "control_socket", line: 2, containing: "at most 107")
    }

    @Test func invalidYAMLReportsItsLine() throws {
        expectError(minimalConfig + "\n    fps: [1, 2", key: nil, line: 7, containing: "invalid YAML")
        expectError("model: /m\n  bad indent: x\nstreams: {}", key: nil, line: 2, containing: "invalid YAML")
        expectError(minimalConfig + "\n    url: again", key: nil, line: 4, containing: "duplicate key `url`")
        expectError("# only comments\n", key: nil, line: nil, containing: "no settings")
        expectError("", key: nil, line: nil, containing: "no settings")
    }

    @Test func unreadableFiles() throws {
        let missing = (scratch.directory as NSString).appendingPathComponent("nope.yaml")
        #expect(throws: ConfigError(path: missing, message: "no such file (an example with every key documented is config/segd.yaml)")) {
            try DaemonConfig.load(path: missing, environment: [:])
        }
        #expect(throws: ConfigError.self) { try DaemonConfig.load(path: scratch.directory, environment: [:]) }
        let binary = (scratch.directory as NSString).appendingPathComponent("binary.yaml")
        _ = FileManager.default.createFile(atPath: binary, contents: Data([0x6d, 0x3a, 0x20, 0xff, 0xfe, 0x0a]))
        let error = try #require(throws: ConfigError.self) { try DaemonConfig.load(path: binary, environment: [:]) }
        #expect(error.message.contains("UTF-8"))
    }
}
