/// A dense, contiguous, row-major float32 tensor.
///
/// ## Layout
/// Elements are stored contiguously in row-major (C) order: the last axis varies fastest.
/// There are no strided views; `reshaped` is free and `permuted` copies.
///
/// Feature maps are **channels-last**, `[N, H, W, C]` (NHWC), unlike PyTorch's NCHW.
/// In that layout every per-pixel operation of the model reads one contiguous run of
/// channels, so:
/// - a 1x1 convolution and a `Linear` over channels are a single GEMM of `[N·H·W, Cin]`
///   by `[Cin, Cout]` with no transposes or copies (ConvNeXt's MLP, the pixel decoder's
///   projections, the mask-feature convolution);
/// - LayerNorm over channels (ConvNeXt, every transformer) normalises contiguous rows;
/// - the depthwise 7x7 convolution vectorises across channels;
/// - attention tokens are simply the `[H·W, C]` rows of the map.
/// Weights keep the checkpoint's own (PyTorch) layout and are repacked once where a kernel
/// needs another (see `Conv2dWeights`). Use `permuted(_:)` to move between NCHW and NHWC.
///
/// ## Value semantics
/// `Tensor` is a value type with copy-on-write storage. Storage may be read-only
/// (a memory-mapped weight file); the first mutation of such a tensor copies it.
public struct Tensor: @unchecked Sendable {
    /// The extent of each axis; `[]` is a scalar.
    public private(set) var shape: [Int]
    @usableFromInline var storage: TensorStorage

    /// The number of elements (the product of `shape`).
    @inlinable public var count: Int { storage.count }
    /// The number of axes.
    @inlinable public var rank: Int { shape.count }

