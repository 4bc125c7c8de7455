import Foundation
import ModelIO
import Tensor

/// Golden fixtures produced by the official FC-CLIP code (Tests/Fixtures/fcclip), shared by
/// the test targets that check parity.
public struct GoldenFixture {
    public let name: String
    public let bundle: ModelBundle
    public let io: SafeTensorsFile

    /// Tests/Fixtures.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    public init(_ name: String) throws {
        self.name = name
        let dir = GoldenFixture.root.appendingPathComponent("fcclip/\(name)").path
        bundle = try ModelBundle(directory: dir)
        io = try SafeTensorsFile(path: dir + "/io.safetensors")
    }

    /// A reference tensor as stored (PyTorch layout).
    public func reference(_ key: String) throws -> Tensor { try io.tensor(key) }

    /// A reference NCHW map `[1, C, H, W]` converted to segd's NHWC.
    public func referenceNHWC(_ key: String) throws -> Tensor { try io.tensor(key).permuted([0, 2, 3, 1]) }

    public func integers(_ key: String) throws -> [Int64] { try io.integers(key).values }
}

/// ‖got − want‖₂ / ‖want‖₂, accumulated in Double. The parity tolerance is 1e-4: float32
/// re-implementations of the same math differ by summation order (~1e-6 relative per
/// reduction, growing slowly with depth), while a wrong axis, eps, transpose or missing
/// term gives errors of 1e-2 or more.
public func relativeL2(_ got: Tensor, _ want: Tensor) -> Double {
    precondition(got.shape == want.shape, "shape \(got.shape) vs reference \(want.shape)")
    return got.withUnsafeBufferPointer { g in
        want.withUnsafeBufferPointer { w in
            var num = 0.0, den = 0.0
            for i in 0..<g.count {
                let d = Double(g[i]) - Double(w[i])
                num += d * d
                den += Double(w[i]) * Double(w[i])
            }
            return (num / max(den, 1e-300)).squareRoot()
        }
    }
}

/// Prints a parity line (visible in the test log) and returns the error.
@discardableResult
public func parity(_ fixture: String, _ name: String, _ got: Tensor, _ want: Tensor) -> Double {
    let e = relativeL2(got, want)
    print("parity \(fixture) \(name): relative L2 error \(String(format: "%.2e", e))")
    return e
}
