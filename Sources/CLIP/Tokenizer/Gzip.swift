import CZlib
import Foundation
import ModelIO

/// Reading gzip files (the BPE vocabulary ships as `bpe_simple_vocab_16e6.txt.gz`).
public enum Gzip {
    /// The most bytes a file may decompress to, and the largest compressed file read: 64 MiB.
    /// open_clip's vocabulary is 1.4 MB compressed and 3.2 MB decompressed; a larger output is
    /// a wrong file or a "gzip bomb", stopped before it fills memory.
    public static let maxDecompressedBytes = 64 << 20

    public enum Error: Swift.Error, CustomStringConvertible {
        case cannotOpen(path: String)
        case corrupt(path: String, reason: String)
        /// Not a regular file, too large a file, or a read error: `reason` says which.
        case unreadable(path: String, reason: String)
        /// The content decompresses to more than `limit` bytes.
        case tooLarge(path: String, limit: Int)

        public var description: String {
            switch self {
            case .cannotOpen(let path): return "\(path): cannot open (missing or unreadable)"
            case .corrupt(let path, let reason): return "\(path): not a valid gzip file: \(reason); download or copy it again"
            case .unreadable(let path, let reason): return "\(path): \(reason)"
            case .tooLarge(let path, let limit): return "\(path): \(Self.tooLargeReason(limit))"
            }
        }

        static func tooLargeReason(_ limit: Int) -> String {
            let size = limit % (1 << 20) == 0 ? "\(limit >> 20) MiB" : "\(limit) bytes"
            return "decompresses to more than \(size), the most segd reads (open_clip's vocabulary decompresses to 3.2 MB); is this the right file?"
        }
    }

    /// The decompressed contents of the gzip file at `path`, a regular file (see ModelIO's
    /// `RegularFile`) of at most `limit` bytes that decompresses to at most `limit` bytes. A
    /// truncated or corrupt file is an error (zlib's gzread alone would return the readable prefix).
    /// `what` names the file in errors ("give the path of the gzip file").
    public static func decompress(path: String, limit: Int = maxDecompressedBytes, what: String = "gzip file") throws -> Data {
        let compressed: Data
        do {
            compressed = try RegularFile.read(path: path, what: what, limit: limit)
        } catch let error as ModelIOError {
            if case .fileNotFound = error { throw Error.cannotOpen(path: path) }
            throw Error.unreadable(path: path, reason: error.reason)
        }
        return try decompress(compressed, path: path, limit: limit)
    }

    /// Inflates gzip-wrapped `data`, stopping with `Error.tooLarge` once the output would pass
    /// `limit` bytes; `path` names it in errors.
    public static func decompress(_ data: Data, path: String, limit: Int = maxDecompressedBytes) throws -> Data {
        var stream = z_stream()
        // 15 window bits + 16: expect a gzip header and trailer (CRC and length are checked).
        guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Error.corrupt(path: path, reason: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var status: Int32 = Z_OK
        let truncated = "the file ends before the compressed stream does (truncated)"
        try data.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(input.count)
            repeat {
                // Non-throwing closure: inflate one chunk, report how many bytes it produced.
                let produced = chunk.withUnsafeMutableBufferPointer { out -> Int in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return out.count - Int(stream.avail_out)
                }
                // Z_BUF_ERROR with room left in `out`: no input left (an empty file).
                if status == Z_BUF_ERROR { throw Error.corrupt(path: path, reason: truncated) }
                guard status == Z_OK || status == Z_STREAM_END else {
                    let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    throw Error.corrupt(path: path, reason: message)
                }
                guard output.count + produced <= limit else { throw Error.tooLarge(path: path, limit: limit) }
                output.append(contentsOf: chunk[0..<produced])
                if status == Z_OK && stream.avail_in == 0 && stream.avail_out != 0 {
                    throw Error.corrupt(path: path, reason: truncated)
                }
            } while status != Z_STREAM_END
        }
        return output
    }
}
