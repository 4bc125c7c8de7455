import Daemon
import Foundation
import Testing

/// The wire format of control requests and responses.
@Suite struct ControlProtocolTests {
    @Test func requestsEncodeAsOneLineAndParseBack() throws {
        let requests: [ControlRequest] = [
            .list, .reload, .ping, .pause(stream: "dock"), .resume(stream: "dock"),
            .vocab(stream: "dock", vocabulary: "thing: person; forklift\n\"quoted\""),
        ]
        for request in requests {
            let line = request.jsonLine()
            #expect(!line.contains("\n"))
            #expect(try ControlRequest.parse(Array(line.utf8)) == request)
        }
        #expect(ControlRequest.vocab(stream: "dock", vocabulary: "@/etc/v.txt").jsonLine()
                == #"{"command":"vocab","stream":"dock","vocabulary":"@/etc/v.txt"}"#)
    }

    @Test func responsesPutOkFirstAndOmitAbsentFields() throws {
        #expect(ControlResponse(ok: true, vocabVersion: 3).jsonLine() == #"{"ok":true,"vocab_version":3}"#)
        #expect(ControlResponse.failure("no \"x\"").jsonLine() == #"{"ok":false,"error":"no \"x\""}"#)
        #expect(ControlResponse(ok: true, streams: []).jsonLine() == #"{"ok":true,"streams":[]}"#)
        let status = StreamStatus(name: "a", url: "rtsp://h/p", state: .paused, vocabulary: "coco")
        let line = ControlResponse(ok: true, streams: [status]).jsonLine()
        #expect(try JSONDecoder().decode(ControlResponse.self, from: Data(line.utf8)).streams == [status])
    }

    @Test func aNonFiniteRetryBecomesAnErrorResponse() {
        let status = StreamStatus(name: "a", url: "x", state: .backingOff, retryIn: .infinity, vocabulary: "coco")
        #expect(ControlResponse(ok: true, streams: [status]).jsonLine()
                == #"{"ok":false,"error":"the response could not be encoded as JSON"}"#)
    }
}
