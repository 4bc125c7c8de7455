import Daemon
import Foundation
import Testing

/// What a control client may make the daemon read (`segd ctl vocab STREAM VOCAB`): never a file
/// outside `vocabulary_dir`, and never a file's content in an error.
@Suite struct ControlVocabularyPolicyTests {
    /// A vocabulary_dir with one good file, one bad file, a link out of it, a FIFO and a folder;
    /// and, beside it, a secret file.
    final class Folders {
        let root = NSTemporaryDirectory() + "segd-vocab-policy-\(UUID().uuidString)"
        var folder: String { root + "/vocabularies" }
        var secret: String { root + "/secret.txt" }

        init() throws {
            let fm = FileManager.default
            try fm.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: true)
            try "thing: person\nthing: forklift\n".write(toFile: folder + "/dock.txt", atomically: true, encoding: .utf8)
            try "thing: pallet\n".write(toFile: folder + "/sub/yard.txt", atomically: true, encoding: .utf8)
            try "thing: TOP-SECRET-ROOT-HASH\nthing: TOP-SECRET-ROOT-HASH\n".write(toFile: folder + "/broken.txt", atomically: true, encoding: .utf8)
            try "thing: TOP-SECRET\n".write(toFile: secret, atomically: true, encoding: .utf8)
            try fm.createSymbolicLink(atPath: folder + "/escape.txt", withDestinationPath: secret)
            try fm.createSymbolicLink(atPath: folder + "/inside.txt", withDestinationPath: folder + "/dock.txt")
            #expect(mkfifo(folder + "/fifo.txt", 0o600) == 0)
        }

        deinit { try? FileManager.default.removeItem(atPath: root) }
    }

    private func refusal(_ policy: ControlVocabularyPolicy, _ request: String) -> String? {
        do {
            _ = try policy.resolve(request)
            return nil
        } catch {
            return String(describing: error)
        }
    }

    @Test func inlineAndBuiltinVocabulariesAreAlwaysAccepted() throws {
        let policy = ControlVocabularyPolicy(folder: nil)
        #expect(try policy.resolve("thing: person; forklift").vocabulary.classes.map(\.name) == ["person", "forklift"])
        #expect(try policy.resolve("coco").vocabulary.classes.count == 133)
        #expect(refusal(policy, "a,,b")?.contains("invalid vocabulary") == true)
    }

    @Test func withoutVocabularyDirNoFileIsReadAtAll() throws {
        let folders = try Folders()
        let policy = ControlVocabularyPolicy(folder: nil)
        for request in ["@/etc/shadow", "@/etc/passwd", "@" + folders.secret, "@~/.ssh/id_rsa", "@dock.txt"] {
            let message = try #require(refusal(policy, request), "\(request) must be refused")
            #expect(message.contains("cannot be named over the control socket"), "\(message)")
            #expect(message.contains("vocabulary_dir"), "the message says how to allow files: \(message)")
            #expect(!message.contains("root:") && !message.contains("TOP-SECRET"), "\(message)")
        }
    }

    @Test func onlyRegularFilesInsideVocabularyDirAreRead() throws {
        let folders = try Folders()
        let policy = ControlVocabularyPolicy(folder: folders.folder)
        let dock = try policy.resolve("@dock.txt")
        #expect(dock.vocabulary.classes.map(\.name) == ["person", "forklift"])
        #expect(dock.spec == "@dock.txt")
        #expect(try policy.resolve(" @sub/yard.txt ").vocabulary.classes.map(\.name) == ["pallet"])
        #expect(try policy.resolve("@inside.txt").vocabulary.classes.count == 2, "a link that stays inside is fine")

        let cases: [(String, String)] = [
            ("@/etc/shadow", "not relative to vocabulary_dir"),
            ("@" + folders.secret, "not relative to vocabulary_dir"),
            ("@~/secret.txt", "not relative to vocabulary_dir"),
            ("@../secret.txt", "may not contain \"..\""),
            ("@sub/../../secret.txt", "may not contain \"..\""),
            ("@escape.txt", "no vocabulary file"),
            ("@missing.txt", "no vocabulary file"),
            ("@fifo.txt", "not a regular file"),
            ("@sub", "not a regular file"),
            ("@", "must be followed by a file name"),
            ("@dock.txt\u{0}x", "control characters"),
        ]
        for (request, expected) in cases {
            let message = try #require(refusal(policy, request), "\(request) must be refused")
            #expect(message.contains(expected), "\(request): \(message)")
            #expect(!message.contains("TOP-SECRET"), "\(request): \(message)")
        }
    }

    @Test func anInvalidFileIsReportedByLineAndKindWithoutItsContent() throws {
        let folders = try Folders()
        let message = try #require(refusal(ControlVocabularyPolicy(folder: folders.folder), "@broken.txt"))
        #expect(message.contains("broken.txt") && message.contains("line 2") && message.contains("same name"), "\(message)")
        #expect(!message.contains("TOP-SECRET"), "\(message)")
    }
}

extension ControlVocabularyPolicyTests {
    /// Files that break the vocabulary limits are described by kind, never quoted.
    @Test func limitViolationsAreDescribedWithoutContent() throws {
        let folders = try Folders()
        let policy = ControlVocabularyPolicy(folder: folders.folder)
        let cases: [(String, Data, String)] = [
            ("utf8.txt", Data("thing: SECRET\u{0}\n".utf8), "control character"),
            ("latin1.txt", Data([0x53, 0x45, 0x43, 0x52, 0x45, 0x54, 0xFF, 0x0A]), "not valid UTF-8"),
            ("long.txt", Data(("thing: SECRET" + String(repeating: "x", count: 300) + "\n").utf8), "synonym is longer"),
        ]
        for (name, bytes, expected) in cases {
            try bytes.write(to: URL(fileURLWithPath: folders.folder + "/" + name))
            let message = try #require(refusal(policy, "@" + name))
            #expect(message.contains(expected) && message.contains("line 1"), "\(name): \(message)")
            #expect(!message.contains("SECRET"), "\(name): \(message)")
        }
    }
}
