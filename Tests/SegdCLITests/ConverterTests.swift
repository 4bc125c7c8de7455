import Foundation
import Testing

/// Runs the checkpoint converter's own tests (tools/test_convert_fcclip_checkpoint.py) with the segd built
/// next to this test bundle, so `segd model inspect` checks the bundles it writes. Without python3, or without
/// torch (the Python tests then report themselves skipped), this passes and prints why; with both, any
/// converter failure fails here.
@Suite struct ConverterTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `$PYTHON`, else the first `python3` on PATH.
    static func python() -> String? {
        let env = ProcessInfo.processInfo.environment
        if let p = env["PYTHON"], !p.isEmpty, FileManager.default.isExecutableFile(atPath: p) { return p }
        for dir in (env["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent("python3").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    @Test func converterTestsPass() throws {
        let script = Self.packageRoot.appendingPathComponent("tools/test_convert_fcclip_checkpoint.py").path
        #expect(FileManager.default.fileExists(atPath: script), "missing \(script)")
        guard let python = Self.python() else {
            print("ConverterTests: skipped: no python3 on PATH, so tools/test_convert_fcclip_checkpoint.py was not run")
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script]
        process.currentDirectoryURL = Self.packageRoot
        var env = ProcessInfo.processInfo.environment
        let segd = SegdProcess.executable.path
        if FileManager.default.isExecutableFile(atPath: segd) { env["SEGD_BIN"] = segd }
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        process.environment = env
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)

        #expect(process.terminationStatus == 0, "tools/test_convert_fcclip_checkpoint.py failed:\n\(text)")
        if process.terminationStatus == 0 {
            let skipped = text.split(separator: "\n").filter { $0.contains("skipped") || $0.hasPrefix("note:") }
            for line in skipped { print("ConverterTests: \(line)") }
            // With torch installed every conversion test must have run.
            if !text.contains("skipped") { #expect(text.contains("\nOK")) }
        }
    }
}
