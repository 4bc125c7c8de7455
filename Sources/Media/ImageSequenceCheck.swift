#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Looks at the first file of an image sequence (`frames/%06d.png`) to explain why nothing in
/// it decoded: an empty file, or data of another format than the name says (FFmpeg's sequence
/// demuxer picks the decoder from the extension).
public enum ImageSequenceCheck {
    /// A sentence about the sequence's first file when it is empty or its content does not
    /// match its extension ("000000.png is 0 bytes"; "000000.png holds JPEG data, not PNG:
    /// rename the files to .jpg"); nil when the pattern is not a sequence, no file is found,
    /// or nothing looks wrong.
    public static func problem(pattern: String) -> String? {
        guard MediaProbe.hasSequencePattern(pattern), let path = firstFile(pattern) else { return nil }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        if st.st_size == 0 { return "\(name) is empty (0 bytes)" }
        guard let found = format(ofFileAt: path) else { return nil }
        let ext = name.split(separator: ".").count > 1 ? name.split(separator: ".").last!.lowercased() : ""
        let expected = extensions.first { $0.value.contains(ext) }?.key
        guard let expected, expected != found else { return nil }
        let suggested = extensions[found]?.first ?? found.lowercased()
        return "\(name) holds \(found) data, not \(expected): rename the files to .\(suggested) (or convert them)"
    }

    /// File extensions of the formats `format(ofFileAt:)` recognises.
    static let extensions: [String: [String]] = [
        "PNG": ["png"], "JPEG": ["jpg", "jpeg", "jpe", "jfif"], "GIF": ["gif"], "BMP": ["bmp"],
        "WebP": ["webp"], "TIFF": ["tif", "tiff"],
    ]

    /// The format named by the file's first bytes, nil when unknown.
    static func format(ofFileAt path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 12)
        let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, 12) }
        guard n >= 4 else { return nil }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "PNG" }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "JPEG" }
        if bytes.starts(with: [0x47, 0x49, 0x46, 0x38]) { return "GIF" }
        if bytes.starts(with: [0x42, 0x4D]) { return "BMP" }
        if bytes.starts(with: [0x49, 0x49, 0x2A, 0x00]) || bytes.starts(with: [0x4D, 0x4D, 0x00, 0x2A]) { return "TIFF" }
        if n >= 12, bytes.starts(with: [0x52, 0x49, 0x46, 0x46]), Array(bytes[8..<12]) == [0x57, 0x45, 0x42, 0x50] { return "WebP" }
        return nil
    }

    /// The first file of the sequence, with FFmpeg's default search for the start number
    /// (0…4); nil when none exists.
    static func firstFile(_ pattern: String) -> String? {
        for n in 0...4 {
            let path = expand(pattern, n)
            if access(path, F_OK) == 0 { return path }
        }
        return nil
    }

    /// `pattern` with its first `%d` / `%0Nd` replaced by `n` (and `%%` by `%`).
    static func expand(_ pattern: String, _ n: Int) -> String {
        let chars = Array(pattern)
        var out = ""
        var i = 0
        var done = false
        while i < chars.count {
            if chars[i] == "%", i + 1 < chars.count, chars[i + 1] == "%" { out.append("%"); i += 2; continue }
            if !done, chars[i] == "%" {
                var j = i + 1
                while j < chars.count, chars[j].isNumber { j += 1 }
                if j < chars.count, chars[j] == "d" {
                    let width = Int(String(chars[(i + 1)..<j])) ?? 0
                    let digits = String(n)
                    out += String(repeating: "0", count: max(0, width - digits.count)) + digits
                    i = j + 1
                    done = true
                    continue
                }
            }
            out.append(chars[i])
            i += 1
        }
        return out
    }
}
