import Daemon
import Foundation
import Testing

/// Every control command through a real Unix socket, `ControlServer` to `ControlClient`.
@Suite struct ControlServerTests {
    /// Runs `body` with a server on a fresh socket over `control`; closes and cleans up after.
    private func withServer(_ control: FakeControl = FakeControl(),
                            limits: ControlServerLimits = ControlServerLimits(),
                            _ body: (ControlServer, String, FakeControl) throws -> Void) throws {
        let path = try temporarySocketPath()
        defer { removeSocketDirectory(path) }
        let server = try ControlServer(path: path, control: control, limits: limits)
        defer { server.close() }
        try body(server, path, control)
    }

    @Test func listReturnsEveryStreamStatus() throws {
        try withServer { _, path, control in
            let client = try ControlClient(path: path, timeout: 5)
            let response = try client.send(.list)
            #expect(response.ok)
            #expect(response.error == nil)
            #expect(response.streams == control.streamStatuses())
            #expect(response.streams?.map(\.name) == ["dock", "gate"])
        }
    }

    @Test func vocabPauseResumeReloadAndPingRoundTrip() throws {
        try withServer { _, path, control in
            let client = try ControlClient(path: path, timeout: 5)
            #expect(try client.send(.vocab(stream: "dock", vocabulary: "thing: person; forklift"))
                    == ControlResponse(ok: true, vocabVersion: 2))
            #expect(try client.send(.pause(stream: "dock")) == .success("paused dock"))
            #expect(try client.send(.list).streams?.first?.state == .paused)
            #expect(try client.send(.resume(stream: "dock")) == .success("resumed dock"))
            #expect(try client.send(.reload) == .success("reloaded: 0 added, 1 changed, 0 removed"))
            #expect(try client.send(.ping) == .success("pong"))
            #expect(control.recordedCalls == [
                "vocab dock thing: person; forklift", "pause dock", "list", "resume dock", "reload",
            ])
        }
    }

    @Test func controlErrorsComeBackAsNotOK() throws {
        try withServer { _, path, _ in
            let client = try ControlClient(path: path, timeout: 5)
            #expect(try client.send(.pause(stream: "nope")) == .failure("unknown stream \"nope\""))
            #expect(try client.send(.vocab(stream: "nope", vocabulary: "coco")) == .failure("unknown stream \"nope\""))
            #expect(try client.send(.vocab(stream: "dock", vocabulary: "@/missing"))
                    == .failure("cannot read vocabulary file /missing"))
            // The connection is still usable.
            #expect(try client.send(.ping).ok)
        }
    }

    @Test func responsesHaveTheDocumentedShape() throws {
        try withServer { _, path, _ in
            let client = try ControlClient(path: path, timeout: 5)
            func raw(_ line: String) throws -> String { String(decoding: try client.sendLine(line), as: UTF8.self) }
            #expect(try raw(#"{"command":"ping"}"#) == #"{"ok":true,"message":"pong"}"#)
            #expect(try raw(#"{"command":"vocab","stream":"gate","vocabulary":"coco"}"#) == #"{"ok":true,"vocab_version":4}"#)
            #expect(try raw(#"{"command":"pause","stream":"x"}"#) == #"{"ok":false,"error":"unknown stream \"x\""}"#)
            let list = try raw(#"{"command":"list"}"#)
            #expect(list.hasPrefix(#"{"ok":true,"streams":[{"#))
            #expect(list.contains(#""url":"rtsp://cam/1""#))
            #expect(list.contains(#""state":"backing-off""#))
            #expect(list.contains(#""frames_decoded":100"#))
        }
    }

    @Test func invalidRequestsGetSpecificErrors() throws {
        try withServer { _, path, _ in
            let client = try ControlClient(path: path, timeout: 5)
            func error(_ line: String) throws -> String? {
                try JSONDecoder().decode(ControlResponse.self, from: Data(client.sendLine(line))).error
            }
            #expect(try error("hello")?.hasPrefix("invalid JSON") == true)
            #expect(try error("[1,2]")?.hasPrefix("invalid request") == true)
            #expect(try error(#"{"command":7}"#)?.hasPrefix("invalid request") == true)
            #expect(try error(#"{"stream":"dock"}"#)?.hasPrefix("missing \"command\"") == true)
            #expect(try error(#"{"command":"explode"}"#)?.hasPrefix("unknown command \"explode\"") == true)
            #expect(try error(#"{"command":"vocab","stream":"dock"}"#) == "\"vocab\" needs a \"vocabulary\"")
            #expect(try error(#"{"command":"vocab","vocabulary":"coco"}"#) == "\"vocab\" needs a \"stream\"")
            #expect(try error(#"{"command":"pause"}"#) == "\"pause\" needs a \"stream\"")
            #expect(try error(#"{"command":"resume","stream":""}"#) == "\"resume\" needs a \"stream\"")
            #expect(try client.send(.ping).ok)
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        try withServer { _, path, _ in
            let socket = try RawSocket(path: path)
            socket.send("{\"command\":\"ping\"}\r\n\n  \n{\"command\":\"pause\",\"stream\":\"gate\"}\n{\"command\":\"list\"}\n")
            #expect(socket.readLine() == #"{"ok":true,"message":"pong"}"#)
            #expect(socket.readLine() == #"{"ok":true,"message":"paused gate"}"#)
            #expect(socket.readLine()?.hasPrefix(#"{"ok":true,"streams":"#) == true)
        }
    }

    @Test func halfClosedClientGetsItsAnswersThenEndOfStream() throws {
        try withServer { _, path, _ in
            let socket = try RawSocket(path: path)
            // The last request has no newline: end of input completes it.
            socket.send("{\"command\":\"reload\"}\n{\"command\":\"ping\"}")
            socket.shutdownWrite()
            #expect(socket.readLine() == #"{"ok":true,"message":"reloaded: 0 added, 1 changed, 0 removed"}"#)
            #expect(socket.readLine() == #"{"ok":true,"message":"pong"}"#)
            #expect(socket.drainUntilClosed(timeout: 5))
        }
    }

    @Test func slowControlCallsDoNotBlockOtherClients() throws {
        let control = FakeControl()
        let gate = DispatchSemaphore(value: 0)
        control.reloadGate = gate
        try withServer(control) { _, path, _ in
            let slow = try RawSocket(path: path)
            slow.send("{\"command\":\"reload\"}\n")
            // The reload is under way (and stays so until the gate opens)...
            try waitFor(timeout: 30) { control.recordedCalls.contains("reload") }
            // ...and another client is answered meanwhile.
            let client = try ControlClient(path: path, timeout: 5)
            #expect(try client.send(.ping) == .success("pong"))
            #expect(!slow.waitReadable(timeout: 0), "the reload cannot have answered before its gate opened")
            gate.signal()
            #expect(slow.readLine(timeout: 30)?.contains("reloaded") == true)
        }
    }

    @Test func socketFileHasModeAndIsRemovedOnClose() throws {
        let path = try temporarySocketPath()
        defer { removeSocketDirectory(path) }
        let server = try ControlServer(path: path, control: FakeControl(), mode: 0o600)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(attributes[.type] as? FileAttributeType == .typeSocket)
        server.close()
        server.close()
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func refusesALiveServerAndANonSocketButReplacesAStaleSocket() throws {
        let path = try temporarySocketPath()
        defer { removeSocketDirectory(path) }
        let first = try ControlServer(path: path, control: FakeControl())
        #expect(throws: ControlSocketError.alreadyServing(path: path)) {
            try ControlServer(path: path, control: FakeControl())
        }
        first.close()

        // A stale socket file: bound by a process that is gone.
        let stale = try RawListeningSocket(path: path)
        stale.closeWithoutUnlinking()
        #expect(FileManager.default.fileExists(atPath: path))
        let second = try ControlServer(path: path, control: FakeControl())
        #expect(try ControlClient(path: path, timeout: 5).send(.ping).ok)
        second.close()

        _ = FileManager.default.createFile(atPath: path, contents: Data("not a socket".utf8))
        #expect(throws: ControlSocketError.notASocket(path: path)) {
            try ControlServer(path: path, control: FakeControl())
        }
        #expect(FileManager.default.contents(atPath: path) == Data("not a socket".utf8))
    }

    @Test func clientErrorsAreClear() throws {
        let path = try temporarySocketPath()
        defer { removeSocketDirectory(path) }
        #expect(throws: ControlSocketError.noSocket(path: path)) { try ControlClient(path: path, timeout: 1) }
        #expect(ControlSocketError.noSocket(path: path).description
                == "no segd control socket at \(path): is `segd serve` running? (see control_socket in the config)")
        #expect(ControlSocketError.permissionDenied(path: path, group: "segd").description.contains("group 'segd'"))

        let stale = try RawListeningSocket(path: path)
        stale.closeWithoutUnlinking()
        #expect(throws: ControlSocketError.notListening(path: path)) { try ControlClient(path: path, timeout: 1) }

        let long = "/tmp/" + String(repeating: "x", count: 200)
        #expect(throws: ControlSocketError.self) { try ControlClient(path: long, timeout: 1) }
    }
}
