import Foundation

/// A small syntax-level walk over a JSON document, for what `JSONDecoder` does not report: a key
/// given twice in one object (the decoder keeps one of the values silently) and where each number
/// literal is, so that a number the decoder cannot hold can be named by its key.
///
/// Key paths are written as in error messages: `clip.vision.dims`, `input.pixel_mean[2]`.
struct JSONKeyScan {
    /// One number literal: its key path and its bytes' range in the document.
    struct Number {
        let path: String
        let range: Range<Int>
    }

    /// The path of the first key that appears twice in the same object (the second occurrence).
    private(set) var duplicateKey: String?
    /// Every number literal, in document order.
    private(set) var numbers: [Number] = []

    private let bytes: [UInt8]
    private var index = 0
    /// Deeper documents are not model.json; the walk gives up rather than recurse without bound.
    private static let maxDepth = 64

    private struct Malformed: Error {}

    /// Scans `data`; nil when it is not well-formed JSON (the decoder then reports it).
    init?(_ data: Data) {
        bytes = [UInt8](data)
        do {
            try value(path: "", depth: 0)
            skipWhitespace()
            guard index == bytes.count else { return nil }
        } catch {
            return nil
        }
    }

    private mutating func value(path: String, depth: Int) throws {
        guard depth < Self.maxDepth else { throw Malformed() }
        skipWhitespace()
        guard index < bytes.count else { throw Malformed() }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            var seen = Set<String>()
            skipWhitespace()
            if peek(UInt8(ascii: "}")) { index += 1; return }
            repeat {
                skipWhitespace()
                let key = try string()
                let keyPath = path.isEmpty ? key : "\(path).\(key)"
                if !seen.insert(key).inserted, duplicateKey == nil { duplicateKey = keyPath }
                skipWhitespace()
                try expect(UInt8(ascii: ":"))
                try value(path: keyPath, depth: depth + 1)
                skipWhitespace()
            } while try separator(closing: UInt8(ascii: "}"))
        case UInt8(ascii: "["):
            index += 1
            skipWhitespace()
            if peek(UInt8(ascii: "]")) { index += 1; return }
            var element = 0
            repeat {
                try value(path: "\(path)[\(element)]", depth: depth + 1)
                element += 1
                skipWhitespace()
            } while try separator(closing: UInt8(ascii: "]"))
        case UInt8(ascii: "\""):
            _ = try string()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = index
            while index < bytes.count, Self.isNumberByte(bytes[index]) { index += 1 }
            guard Self.isNumber(bytes[start..<index]) else { throw Malformed() }
            numbers.append(Number(path: path, range: start..<index))
        default:
            for word in ["true", "false", "null"] where bytes[index...].starts(with: word.utf8) {
                index += word.utf8.count
                return
            }
            throw Malformed()
        }
    }

    /// A string literal, escapes decoded (keys are compared as the decoder compares them).
    private mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""))
        var out: [UInt8] = []
        var pendingHigh: UInt32?
        while index < bytes.count {
            let b = bytes[index]
            index += 1
            if b == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
            guard b == UInt8(ascii: "\\") else { out.append(b); continue }
            guard index < bytes.count else { break }
            let e = bytes[index]
            index += 1
            switch e {
            case UInt8(ascii: "u"):
                guard index + 4 <= bytes.count, let unit = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
                    throw Malformed()
                }
                index += 4
                var scalar: UInt32 = unit
                if (0xD800..<0xDC00).contains(unit) { pendingHigh = unit; continue }
                if (0xDC00..<0xE000).contains(unit), let high = pendingHigh { scalar = 0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00) }
                pendingHigh = nil
                out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8))
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            default: out.append(e)  // \" \\ \/
            }
        }
        throw Malformed()
    }

    /// After an element: true for `,` (another follows), false for `closing`.
    private mutating func separator(closing: UInt8) throws -> Bool {
        guard index < bytes.count else { throw Malformed() }
        index += 1
        if bytes[index - 1] == UInt8(ascii: ",") { return true }
        if bytes[index - 1] == closing { return false }
        throw Malformed()
    }

    private mutating func expect(_ byte: UInt8) throws {
        guard peek(byte) else { throw Malformed() }
        index += 1
    }

    private func peek(_ byte: UInt8) -> Bool { index < bytes.count && bytes[index] == byte }

    private mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    /// JSON's number grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    private static func isNumber(_ literal: ArraySlice<UInt8>) -> Bool {
        var i = literal.startIndex
        func digits() -> Int {
            let start = i
            while i < literal.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(literal[i]) { i += 1 }
            return i - start
        }
        if i < literal.endIndex, literal[i] == UInt8(ascii: "-") { i += 1 }
        let first = i
        let integerDigits = digits()
        guard integerDigits > 0, integerDigits == 1 || literal[first] != UInt8(ascii: "0") else { return false }
        if i < literal.endIndex, literal[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { return false }
        }
        if i < literal.endIndex, literal[i] == UInt8(ascii: "e") || literal[i] == UInt8(ascii: "E") {
            i += 1
            if i < literal.endIndex, literal[i] == UInt8(ascii: "+") || literal[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { return false }
        }
        return i == literal.endIndex
    }

    private static func isNumberByte(_ b: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+")
            || b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
    }
}
