import Daemon
import Pipeline
import Foundation
import Testing

/// Values that would take the daemon down (an input size no memory holds, a thread count no
/// machine has) are rejected by `segd config check`, naming the key, its line and the bounds.
@Suite struct ConfigRangeTests {
    let scratch = ConfigScratch()

    private func message(_ text: String) -> String? {
        scratch.error(text).map(\.description)
    }

    @Test func inputSizesAndThreadsMustBeInRange() throws {
        let cases: [(String, String, String)] = [
            ("\n    input_size: 1000000", "streams.dock.input_size", "must be from 16 to 4096 (got 1000000)"),
            ("\n    input_size: 8", "streams.dock.input_size", "must be from 16 to 4096 (got 8)"),
            ("\n    input_max_size: 100000", "streams.dock.input_max_size", "must be from 16 to 8192 (got 100000)"),
            ("\n    input_size: 99999999999999999999999", "streams.dock.input_size", "whole number"),
            ("\nthreads: 100000", "threads", "must be from 1 to 256 (got 100000)"),
            ("\nthreads: 0", "threads", "whole number of at least 1"),
            ("\nmemory_limit_mb: 0", "memory_limit_mb", "whole number of at least 1"),
        ]
        for (suffix, key, fragment) in cases {
            let error = try #require(scratch.error(minimalConfig + suffix), "\(suffix) must be rejected")
            #expect(error.key == key, "\(error)")
            #expect(error.line != nil, "\(error)")
            #expect(error.message.contains(fragment), "\(error)")
        }
        let config = try scratch.load(minimalConfig + "\n    input_size: 4096\n    input_max_size: 8192\nthreads: 256\nmemory_limit_mb: 512")
        #expect(config.streams[0].inputSize == 4096 && config.streams[0].inputMaxSize == 8192)
        #expect(config.threads == 256 && config.memoryLimitMegabytes == 512)
    }

    @Test func vocabularyDirMustBeAFolder() throws {
        let folder = scratch.directory + "/vocabularies"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        #expect(try scratch.load(minimalConfig + "\nvocabulary_dir: vocabularies").vocabularyDirectory == folder)
        #expect(try scratch.load(minimalConfig).vocabularyDirectory == nil, "no folder unless configured")
        let error = try #require(scratch.error(minimalConfig + "\nvocabulary_dir: /nonexistent/vocabularies"))
        #expect(error.key == "vocabulary_dir" && error.message.contains("is not a folder"), "\(error)")
        scratch.write("x", to: "file.txt")
        #expect(scratch.error(minimalConfig + "\nvocabulary_dir: file.txt")?.key == "vocabulary_dir")
    }
}

/// A configuration path that is not a regular file gets a clear error at once.
@Suite struct ConfigFileKindTests {
    @Test func aFIFOOrDeviceIsRefusedWithoutBlocking() throws {
        let scratch = ConfigScratch()
        let fifo = scratch.directory + "/segd.yaml"
        #expect(mkfifo(fifo, 0o600) == 0)
        // Should the loader ever block on the FIFO again, a writer that comes and goes ends the
        // wait, and the test fails instead of hanging.
        let writer = Thread {
            Thread.sleep(forTimeInterval: 3)
            let fd = open(fifo, O_WRONLY | O_NONBLOCK)
            if fd >= 0 { close(fd) }
        }
        writer.start()
        for path in [fifo, "/dev/zero"] {
            do {
                _ = try DaemonConfig.load(path: path, environment: [:])
                Issue.record("\(path) loaded")
            } catch let error as ConfigError {
                #expect(error.message.contains("not a regular file") && error.message.contains("configuration file"), "\(error)")
            }
        }
    }
}

/// A stream's `tracking:` section becomes its tracker's settings.
@Suite struct ConfigTrackingTests {
    let scratch = ConfigScratch()

    @Test func trackingIsOnByDefaultAndEveryKeyIsRead() throws {
        #expect(try scratch.load(minimalConfig).streams[0].tracking == TrackerOptions())
        let config = try scratch.load(minimalConfig + """

                tracking:
                  grace_frames: 0
                  grace_seconds: 2.5
                  confirm_hits: 3
                  min_score: 0.4
                  min_area: 100
                  update_interval: 30
            """)
        let tracking = try #require(config.streams[0].tracking)
        #expect(tracking.graceFrames == 0 && tracking.graceSeconds == 2.5 && tracking.confirmHits == 3)
        #expect(tracking.filter.minScore == 0.4 && tracking.filter.minArea == 100 && tracking.updateInterval == 30)
        #expect(try scratch.load(minimalConfig + "\n    tracking:\n      enabled: false").streams[0].tracking == nil)
    }

    @Test func badTrackingValuesNameTheKey() throws {
        let cases: [(String, String, String)] = [
            ("min_score: 2", "streams.dock.tracking.min_score", "from 0 to 1"),
            ("grace_frames: -1", "streams.dock.tracking.grace_frames", "at least 0"),
            ("confirm_hits: 0", "streams.dock.tracking.confirm_hits", "at least 1"),
            ("enabled: maybe", "streams.dock.tracking.enabled", "true or false"),
            ("grace: 3", "streams.dock.tracking.grace", "unknown key"),
        ]
        for (line, key, fragment) in cases {
            let error = try #require(scratch.error(minimalConfig + "\n    tracking:\n      " + line), "\(line)")
            #expect(error.key == key && error.message.contains(fragment), "\(error)")
        }
    }
}

/// A stream's `reuse:` section: change gating on by default, `mode: off` turns it off.
@Suite struct ConfigReuseTests {
    let scratch = ConfigScratch()

    @Test func gatingIsOnByDefaultAndEveryKeyIsRead() throws {
        #expect(try scratch.load(minimalConfig).streams[0].reuse == ReuseOptions(mode: .gate))
        let config = try scratch.load(minimalConfig + "\n    reuse:\n      mode: off\n      threshold: 1.5\n      max_interval: 5")
        #expect(config.streams[0].reuse == ReuseOptions(mode: .off, threshold: 1.5, maxIntervalSeconds: 5))
        let error = try #require(scratch.error(minimalConfig + "\n    reuse:\n      mode: always"))
        #expect(error.key == "streams.dock.reuse.mode", "\(error)")
        let threshold = try #require(scratch.error(minimalConfig + "\n    reuse:\n      threshold: 300"))
        #expect(threshold.key == "streams.dock.reuse.threshold" && threshold.message.contains("from 0 to 255"), "\(threshold)")
    }
}
