import FCCLIP
import Foundation
import GoldenFixtures
import ModelIO
import Tensor
import Testing

/// Tensors and discrete outputs of one official post-processing run.
struct PostProcessingReference {
    let io: SafeTensorsFile
    func tensor(_ k: String) throws -> Tensor { try io.tensor(k) }
    func ints(_ k: String) throws -> [Int64] { try io.integers(k).values }

    /// Panoptic map and segments (`prefix` = "output." or "output.panoptic_default." or "output.fcclip.").
    func expectPanoptic(_ got: PanopticSegmentation, prefix: String, label: String) throws {
        let wantMap = try ints(prefix + "panoptic_seg").map { Int32($0) }
        let differing = zip(got.ids, wantMap).filter { $0 != $1 }.count
        print("discrete \(label) \(prefix)panoptic_seg: \(differing) of \(wantMap.count) pixels differ")
        #expect(differing == 0, "\(label) \(prefix)panoptic_seg")
        let ids = try ints(prefix + "segments.id"), cats = try ints(prefix + "segments.category_id")
        let things = try ints(prefix + "segments.isthing")
        #expect(got.segments.map { Int64($0.id) } == ids, "\(label) segment ids")
        #expect(got.segments.map { Int64($0.category) } == cats, "\(label) segment categories")
        #expect(got.segments.map { $0.isThing ? 1 : 0 } == things.map { Int($0) }, "\(label) segment isthing")
        for s in got.segments { #expect(s.area == wantMap.filter { $0 == s.id }.count) }
    }

    /// Instances as a set: each official instance has a counterpart with the same class and mask,
    /// score within 1e-5.
    func expectInstances(_ got: [Instance], label: String) throws {
        let classes = try ints("output.instances.pred_classes"), scores = try tensor("output.instances.scores").scalars
        let masksShape = try io.entry("output.instances.pred_masks_u8").shape
        let masks = try ints("output.instances.pred_masks_u8").map { UInt8($0) }
        let n = classes.count, plane = masksShape.count == 3 ? masksShape[1] * masksShape[2] : 0
        #expect(got.count == n, "\(label): \(got.count) instances, official \(n)")
        var used = Set<Int>()
        var worst: Float = 0
        for i in 0..<n {
            let want = Array(masks[(i * plane)..<((i + 1) * plane)])
            let match = got.indices.first { j in
                !used.contains(j) && Int64(got[j].category) == classes[i] && abs(got[j].score - scores[i]) <= 1e-5
                    && got[j].mask.bytes == want
            }
            #expect(match != nil, "\(label): official instance \(i) (class \(classes[i]), score \(scores[i])) not found")
            if let match {
                used.insert(match)
                worst = max(worst, abs(got[match].score - scores[i]))
            }
        }
        print("discrete \(label) instances: \(used.count) of \(n) matched, worst score error \(worst)")
        // Sorted by score: the official canonical order sorts by (-score, class).
        #expect(zip(got, got.dropFirst()).allSatisfy { $0.score >= $1.score })
    }
}

func argmaxOverClasses(_ semseg: Tensor) -> [Int32] {
    let (c, n) = (semseg.shape[0], semseg.count / semseg.shape[0])
    let v = semseg.scalars
    return (0..<n).map { p in
        var best = v[p], arg = 0
        for k in 1..<c where v[k * n + p] > best { best = v[k * n + p]; arg = k }
        return Int32(arg)
    }
}

@Suite struct PostProcessingTests {
    static func thingFlags(_ dir: String, classes: Int) throws -> [Bool] {
        let data = try Data(contentsOf: GoldenFixture.root.appendingPathComponent("fcclip/\(dir)/config.json"))
        let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let things = Set((json["thing_class_indices"] as! [Int]))
        return (0..<classes).map { things.contains($0) }
    }

