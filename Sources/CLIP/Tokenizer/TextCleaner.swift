/// open_clip's `clean='lower'` text cleaning:
/// `whitespace_clean(basic_clean(text)).lower()`, where `basic_clean` is `ftfy.fix_text`, then
/// `html.unescape` twice, then `strip()`, and `whitespace_clean` replaces every run of `\s`
/// (the `regex` module's: Unicode White_Space) with one space and strips again.
enum TextCleaner {
    static func clean(_ text: String) -> [Unicode.Scalar] {
        var scalars = Array(text.unicodeScalars)
        scalars = TextFixer.fixText(scalars)
        scalars = HTMLUnescape.unescape(HTMLUnescape.unescape(scalars))
        scalars = PythonStringSemantics.strip(scalars)
        scalars = collapseWhitespace(scalars)
        scalars = PythonStringSemantics.strip(scalars)
        return PythonStringSemantics.lowercased(scalars)
    }

    /// `re.sub(r'\s+', ' ', text)`.
    static func collapseWhitespace(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        var inRun = false
        for scalar in text {
            if RegexCharacterClasses.isWhitespace(scalar) {
                if !inRun { out.append(" ") }
                inRun = true
            } else {
                out.append(scalar)
                inRun = false
            }
        }
        return out
    }
}
