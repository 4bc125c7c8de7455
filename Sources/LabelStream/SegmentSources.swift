import FCCLIP

/// What the record builder and the overlay need of one panoptic segment (`segments_info`).
/// Public memberwise init, so segments can be given without an FCCLIP `Segment`.
public struct PanopticSegmentInfo: Sendable, Equatable {
    public var id: Int32
    public var category: Int
    public var isThing: Bool
    public var score: Float

    public init(id: Int32, category: Int, isThing: Bool, score: Float) {
        self.id = id
        self.category = category
        self.isThing = isThing
        self.score = score
    }

    public init(_ s: Segment) {
        self.init(id: s.id, category: s.category, isThing: s.isThing, score: s.score)
    }
}

/// What the record builder and the overlay need of one detection (`Instance`).
public struct InstanceInfo: Sendable, Equatable {
    public var category: Int
    public var score: Float
    public var mask: BinaryMask

    public init(category: Int, score: Float, mask: BinaryMask) {
        self.category = category
        self.score = score
        self.mask = mask
    }

    public init(_ i: Instance) {
        self.init(category: i.category, score: i.score, mask: i.mask)
    }
}
