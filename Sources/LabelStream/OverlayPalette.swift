/// Fixed, deterministic class colours for overlays.
public enum OverlayPalette {
    /// 20 mutually distinct colours (Sasha Trubetskoy's "20 simple, distinct colours"),
    /// for class indices 0…19.
    static let base: [(UInt8, UInt8, UInt8)] = [
        (230, 25, 75), (60, 180, 75), (255, 225, 25), (67, 99, 216), (245, 130, 49),
        (145, 30, 180), (66, 212, 244), (240, 50, 230), (191, 239, 69), (250, 190, 212),
        (70, 153, 144), (220, 190, 255), (154, 99, 36), (255, 250, 200), (128, 0, 0),
        (170, 255, 195), (128, 128, 0), (255, 216, 177), (0, 0, 117), (169, 169, 169),
    ]

    /// The colour of class `index`: the fixed table for 0…19, then hues stepping by the golden
    /// ratio with saturation/value alternating (deterministic, never equal to a neighbour).
    public static func color(forClass index: Int) -> (r: UInt8, g: UInt8, b: UInt8) {
        if index >= 0 && index < base.count {
            let c = base[index]
            return (c.0, c.1, c.2)
        }
        let k = index < 0 ? 0 : index - base.count
        var hue = (Double(k) * 0.618_033_988_749_895 + 0.1).truncatingRemainder(dividingBy: 1)
        if hue < 0 { hue += 1 }
        let saturation = k % 2 == 0 ? 0.85 : 0.6
        let value = (k / 2) % 2 == 0 ? 0.95 : 0.75
        return hsv(hue, saturation, value)
    }

    static func hsv(_ h: Double, _ s: Double, _ v: Double) -> (r: UInt8, g: UInt8, b: UInt8) {
        let h6 = h * 6
        let sector = Int(h6) % 6
        let f = h6 - Double(Int(h6))
        let p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f))
        let (r, g, b): (Double, Double, Double)
        switch sector {
        case 0: (r, g, b) = (v, t, p)
        case 1: (r, g, b) = (q, v, p)
        case 2: (r, g, b) = (p, v, t)
        case 3: (r, g, b) = (p, q, v)
        case 4: (r, g, b) = (t, p, v)
        default: (r, g, b) = (v, p, q)
        }
        func byte(_ x: Double) -> UInt8 { UInt8(max(0, min(255, (x * 255).rounded()))) }
        return (byte(r), byte(g), byte(b))
    }
}
