// swift-tools-version:6.1
import PackageDescription

// Module graph (see README.md, "Architecture"): lower modules never import higher ones.
//
//   COpenBLAS, CFFmpeg, CZlib   system libraries (module maps + tiny C shims)
//   Tensor               float32 tensors and the kernels the model needs (GEMM through OpenBLAS)
//   ModelIO              safetensors (memory-mapped), model bundles, weight lookup with shape checks
//   CLIP                 BPE tokenizer, vocabularies, text transformer, ConvNeXt trunk, CLIP head
//   FCCLIP               preprocessing, pixel decoder, masked-attention decoder, ensemble, post-processing
//   Media                FFmpeg input (images, video files, network streams, devices) and encoders (PNG, video)
//   LabelStream          segment records, COCO RLE, panoptic PNG ids, the Unix-socket server and client
//   Pipeline             decode → schedule → segment → post-process → sinks on Dispatch queues
//   Daemon               `segd serve`: config, stream supervision and reconnects, control socket, metrics, systemd
//   segd                 the command line
let package = Package(
    name: "segd",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "segd", targets: ["segd"]),
        .library(name: "Tensor", targets: ["Tensor"]),
        .library(name: "ModelIO", targets: ["ModelIO"]),
        .library(name: "CLIP", targets: ["CLIP"]),
        .library(name: "FCCLIP", targets: ["FCCLIP"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.0.0", traits: ["YAML"]),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        // Yams (already resolved for swift-configuration's YAML trait): Daemon composes the config file
        // with it to report line numbers and unknown keys.
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev", "libavdevice-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "Tensor",
            dependencies: ["COpenBLAS"]
        ),
        .target(
            name: "ModelIO",
            dependencies: ["Tensor"]
        ),
        .target(
            name: "CLIP",
            dependencies: ["Tensor", "ModelIO", "CZlib"]
        ),
        .target(
            name: "FCCLIP",
            dependencies: ["Tensor", "ModelIO", "CLIP"]
        ),
        .target(
            name: "Media",
            dependencies: ["FCCLIP", "CFFmpeg", "CZlib", "Tensor"]
        ),
        .target(
            name: "LabelStream",
            dependencies: [
                "FCCLIP", "Media", "CLIP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "Pipeline",
            dependencies: ["FCCLIP", "Media", "LabelStream", "CLIP", "Tensor"]
        ),
        .target(
            name: "Daemon",
            dependencies: [
                "Pipeline", "LabelStream", "Media", "FCCLIP", "CLIP", "ModelIO", "Tensor",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "segd",
            dependencies: [
                "Daemon",
                "FCCLIP",
                "Media",
                "LabelStream",
                "Pipeline",
                "Tensor",
                "ModelIO",
                "CLIP",
                "CFFmpeg",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "TensorTests",
            dependencies: ["Tensor"]
        ),
        .testTarget(
            name: "ModelIOTests",
            dependencies: ["ModelIO", "Tensor"]
        ),
        // Helpers shared by test targets that need real system resources (a small tmpfs).
        .target(
            name: "TestSupport",
            path: "Tests/TestSupport"
        ),
        // Golden-fixture loading and parity measurement shared by the parity test targets.
        .target(
            name: "GoldenFixtures",
            dependencies: ["ModelIO", "Tensor"],
            path: "Tests/GoldenFixtures"
        ),
        .testTarget(
            name: "CLIPTests",
            dependencies: ["CLIP", "ModelIO", "Tensor", "GoldenFixtures"]
        ),
        .testTarget(
            name: "FCCLIPTests",
            dependencies: ["FCCLIP", "CLIP", "ModelIO", "Tensor", "GoldenFixtures"]
        ),
        .testTarget(
            name: "MediaTests",
            dependencies: ["Media", "FCCLIP", "CFFmpeg", "ModelIO"]
        ),
        .testTarget(
            name: "LabelStreamTests",
            dependencies: [
                "LabelStream", "FCCLIP", "Media", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "PipelineTests",
            dependencies: ["Pipeline", "LabelStream", "Media", "FCCLIP", "CLIP", "ModelIO"]
        ),
        .testTarget(
            name: "DaemonTests",
            dependencies: [
                "Daemon", "Pipeline", "LabelStream", "Media", "CLIP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "SegdCLITests",
            dependencies: ["ModelIO", "Media", "LabelStream", "TestSupport"]
        ),
    ]
)

// Fuzzing (Tests/Fuzz/, tools/fuzz.sh). With SEGD_FUZZ=1 the package also has `segd-fuzz`, one libFuzzer
// executable whose first argument picks the target, and the fuzzed modules are built with -O,
// libFuzzer coverage and AddressSanitizer. Normal builds never see it, so they are neither slower
// nor different; tools/fuzz.sh builds it in its own scratch folder (.build-fuzz).
if Context.environment["SEGD_FUZZ"] == "1" {
    let instrumented: Set = ["ModelIO", "CLIP", "LabelStream", "Daemon"]
    for target in package.targets where instrumented.contains(target.name) {
        target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(["-O", "-sanitize=fuzzer,address"])]
    }
    package.products.append(.executable(name: "segd-fuzz", targets: ["SegdFuzz"]))
    package.targets += [
        .target(name: "CFuzzDriver", path: "Tests/Fuzz/CFuzzDriver"),
        .executableTarget(
            name: "SegdFuzz",
            dependencies: [
                "CFuzzDriver", "ModelIO", "CLIP", "Daemon", "LabelStream",
            ],
            path: "Tests/Fuzz/SegdFuzz",
            swiftSettings: [.unsafeFlags(["-sanitize=fuzzer,address"])],
            linkerSettings: [.unsafeFlags(["-sanitize=fuzzer,address", "-use-ld=lld"])]
        ),
    ]
}
