import Foundation
import ModelIO

/// Paths of the fixtures shipped in Tests/Fixtures (copied unchanged from ../shared).
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
    static var tinyA: String { path("fcclip/tiny-a") }
    static var tinyB: String { path("fcclip/tiny-b") }
}

/// A fresh temporary folder, removed when the value is deinitialised.
final class TemporaryDirectory {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "segd-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Bytes of a safetensors file assembled by hand (independent of SafeTensorsWriter).
func handMadeSafeTensors(header: String, data: [UInt8]) -> [UInt8] {
    let h = Array(header.utf8)
    var out: [UInt8] = []
    withUnsafeBytes(of: UInt64(h.count).littleEndian) { out.append(contentsOf: $0) }
    return out + h + data
}

func write(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// The message of the error thrown by `body`, or nil if it did not throw.
func errorMessage(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch {
        return String(describing: error)
    }
}
