import ModelIO

/// The safetensors reader: header length, JSON header, dtypes, shapes and offsets; then every
/// tensor it accepted is read (converted to float32 or to integers).
enum SafeTensorsFuzz {
    static let target = FuzzTarget(name: "safetensors", summary: "SafeTensorsFile: header and tensor reads") { input in
        let path = Scratch.store(input, as: "weights.safetensors")
        guard let file = try? SafeTensorsFile(path: path, what: "weights file") else { return }
        for name in file.names {
            guard let entry = try? file.entry(name) else { preconditionFailure("listed tensor \(name) has no entry") }
            precondition(entry.byteRange.upperBound <= input.count, "tensor \(name) ends past the file")
            _ = try? file.rawBytes(name)
            _ = try? file.tensor(name)
            _ = try? file.integers(name)
        }
        _ = WeightBudget(file: file)
    }
}
