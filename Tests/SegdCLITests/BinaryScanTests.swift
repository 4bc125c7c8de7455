import Foundation
import Testing

/// Runs tools/test_check_swifterror_tailcalls.py: the binary scan `.ci/run` relies on must flag the
/// miscompile's shape and nothing it is known not to be.
@Suite struct BinaryScanTests {
    @Test func scanToolTestsPass() throws {
        let script = ConverterTests.packageRoot.appendingPathComponent("tools/test_check_swifterror_tailcalls.py").path
        let python = try #require(ConverterTests.python(), "python3 is needed to test tools/check-swifterror-tailcalls.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script]
        process.environment = ProcessInfo.processInfo.environment.merging(["PYTHONDONTWRITEBYTECODE": "1"]) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("Ran 6 tests"), "\(text)")
    }
}
