import Daemon
import Foundation
import Testing

@Suite struct ConfigEnvironmentTests {
    @Test func variableNamesFollowSwiftConfigurationsConvention() {
        #expect(DaemonConfig.environmentVariable(forKey: "model") == "SEGD_MODEL")
        #expect(DaemonConfig.environmentVariable(forKey: "metrics.listen") == "SEGD_METRICS_LISTEN")
        #expect(DaemonConfig.environmentVariable(forKey: "reconnect.max_delay") == "SEGD_RECONNECT_MAX_DELAY")
        #expect(DaemonConfig.environmentVariable(forKey: "streams.front-door.fps") == "SEGD_STREAMS_FRONT_DOOR_FPS")
        #expect(DaemonConfig.environmentVariable(forKey: ["streams", "cam.1", "url"]) == "SEGD_STREAMS_CAM_1_URL")
        #expect(DaemonConfig.environmentVariable(forKey: ["streams", "frontDoor", "url"]) == "SEGD_STREAMS_FRONT_DOOR_URL")
    }

    @Test func everyKeyHasAVariable() throws {
        let names = try ConfigScratch().load(minimalConfig).environmentVariables
        #expect(names.count == 14 + 24)  // top-level keys + one stream's keys
        #expect(names.contains("SEGD_MEMORY_LIMIT_MB") && names.contains("SEGD_VOCABULARY_DIR"))
        #expect(names.contains("SEGD_CACHE_DIR") && names.contains("SEGD_CACHE_MAX_MB"))
        #expect(names.contains("SEGD_MODEL") && names.contains("SEGD_METRICS_LISTEN") && names.contains("SEGD_RECONNECT_STALL_TIMEOUT"))
        #expect(names.contains("SEGD_STREAMS_DOCK_OUTPUTS_SEMANTIC") && names.contains("SEGD_STREAMS_DOCK_RETENTION_MAX_MEGABYTES"))
        #expect(!names.contains { $0.hasPrefix("SEGD_BLAS") })
    }

    @Test func environmentOverridesFileValues() throws {
        let config = try ConfigScratch().load("""
            model: /models/a
            threads: 2
            streams:
              dock:
                url: rtsp://cam/1
                vocabulary: coco
                fps: 1
              front-door:
                url: rtsp://cam/2
                vocabulary: coco
            """, environment: [
                "SEGD_MODEL": "/models/b",
                "SEGD_THREADS": "12",
                "SEGD_METRICS_LISTEN": "0.0.0.0:9100",  // not in the file at all
                "SEGD_RECONNECT_MAX_DELAY": "90",
                "SEGD_STREAMS_DOCK_FPS": "4",
                "SEGD_STREAMS_DOCK_TASK": "instance",
                "SEGD_STREAMS_DOCK_OUTPUTS_OVERLAY": "true",
                "SEGD_STREAMS_DOCK_RETENTION_MAX_AGE_HOURS": "6",
                "SEGD_STREAMS_FRONT_DOOR_URL": "rtsp://cam/3",
                "SEGD_STREAMS_FRONT_DOOR_VOCABULARY": "person; dog",
                "UNRELATED": "x",
            ])
        #expect(config.model == "/models/b")
        #expect(config.threads == 12)
        #expect(config.metricsListen == "0.0.0.0:9100")
        #expect(config.reconnect.maxDelay == 90)
        let dock = config.streams[0], door = config.streams[1]
        #expect(dock.fps == 4 && dock.task == .instance && dock.outputs.overlay && dock.retention.maxAgeHours == 6)
        #expect(door.url == "rtsp://cam/3")
        #expect(door.vocabulary == "person; dog")
    }

    @Test func environmentCannotAddStreamsAndEmptyMeansUnset() throws {
        let config = try ConfigScratch().load(minimalConfig + "\nthreads: 3", environment: [
            "SEGD_STREAMS_GHOST_URL": "rtsp://nowhere",
            "SEGD_STREAMS_GHOST_VOCABULARY": "coco",
            "SEGD_THREADS": "",
        ])
        #expect(config.streams.map(\.name) == ["dock"])
        #expect(config.threads == 3)
    }

    @Test func badEnvironmentValuesNameTheVariable() throws {
        let scratch = ConfigScratch()
        let error = try #require(scratch.error(minimalConfig, environment: ["SEGD_STREAMS_DOCK_FPS": "-2"]))
        #expect(error.key == "streams.dock.fps")
        #expect(error.line == nil)
        #expect(error.description.hasSuffix(
            "segd.yaml: streams.dock.fps: must be a positive number of frames per second (got -2) (from environment variable SEGD_STREAMS_DOCK_FPS)"))

        let threads = try #require(scratch.error(minimalConfig, environment: ["SEGD_THREADS": "many"]))
        #expect(threads.key == "threads" && threads.line == nil && threads.message.contains("SEGD_THREADS"))
    }
}
