import CZlib
import Foundation

/// Reading gzip files (the BPE vocabulary ships as `bpe_simple_vocab_16e6.txt.gz`).
public enum Gzip {
    public enum Error: Swift.Error, CustomStringConvertible {
        case cannotOpen(path: String)
        case corrupt(path: String, reason: String)

        public var description: String {
            switch self {
            case .cannotOpen(let path): return "\(path): cannot open (missing or unreadable)"
            case .corrupt(let path, let reason): return "\(path): not a valid gzip file: \(reason); download or copy it again"
            }
        }
    }

    /// The decompressed contents of the gzip file at `path`. A truncated or corrupt file is
    /// an error (zlib's gzread alone would return the readable prefix).
    public static func decompress(path: String) throws -> Data {
        guard let compressed = FileManager.default.contents(atPath: path) else { throw Error.cannotOpen(path: path) }
        return try decompress(compressed, path: path)
    }

    /// Inflates gzip-wrapped `data`; `path` names it in errors.
    public static func decompress(_ data: Data, path: String) throws -> Data {
        var stream = z_stream()
        // 15 window bits + 16: expect a gzip header and trailer (CRC and length are checked).
        guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Error.corrupt(path: path, reason: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var status: Int32 = Z_OK
        try data.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(input.count)
            repeat {
                try chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    // Z_BUF_ERROR with room left in `out`: no input left (an empty file).
                    if status == Z_BUF_ERROR {
                        throw Error.corrupt(path: path, reason: "the file ends before the compressed stream does (truncated)")
                    }
                    guard status == Z_OK || status == Z_STREAM_END else {
                        let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                        throw Error.corrupt(path: path, reason: message)
                    }
                    output.append(out.baseAddress!, count: out.count - Int(stream.avail_out))
                }
                if status == Z_OK && stream.avail_in == 0 && stream.avail_out != 0 {
                    throw Error.corrupt(path: path, reason: "the file ends before the compressed stream does (truncated)")
                }
            } while status != Z_STREAM_END
        }
        return output
    }
}
