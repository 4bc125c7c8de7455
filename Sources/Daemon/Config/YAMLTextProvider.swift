import Configuration
import Foundation

/// A swift-configuration provider over YAML text already in memory: swift-configuration's
/// `YAMLSnapshot` parses it, exactly as `FileProvider<YAMLSnapshot>` would. It exists so that
/// `DaemonConfig.load` can stay synchronous (`FileProvider`'s initializer is async) and read the
/// same bytes that `ConfigDocument` located keys in.
struct YAMLTextProvider: ConfigProvider {
    private let yaml: YAMLSnapshot

    init(data: Data, name: String) throws {
        yaml = try YAMLSnapshot(data: data.bytes, providerName: name, parsingOptions: .default)
    }

    var providerName: String { yaml.providerName }

    func value(forKey key: AbsoluteConfigKey, type: ConfigType) throws -> LookupResult {
        try yaml.value(forKey: key, type: type)
    }

    func fetchValue(forKey key: AbsoluteConfigKey, type: ConfigType) async throws -> LookupResult {
        try value(forKey: key, type: type)
    }

    nonisolated(nonsending) func watchValue<Return: ~Copyable>(
        forKey key: AbsoluteConfigKey,
        type: ConfigType,
        updatesHandler: nonisolated(nonsending) (_ updates: ConfigUpdatesAsyncSequence<Result<LookupResult, any Error>, Never>) async throws -> Return
    ) async throws -> Return {
        try await watchValueFromValue(forKey: key, type: type, updatesHandler: updatesHandler)
    }

    func snapshot() -> any ConfigSnapshot { yaml }

    nonisolated(nonsending) func watchSnapshot<Return: ~Copyable>(
        updatesHandler: nonisolated(nonsending) (_ updates: ConfigUpdatesAsyncSequence<any ConfigSnapshot, Never>) async throws -> Return
    ) async throws -> Return {
        try await watchSnapshotFromSnapshot(updatesHandler: updatesHandler)
    }
}
