import Foundation
import Testing

/// The module graph is the architecture, and this suite holds the code to it.
///
/// The graph is the one Package.swift declares: a target may import a project module (one of
/// the package's own targets, the C targets COpenBLAS, CFFmpeg and CZlib included) only when
/// that module is in the target's `dependencies:` list, and those lists form an acyclic graph,
/// so a lower module never imports a higher one. It is written once, in Package.swift (whose
/// header comment draws it); the test reads the dependency lists from the manifest's text and
/// every `import` of every `.swift` file under `Sources/<Target>/`, and prints the layers.
/// When this was written the layers were: COpenBLAS, CFFmpeg, CZlib → Tensor → ModelIO →
/// CLIP → FCCLIP → Media → LabelStream → Pipeline → Daemon → segd (Media and LabelStream
/// still depending on FCCLIP, which Package.swift declares).
@Suite struct ModuleGraphTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func packageGraph() throws -> ModuleGraph {
        try ModuleGraph(manifest: String(contentsOfFile: root + "/Package.swift", encoding: .utf8))
    }

    @Test func everyImportIsADeclaredDependencyOfAnAcyclicGraph() throws {
        let graph = try Self.packageGraph()
        #expect(graph.cycle() == nil, "Package.swift's dependencies form a cycle: \(graph.cycle() ?? [])")
        let (files, unclaimed) = try TargetSource.read(root: Self.root, graph: graph)
        #expect(unclaimed.isEmpty, "folders of Sources/ that no target of Package.swift builds: \(unclaimed)")
        #expect(files.count > 100, "\(files.count) source files read")
        let violations = TargetSource.violations(files, graph: graph)
        #expect(violations.isEmpty, "imports outside the module graph:\n\(violations.joined(separator: "\n"))")
        print("module graph (layer: targets, each depending on lower layers only):\n"
              + graph.layers().enumerated().map { "  \($0): \($1.joined(separator: ", "))" }.joined(separator: "\n"))
    }

    /// The manifest is read as SwiftPM reads it: names, dependency lists (another package's
    /// products left out, `.target(name:)` and conditions understood), default and explicit paths.
    @Test func theManifestReaderFindsTargetsDependenciesAndPaths() throws {
        let graph = try ModuleGraph(manifest: Self.fixtureManifest)
        #expect(graph.targets == ["CLow", "High", "HighTests", "Low", "Mid", "Tool"])
        #expect(graph.dependencies["Low"] == ["CLow"])
        #expect(graph.dependencies["Mid"] == ["Low"])
        #expect(graph.dependencies["High"] == ["Mid", "Low"])
        #expect(graph.dependencies["Tool"] == ["High"])
        #expect(graph.paths["Mid"] == "Sources/Mid" && graph.paths["HighTests"] == "Tests/HighTests")
        #expect(graph.paths["Tool"] == "Sources/tool-main")
        #expect(graph.cycle() == nil)
        #expect(graph.layers() == [["CLow"], ["Low"], ["Mid"], ["High"], ["HighTests", "Tool"]])
        // The real manifest: every target that has a folder under Sources/ is there.
        let real = try Self.packageGraph()
        for target in ["Tensor", "ModelIO", "CLIP", "FCCLIP", "Media", "LabelStream", "Pipeline", "Daemon", "segd"] {
            #expect(real.paths[target] == "Sources/" + target, "\(target)")
        }
    }

    /// The control: an import the graph does not allow fails, in any spelling, and names the
    /// file, the line, the module and what the target may import.
    @Test func anUndeclaredImportIsReported() throws {
        let graph = try ModuleGraph(manifest: Self.fixtureManifest)
        let files = [
            TargetSource(target: "Mid", path: "Sources/Mid/Fine.swift", text: "import Foundation\nimport Low\n"),
            TargetSource(target: "Low", path: "Sources/Low/Up.swift", text: "import Foundation\n\nimport Mid\n"),
            TargetSource(target: "Low", path: "Sources/Low/Test.swift", text: "@testable import High\n"),
            TargetSource(target: "Mid", path: "Sources/Mid/Kind.swift", text: "public import struct High.Thing\n"),
            TargetSource(target: "Mid", path: "Sources/Mid/Skip.swift",
                         text: "// import High\n/* import High */\nlet s = \"\"\"\nimport High\n\"\"\"\n#if canImport(High)\n#endif\n"),
        ]
        let violations = TargetSource.violations(files, graph: graph)
        #expect(violations.count == 3, "\(violations)")
        #expect(violations.first == "Sources/Low/Up.swift:3: Low imports Mid, which Package.swift does not list among Low's dependencies (CLow)")
        #expect(violations.contains { $0.hasPrefix("Sources/Low/Test.swift:1: Low imports High") })
        #expect(violations.contains { $0.hasPrefix("Sources/Mid/Kind.swift:1: Mid imports High") })

        // The same check on the real package, in a copy with one file added: Tensor importing FCCLIP.
        let real = try Self.packageGraph()
        let copy = try Self.temporaryCopy(files: ["Sources/Tensor/Injected.swift": "import Foundation\nimport FCCLIP\n"])
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let (copied, _) = try TargetSource.read(root: copy, graph: real)
        #expect(TargetSource.violations(copied, graph: real).contains { $0.hasPrefix("Sources/Tensor/Injected.swift:2: Tensor imports FCCLIP") },
                "\(TargetSource.violations(copied, graph: real))")
    }

    /// A manifest whose dependencies form a cycle is reported with the cycle.
    @Test func aCycleIsReported() throws {
        let manifest = """
            let package = Package(name: "p", targets: [
                .target(name: "A", dependencies: ["B"]),
                .target(name: "B", dependencies: [.target(name: "C")]),
                .target(name: "C", dependencies: ["A"]),
            ])
            """
        let cycle = try #require(try ModuleGraph(manifest: manifest).cycle())
        #expect(cycle == ["A", "B", "C", "A"])
        #expect(throws: ModuleGraph.Failure.self) { try ModuleGraph(manifest: #"targets: [.target(name: "A", dependencies: ["Nope"])]"#) }
    }

    static let fixtureManifest = """
        // swift-tools-version:6.1
        import PackageDescription
        // .target(name: "Commented", dependencies: ["High"])
        let package = Package(
            name: "fixture",
            dependencies: [.package(url: "https://example.com/other", from: "1.0.0")],
            targets: [
                .systemLibrary(name: "CLow", pkgConfig: "low"),
                .target(name: "Low", dependencies: ["CLow"]),
                .target(
                    name: "Mid",
                    dependencies: [
                        .target(name: "Low", condition: .when(platforms: [.linux])),
                        .product(name: "Other", package: "other"),
                    ]
                ),
                .target(name: "High", dependencies: ["Mid", .byName(name: "Low")]),
                .executableTarget(name: "Tool", dependencies: ["High"], path: "Sources/tool-main"),
                .testTarget(name: "HighTests", dependencies: ["High"]),
            ]
        )
        """

    /// A copy of the package's Package.swift and Sources/ in a temporary folder, with `files` added.
    static func temporaryCopy(files: [String: String]) throws -> String {
        let copy = NSTemporaryDirectory() + "segd-graph-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: root + "/Package.swift", toPath: copy + "/Package.swift")
        try FileManager.default.copyItem(atPath: root + "/Sources", toPath: copy + "/Sources")
        for (path, text) in files {
            try text.write(toFile: copy + "/" + path, atomically: true, encoding: .utf8)
        }
        return copy
    }
}