    /// A tensor of the given shape with every element set to `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        let count = Tensor.elementCount(shape)
        storage = TensorStorage(allocating: count)
        storage.base.initialize(repeating: value, count: count)
        self.shape = shape
    }

    /// A tensor of the given shape holding `values` in row-major order.
    public init(shape: [Int], values: [Float]) {
        let count = Tensor.elementCount(shape)
        precondition(values.count == count, "Tensor(shape: \(shape)) needs \(count) values, got \(values.count)")
        let storage = TensorStorage(allocating: count)
        values.withUnsafeBufferPointer { storage.base.initialize(from: $0.baseAddress!, count: count) }
        self.storage = storage
        self.shape = shape
    }

    /// A tensor whose `count` elements are uninitialised, to be filled by `body`.
    ///
    /// `body` is deliberately non-throwing. Swift 6.3's LLVM miscompiles a throwing closure
    /// passed to a non-inlined callee when the closure ends in a memcpy/memmove/memset tail
    /// call: the Swift error register (r12 on x86-64) is not restored on that path, so the
    /// callee sees a phantom error, frees the storage and returns garbage
    /// (swiftlang/swift#90477, fixed upstream by llvm/llvm-project#214590). A non-throwing
    /// closure has no error register to corrupt. `tools/check-swifterror-tailcalls.py` scans
    /// a binary for the pattern.
    public init(shape: [Int], unsafeUninitialized body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        let count = Tensor.elementCount(shape)
        storage = TensorStorage(allocating: count)
        self.shape = shape
        body(UnsafeMutableBufferPointer(start: storage.base, count: count))
    }

    /// Wraps existing storage (for example a memory-mapped weight) without copying.
    public init(shape: [Int], storage: TensorStorage) {
        precondition(Tensor.elementCount(shape) == storage.count,
                     "shape \(shape) does not match storage of \(storage.count) elements")
        self.shape = shape
        self.storage = storage
    }

    /// A scalar tensor.
    public init(scalar: Float) { self.init(shape: [], values: [scalar]) }

    /// The product of the extents; traps on negative extents.
    public static func elementCount(_ shape: [Int]) -> Int {
        var n = 1
        for d in shape {
            precondition(d >= 0, "negative extent in shape \(shape)")
            n *= d
        }
        return n
    }

    /// Calls `body` with a read-only view of the elements.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        let owner = storage
        defer { withExtendedLifetime(owner) {} }
        return try body(UnsafeBufferPointer(start: owner.base, count: owner.count))
    }

    /// Calls `body` with a writable view of the elements, copying shared or read-only storage first.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        if !isKnownUniquelyReferenced(&storage) || !storage.isWritable {
            storage = storage.copy()
        }
        let owner = storage
        defer { withExtendedLifetime(owner) {} }
        return try body(UnsafeMutableBufferPointer(start: owner.base, count: owner.count))
    }

    /// The elements as an array, in row-major order.
    public var scalars: [Float] { withUnsafeBufferPointer { Array($0) } }

    /// The single element of a one-element tensor.
    public var scalarValue: Float {
        precondition(count == 1, "scalarValue of a tensor of shape \(shape)")
        return withUnsafeBufferPointer { $0[0] }
    }

    /// The element at a multi-dimensional index (slow; for tests and diagnostics).
    public subscript(_ index: Int...) -> Float {
        get { withUnsafeBufferPointer { $0[flatIndex(index)] } }
        set {
            let i = flatIndex(index)
            withUnsafeMutableBufferPointer { $0[i] = newValue }
        }
    }

    private func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == rank, "index \(index) for tensor of shape \(shape)")
        var flat = 0
        for (i, d) in zip(index, shape) {
            precondition(i >= 0 && i < d, "index \(index) out of bounds for shape \(shape)")
            flat = flat * d + i
        }
        return flat
    }

    /// The same elements under another shape with the same element count (no copy).
    /// One extent may be `-1`, inferred from the others.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var resolved = newShape
        if let inferred = newShape.firstIndex(of: -1) {
            resolved[inferred] = 1
            let known = Tensor.elementCount(resolved)
            precondition(known > 0 && count % known == 0, "cannot reshape \(shape) to \(newShape)")
            resolved[inferred] = count / known
        }
        precondition(Tensor.elementCount(resolved) == count, "cannot reshape \(shape) to \(newShape)")
        return Tensor(shape: resolved, storage: storage)
    }

    /// A copy with axes reordered: result axis `i` is source axis `axes[i]`
    /// (PyTorch `permute`). NCHW → NHWC is `permuted([0, 2, 3, 1])`.
    public func permuted(_ axes: [Int]) -> Tensor {
        precondition(axes.count == rank && Set(axes) == Set(0..<rank), "invalid permutation \(axes) for rank \(rank)")
        if axes == Array(0..<rank) { return self }
        let newShape = axes.map { shape[$0] }
        var srcStrides = [Int](repeating: 1, count: rank)
        for i in stride(from: rank - 2, through: 0, by: -1) { srcStrides[i] = srcStrides[i + 1] * shape[i + 1] }
        let strides = axes.map { srcStrides[$0] }
        return withUnsafeBufferPointer { src in
            Tensor(shape: newShape) { dst in
                // Odometer over the destination index; the innermost axis is a strided gather.
                let inner = newShape.last ?? 1
                let innerStride = strides.last ?? 1
                var index = [Int](repeating: 0, count: max(rank - 1, 0))
                var out = 0
                let outer = inner == 0 ? 0 : count / inner
                for _ in 0..<outer {
                    var base = 0
                    for a in 0..<index.count { base += index[a] * strides[a] }
                    for j in 0..<inner { dst[out + j] = src[base + j * innerStride] }
                    out += inner
                    var a = index.count - 1
                    while a >= 0 {
                        index[a] += 1
                        if index[a] < newShape[a] { break }
                        index[a] = 0
                        a -= 1
                    }
                }
            }
        }
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = withUnsafeBufferPointer { $0.prefix(8).map { String($0) }.joined(separator: ", ") }
        return "Tensor(shape: \(shape), [\(preview)\(count > 8 ? ", …" : "")])"
    }
}

/// Reference-counted element buffer of a `Tensor`: either owned (64-byte aligned heap memory)
/// or borrowed from an owner that keeps it alive (a memory-mapped file), in which case it is
/// read-only.
public final class TensorStorage: @unchecked Sendable {
    public let base: UnsafeMutablePointer<Float>
    public let count: Int
    /// Whether `base` may be written (false for borrowed memory).
    public let isWritable: Bool
    private let owner: AnyObject?

    /// Alignment of owned buffers: one AVX-512 vector / cache line.
    public static let alignment = 64

    init(allocating count: Int) {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride,
                                                   alignment: TensorStorage.alignment)
        base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        self.count = count
        isWritable = true
        owner = nil
    }

    /// Borrows `count` floats at `pointer`, kept valid by `owner` for the storage's lifetime.
    public init(borrowing pointer: UnsafePointer<Float>, count: Int, owner: AnyObject) {
        base = UnsafeMutablePointer(mutating: pointer)
        self.count = count
        isWritable = false
        self.owner = owner
    }

    @usableFromInline func copy() -> TensorStorage {
        let new = TensorStorage(allocating: count)
        new.base.initialize(from: base, count: count)
        return new
    }

    deinit {
        if owner == nil { UnsafeMutableRawPointer(base).deallocate() }
    }
}
