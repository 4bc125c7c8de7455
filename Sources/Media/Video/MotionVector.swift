/// One motion vector exported by the decoder (FFmpeg's `AVMotionVector`).
///
/// The block of `blockWidth`×`blockHeight` pixels centred on (`destinationX`, `destinationY`) in
/// the current frame was predicted from the block centred on (`sourceX`, `sourceY`) in a reference
/// frame. `motionX / motionScale` and `motionY / motionScale` give the displacement with sub-pixel
/// precision (`source = destination + motion / motionScale`).
public struct MotionVector: Sendable, Equatable {
    /// Which reference: negative for a past frame, positive for a future frame.
    public var source: Int32
    public var blockWidth: Int
    public var blockHeight: Int
    /// Centre of the reference block (`src_x`, `src_y`).
    public var sourceX: Int
    public var sourceY: Int
    /// Centre of the predicted block in this frame (`dst_x`, `dst_y`).
    public var destinationX: Int
    public var destinationY: Int
    public var motionX: Int
    public var motionY: Int
    public var motionScale: Int

    public init(source: Int32, blockWidth: Int, blockHeight: Int, sourceX: Int, sourceY: Int,
                destinationX: Int, destinationY: Int, motionX: Int, motionY: Int, motionScale: Int) {
        self.source = source
        self.blockWidth = blockWidth
        self.blockHeight = blockHeight
        self.sourceX = sourceX
        self.sourceY = sourceY
        self.destinationX = destinationX
        self.destinationY = destinationY
        self.motionX = motionX
        self.motionY = motionY
        self.motionScale = motionScale
    }
}
