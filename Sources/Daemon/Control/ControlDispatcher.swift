/// Carries out parsed control requests on a `DaemonControl`. The calls may block (a reload
/// re-reads the configuration), so `ControlServer` runs this off its event loop.
struct ControlDispatcher: Sendable {
    let control: any DaemonControl

    /// The response to `request`: a `ControlError` thrown by the control becomes
    /// `ok:false` with its message; any other error becomes `ok:false` with its description.
    func respond(to request: ControlRequest) -> ControlResponse {
        do {
            switch request.command {
            case .ping:
                return .success("pong")
            case .list:
                return ControlResponse(ok: true, streams: control.streamStatuses().map(Self.encodable))
            case .vocab:
                let version = try control.setVocabulary(stream: request.stream ?? "", vocabulary: request.vocabulary ?? "")
                return ControlResponse(ok: true, vocabVersion: version)
            case .pause:
                let stream = request.stream ?? ""
                try control.pause(stream: stream)
                return .success("paused \(stream)")
            case .resume:
                let stream = request.stream ?? ""
                try control.resume(stream: stream)
                return .success("resumed \(stream)")
            case .reload:
                return .success(try control.reload())
            }
        } catch let error as ControlError {
            return .failure(error.description)
        } catch {
            return .failure(String(describing: error))
        }
    }

    /// `status` without a non-finite `retryIn`, which JSON cannot carry.
    static func encodable(_ status: StreamStatus) -> StreamStatus {
        guard let retryIn = status.retryIn, !retryIn.isFinite else { return status }
        var copy = status
        copy.retryIn = nil
        return copy
    }
}
