import Daemon
import Foundation
import Testing

@Suite struct StreamStatusTests {
    /// `segd ctl list --json` and the control protocol use snake_case keys and the state names
    /// users see (`backing-off`); a status survives the round trip.
    @Test func encodesWithTheDocumentedKeys() throws {
        let status = StreamStatus(name: "dock", url: "rtsp://cam/1", state: .backingOff, lastError: "stalled", retryIn: 4,
                                  vocabulary: "coco", vocabVersion: 2, framesDecoded: 10, framesProcessed: 5, framesSkipped: 5,
                                  decodeErrors: 1, reconnects: 3, subscribers: 2, subscriberDrops: 7, queueDepth: 1)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(status), as: UTF8.self)
        #expect(json == #"{"decode_errors":1,"frames_decoded":10,"frames_processed":5,"frames_skipped":5,"last_error":"stalled","name":"dock","queue_depth":1,"reconnects":3,"retry_in":4,"state":"backing-off","subscriber_drops":7,"subscribers":2,"url":"rtsp:\/\/cam\/1","vocab_version":2,"vocabulary":"coco"}"#)
        #expect(try JSONDecoder().decode(StreamStatus.self, from: Data(json.utf8)) == status)
    }
}
