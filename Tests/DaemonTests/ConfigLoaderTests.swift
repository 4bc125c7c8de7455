import Daemon
import Foundation
import Testing

@Suite struct ConfigLoaderTests {
    @Test func minimalFileGetsTheDocumentedDefaults() throws {
        let config = try ConfigScratch().load(minimalConfig)
        #expect(config.model == "/models/fcclip")
        #expect(config.threads == nil)
        #expect(config.outputRoot == "/var/lib/segd")
        #expect(config.socketDirectory == "/run/segd")
        #expect(config.controlSocket == "/run/segd/control.sock")
        #expect(config.metricsListen == nil)
        #expect(config.shutdownTimeout == 10)
        #expect(config.reconnect == ReconnectPolicy(initialDelay: 1, maxDelay: 30, stallTimeout: 10))
        #expect(config.streams == [StreamConfig(name: "dock", url: "rtsp://cam/1", vocabulary: "person; forklift")])
        let stream = config.streams[0]
        #expect(stream.task == .panoptic && stream.fps == nil && stream.inputSize == nil && stream.inputMaxSize == nil)
        #expect(stream.outputs == StreamConfig.Outputs(disk: true, socket: true, overlay: false, semantic: false))
        #expect(stream.retention == StreamConfig.Retention(segmentMinutes: 60, maxAgeHours: nil, maxMegabytes: nil))
        #expect(!stream.paused)
    }

    @Test func everyKeyIsRead() throws {
        let config = try ConfigScratch().load("""
            model: /models/fcclip
            threads: 6
            output_root: /srv/segd
            socket_dir: /run/segd-test
            control_socket: /run/ctl.sock
            metrics:
              listen: "[::1]:9464"
            shutdown_timeout: 4.5
            reconnect:
              initial_delay: 0.5
              max_delay: 8
              stall_timeout: 3
            streams:
              zeta:
                url: /videos/a.mp4
                vocabulary: coco
                task: semantic
                fps: 2.5
                input_size: 512
                input_max_size: 800
                outputs: {disk: yes, socket: false, overlay: true, semantic: true}
                retention:
                  segment_minutes: 15
                  max_age_hours: 48
                  max_megabytes: 1000
                paused: true
              alpha:
                url: http://host/live.m3u8
                vocabulary: 'thing: person'
            """)
        #expect(config.threads == 6)
        #expect(config.outputRoot == "/srv/segd")
        #expect(config.socketDirectory == "/run/segd-test")
        #expect(config.controlSocket == "/run/ctl.sock")
        #expect(config.metricsListen == "[::1]:9464")
        #expect(config.shutdownTimeout == 4.5)
        #expect(config.reconnect == ReconnectPolicy(initialDelay: 0.5, maxDelay: 8, stallTimeout: 3))
        // File order, not alphabetical.
        #expect(config.streams.map(\.name) == ["zeta", "alpha"])
        #expect(config.streams[0] == StreamConfig(
            name: "zeta", url: "/videos/a.mp4", vocabulary: "coco", task: .semantic, fps: 2.5, inputSize: 512,
            inputMaxSize: 800, outputs: .init(disk: true, socket: false, overlay: true, semantic: true),
            retention: .init(segmentMinutes: 15, maxAgeHours: 48, maxMegabytes: 1000), paused: true))
        #expect(config.streams[1].vocabulary == "thing: person")
    }

    @Test func controlSocketDefaultsIntoTheSocketFolder() throws {
        let config = try ConfigScratch().load("socket_dir: /run/other\n" + minimalConfig)
        #expect(config.controlSocket == "/run/other/control.sock")
    }

    @Test func nullValuesMeanTheDefault() throws {
        let config = try ConfigScratch().load(minimalConfig + """

                fps:
                input_size: ~
            threads: null
            metrics:
            """)
        #expect(config.threads == nil)
        #expect(config.metricsListen == nil)
        #expect(config.streams[0].fps == nil && config.streams[0].inputSize == nil)
    }

    @Test func relativePathsAreRelativeToTheConfigFile() throws {
        let scratch = ConfigScratch()
        scratch.write("person\nforklift\n", to: "classes.txt")
        let config = try scratch.load("""
            model: models/../bundle
            output_root: out
            socket_dir: ./run
            streams:
              dock:
                url: rtsp://cam/1
                vocabulary: "@classes.txt"
            """)
        let base = URL(fileURLWithPath: scratch.directory).standardized.path
        #expect(config.model == base + "/bundle")
        #expect(config.outputRoot == base + "/out")
        #expect(config.socketDirectory == base + "/run")
        #expect(config.controlSocket == base + "/run/control.sock")
        #expect(config.streams[0].vocabulary == "@" + base + "/classes.txt")
    }

    @Test func streamNamesMayUseDotsDashesAndUnderscores() throws {
        let config = try ConfigScratch().load("""
            model: /m
            streams:
              cam.1:
                url: a
                vocabulary: coco
              front-door_2:
                url: b
                vocabulary: coco
            """)
        #expect(config.streams.map(\.name) == ["cam.1", "front-door_2"])
        #expect(config.streams.map(\.url) == ["a", "b"])
    }
}

@Suite struct ConfigRedactionTests {
    @Test func passwordsInURLsAreRedacted() {
        #expect(StreamConfig.redacted("rtsp://admin:secret@10.0.0.5:554/stream1") == "rtsp://admin:***@10.0.0.5:554/stream1")
        #expect(StreamConfig.redacted("rtsp://admin:p@ss@cam/x?a=b@c") == "rtsp://admin:***@cam/x?a=b@c")
        #expect(StreamConfig.redacted("rtsp://admin@cam/1") == "rtsp://admin@cam/1")
        #expect(StreamConfig.redacted("http://cam/path@x:y") == "http://cam/path@x:y")
        #expect(StreamConfig.redacted("/videos/a:b@c.mp4") == "/videos/a:b@c.mp4")
    }
}
