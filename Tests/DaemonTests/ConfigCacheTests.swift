import Daemon
import Foundation
import Testing

/// `cache_dir` and `cache_max_mb`: the text classifier cache's folder and bound.
@Suite struct ConfigCacheTests {
    let scratch = ConfigScratch()

    @Test func defaultsLeaveTheFolderToTheEnvironmentAndBoundIt() throws {
        let config = try scratch.load(minimalConfig)
        #expect(config.cacheDirectory == nil)
        #expect(config.cacheMaxMegabytes == 256)
        let example = try DaemonConfig.load(path: ConfigExampleTests.root.appendingPathComponent("config/segd.yaml").path, environment: [:])
        #expect(example.cacheDirectory == nil && example.cacheMaxMegabytes == 256)
    }

    @Test func aRelativeFolderIsTakenFromTheConfigFilesFolder() throws {
        let config = try scratch.load(minimalConfig + "\ncache_dir: cache/segd\ncache_max_mb: 1024")
        #expect(config.cacheDirectory == scratch.directory + "/cache/segd")
        #expect(config.cacheMaxMegabytes == 1024)
        let overridden = try scratch.load(minimalConfig, environment: ["SEGD_CACHE_DIR": "/var/cache/other", "SEGD_CACHE_MAX_MB": "64"])
        #expect(overridden.cacheDirectory == "/var/cache/other" && overridden.cacheMaxMegabytes == 64)
    }

    @Test func badValuesNameTheKey() throws {
        scratch.write("not a folder", to: "file")
        let file = try #require(scratch.error(minimalConfig + "\ncache_dir: file"))
        #expect(file.key == "cache_dir" && file.message.contains("is not a folder"), "\(file)")
        for (value, fragment) in [("0", "whole number of at least 1"), ("2000000", "must be from 1 to 1048576 (got 2000000)"),
                                  ("lots", "whole number")] {
            let error = try #require(scratch.error(minimalConfig + "\ncache_max_mb: \(value)"), "\(value)")
            #expect(error.key == "cache_max_mb" && error.message.contains(fragment), "\(error)")
        }
    }
}
