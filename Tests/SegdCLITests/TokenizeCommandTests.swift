import Foundation
import Testing

/// `segd tokenize BUNDLE TEXT…` run as a user would.
@Suite struct TokenizeCommandTests {
    static let tinyA = SegdProcess.fixtures.appendingPathComponent("fcclip/tiny-a").path

    /// The row as `segd tokenize` prints it: a compact JSON array.
    private func line(_ ids: [Int32]) -> String { "[" + ids.map(String.init).joined(separator: ",") + "]" }

    private func padded(_ ids: [Int32], to length: Int = 77) -> [Int32] {
        ids + [Int32](repeating: 0, count: length - ids.count)
    }

    @Test func printsOneRowPerText() throws {
        let r = try SegdProcess.run(["tokenize", Self.tinyA, "a photo of a wall.", "Tom &amp; Jerry"])
        #expect(r.status == 0, "\(r.stderr)")
        // spec/fcclip-tokenizer-samples.json and tokenizer/cases.json (open_clip's output).
        let wall: [Int32] = [49406, 320, 1125, 539, 320, 2569, 269, 49407]
        let tomAndJerry: [Int32] = [49406, 2435, 261, 9164, 49407]
        #expect(r.stdout == line(padded(wall)) + "\n" + line(padded(tomAndJerry)) + "\n")
        let rows = try JSONSerialization.jsonObject(with: Data(r.stdout.split(separator: "\n")[0].utf8)) as? [Int]
        #expect(rows?.count == 77)
    }

    @Test func noPadAndContextLength() throws {
        let r = try SegdProcess.run(["tokenize", "--no-pad", Self.tinyA, "hello <end_of_text> world", "a photo of a wall."])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "[49406,3306,49407,1002,49407]\n[49406,320,1125,539,320,2569,269,49407]\n")

        let short = try SegdProcess.run(["tokenize", "--context-length", "5", Self.tinyA, "a photo of a wall."])
        #expect(short.status == 0, "\(short.stderr)")
        #expect(short.stdout == "[49406,320,1125,539,49407]\n")
    }

    @Test func badBundleIsAClearError() throws {
        let missing = NSTemporaryDirectory() + "no-such-bundle-" + UUID().uuidString
        let r = try SegdProcess.run(["tokenize", missing, "a cat"])
        #expect(r.status != 0)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains(missing))
        #expect(!r.stderr.contains("Fatal error"))

        let tooShort = try SegdProcess.run(["tokenize", "--context-length", "1", Self.tinyA, "a cat"])
        #expect(tooShort.status != 0)
        #expect(tooShort.stderr.contains("--context-length must be at least 2"))
    }
}
