import Foundation
import FCCLIP
import Tensor

/// A real `Segmentation` from FC-CLIP post-processing of hand-made logits (the FCCLIP
/// result types have no public memberwise inits): 16×16 output, 3 classes
/// (0 forklift thing, 1 floor stuff, 2 person thing), 3 queries on a 4×4 low-res grid:
/// query 0 = floor elsewhere, query 1 = forklift in the top-left quarter,
/// query 2 = person in the bottom-right quarter (strong masks).
enum RealSegmentation {
    static func make() -> Segmentation {
        let q = 3, c = 3
        // ln P over C + 1 columns (void last): each query is confident in its class.
        var cls = [Float](repeating: Float(log(0.01 / 3.0)), count: q * (c + 1))
        for (query, klass) in [(0, 1), (1, 0), (2, 2)] { cls[query * (c + 1) + klass] = Float(log(0.99)) }
        var masks = [Float](repeating: -12, count: q * 16)
        for i in 0..<16 { masks[i] = 12 }
        for y in 0..<2 { for x in 0..<2 { masks[16 + y * 4 + x] = 12; masks[y * 4 + x] = -12 } }
        for y in 2..<4 { for x in 2..<4 { masks[32 + y * 4 + x] = 12; masks[y * 4 + x] = -12 } }
        let geometry = SegmentationGeometry(paddedHeight: 16, paddedWidth: 16, resizedHeight: 16, resizedWidth: 16,
                                            outputHeight: 16, outputWidth: 16)
        return PostProcessor.run(maskCls: Tensor(shape: [q, c + 1], values: cls),
                                 maskLogits: Tensor(shape: [q, 4, 4], values: masks),
                                 geometry: geometry, isThing: [true, false, true])
    }
}
