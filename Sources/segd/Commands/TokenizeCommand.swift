import ArgumentParser
import CLIP
import Foundation
import ModelIO

/// `segd tokenize BUNDLE TEXT…`: the CLIP token ids of each text, as the text encoder gets them.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the CLIP BPE token ids of each text (one JSON array per line).",
        discussion: """
        Uses the BPE vocabulary named by the bundle's model.json and open_clip's rules: the text \
        is cleaned (ftfy-style repair, HTML unescaping, whitespace collapse, lower case), encoded, \
        wrapped in <start_of_text> (49406) and <end_of_text> (49407), cut to the context length \
        with the last id forced to 49407, and padded with zeros.
        """
    )

    @Argument(help: "The bundle folder (model.json, weights, tokenizer vocabulary).")
    var bundle: String

    @Argument(help: "The texts to tokenize; quote each one.")
    var texts: [String]

    @Option(help: "Ids per row.")
    var contextLength: Int = CLIPTokenizer.contextLength

    @Flag(help: "Leave out the zero padding after <end_of_text>.")
    var noPad = false

    func validate() throws {
        if contextLength < 2 { throw ValidationError("--context-length must be at least 2 (room for the start and end ids)") }
        if texts.isEmpty { throw ValidationError("give at least one text to tokenize") }
    }

    func run() throws {
        let tokenizer: CLIPTokenizer
        do {
            let bundle = try ModelBundle(directory: self.bundle)
            tokenizer = try CLIPTokenizer(vocabularyPath: bundle.tokenizerPath)
        } catch {
            throw CLIError(String(describing: error))
        }
        for text in texts {
            var row = tokenizer.tokenize(text, contextLength: contextLength)
            // Padding is the zeros after the final <end_of_text>; a row never ends in a real 0.
            if noPad, let last = row.lastIndex(where: { $0 != 0 }) { row.removeSubrange((last + 1)...) }
            print("[" + row.map(String.init).joined(separator: ",") + "]")
        }
    }
}
