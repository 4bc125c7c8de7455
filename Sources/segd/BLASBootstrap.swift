import Foundation
import Tensor

/// Chooses OpenBLAS's kernel set before any work starts (see `BLASRuntime`).
///
/// OpenBLAS reads `OPENBLAS_CORETYPE` only when it loads, so segd sets the variable and
/// re-executes itself once (same PID, same arguments) when it wants other kernels than the
/// loaded ones. The re-executed process checks the new kernels against a naive product and
/// goes back to the original choice if they disagree.
///
/// `SEGD_BLAS_CORE` selects the policy:
/// - `auto` (default): the fastest kernel set this CPU runs correctly, whatever
///   `OPENBLAS_CORETYPE` the environment carries (shells and CI images often pin an old one);
/// - `keep`: OpenBLAS's own choice, honouring `OPENBLAS_CORETYPE`;
/// - a kernel-set name such as `Haswell` or `SkylakeX`: exactly that one.
enum BLASBootstrap {
    static let marker = "SEGD_BLAS_REEXEC"
    static let original = "SEGD_BLAS_ORIGINAL_CORETYPE"

    static func selectKernels() {
        let env = ProcessInfo.processInfo.environment
        if env[marker] == "selected" {
            // We chose these kernels: trust them only if they compute correctly.
            setenv(marker, "done", 1)
            if !BLASRuntime.selfCheck() {
                warn("OpenBLAS \(BLASRuntime.coreName) kernels failed the self-check; falling back to OpenBLAS's own choice")
                if let previous = env[original], !previous.isEmpty { setenv("OPENBLAS_CORETYPE", previous, 1) } else { unsetenv("OPENBLAS_CORETYPE") }
                reexec()
            }
            return
        }
        guard env[marker] == nil else { return }
        let current = BLASRuntime.coreName
        let target: String?
        switch env["SEGD_BLAS_CORE"] ?? "auto" {
        case "keep":
            return
        case "auto", "":
            target = BLASRuntime.preferredCore(current: current, cpuFlags: BLASRuntime.cpuFlags())
        case let forced:
            target = forced == current ? nil : forced
        }
        guard let target else { return }
        setenv(original, env["OPENBLAS_CORETYPE"] ?? "", 1)
        setenv("OPENBLAS_CORETYPE", target, 1)
        setenv(marker, "selected", 1)
        reexec()
        // exec failed (no /proc?): carry on with the kernels already loaded.
        warn("could not re-execute to select OpenBLAS \(target) kernels; using \(current)")
        setenv(marker, "done", 1)
    }

    private static func reexec() {
        let args = CommandLine.arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", args)
    }

    private static func warn(_ message: String) {
        FileHandle.standardError.write(Data("segd: warning: \(message)\n".utf8))
    }
}