    /// tiny-a / tiny-b: the official mask_cls and decoder masks through upsampling and all three
    /// inferences, with the fixture's thresholds and again with the FC-CLIP eval thresholds.
    @Test(arguments: ["tiny-a", "tiny-b"])
    func modelFixtureMatchesOfficial(fixture: String) throws {
        let f = try GoldenFixture(fixture)
        let ref = PostProcessingReference(io: f.io)
        let maskCls = try f.reference("post.mask_cls"), masks = try f.reference("decoder.pred_masks")
        let size = try f.integers("input.image_size_hw").map { Int($0) }, out = try f.integers("input.output_size_hw").map { Int($0) }
        let padded = try f.reference("post.mask_pred_padded").shape
        let geometry = SegmentationGeometry(paddedHeight: padded[1], paddedWidth: padded[2], resizedHeight: size[0],
                                            resizedWidth: size[1], outputHeight: out[0], outputWidth: out[1])
        let c = maskCls.shape[1] - 1
        let isThing = try Self.thingFlags(fixture, classes: c)
        var options = PostProcessingOptions(f.bundle.config.inference)
        let trace = TensorTrace()
        let r = PostProcessor.run(maskCls: maskCls, maskLogits: masks, geometry: geometry, isThing: isThing,
                                  options: options, trace: trace)
        for name in ["post.mask_pred_padded", "post.mask_pred", "output.sem_seg"] {
            #expect(parity(fixture, name, trace.tensor(name)!, try f.reference(name)) <= 1e-4, "\(name)")
        }
        let semWant = try f.reference("output.sem_seg")
        let labelsAgree = r.semantic!.labels == argmaxOverClasses(semWant)
        #expect(labelsAgree, "semantic argmax")
        let labelsConsistent = r.semantic!.labels == argmaxOverClasses(r.semantic!.scores!.reshaped(semWant.shape))
        #expect(labelsConsistent)
        try ref.expectPanoptic(r.panoptic!, prefix: "output.", label: fixture)
        try ref.expectInstances(r.instances!, label: fixture)

        options.objectMaskThreshold = 0.0
        options.overlapThreshold = 0.8
        options.semantic = false
        options.instances = false
        let d = PostProcessor.run(maskCls: maskCls, maskLogits: masks, geometry: geometry, isThing: isThing, options: options)
        try ref.expectPanoptic(d.panoptic!, prefix: "output.panoptic_default.", label: fixture)
        #expect(d.semantic == nil && d.instances == nil)
    }

    static func postprocA() throws -> (ref: PostProcessingReference, maskCls: Tensor, masks: Tensor, geometry: SegmentationGeometry, isThing: [Bool]) {
        let io = try SafeTensorsFile(path: GoldenFixture.root.appendingPathComponent("fcclip/postproc-a/io.safetensors").path)
        let ref = PostProcessingReference(io: io)
        let size = try ref.ints("input.image_size_hw").map { Int($0) }, out = try ref.ints("input.output_size_hw").map { Int($0) }
        let padded = try ref.ints("input.padded_size_hw").map { Int($0) }
        let geometry = SegmentationGeometry(paddedHeight: padded[0], paddedWidth: padded[1], resizedHeight: size[0],
                                            resizedWidth: size[1], outputHeight: out[0], outputWidth: out[1])
        let maskCls = try ref.tensor("input.mask_cls")
        return (ref, maskCls, try ref.tensor("input.mask_pred_lowres"), geometry,
                try thingFlags("postproc-a", classes: maskCls.shape[1] - 1))
    }

    /// postproc-a: stuff merging, void queries, empty masks, overlap rejection, both threshold
    /// runs, and 40 instances from top-100.
    @Test func postprocAMatchesOfficial() throws {
        let (ref, maskCls, masks, geometry, isThing) = try Self.postprocA()
        var options = PostProcessingOptions()
        options.objectMaskThreshold = 0.0
        options.overlapThreshold = 0.8
        options.detectionsPerImage = 100
        let trace = TensorTrace()
        let r = PostProcessor.run(maskCls: maskCls, maskLogits: masks, geometry: geometry, isThing: isThing,
                                  options: options, trace: trace)
        #expect(parity("postproc-a", "post.mask_pred_padded", trace.tensor("post.mask_pred_padded")!,
                       try ref.tensor("post.mask_pred_padded").reshaped([20, geometry.paddedHeight, geometry.paddedWidth])) <= 1e-4)
        for name in ["post.mask_pred", "output.sem_seg"] {
            #expect(parity("postproc-a", name, trace.tensor(name)!, try ref.tensor(name)) <= 1e-4, "\(name)")
        }
        let labelsAgree = r.semantic!.labels == argmaxOverClasses(try ref.tensor("output.sem_seg"))
        #expect(labelsAgree, "semantic argmax")
        try ref.expectPanoptic(r.panoptic!, prefix: "output.fcclip.", label: "postproc-a fcclip")
        try ref.expectInstances(r.instances!, label: "postproc-a")

