import Foundation
import Testing
import ModelIO

/// Only regular files are read: a FIFO, a device or a folder given as a model file is an error
/// that says what the path is, never a read that blocks or never ends.
@Suite struct RegularFileTests {
    @Test func readsARegularFileAndFollowsSymlinks() throws {
        let dir = try TemporaryDirectory()
        try Data("hello".utf8).write(to: URL(fileURLWithPath: dir.file("a.txt")))
        try FileManager.default.createSymbolicLink(atPath: dir.file("link"), withDestinationPath: dir.file("a.txt"))
        #expect(try RegularFile.read(path: dir.file("a.txt"), what: "test file", limit: 5) == Data("hello".utf8))
        #expect(try RegularFile.read(path: dir.file("link"), what: "test file", limit: 5) == Data("hello".utf8))
    }

    @Test func fifoIsRefusedWithoutWaitingForAWriter() throws {
        let dir = try TemporaryDirectory()
        let fifo = dir.file("weights.safetensors")
        try makeFIFO(fifo)
        let message = withFIFOUnblocker(fifo) { errorMessage { _ = try RegularFile.read(path: fifo, what: "weights file", limit: 1 << 20) } }
        #expect(message == "\(fifo): is a FIFO (named pipe), not a regular file; give the path of the weights file")
        // A symlink to the FIFO is the FIFO.
        try FileManager.default.createSymbolicLink(atPath: dir.file("link"), withDestinationPath: fifo)
        let viaLink = withFIFOUnblocker(fifo) { errorMessage { _ = try SafeTensorsFile(path: dir.file("link")) } }
        #expect(viaLink == "\(dir.file("link")): is a FIFO (named pipe), not a regular file; give the path of the safetensors file")
    }

    @Test func deviceAndFolderAreRefused() throws {
        #expect(errorMessage { _ = try RegularFile.read(path: "/dev/zero", what: "weights file", limit: 1 << 20) }
                == "/dev/zero: is a character device, not a regular file; give the path of the weights file")
        #expect(errorMessage { _ = try MappedFile(path: "/dev/zero", what: "weights file") }?.contains("is a character device") == true)
        let dir = try TemporaryDirectory()
        #expect(errorMessage { _ = try SafeTensorsFile(path: dir.path) }
                == "\(dir.path): is a folder, not a regular file; give the path of the safetensors file")
        #expect(errorMessage { _ = try ModelConfig.load(path: dir.path) }?.contains("is a folder, not a regular file") == true)
    }

    @Test func missingAndTooLargeFiles() throws {
        let dir = try TemporaryDirectory()
        #expect(errorMessage { _ = try RegularFile.read(path: dir.file("none"), what: "weights file", limit: 10) }
                == "\(dir.file("none")): weights file not found")
        try Data(count: 11).write(to: URL(fileURLWithPath: dir.file("big")))
        #expect(throws: ModelIOError.tooLarge(path: dir.file("big"), what: "test file", limit: 10)) {
            try RegularFile.read(path: dir.file("big"), what: "test file", limit: 10)
        }
        let message = errorMessage { _ = try RegularFile.read(path: dir.file("big"), what: "test file", limit: 10) }
        #expect(message == "\(dir.file("big")): larger than 10 bytes, the most segd reads as a test file; is this the right file?")
    }

    @Test func bundleFilesThatAreNotRegularAreNamed() throws {
        // The weights, model.json and the tokenizer of a bundle, each replaced by a FIFO, /dev/zero or a folder.
        let tokenizer = Fixtures.path("tokenizer/bpe_simple_vocab_16e6.txt.gz")
        func bundle(weights: String, tokenizer: String) throws -> TemporaryDirectory {
            let dir = try TemporaryDirectory()
            var config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Fixtures.tinyA + "/model.json"))) as! [String: Any]
            config["weights"] = weights
            config["tokenizer"] = tokenizer
            try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: dir.file("model.json")))
            return dir
        }
        let weights = Fixtures.tinyA + "/weights.safetensors"
        let fifoWeights = try bundle(weights: "fifo", tokenizer: tokenizer)
        try makeFIFO(fifoWeights.file("fifo"))
        let fifoMessage = withFIFOUnblocker(fifoWeights.file("fifo")) { errorMessage { _ = try ModelBundle(directory: fifoWeights.path) } }
        #expect(fifoMessage?.hasPrefix("\(fifoWeights.file("fifo")): is a FIFO (named pipe), not a regular file; give the path of the weights file") == true,
                "\(fifoMessage ?? "")")

        let zeroTokenizer = try bundle(weights: weights, tokenizer: "/dev/zero")
        #expect(errorMessage { _ = try ModelBundle(directory: zeroTokenizer.path) }?
            .hasPrefix("/dev/zero: is a character device, not a regular file; give the path of the tokenizer vocabulary") == true)

        let folderWeights = try bundle(weights: "sub", tokenizer: tokenizer)
        try FileManager.default.createDirectory(atPath: folderWeights.file("sub"), withIntermediateDirectories: false)
        #expect(errorMessage { _ = try ModelBundle(directory: folderWeights.path) }?.hasPrefix("\(folderWeights.file("sub")): is a folder, not a regular file") == true)

        let fifoConfig = try TemporaryDirectory()
        try makeFIFO(fifoConfig.file("model.json"))
        let configMessage = withFIFOUnblocker(fifoConfig.file("model.json")) { errorMessage { _ = try ModelBundle(directory: fifoConfig.path) } }
        #expect(configMessage == "\(fifoConfig.file("model.json")): is a FIFO (named pipe), not a regular file; give the path of the model configuration")
    }
}
