import Daemon
import Testing

/// The table `segd ctl list` prints.
@Suite struct ControlStatusTableTests {
    @Test func rendersAlignedColumns() {
        let streams = [
            StreamStatus(name: "dock", url: "rtsp://cam/1", state: .running, vocabulary: "coco", vocabVersion: 1,
                         framesDecoded: 12345, framesProcessed: 90, framesSkipped: 10, subscribers: 2),
            StreamStatus(name: "gate", url: "x", state: .backingOff, lastError: "connection refused", retryIn: 4.4,
                         vocabulary: "thing: person", vocabVersion: 3, reconnects: 2),
        ]
        let text = StreamStatusTable.render(streams)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines == [
            "NAME  STATE             DECODED  PROCESSED  SKIPPED  ERRORS  RECONNECTS  SUBSCRIBERS  DROPS  VOCAB               LAST-ERROR",
            "dock  running             12345         90       10       0           0            2      0  coco (v1)           -",
            "gate  backing-off (4s)        0          0        0       0           2            0      0  thing: person (v3)  connection refused",
            "",
        ])
    }

    @Test func noStreams() {
        #expect(StreamStatusTable.render([]) == "no streams\n")
    }

    @Test func longCellsAreAbbreviated() {
        let status = StreamStatus(name: "a", url: "x", state: .stopped, lastError: String(repeating: "e", count: 200) + "\nmore",
                                  vocabulary: String(repeating: "v", count: 100))
        let row = StreamStatusTable.render([status]).split(separator: "\n")[1]
        #expect(row.contains(String(repeating: "v", count: 31) + "… (v0)"))
        #expect(row.hasSuffix(String(repeating: "e", count: 79) + "…"))
    }
}
