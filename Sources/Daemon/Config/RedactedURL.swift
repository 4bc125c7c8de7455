extension StreamConfig {
    /// `url` for logs and summaries: the password of `scheme://user:password@host/…` becomes `***`.
    public var redactedURL: String { Self.redacted(url) }

    /// `url` with the password in its authority (`user:password@`) replaced by `***`.
    public static func redacted(_ url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@"),
              let colon = rest[..<at].firstIndex(of: ":") else { return url }
        return String(url[...colon]) + "***" + String(rest[at...])
    }
}
