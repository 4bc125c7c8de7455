import Foundation

/// Typed reads with the daemon's rules; every failure is a `ConfigError` naming the key.
extension ConfigValues {
    /// A non-empty string, or nil when absent.
    func string(_ key: [String]) throws -> String? {
        guard let raw = raw(key) else { return nil }
        guard !raw.text.trimmingCharacters(in: .whitespaces).isEmpty else { throw error(raw, "must not be empty") }
        return raw.text
    }

    /// A non-empty string that must be present.
    func requiredString(_ key: [String], hint: String) throws -> String {
        guard let value = try string(key) else { throw error(key, "is required (\(hint))") }
        return value
    }

    /// A finite number greater than zero, or nil when absent.
    func positiveNumber(_ key: [String], unit: String = "") throws -> Double? {
        guard let raw = raw(key) else { return nil }
        guard let value = Double(raw.text.trimmingCharacters(in: .whitespaces)), value.isFinite, value > 0 else {
            throw error(raw, "must be a positive number\(unit) (got \(raw.text))")
        }
        return value
    }

    /// A whole number of at least 1, or nil when absent.
    func positiveInteger(_ key: [String]) throws -> Int? {
        guard let raw = raw(key) else { return nil }
        guard let value = Int(raw.text.trimmingCharacters(in: .whitespaces)), value >= 1 else {
            throw error(raw, "must be a whole number of at least 1 (got \(raw.text))")
        }
        return value
    }

    /// A whole number within `range`, or nil when absent; `why` says what the bounds protect.
    func integer(_ key: [String], in range: ClosedRange<Int>, why: String) throws -> Int? {
        guard let raw = raw(key) else { return nil }
        guard let value = Int(raw.text.trimmingCharacters(in: .whitespaces)), value >= min(range.lowerBound, 1) else {
            throw error(raw, "must be a whole number of at least \(min(range.lowerBound, 1)) (got \(raw.text))")
        }
        guard range.contains(value) else {
            throw error(raw, "must be from \(range.lowerBound) to \(range.upperBound) (got \(value)); \(why)")
        }
        return value
    }

    /// A finite number within `range`, or nil when absent.
    func number(_ key: [String], in range: ClosedRange<Double>, unit: String) throws -> Double? {
        guard let raw = raw(key) else { return nil }
        guard let value = Double(raw.text.trimmingCharacters(in: .whitespaces)), value.isFinite, range.contains(value) else {
            throw error(raw, "must be a number\(unit) from \(ConfigParser.format(range.lowerBound)) to \(ConfigParser.format(range.upperBound)) (got \(raw.text))")
        }
        return value
    }

    /// `true`/`false` (also `yes`/`no`, `on`/`off`, `1`/`0`, any case), or nil when absent.
    func bool(_ key: [String]) throws -> Bool? {
        guard let raw = raw(key) else { return nil }
        switch raw.text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw error(raw, "must be true or false (got \(raw.text))")
        }
    }

    /// One of `T`'s raw values, or nil when absent.
    func choice<T: RawRepresentable & CaseIterable>(_ key: [String], of type: T.Type) throws -> T? where T.RawValue == String {
        guard let raw = raw(key) else { return nil }
        if let value = T(rawValue: raw.text.trimmingCharacters(in: .whitespaces).lowercased()) { return value }
        let names = T.allCases.map(\.rawValue)
        let list = names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
        throw error(raw, "must be \(list) (got \(raw.text))")
    }
}
