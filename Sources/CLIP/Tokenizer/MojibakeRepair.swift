/// ftfy 6.1.3's `fix_encoding`: undoes mojibake, text that was encoded as UTF-8 and then
/// decoded with a single-byte code page ("cafÃ©" → "café", "â€œ" → "“").
///
/// One step: text that is ASCII or that `MojibakeHeuristic` does not flag is left alone.
/// Otherwise the text is encoded with the first code page of `SingleByteEncoding.tried` that
/// can write it and whose bytes (after `MojibakeByteRepairs`) decode as UTF-8 (or ftfy's
/// "utf-8-variants"). If none works, runs of characters that look like UTF-8 read as a code
/// page are fixed one by one when they are themselves flagged; failing that, C1 controls
/// become Windows-1252 characters. Steps repeat until the text stops changing.
enum MojibakeRepair {
    static func fixEncoding(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var text = text
        while true {
            let fixed = fixOneStep(text)
            if fixed == text { return text }
            text = fixed
        }
    }

    private static func fixOneStep(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains(where: { $0.value >= 0x80 }), MojibakeHeuristic.isBad(text) else { return text }
        for encoding in SingleByteEncoding.tried {
            guard var bytes = encoding.encode(text) else { continue }
            if MojibakeByteRepairs.hasAlteredUTF8(bytes) { bytes = MojibakeByteRepairs.restoreByteA0(bytes) }
            if encoding.isSloppy { bytes = MojibakeByteRepairs.replaceLossySequences(bytes) }
            // ftfy switches to "utf-8-variants" only when the bytes hold 0xC0 or 0xED; without
            // those bytes the two decoders agree, so the variant decoder is used throughout.
            if let decoded = StrictUTF8.decode(bytes, variants: true) { return decoded }
        }
        let embedded = decodeInconsistentUTF8(text)
        if embedded != text { return embedded }
        // ftfy next re-reads Latin-1-encodable text as strict Windows-1252 and otherwise fixes
        // C1 controls; both turn each C1 control into its Windows-1252 character (the strict
        // decoder fails exactly when an undefined byte is present, and then the C1 fix keeps
        // those), so the C1 fix alone gives the same text.
        if text.contains(where: { (0x80...0x9F).contains($0.value) }) { return CharacterFixes.fixC1Controls(text) }
        return text
    }

    /// `decode_inconsistent_utf8`: fixes each run that looks like UTF-8 mojibake on its own
    /// (ftfy's `UTF8_DETECTOR_RE`), when the run is shorter than the whole text and is flagged
    /// by the heuristic.
    private static func decodeInconsistentUTF8(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        let classes = text.map(MojibakeClass.of)
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            let end = utf8MojibakeRunEnd(classes, from: i)
            guard end > i else {
                out.append(text[i])
                i += 1
                continue
            }
            let run = Array(text[i..<end])
            if run.count < text.count, MojibakeHeuristic.isBad(run) {
                out.append(contentsOf: fixEncoding(run))
            } else {
                out.append(contentsOf: run)
            }
            i = end
        }
        return out
    }

    /// End of the run of UTF-8-shaped sequences (a lead character and its continuation
    /// characters, repeated) starting at `start`, or `start` if there is none. A run may not
    /// start right after a strict continuation character, so a long garble is not fixed
    /// piecemeal.
    private static func utf8MojibakeRunEnd(_ classes: [MojibakeClass], from start: Int) -> Int {
        if start > 0, classes[start - 1].contains(.utf8ContinuationStrict) { return start }
        func continuations(_ from: Int, _ count: Int) -> Bool {
            guard from + count <= classes.count else { return false }
            return classes[from..<(from + count)].allSatisfy { $0.contains(.utf8Continuation) }
        }
        var end = start
        while end < classes.count {
            let lead = classes[end]
            if lead.contains(.utf8FirstOf2), continuations(end + 1, 1) {
                end += 2
            } else if lead.contains(.utf8FirstOf3), continuations(end + 1, 2) {
                end += 3
            } else if lead.contains(.utf8FirstOf4), continuations(end + 1, 3) {
                end += 4
            } else {
                break
            }
        }
        return end
    }
}
