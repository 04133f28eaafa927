import Foundation
import NN
import Support
import TensorCore

// A training checkpoint is ONE safetensors file, written atomically (`Safetensors.write`: a
// temporary beside the destination, renamed over it — a crash or a full disk leaves the previous
// checkpoint intact):
//
//   tensors   model.<name>    the live weights (UNet parameter names, e.g. model.down.0.conv1.weight)
//             ema.<name>      the EMA shadow (the sampling weights)
//             adam.m.<name>   Adam's first moments,  adam.v.<name>  its second moments
//             losses          [step] every step's loss (absent before the first step)
//   metadata  format = "octoplane-diffusion-checkpoint", version = "1", step, adam_step,
//             rng_state (the per-step generator's UInt64 state, decimal), config (the training
//             config as sorted-key JSON), data_fingerprint (`DiffusionDataset.fingerprint`)

extension DiffusionTrainer {
    public static let checkpointFormat = "octoplane-diffusion-checkpoint"

    /// The checkpoint's tensors by name.
    private var checkpointTensors: [(String, Tensor)] {
        let named = model.namedParameters
        var out: [(String, Tensor)] = named.map { ("model.\($0.0)", $0.1) }
        out += zip(named, ema.shadow).map { ("ema.\($0.0.0)", $0.1) }
        out += zip(named, optimizer.m).map { ("adam.m.\($0.0.0)", $0.1) }
        out += zip(named, optimizer.v).map { ("adam.v.\($0.0.0)", $0.1) }
        return out
    }

    /// Writes the whole training state to `path` atomically (see the format above).
    public func checkpoint(to path: String) throws {
        var tensors = Dictionary(uniqueKeysWithValues: checkpointTensors)
        if !losses.isEmpty { tensors["losses"] = Tensor(losses, shape: [losses.count]) }
        try Safetensors.write(tensors, metadata: [
            "format": Self.checkpointFormat, "version": "1",
            "step": String(step), "adam_step": String(optimizer.stepCount), "rng_state": String(rng.state),
            "config": config.json(), "data_fingerprint": data.fingerprint,
        ], to: path)
    }

    /// Restores the state saved by `checkpoint(to:)`, after checking — before anything changes —
    /// that every tensor of this trainer is there with its shape and no other model tensor is
    /// (`GeneratorError.checkpointMismatch` names the first offender), that the training config
    /// is the same (`configMismatch` names the first differing key) and that the data are
    /// (`dataMismatch`). A refused checkpoint leaves the trainer as it was.
    public func resume(from path: String) throws {
        let file = try Safetensors.read(path)
        let meta = file.metadata
        guard meta["format"] == Self.checkpointFormat else {
            throw GeneratorError.invalidCheckpoint(path: path, reason: "no '\(Self.checkpointFormat)' format tag (a bare weights file?)")
        }
        guard meta["version"] == "1" else { throw GeneratorError.invalidCheckpoint(path: path, reason: "version \(meta["version"] ?? "none"), this build reads 1") }
        guard let savedStep = meta["step"].flatMap(Int.init), savedStep >= 0,
              let adamStep = meta["adam_step"].flatMap(Int.init), adamStep >= 0,
              let rngState = meta["rng_state"].flatMap(UInt64.init),
              let savedConfig = meta["config"], let fingerprint = meta["data_fingerprint"] else {
            throw GeneratorError.invalidCheckpoint(path: path, reason: "metadata lacks step, adam_step, rng_state, config or data_fingerprint")
        }
        // 1. Tensors: ours must all be there with our shapes; no foreign model tensor.
        let ours = checkpointTensors
        let ourNames = Set(ours.map(\.0))
        for (name, t) in ours {
            guard let e = file.entries[name] else { throw GeneratorError.checkpointMismatch(tensor: name, expected: t.shape, found: nil) }
            guard e.shape == t.shape else { throw GeneratorError.checkpointMismatch(tensor: name, expected: t.shape, found: e.shape) }
        }
        for name in file.names where name != "losses" && !ourNames.contains(name) {
            throw GeneratorError.checkpointMismatch(tensor: name, expected: nil, found: file.entries[name]?.shape)
        }
        // 2. Config, key by key.
        if let key = Self.firstDifferingKey(savedConfig, config.json()) { throw GeneratorError.configMismatch(key: key) }
        // 3. Data.
        guard fingerprint == data.fingerprint else { throw GeneratorError.dataMismatch(expected: data.fingerprint, found: fingerprint) }
        let losses = try file.entries["losses"] == nil ? [] : file.tensor("losses").scalars
        guard losses.count == savedStep else {
            throw GeneratorError.invalidCheckpoint(path: path, reason: "\(losses.count) losses for \(savedStep) steps")
        }
        // Everything checked: read all, then assign.
        let values = try ours.map { name, t in (t, try file.tensor(name, shape: t.shape)) }
        let n = model.parameters.count
        for (t, v) in values[0..<(2 * n)] { t.assign(v) }
        optimizer.restore(stepCount: adamStep, m: values[(2 * n)..<(3 * n)].map(\.1), v: values[(3 * n)..<(4 * n)].map(\.1))
        restore(step: savedStep, rngState: rngState, losses: losses)
    }

    /// The first key (dotted path, e.g. `model.baseChannels`) whose JSON value differs between two
    /// configs, or nil if none does. Objects with other key sets (another enum case, such as a
    /// linear vs a cosine schedule) differ as a whole.
    static func firstDifferingKey(_ a: String, _ b: String) -> String? {
        func object(_ s: String) -> Any? { try? JSONSerialization.jsonObject(with: Data(s.utf8)) }
        func text(_ v: Any?) -> String {
            guard let v, let d = try? JSONSerialization.data(withJSONObject: [v], options: [.sortedKeys]) else { return "absent" }
            return String(decoding: d, as: UTF8.self)
        }
        func diff(_ x: Any?, _ y: Any?, _ path: String) -> String? {
            if let dx = x as? [String: Any], let dy = y as? [String: Any], Set(dx.keys) == Set(dy.keys) {
                for key in Set(dx.keys).union(dy.keys).sorted() {
                    if let d = diff(dx[key], dy[key], path.isEmpty ? key : "\(path).\(key)") { return d }
                }
                return nil
            }
            return text(x) == text(y) ? nil : (path.isEmpty ? "config" : path)
        }
        return diff(object(a), object(b), "")
    }
}
