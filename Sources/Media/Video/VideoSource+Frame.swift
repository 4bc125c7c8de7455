import CFFmpeg
import FCCLIP

extension VideoSource {
    /// Turns the decoder's current frame into a `DecodedFrame`: time, orientation, pixels, vectors.
    func decodedFrame(_ frame: UnsafeMutablePointer<AVFrame>, index: Int,
                      wantPixels: (Int, Double) -> Bool) throws -> DecodedFrame {
        let time = presentationTime(frame)
        let pts = time.pts
        let orientation = frameOrientation(frame) ?? streamOrientation
        let storedWidth = Int(frame.pointee.width), storedHeight = Int(frame.pointee.height)
        let (uprightWidth, uprightHeight) = orientation.swapsSides ? (storedHeight, storedWidth) : (storedWidth, storedHeight)
        if width <= 0 || height <= 0 { (width, height) = (uprightWidth, uprightHeight) }

        var image: RGBImage? = nil
        if wantPixels(index, pts) {
            switch converter.rgb24(frame) {
            case let .success(pixels):
                let upright = orientation.apply(width: storedWidth, height: storedHeight, channels: 3, pixels: pixels)
                image = try RGBImage(width: upright.width, height: upright.height, pixels: upright.pixels)
            case let .failure(failure):
                throw MediaError.decodeFailed(path: url, reason: failure.reason)
            }
        }
        let isKeyframe = frame.pointee.key_frame != 0 || frame.pointee.pict_type == AV_PICTURE_TYPE_I
        return DecodedFrame(index: index, pts: pts, width: uprightWidth, height: uprightHeight, image: image,
                            isKeyframe: isKeyframe, motionVectors: options.exportMotionVectors ? motionVectors(frame) : nil,
                            sourcePTS: time.sourcePTS, discontinuity: time.discontinuity)
    }

    /// `best_effort_timestamp` in seconds from the stream's start, placed on a strictly
    /// increasing timeline by `continuity` (a frame without one comes one frame interval after
    /// the previous frame).
    private func presentationTime(_ frame: UnsafeMutablePointer<AVFrame>) -> PTSContinuity.Placement {
        let timestamp = frame.pointee.best_effort_timestamp
        // In Double: the difference of two Int64 timestamps may overflow on broken streams.
        let source = timestamp == segd_nopts_value() ? nil : (Double(timestamp) - Double(startTime ?? 0)) * timeBase
        let placement = continuity.place(source)
        if placement.discontinuity {
            let from = lastSourcePTS.map(Self.seconds) ?? "?"
            warnings.report("\(url): frame \(decodedCount - 1): the timestamps jump from \(from) s to \(Self.seconds(placement.sourcePTS)) s; "
                            + "pts continue at \(Self.seconds(placement.pts)) s (the record says \"discontinuity\")")
        }
        lastSourcePTS = placement.sourcePTS
        return placement
    }

    /// `t` with 3 decimals.
    private static func seconds(_ t: Double) -> String {
        let ms = (t * 1000).rounded()
        guard ms.isFinite, abs(ms) < 1e15 else { return "\(t)" }
        let n = Int(ms), sign = n < 0 ? "-" : ""
        let fraction = String(abs(n) % 1000)
        return sign + String(abs(n) / 1000) + "." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    private func frameOrientation(_ frame: UnsafeMutablePointer<AVFrame>) -> ImageOrientation? {
        guard let side = av_frame_get_side_data(frame, AV_FRAME_DATA_DISPLAYMATRIX), side.pointee.size >= 36 else { return nil }
        return ImageOrientation(displayMatrix: VideoSourceOpener.displayMatrix(side.pointee.data))
    }

    private func motionVectors(_ frame: UnsafeMutablePointer<AVFrame>) -> [MotionVector] {
        guard let side = av_frame_get_side_data(frame, AV_FRAME_DATA_MOTION_VECTORS), let data = side.pointee.data else { return [] }
        let count = Int(side.pointee.size) / MemoryLayout<AVMotionVector>.stride
        return UnsafeRawPointer(data).withMemoryRebound(to: AVMotionVector.self, capacity: count) { vectors in
            (0..<count).map { i in
                let v = vectors[i]
                return MotionVector(source: v.source, blockWidth: Int(v.w), blockHeight: Int(v.h),
                                    sourceX: Int(v.src_x), sourceY: Int(v.src_y),
                                    destinationX: Int(v.dst_x), destinationY: Int(v.dst_y),
                                    motionX: Int(v.motion_x), motionY: Int(v.motion_y), motionScale: Int(v.motion_scale))
            }
        }
    }
}
