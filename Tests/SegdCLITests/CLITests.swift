import Foundation
import Testing
import ModelIO

@Suite struct CLITests {
    @Test func versionNamesTheNativeLibraries() throws {
        let r = try SegdProcess.run(["--version"])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("segd 0.1.0\n"))
        #expect(r.stdout.contains("OpenBLAS: OpenBLAS 0."))
        #expect(r.stdout.contains("libavcodec "))
    }

    @Test func inspectReportsCompleteFixtureBundle() throws {
        let r = try SegdProcess.run(["model", "inspect", SegdProcess.fixtures.appendingPathComponent("fcclip/tiny-a").path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("227 tensors, 1,072,880 values"))
        #expect(r.stdout.contains("model.json implies 226 tensors: 226 present, 0 missing, 0 with a wrong shape"))
        #expect(r.stdout.contains("ignored:     criterion.empty_weight (training-only)"))
        #expect(r.stdout.hasSuffix("bundle is complete\n"))
        // One line per module prefix, e.g. the ConvNeXt trunk and head.
        #expect(r.stdout.contains("backbone.clip_model.visual "))
    }

    @Test func inspectJSONAccountsForEveryTensor() throws {
        let r = try SegdProcess.run(["model", "inspect", "--json", SegdProcess.fixtures.appendingPathComponent("fcclip/tiny-b").path])
        #expect(r.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(object["complete"] as? Bool == true)
        let modules = object["modules"] as! [[String: Any]]
        let tensors = modules.map { $0["tensors"] as! Int }.reduce(0, +)
        let bytes = modules.map { $0["bytes"] as! Int }.reduce(0, +)
        let file = try SafeTensorsFile(path: SegdProcess.fixtures.appendingPathComponent("fcclip/tiny-b/weights.safetensors").path)
        #expect(tensors == file.entries.count)
        #expect(bytes == file.entries.values.map(\.byteCount).reduce(0, +))
        #expect((object["expected"] as? Int) == file.entries.count - 1)
    }

    @Test func inspectOfIncompleteBundleFailsAndListsProblems() throws {
        let dir = NSTemporaryDirectory() + "segd-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let tinyA = SegdProcess.fixtures.appendingPathComponent("fcclip/tiny-a").path
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: tinyA + "/model.json"))) as! [String: Any]
        config["tokenizer"] = SegdProcess.fixtures.appendingPathComponent("tokenizer/bpe_simple_vocab_16e6.txt.gz").path
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: dir + "/model.json"))
        let source = try SafeTensorsFile(path: tinyA + "/weights.safetensors")
        var writer = SafeTensorsWriter()
        for name in source.names where name != "sem_seg_head.predictor.logit_scale" {
            let t = try source.tensor(name)
            try writer.add(name, name == "void_embedding.weight" ? t.reshaped([24, 1]) : t)
        }
        try writer.write(to: dir + "/weights.safetensors")

        let r = try SegdProcess.run(["model", "inspect", dir])
        #expect(r.status == 1)
        #expect(r.stdout.contains("missing:     sem_seg_head.predictor.logit_scale (expected scalar)"))
        #expect(r.stdout.contains("wrong shape: void_embedding.weight: found 24x1, expected 1x24"))
        #expect(r.stdout.contains("bundle is INCOMPLETE"))
    }

    @Test func badBundlePathIsAClearError() throws {
        let r = try SegdProcess.run(["model", "inspect", "/nonexistent/bundle"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("/nonexistent/bundle: model bundle folder not found"))
        #expect(!r.stderr.contains("Fatal error"))
    }

    @Test func threadsMustBePositive() throws {
        let r = try SegdProcess.run(["bench", "kernels", "--threads", "0"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--threads must be at least 1"))
    }

    @Test func kernelSelectionFollowsSEGD_BLAS_CORE() throws {
        // An explicit kernel set is used even against an inherited OPENBLAS_CORETYPE ...
        let forced = try SegdProcess.run(["--version"], environment: ["SEGD_BLAS_CORE": "Haswell", "OPENBLAS_CORETYPE": "Prescott"])
        #expect(forced.stdout.contains("(kernels: Haswell)"))
        // ... `keep` honours OPENBLAS_CORETYPE ...
        let kept = try SegdProcess.run(["--version"], environment: ["SEGD_BLAS_CORE": "keep", "OPENBLAS_CORETYPE": "Prescott"])
        #expect(kept.stdout.contains("(kernels: Prescott)"))
        // ... and `auto` picks AVX-512 kernels on a CPU that has AVX-512.
        let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let avx512 = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"].allSatisfy { flag in
            flags.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").contains { $0 == flag } ?? false
        }
        let auto = try SegdProcess.run(["--version"], environment: ["SEGD_BLAS_CORE": "auto", "OPENBLAS_CORETYPE": "Haswell"])
        if avx512 {
            #expect(auto.stdout.contains("(kernels: SkylakeX)") || auto.stdout.contains("(kernels: Cooperlake)"))
        } else {
            #expect(!auto.stdout.contains("SkylakeX"))
        }
    }
}

@Suite struct BenchBackboneCLITests {
    @Test func benchBackboneRunsASmallConfigAndCountsFLOPs() throws {
        let config = SegdProcess.fixtures.appendingPathComponent("fcclip/tiny-a/model.json").path
        let r = try SegdProcess.run(["bench", "backbone", "--config", config, "--size", "64x96", "--repeat", "1", "--threads", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("ConvNeXt dims [16, 24, 32, 48] depths [1, 1, 2, 1] at 64x96"))
        // tiny-a at 64x96: stem 2·16·24·16·48 = 589,824 FLOP; the total is printed in GFLOP.
        #expect(r.stdout.contains("stem           0.0"))
        #expect(r.stdout.contains("total: best "))
    }

    @Test func benchBackboneRejectsSizesThatAreNotMultiplesOf32() throws {
        let r = try SegdProcess.run(["bench", "backbone", "--size", "641x640"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--size must be WIDTHxHEIGHT with both multiples of 32"))
    }
}

@Suite struct BenchSegmentCLITests {
    @Test func benchSegmentReportsEveryStage() throws {
        let model = SegdProcess.fixtures.appendingPathComponent("fcclip/tiny-a").path
        let r = try SegdProcess.run(["bench", "segment", "--model", model, "--size", "96x64", "--repeat", "1", "--threads", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        // tiny-a resizes the short side to 70 (96x64 → 105x70).
        #expect(r.stdout.contains("96x64 → 105x70; 3 classes"))
        for stage in ["preprocess", "CLIP trunk", "pixel decoder", "mask decoder", "out-of-vocabulary + ensemble", "post-processing", "total"] {
            #expect(r.stdout.contains("\n" + stage), "\(stage) missing")
        }
    }
}
