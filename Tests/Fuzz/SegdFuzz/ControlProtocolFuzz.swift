import Daemon
import Foundation

/// The control socket's wire format: a request line as the server parses it (an accepted one must
/// survive `jsonLine()` and parsing again unchanged), and a response line as the client decodes it.
enum ControlProtocolFuzz {
    static let target = FuzzTarget(name: "control", summary: "ControlRequest.parse, ControlResponse decoding") { input in
        if let request = try? ControlRequest.parse(input) {
            let again = try? ControlRequest.parse(Array(request.jsonLine().utf8))
            precondition(again == request, "a parsed request does not survive jsonLine()")
        }
        if let response = try? JSONDecoder().decode(ControlResponse.self, from: Data(input)) {
            _ = response.jsonLine()
        }
    }
}
