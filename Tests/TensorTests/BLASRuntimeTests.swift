import Testing
import Tensor

/// Two logical CPUs of a /proc/cpuinfo: the first has AVX-512 (F/CD/BW/DQ/VL), the second not, and
/// a "vmx flags" line precedes the real one (it must not be mistaken for it).
private let sampleCPUInfo = """
processor\t: 0
vendor_id\t: AuthenticAMD
cpu family\t: 25
model name\t: AMD EPYC 9654 96-Core Processor
vmx flags\t: vnmi invvpid ept_x_only
flags\t\t: fpu vme de pse tsc msr sse sse2 avx avx2 fma avx512f avx512dq avx512cd avx512bw avx512vl avx512_bf16
bugs\t\t: sysret_ss_attrs spectre_v1

processor\t: 1
vendor_id\t: AuthenticAMD
flags\t\t: fpu vme sse sse2 avx avx2

"""

@Suite("BLASRuntime")
struct BLASRuntimeTests {
    static let avx512: Set<String> = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]

    @Test("selfCheck passes with the loaded OpenBLAS kernels")
    func selfCheck() {
        #expect(BLASRuntime.selfCheck())
    }

    @Test("the loaded library describes itself")
    func description() {
        #expect(!BLASRuntime.coreName.isEmpty)
        #expect(BLASRuntime.configuration.localizedCaseInsensitiveContains("openblas"))
        #expect(BLASRuntime.threads >= 1)
    }

    @Test("preferredCore upgrades an AVX2 core on an AVX-512 CPU to SkylakeX")
    func prefersSkylakeX() {
        let flags = Self.avx512.union(["fpu", "sse2", "avx", "avx2", "fma", "avx512_bf16"])
        #expect(BLASRuntime.preferredCore(current: "Haswell", cpuFlags: flags) == "SkylakeX")
        #expect(BLASRuntime.preferredCore(current: "Zen", cpuFlags: flags) == "SkylakeX")
    }

    @Test("preferredCore keeps OpenBLAS's choice when it is already AVX-512", arguments: ["SkylakeX", "Cooperlake", "SapphireRapids"])
    func keepsAVX512Core(_ core: String) {
        #expect(BLASRuntime.preferredCore(current: core, cpuFlags: Self.avx512.union(["avx2"])) == nil)
    }

    @Test("preferredCore needs every one of the five AVX-512 subsets", arguments: ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"])
    func missingFlag(_ missing: String) {
        var flags = Self.avx512.union(["avx2", "fma"])
        flags.remove(missing)
        #expect(BLASRuntime.preferredCore(current: "Haswell", cpuFlags: flags) == nil)
        #expect(BLASRuntime.preferredCore(current: "Haswell", cpuFlags: []) == nil)
    }

    @Test("cpuFlags parses the first CPU's flags line of /proc/cpuinfo")
    func parsesCPUInfo() {
        let flags = BLASRuntime.cpuFlags(cpuinfo: sampleCPUInfo)
        #expect(flags == ["fpu", "vme", "de", "pse", "tsc", "msr", "sse", "sse2", "avx", "avx2", "fma",
                          "avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl", "avx512_bf16"])
        #expect(BLASRuntime.preferredCore(current: "Haswell", cpuFlags: flags) == "SkylakeX")
        #expect(!flags.contains("vnmi") && !flags.contains("sysret_ss_attrs") && !flags.contains(""))
    }

    @Test("cpuFlags without cpuinfo or without a flags line is empty")
    func emptyCPUInfo() {
        #expect(BLASRuntime.cpuFlags(cpuinfo: nil).isEmpty)
        #expect(BLASRuntime.cpuFlags(cpuinfo: "").isEmpty)
        #expect(BLASRuntime.cpuFlags(cpuinfo: "processor\t: 0\nFeatures\t: fp asimd evtstrm\n").isEmpty)
    }

    #if os(Linux) && arch(x86_64)
    @Test("cpuFlags reads this machine's /proc/cpuinfo")
    func readsProcCPUInfo() {
        #expect(BLASRuntime.cpuFlags().contains("sse2")) // every x86-64 CPU has SSE2
    }
    #endif
}
