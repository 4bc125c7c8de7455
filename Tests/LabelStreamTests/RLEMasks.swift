import FCCLIP

/// Row-major test masks, generated exactly as the Python script in RLEReferenceTests.
enum RLEMasks {
    struct Mask: Sendable {
        let height: Int, width: Int
        /// Row-major 0/1.
        let bytes: [UInt8]

        var binaryMask: BinaryMask {
            var m = BinaryMask(height: height, width: width)
            for (i, b) in bytes.enumerated() where b != 0 { m.set(i) }
            return m
        }
    }

    static func zeros(_ h: Int, _ w: Int) -> Mask { Mask(height: h, width: w, bytes: .init(repeating: 0, count: h * w)) }
    static func ones(_ h: Int, _ w: Int) -> Mask { Mask(height: h, width: w, bytes: .init(repeating: 1, count: h * w)) }

    static func rect(_ h: Int, _ w: Int, y: Range<Int>, x: Range<Int>) -> Mask {
        var b = [UInt8](repeating: 0, count: h * w)
        for yy in y { for xx in x { b[yy * w + xx] = 1 } }
        return Mask(height: h, width: w, bytes: b)
    }

    static func lcg(_ h: Int, _ w: Int, seed: UInt64, percent: UInt64) -> Mask {
        var s = seed
        var b: [UInt8] = []
        for _ in 0..<(h * w) {
            s = s &* 6364136223846793005 &+ 1442695040888963407
            b.append((s >> 33) % 100 < percent ? 1 : 0)
        }
        return Mask(height: h, width: w, bytes: b)
    }

    static func circle(_ h: Int, _ w: Int, cy: Int, cx: Int, r: Int) -> Mask {
        var b = [UInt8](repeating: 0, count: h * w)
        for y in 0..<h { for x in 0..<w where (y - cy) * (y - cy) + (x - cx) * (x - cx) <= r * r { b[y * w + x] = 1 } }
        return Mask(height: h, width: w, bytes: b)
    }
}
