import CFuzzDriver
import Foundation

// segd-fuzz TARGET [libFuzzer flags and corpus folders...]
//
// Picks one of the fuzz targets (FuzzTargets.all), then hands the rest of the command line to
// libFuzzer's driver. Built only by tools/fuzz.sh (SEGD_FUZZ=1; see Package.swift).

/// The usage message, on stderr (in a function, so that nothing it allocates outlives it and
/// LeakSanitizer stays quiet at exit).
func printUsage() {
    let names = FuzzTargets.all.map { "  \($0.name.padding(toLength: 14, withPad: " ", startingAt: 0)) \($0.summary)" }
    let lines = ["usage: segd-fuzz TARGET [libFuzzer flags] [CORPUS...]", "targets:"] + names
    FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
}

let arguments = CommandLine.arguments
guard arguments.count >= 2, let target = FuzzTargets.named(arguments[1]) else {
    printUsage()
    exit(2)
}
FuzzTargets.select(target)

var driverArguments: [UnsafeMutablePointer<CChar>?] = ([arguments[0]] + arguments.dropFirst(2)).map { strdup($0) } + [nil]
var argumentCount = Int32(driverArguments.count - 1)
let status = driverArguments.withUnsafeMutableBufferPointer { buffer -> Int32 in
    var argv = buffer.baseAddress
    return LLVMFuzzerRunDriver(&argumentCount, &argv) { data, size in fuzzOneInput(data, size) }
}
exit(status)
