import CLIP
import Foundation
import Testing

/// The cache folder itself: entry format checks, least-recently-used eviction under the bound,
/// and the default location.
@Suite struct TextEmbeddingCacheTests {
    static let dimension = 24

    static func key(_ n: Int) -> ContentDigest {
        var hasher = ContentHasher()
        hasher.combine("test key \(n)")
        return hasher.finalize()
    }

    static func values(_ n: Int) -> [Float] { (0..<dimension).map { Float(n) + Float($0) / 100 } }

    @Test func entriesRoundTripBitForBit() {
        let scratch = CacheScratch()
        let cache = scratch.cache()
        let values: [Float] = (0..<Self.dimension).map { Float(bitPattern: 0x3E00_0000 &+ UInt32($0) &* 0x0101_0101) }
        #expect(cache.store([(Self.key(1), values)]) == 1)
        #expect(cache.load(Self.key(1), dimension: Self.dimension) == .hit(values))
        #expect(cache.load(Self.key(2), dimension: Self.dimension) == .miss)
        // Asked for another width: the entry is not what this model produces.
        #expect(cache.load(Self.key(1), dimension: 16) == .rejected(.truncated(size: 152, expected: 120)))
    }

    @Test func everyHeaderFieldIsChecked() {
        let key = Self.key(1), values = Self.values(1)
        let good = EmbeddingCacheEntry.encode(key: key, values: values)
        #expect(good.count == EmbeddingCacheEntry.size(dimension: Self.dimension))
        #expect(EmbeddingCacheEntry.decode(good, key: key, dimension: Self.dimension) == .success(values))

        func damaged(_ change: (inout [UInt8]) -> Void) -> Result<[Float], EmbeddingCacheEntry.Problem> {
            var bytes = good
            change(&bytes)
            return EmbeddingCacheEntry.decode(bytes, key: key, dimension: Self.dimension)
        }
        #expect(damaged { $0[0] = 0x58 } == .failure(.badMagic))
        #expect(damaged { $0[8] = 2 } == .failure(.unsupportedVersion(2)))
        #expect(damaged { $0[12] = 25 } == .failure(.wrongShape(dimension: 25, count: 1)))
        #expect(damaged { $0[16] = 2 } == .failure(.wrongShape(dimension: Self.dimension, count: 2)))
        #expect(damaged { $0[30] ^= 1 } == .failure(.foreignKey))
        #expect(damaged { $0[44] ^= 1 } == .failure(.checksumMismatch))
        #expect(damaged { $0[EmbeddingCacheEntry.headerSize + 9] ^= 0x40 } == .failure(.checksumMismatch))
        #expect(damaged { $0.removeLast() } == .failure(.truncated(size: good.count - 1, expected: good.count)))
        #expect(damaged { $0.append(0) } == .failure(.truncated(size: good.count + 1, expected: good.count)))
        #expect(damaged { $0 = Array($0.prefix(20)) } == .failure(.truncated(size: 20, expected: good.count)))
        #expect(EmbeddingCacheEntry.decode(good, key: Self.key(2), dimension: Self.dimension) == .failure(.foreignKey))
        // A non-finite value with a matching checksum (as a buggy writer would leave) is refused too.
        var nan = values
        nan[3] = .nan
        #expect(EmbeddingCacheEntry.decode(EmbeddingCacheEntry.encode(key: key, values: nan), key: key, dimension: Self.dimension)
                == .failure(.nonFiniteValue))
    }

    @Test func leastRecentlyUsedEntriesAreEvictedBeyondTheBound() {
        let scratch = CacheScratch()
        // Each entry counts as one 4 KiB block: room for three.
        let cache = scratch.cache(maxBytes: 3 * TextEmbeddingCache.blockSize)
        for n in 1...3 { cache.store([(Self.key(n), Self.values(n))]) }
        #expect(cache.usedBytes == 3 * TextEmbeddingCache.blockSize)
        #expect(cache.load(Self.key(1), dimension: Self.dimension) == .hit(Self.values(1)))  // 1 is now the newest
        cache.store([(Self.key(4), Self.values(4))])
        #expect(cache.load(Self.key(2), dimension: Self.dimension) == .miss)
        #expect(cache.usedBytes <= cache.maxBytes)
        cache.store([(Self.key(5), Self.values(5))])
        #expect(cache.load(Self.key(3), dimension: Self.dimension) == .miss)
        for n in [1, 4, 5] { #expect(cache.load(Self.key(n), dimension: Self.dimension) == .hit(Self.values(n)), "entry \(n)") }
        #expect(scratch.entryNames.count == 3)

        // A smaller bound on the same folder (another process's setting) trims it at its next store.
        let small = scratch.cache(maxBytes: 2 * TextEmbeddingCache.blockSize)
        small.store([(Self.key(6), Self.values(6))])
        #expect(scratch.entryNames.count == 2)
        #expect(small.load(Self.key(6), dimension: Self.dimension) == .hit(Self.values(6)))
        #expect(small.load(Self.key(5), dimension: Self.dimension) == .hit(Self.values(5)))
    }

    @Test func theDefaultFolderFollowsSystemdThenXDGThenHome() {
        #expect(CacheLocation.defaultDirectory(environment: ["CACHE_DIRECTORY": "/var/cache/segd", "XDG_CACHE_HOME": "/x",
                                                             "HOME": "/home/a"]) == "/var/cache/segd")
        #expect(CacheLocation.defaultDirectory(environment: ["CACHE_DIRECTORY": "/var/cache/segd:/var/cache/other"]) == "/var/cache/segd")
        #expect(CacheLocation.defaultDirectory(environment: ["XDG_CACHE_HOME": "/x/cache/", "HOME": "/home/a"]) == "/x/cache/segd")
        // A relative XDG_CACHE_HOME is ignored, as the XDG spec says.
        #expect(CacheLocation.defaultDirectory(environment: ["XDG_CACHE_HOME": "cache", "HOME": "/home/a"]) == "/home/a/.cache/segd")
        #expect(CacheLocation.defaultDirectory(environment: ["HOME": "/"]) == "/.cache/segd")
        #expect(CacheLocation.defaultDirectory(environment: [:]) == nil)
    }
}
