import Foundation
import LabelStream

/// The label-socket client (`segd tail`): the input is what a server sends; the client splits it
/// into lines, decodes each as a record and summarizes it. A real Unix socket carries it, so the
/// client's own buffering and end-of-stream handling run as in use.
enum LabelClientFuzz {
    /// Inputs are cut to this, so that the whole input fits the socket buffer and one thread can
    /// write all of it before the client reads.
    static let maxInput = 96 * 1024

    nonisolated(unsafe) private static var listener: Int32 = -1
    static let socketPath = Scratch.path("label.sock")

    static let target = FuzzTarget(name: "label-client", summary: "LabelSocketClient lines, FrameRecord decoding, summaries", setUp: listen) { input in
        let client: LabelSocketClient
        do {
            client = try LabelSocketClient(path: socketPath, timeout: 5)
        } catch {
            preconditionFailure("cannot connect to the fuzz label socket: \(error)")
        }
        let server = accept(listener, nil, nil)
        precondition(server >= 0, "accept failed: \(String(cString: strerror(errno)))")
        var offset = 0
        let count = min(input.count, maxInput)
        while offset < count {
            let n = send(server, input.baseAddress! + offset, count - offset, Int32(MSG_NOSIGNAL))
            precondition(n > 0 || errno == EINTR, "send failed: \(String(cString: strerror(errno)))")
            if n > 0 { offset += n }
        }
        close(server)
        while true {
            do {
                guard let record = try client.nextRecord() else { break }
                _ = record.summaryLine()
                _ = record.jsonLine()
            } catch LabelSocketError.invalidRecord {
                continue
            } catch {
                break
            }
        }
    }

    /// Listens on the scratch socket; each input's client connects to it.
    @Sendable static func listen() {
        unlink(socketPath)
        let fd = UnixSocketAddress.makeSocket()
        precondition(fd >= 0, "socket failed")
        var size = Int32(4 * maxInput)
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        let bound = UnixSocketAddress.withAddress(socketPath) { bind(fd, $0, $1) }
        precondition(bound == 0 && Foundation.listen(fd, 8) == 0, "cannot listen on \(socketPath): \(String(cString: strerror(errno)))")
        listener = fd
    }
}
