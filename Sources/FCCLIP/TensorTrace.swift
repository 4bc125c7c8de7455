import Foundation
import Tensor

/// Collects intermediate tensors under the names the golden fixtures use (e.g.
/// `pixel_decoder.mask_features`), so a run can be dumped and compared stage by stage with
/// the official code (`--dump-tensors`). Model code records into an optional trace; with no
/// trace nothing is copied.
public final class TensorTrace: @unchecked Sendable {
    /// How a recorded tensor maps to the fixture's layout.
    public enum Layout: Sendable {
        /// Stored as the fixture stores it.
        case asIs
        /// segd's channels-last `[N, H, W, C]` for a fixture tensor in PyTorch's `[N, C, H, W]`.
        case nhwc
    }

    private let lock = NSLock()
    private var entries: [(name: String, tensor: Tensor, layout: Layout)] = []

    public init() {}

    /// Records `tensor` under `name`; the last record of a name wins.
    public func record(_ name: String, _ tensor: Tensor, layout: Layout = .asIs) {
        lock.lock()
        defer { lock.unlock() }
        entries.removeAll { $0.name == name }
        entries.append((name, tensor, layout))
    }

    /// The recorded names, in recording order.
    public var names: [String] {
        lock.lock()
        defer { lock.unlock() }
        return entries.map(\.name)
    }

    /// The tensor recorded under `name`, converted to the fixture's layout (NCHW for maps).
    public func tensor(_ name: String) -> Tensor? {
        lock.lock()
        defer { lock.unlock() }
        guard let e = entries.first(where: { $0.name == name }) else { return nil }
        switch e.layout {
        case .asIs: return e.tensor
        case .nhwc: return e.tensor.permuted([0, 3, 1, 2])
        }
    }
}
