import Foundation

/// How much memory a stream's model pass may use, for refusing an input size that cannot fit
/// before it is tried: the configuration's `memory_limit_mb` when set, else what the system has
/// available now (the smallest of /proc/meminfo's MemAvailable and the room left under the
/// process's cgroup v2 `memory.max`).
public struct MemoryBudget: Sendable, Equatable {
    /// Bytes; nil when neither the configuration nor the system says (then nothing is refused).
    public var bytes: Int?

    public init(bytes: Int?) {
        self.bytes = bytes
    }

    /// The budget for `config`: its `memory_limit_mb`, or the system's.
    public static func forConfig(_ config: DaemonConfig) -> MemoryBudget {
        if let megabytes = config.memoryLimitMegabytes { return MemoryBudget(bytes: megabytes << 20) }
        return system()
    }

    /// What the system has available now.
    public static func system() -> MemoryBudget {
        let candidates = [memAvailable(), cgroupRoom()].compactMap { $0 }
        return MemoryBudget(bytes: candidates.min())
    }

    /// MemAvailable from /proc/meminfo, in bytes.
    static func memAvailable() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let fields = line.split(separator: " ")
            if fields.count >= 2, let kib = Int(fields[1]) { return kib * 1024 }
        }
        return nil
    }

    /// memory.max minus memory.current of this process's cgroup (v2), in bytes; nil when unlimited.
    static func cgroupRoom() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("0::") }) else { return nil }
        let folder = "/sys/fs/cgroup" + line.dropFirst(3)
        func read(_ name: String) -> Int? {
            (try? String(contentsOfFile: folder + "/" + name, encoding: .utf8))
                .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        guard let limit = read("memory.max") else { return nil }  // "max" = unlimited
        return max(0, limit - (read("memory.current") ?? 0))
    }

    /// Throws when `bytes` does not fit, with a message naming the stream and what to change.
    func check(stream: String, needs bytes: Int, inputSize: Int, inputMaxSize: Int) throws {
        guard let budget = self.bytes, bytes > budget else { return }
        throw ControlError("stream \(stream): the model needs about \(Self.gib(bytes)) of working memory for inputs up to "
            + "\(inputSize)x\(inputMaxSize) (input_size x input_max_size), but only \(Self.gib(budget)) is available"
            + " (memory_limit_mb or the system's available memory); lower input_size and input_max_size")
    }

    /// Bytes a frame costs per source pixel outside the model: the RGB frame, the panoptic,
    /// label and score maps at source resolution and the PNG being encoded, rounded up.
    static let bytesPerFramePixel = 24

    /// The largest source frame, in pixels, that fits beside `modelBytes` of working memory
    /// (per-class scores add 4 bytes a pixel each when semantic maps are written); nil when
    /// the budget is unknown.
    func maxFramePixels(besides modelBytes: Int, semanticClasses: Int) -> Int? {
        guard let bytes else { return nil }
        let perPixel = Self.bytesPerFramePixel + 4 * semanticClasses
        return max(bytes - modelBytes, 0) / perPixel
    }

    static func gib(_ bytes: Int) -> String {
        bytes >= 1 << 30 ? String(format: "%.1f GiB", Double(bytes) / Double(1 << 30))
            : String(format: "%.0f MiB", Double(bytes) / Double(1 << 20))
    }
}
