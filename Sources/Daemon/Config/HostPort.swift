/// `metrics.listen` addresses: `host:port` with a non-empty host (a name, an IPv4 address, or an
/// IPv6 address in brackets such as `[::1]`) and a port from 1 to 65535.
enum HostPort {
    /// Whether `text` is a valid `host:port`.
    static func isValid(_ text: String) -> Bool {
        guard let split = split(text) else { return false }
        return !split.host.isEmpty && (1...65535).contains(split.port)
    }

    /// The host (brackets removed) and port of `text`, or nil when it is not `host:port`.
    static func split(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") {
            guard host.hasSuffix("]"), host.count > 2 else { return nil }
            host = String(host.dropFirst().dropLast())
            guard host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." || $0 == "%" || $0.isLetter || $0.isNumber }) else { return nil }
        } else {
            guard !host.contains(":"), !host.contains(where: { $0.isWhitespace || $0 == "/" }) else { return nil }
        }
        return (host, port)
    }
}
