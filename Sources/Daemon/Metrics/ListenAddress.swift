/// A `host:port` listen address (`metrics.listen` in the config): `127.0.0.1:9464`,
/// `[::1]:9464`, `localhost:9464`, or `:9464` for every interface. Port 0 picks a free port.
struct ListenAddress: Equatable, Sendable {
    var host: String
    var port: Int

    /// Parses `text`.
    /// - Throws: `MetricsServerError.invalidListen` with what is wrong.
    init(_ text: String) throws(MetricsServerError) {
        guard let colon = text.lastIndex(of: ":") else {
            throw .invalidListen(text, reason: "expected HOST:PORT, e.g. 127.0.0.1:9464")
        }
        var host = String(text[..<colon])
        let portText = text[text.index(after: colon)...]
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw .invalidListen(text, reason: "the port must be a number from 0 to 65535")
        }
        if host.hasPrefix("[") && host.hasSuffix("]") && host.count >= 2 {
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") {
            throw .invalidListen(text, reason: "write an IPv6 address in brackets, e.g. [::1]:9464")
        }
        if host.isEmpty { host = "0.0.0.0" }
        self.host = host
        self.port = port
    }
}
