/// What a stream name (a key under `streams`) may be. The name becomes a folder under
/// `output_root`, a socket file name under `socket_dir` and a metrics label, so it is kept short
/// and free of path separators and shell-special characters.
public enum StreamNames {
    /// The rule, for error messages.
    public static let rule = "1 to 64 characters: letters, digits, '-', '_' and '.', starting with a letter or digit"

    /// Whether `name` follows `rule`.
    public static func isValid(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, (1...64).contains(name.unicodeScalars.count), isAlphanumeric(first) else {
            return false
        }
        return name.unicodeScalars.allSatisfy { isAlphanumeric($0) || $0 == "-" || $0 == "_" || $0 == "." }
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}
