#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CLIP
import Foundation

/// What vocabulary a control client (`segd ctl vocab STREAM VOCAB`) may ask for. The client runs
/// with other rights than the daemon, so it must not make the daemon read files for it:
///
/// - A built-in name or inline classes are always accepted.
/// - `@NAME` is accepted only when the configuration sets `vocabulary_dir`, and then only for a
///   regular file inside that folder: NAME is a relative path without `..`, and the file it names,
///   with every symbolic link resolved, still lies inside the folder. Anything else is refused
///   without touching the file system outside the folder.
/// - An error about such a file gives its name, line and the kind of problem, never its content.
public struct ControlVocabularyPolicy: Sendable, Equatable {
    /// The configuration's `vocabulary_dir` (absolute), or nil when control clients may not name files.
    public let folder: String?

    public init(folder: String?) {
        self.folder = folder
    }

    /// What a control client asked for, resolved: the vocabulary, and how `segd ctl list` shows it
    /// (the request as given, with `@NAME` relative to `vocabulary_dir`).
    public struct Resolved: Sendable {
        public let vocabulary: Vocabulary
        public let spec: String
    }

    /// Resolves `request` under the rules above. Throws `ControlError` with a message for the client.
    public func resolve(_ request: String) throws -> Resolved {
        let text = request.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("@") else {
            do {
                return Resolved(vocabulary: try Vocabulary.resolve(text), spec: text)
            } catch {
                throw ControlError("invalid vocabulary: \(error)")
            }
        }
        let name = String(text.dropFirst()).trimmingCharacters(in: .whitespaces)
        guard let folder else {
            throw ControlError("vocabulary files cannot be named over the control socket: the configuration sets no "
                + "vocabulary_dir. Give the classes inline (\"person; forklift\") or a built-in name, or set "
                + "vocabulary_dir to a folder of vocabulary files and name one of them (@NAME)")
        }
        let path = try Self.path(of: name, in: folder)
        let vocabulary: Vocabulary
        do {
            vocabulary = try Vocabulary.resolve("@" + path)
        } catch let error as VocabularyError {
            throw ControlError("vocabulary file \(name) in vocabulary_dir is not a valid vocabulary"
                + Self.lineSuffix(of: error, path: path) + " (\(Self.summary(of: error.kind))); "
                + "`segd config check` on a config naming it shows the details")
        } catch {
            throw ControlError("vocabulary file \(name) in vocabulary_dir cannot be read")
        }
        return Resolved(vocabulary: vocabulary, spec: "@" + name)
    }

    /// The absolute path of `name` in `folder`, once it is known to be a regular file inside it.
    static func path(of name: String, in folder: String) throws -> String {
        let rule = "name a file of vocabulary_dir by its path relative to that folder, e.g. @dock.txt"
        guard !name.isEmpty else { throw ControlError("\"@\" must be followed by a file name: \(rule)") }
        guard !name.hasPrefix("/"), !name.hasPrefix("~") else {
            throw ControlError("vocabulary file \(LogEscaping.quote(name)) is not relative to vocabulary_dir: \(rule)")
        }
        let components = name.split(separator: "/", omittingEmptySubsequences: false)
        guard !components.contains(".."), !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw ControlError("vocabulary file \(LogEscaping.quote(name)) may not contain \"..\" or control characters: \(rule)")
        }
        let notFound = ControlError("no vocabulary file \(LogEscaping.quote(name)) in vocabulary_dir")
        guard let root = realPath(folder) else {
            throw ControlError("vocabulary_dir \(folder) cannot be opened; check the configuration")
        }
        guard let resolved = realPath((folder as NSString).appendingPathComponent(name)) else { throw notFound }
        // After resolving links, the file must still be below the folder.
        guard resolved.hasPrefix(root.hasSuffix("/") ? root : root + "/") else { throw notFound }
        var info = stat()
        guard stat(resolved, &info) == 0 else { throw notFound }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw ControlError("vocabulary file \(LogEscaping.quote(name)) in vocabulary_dir is not a regular file")
        }
        return resolved
    }

    /// `path` with every symbolic link, `.` and `..` resolved, or nil when it does not exist.
    static func realPath(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    /// ` at line N` when the error's location is a line of `path`; empty otherwise.
    static func lineSuffix(of error: VocabularyError, path: String) -> String {
        let prefix = path + ":"
        guard error.description.hasPrefix(prefix) else { return "" }
        let digits = error.description.dropFirst(prefix.count).prefix { $0.isASCII && $0.isNumber }
        return digits.isEmpty ? "" : " at line \(digits)"
    }

    /// What kind of problem it is, in words that quote nothing from the file.
    static func summary(of kind: VocabularyError.Kind) -> String {
        switch kind {
        case .empty: return "it has no classes"
        case .missingName: return "a class has no name"
        case .emptySynonym: return "a class has an empty synonym"
        case .duplicateName: return "two classes have the same name"
        case .unknownPrefix: return "a line starts with an unknown prefix"
        case .unknownBuiltin: return "it names an unknown built-in vocabulary"
        case .unreadableFile: return "it cannot be read"
        case .invalidUTF8: return "it is not valid UTF-8 text"
        case .controlCharacter: return "it contains a control character"
        case .tooLarge: return "it is larger than a vocabulary may be"
        case .tooManyClasses: return "it has more classes than a vocabulary may have"
        case .tooManySynonyms: return "it has more synonyms than a vocabulary may have"
        case .synonymTooLong: return "a synonym is longer than a vocabulary allows"
        }
    }
}