        options.objectMaskThreshold = 0.8
        let m2f = PostProcessor.run(maskCls: maskCls, maskLogits: masks, geometry: geometry, isThing: isThing, options: options)
        try ref.expectPanoptic(m2f.panoptic!, prefix: "output.m2f.", label: "postproc-a m2f")
    }

    /// One-row bands give the same outputs as a single band. The upsampled masks are bit-identical
    /// (same arithmetic per element); the semantic GEMM's summation order depends on BLAS blocking
    /// for the matrix size, so the scores may differ in the last bits.
    @Test func bandingIsExact() throws {
        let (_, maskCls, masks, geometry, isThing) = try Self.postprocA()
        var options = PostProcessingOptions()
        options.keepSemanticScores = true
        let whole = PostProcessor.run(maskCls: maskCls, maskLogits: masks, geometry: geometry, isThing: isThing, options: options)
        options.bandBudgetBytes = 1
        let banded = PostProcessor.run(maskCls: maskCls, maskLogits: masks, geometry: geometry, isThing: isThing, options: options)
        #expect(parity("postproc-a", "banded sem_seg", banded.semantic!.scores!, whole.semantic!.scores!) <= 1e-6)
        let sameLabels = whole.semantic!.labels == banded.semantic!.labels
        #expect(sameLabels)
        let samePanoptic = whole.panoptic!.ids == banded.panoptic!.ids && whole.panoptic!.segments == banded.panoptic!.segments
        #expect(samePanoptic)
        let sameInstances = whole.instances! == banded.instances!
        #expect(sameInstances)
    }

    /// Semantic-only order (`sem_seg_postprocess_before_inference` off): scores at the padded size,
    /// then cropped and resized — checked against whole-map resizes with `Tensor.resizedBilinear`.
    @Test func semanticOnlyOrder() throws {
        let (_, maskCls, masks, g, isThing) = try Self.postprocA()
        var options = PostProcessingOptions()
        options.panoptic = false
        options.instances = false
        options.semSegPostprocessBeforeInference = false
        options.keepSemanticScores = true
        options.bandBudgetBytes = 20_000
        let r = PostProcessor.run(maskCls: maskCls, maskLogits: masks, geometry: g, isThing: isThing, options: options)
        let (q, c) = (maskCls.shape[0], maskCls.shape[1] - 1)
        // Reference: [1, h4, w4, Q] → padded → sigmoid → einsum → crop → resize.
        var up = masks.reshaped([q, masks.shape[2], masks.shape[3]]).permuted([1, 2, 0]).reshaped([1, masks.shape[2], masks.shape[3], q])
            .resizedBilinear(height: g.paddedHeight, width: g.paddedWidth)
        up.applySigmoid()
        let probs = maskCls.softmax().scalars
        let pv = up.scalars
        var sem = [Float](repeating: 0, count: g.resizedHeight * g.resizedWidth * c)
        for y in 0..<g.resizedHeight {
            for x in 0..<g.resizedWidth {
                for k in 0..<c {
                    var s: Float = 0
                    for i in 0..<q { s += probs[i * (c + 1) + k] * pv[(y * g.paddedWidth + x) * q + i] }
                    sem[(y * g.resizedWidth + x) * c + k] = s
                }
            }
        }
        let want = Tensor(shape: [1, g.resizedHeight, g.resizedWidth, c], values: sem)
            .resizedBilinear(height: g.outputHeight, width: g.outputWidth).permuted([0, 3, 1, 2]).reshaped([c, g.outputHeight, g.outputWidth])
        #expect(parity("postproc-a", "semantic-only sem_seg", r.semantic!.scores!, want) <= 1e-5)
        #expect(r.panoptic == nil && r.instances == nil)
    }

    /// No kept query (all void): an all-zero map and no segments.
    @Test func allVoidGivesEmptyPanoptic() {
        let q = 3, c = 2
        var cls = [Float]()
        for _ in 0..<q { cls += [log(0.05), log(0.05), log(0.9)] }
        let g = SegmentationGeometry(paddedHeight: 8, paddedWidth: 8, resizedHeight: 7, resizedWidth: 6, outputHeight: 5, outputWidth: 9)
        let r = PostProcessor.run(maskCls: Tensor(shape: [q, c + 1], values: cls), maskLogits: Tensor(shape: [q, 2, 2], repeating: 3),
                                  geometry: g, isThing: [true, false])
        #expect(r.panoptic!.ids == [Int32](repeating: 0, count: 45) && r.panoptic!.segments.isEmpty)
        #expect(r.semantic!.labels.count == 45)
        #expect(r.instances!.count == 3 && r.instances!.allSatisfy { $0.category == 0 && $0.mask.area == 45 })
    }
}
