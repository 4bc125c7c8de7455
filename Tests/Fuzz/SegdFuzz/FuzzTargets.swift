/// One fuzz target: a name for the command line and the corpus folder (Fuzz/corpus/NAME), and
/// the function libFuzzer calls with each input. A target returns normally for any input,
/// accepted or rejected; a crash, a trap (a failed `precondition` on an invariant included), a
/// sanitizer report or a hang is a finding.
struct FuzzTarget: Sendable {
    let name: String
    let summary: String
    /// Runs once before the first input (opening sockets, scratch files).
    var setUp: @Sendable () -> Void = {}
    let run: @Sendable (UnsafeRawBufferPointer) -> Void
}

enum FuzzTargets {
    /// Every target, in the order tools/fuzz.sh runs them.
    static let all: [FuzzTarget] = [
        SafeTensorsFuzz.target, ModelJSONFuzz.target, VocabularyFuzz.target,
        ConfigFuzz.target, ControlProtocolFuzz.target, LabelClientFuzz.target,
    ]

    static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }

    /// The target `runSelected` runs; set once, before libFuzzer starts.
    nonisolated(unsafe) private static var selected: FuzzTarget?

    static func select(_ target: FuzzTarget) {
        target.setUp()
        selected = target
    }

    static func runSelected(_ input: UnsafeRawBufferPointer) {
        selected?.run(input)
    }
}

/// libFuzzer's entry point, for runtimes that look it up by name; `main.swift` passes the same
/// function to `LLVMFuzzerRunDriver`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzTargets.runSelected(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
