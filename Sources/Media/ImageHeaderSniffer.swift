/// Reads a still image's size from the first bytes of its file, before any pixel is decoded,
/// so that `ImageDecoder` can refuse an oversized image without allocating its pixels.
///
/// Knows PNG (IHDR), JPEG (the first SOFn marker), BMP and GIF. For other formats it answers
/// `nil` and the decoder relies on the container header and on `AVCodecContext.max_pixels`.
enum ImageHeaderSniffer {
    static func size(of bytes: UnsafeRawBufferPointer) -> (width: Int, height: Int)? {
        let n = bytes.count
        func u8(_ i: Int) -> Int { Int(bytes[i]) }
        func be16(_ i: Int) -> Int { u8(i) << 8 | u8(i + 1) }
        func be32(_ i: Int) -> Int { be16(i) << 16 | be16(i + 2) }
        func le16(_ i: Int) -> Int { u8(i) | u8(i + 1) << 8 }
        func le32s(_ i: Int) -> Int { Int(Int32(bitPattern: UInt32(le16(i) | le16(i + 2) << 16))) }

        // PNG: signature, then the IHDR chunk (length 13) with big-endian width and height.
        if n >= 24, bytes[0] == 0x89, bytes[1] == 0x50, bytes[2] == 0x4E, bytes[3] == 0x47,
           bytes[12] == 0x49, bytes[13] == 0x48, bytes[14] == 0x44, bytes[15] == 0x52 {
            return (be32(16), be32(20))
        }
        // GIF: logical screen size.
        if n >= 10, bytes[0] == 0x47, bytes[1] == 0x49, bytes[2] == 0x46, bytes[3] == 0x38 {
            return (le16(6), le16(8))
        }
        // BMP: BITMAPINFOHEADER (or later) width and height (negative height = top-down).
        if n >= 26, bytes[0] == 0x42, bytes[1] == 0x4D, le32s(14) >= 40 {
            return (abs(le32s(18)), abs(le32s(22)))
        }
        // JPEG: walk the marker segments up to the first start-of-frame.
        if n >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 {
            var i = 2
            while i + 4 <= n {
                guard bytes[i] == 0xFF else { return nil }
                let marker = bytes[i + 1]
                if marker == 0xFF { i += 1; continue }  // fill byte
                if marker == 0x01 || (0xD0...0xD7).contains(marker) { i += 2; continue }  // no length
                let length = be16(i + 2)
                guard length >= 2 else { return nil }
                let isSOF = (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
                if isSOF {
                    guard i + 9 <= n else { return nil }
                    return (be16(i + 7), be16(i + 5))  // height comes first
                }
                i += 2 + length
            }
        }
        return nil
    }
}
