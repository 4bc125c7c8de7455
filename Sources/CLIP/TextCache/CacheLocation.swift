/// Where segd keeps its cache folder when none is given (`--cache-dir`, `cache_dir`).
public enum CacheLocation {
    /// The default cache folder for `environment`, in order:
    /// 1. `$CACHE_DIRECTORY` (set by systemd for a unit with `CacheDirectory=`; the first entry
    ///    when it lists several, separated by `:`),
    /// 2. `$XDG_CACHE_HOME/segd` (only an absolute `XDG_CACHE_HOME`, as the XDG spec says),
    /// 3. `$HOME/.cache/segd`.
    /// nil when none of these is set (then classifiers are computed in memory only).
    public static func defaultDirectory(environment: [String: String]) -> String? {
        if let systemd = environment["CACHE_DIRECTORY"]?.split(separator: ":").first, systemd.hasPrefix("/") {
            return String(systemd)
        }
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            return trimmed(xdg) + "/segd"
        }
        if let home = environment["HOME"], home.hasPrefix("/") {
            return trimmed(home) + "/.cache/segd"
        }
        return nil
    }

    private static func trimmed(_ path: String) -> String {
        var p = Substring(path)
        while p.count > 1 && p.hasSuffix("/") { p = p.dropLast() }
        return p == "/" ? "" : String(p)
    }
}
