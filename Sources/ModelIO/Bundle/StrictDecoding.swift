/// Codable helpers that turn a typo in model.json into an error instead of a silent default.

/// A coding key that accepts any string, used to list every key a JSON object really has.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { stringValue = String(intValue); self.intValue = intValue }
}

/// Thrown when an object has a key its type does not know.
struct UnknownKeyError: Error {
    let path: [String]
    let key: String
    let known: [String]
}

extension Decoder {
    /// Throws `UnknownKeyError` if the current JSON object has a key outside `Keys`.
    func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_ keys: Keys.Type) throws {
        let container = try self.container(keyedBy: AnyCodingKey.self)
        let known = Keys.allCases.map(\.stringValue)
        for key in container.allKeys where !known.contains(key.stringValue) {
            throw UnknownKeyError(path: codingPath.map(\.stringValue), key: key.stringValue, known: known)
        }
    }
}
