import Foundation

/// Paths of the fixture data the pipeline tests use (Tests/Fixtures, copied from ../shared).
enum PipelineFixtures {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")
    /// The tiny random-weight FC-CLIP bundle (input 70–120 px).
    static let tinyBundle = fixtures.appendingPathComponent("fcclip/tiny-a").path
}
