import Foundation
import NN
import Support
import TensorCore

// The pieces both generator trainers share: seeded epoch shuffles, the data fingerprint hash, and
// the resumable checkpoint (one safetensors file, written atomically by `Safetensors.write`):
//
//   tensors   model.<name>    the live weights
//             ema.<name>      the EMA shadow (the sampling weights)
//             adam.m.<name>   Adam's first moments,  adam.v.<name>  its second moments
//             losses          [step] every step's loss (absent before the first step)
//   metadata  format (the trainer's tag), version = "1", step, adam_step, rng_state (the per-step
//             generator's UInt64 state, decimal), config (the training config as sorted-key
//             JSON), data_fingerprint

/// Batches as consecutive slices of concatenated seeded permutations of 0..<count: item j of the
/// batch at `step` is position step·B + j, of epoch (step·B + j) / count, whose permutation is a
/// Fisher–Yates shuffle by `SeededRandom(seed).split(1_000_000 + epoch)`.
struct EpochShuffle {
    let seed: UInt64, count: Int
    private var current: (epoch: Int, order: [Int])?
    init(seed: UInt64, count: Int) { self.seed = seed; self.count = count }

    mutating func batch(step: Int, size: Int) -> [Int] {
        (0..<size).map { j in
            let k = step * size + j, epoch = k / count
            if current?.epoch != epoch {
                var g = SeededRandom(seed: seed).split(1_000_000 + UInt64(epoch))
                var order = Array(0..<count)
                for i in stride(from: count - 1, to: 0, by: -1) { order.swapAt(i, Int(g.next() % UInt64(i + 1))) }
                current = (epoch, order)
            }
            return current!.order[k % count]
        }
    }
}

/// A trainer's resumable state in the checkpoint layout above.
struct TrainingCheckpoint {
    let format: String
    /// The model's parameters, in order, with their names.
    let named: [(String, Tensor)]
    let ema: EMA
    let optimizer: Adam

    /// The checkpoint's tensors by name.
    var tensors: [(String, Tensor)] {
        var out: [(String, Tensor)] = named.map { ("model.\($0.0)", $0.1) }
        out += zip(named, ema.shadow).map { ("ema.\($0.0.0)", $0.1) }
        out += zip(named, optimizer.m).map { ("adam.m.\($0.0.0)", $0.1) }
        out += zip(named, optimizer.v).map { ("adam.v.\($0.0.0)", $0.1) }
        return out
    }

    func write<C: TrainingConfigFile>(to path: String, step: Int, losses: [Float], rngState: UInt64, config: C, fingerprint: String) throws {
        var all = Dictionary(uniqueKeysWithValues: tensors)
        if !losses.isEmpty { all["losses"] = Tensor(losses, shape: [losses.count]) }
        try Safetensors.write(all, metadata: [
            "format": format, "version": "1",
            "step": String(step), "adam_step": String(optimizer.stepCount), "rng_state": String(rngState),
            "config": config.json(), "data_fingerprint": fingerprint,
        ], to: path)
    }

    /// Restores weights, EMA and Adam from `path` after checking — before anything changes — the
    /// format tag, that every tensor is there with its shape and no foreign model tensor is
    /// (`checkpointMismatch` names the first offender), the config key by key (`configMismatch`)
    /// and the data (`dataMismatch`). Returns (step, rng state, losses) for the trainer's counters.
    ///
    /// The saved config is compared as `C` reads it, not as text: it is decoded (keys it lacks take
    /// their defaults, as in a config file) and re-encoded, so a checkpoint written before a config
    /// key existed resumes as long as the run keeps that key's default.
    func restore<C: TrainingConfigFile>(from path: String, config: C, fingerprint: String) throws -> (step: Int, rngState: UInt64, losses: [Float]) {
        let file = try Safetensors.read(path)
        let meta = file.metadata
        guard meta["format"] == format else {
            throw GeneratorError.invalidCheckpoint(path: path, reason: "no '\(format)' format tag (a bare weights file, or another generator's checkpoint?)")
        }
        guard meta["version"] == "1" else { throw GeneratorError.invalidCheckpoint(path: path, reason: "version \(meta["version"] ?? "none"), this build reads 1") }
        guard let savedStep = meta["step"].flatMap(Int.init), savedStep >= 0,
              let adamStep = meta["adam_step"].flatMap(Int.init), adamStep >= 0,
              let rngState = meta["rng_state"].flatMap(UInt64.init),
              let savedConfig = meta["config"], let savedFingerprint = meta["data_fingerprint"] else {
            throw GeneratorError.invalidCheckpoint(path: path, reason: "metadata lacks step, adam_step, rng_state, config or data_fingerprint")
        }
        let ours = tensors
        let ourNames = Set(ours.map(\.0))
        for (name, t) in ours {
            guard let e = file.entries[name] else { throw GeneratorError.checkpointMismatch(tensor: name, expected: t.shape, found: nil) }
            guard e.shape == t.shape else { throw GeneratorError.checkpointMismatch(tensor: name, expected: t.shape, found: e.shape) }
        }
        for name in file.names where name != "losses" && !ourNames.contains(name) {
            throw GeneratorError.checkpointMismatch(tensor: name, expected: nil, found: file.entries[name]?.shape)
        }
        let saved: C
        do { saved = try JSONDecoder().decode(C.self, from: Data(savedConfig.utf8)) } catch {
            throw GeneratorError.invalidCheckpoint(path: path, reason: "unreadable config: \(error)")
        }
        if let key = Self.firstDifferingKey(saved.json(), config.json()) { throw GeneratorError.configMismatch(key: key) }
        guard savedFingerprint == fingerprint else { throw GeneratorError.dataMismatch(expected: fingerprint, found: savedFingerprint) }
        let losses = try file.entries["losses"] == nil ? [] : file.tensor("losses").scalars
        guard losses.count == savedStep else {
            throw GeneratorError.invalidCheckpoint(path: path, reason: "\(losses.count) losses for \(savedStep) steps")
        }
        let values = try ours.map { name, t in (t, try file.tensor(name, shape: t.shape)) }
        let n = named.count
        for (t, v) in values[0..<(2 * n)] { t.assign(v) }
        optimizer.restore(stepCount: adamStep, m: values[(2 * n)..<(3 * n)].map(\.1), v: values[(3 * n)..<(4 * n)].map(\.1))
        return (savedStep, rngState, losses)
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

/// A trainer whose whole resumable state is one `TrainingCheckpoint` of its model, EMA and Adam,
/// plus its counters: what the diffusion, octree, surface and autoencoder trainers share. Their
/// public `checkpoint(to:)` / `resume(from:)` are `saveCheckpoint` / `restoreCheckpoint`.
protocol CheckpointedTrainer: AnyObject {
    associatedtype Config: TrainingConfigFile
    associatedtype Model: Layer
    static var checkpointFormat: String { get }
    var config: Config { get }
    var model: Model { get }
    var ema: EMA { get }
    var optimizer: Adam { get }
    /// Steps taken; set with `losses` and `rngState` by `restoreCheckpoint` (which assigns the tensors).
    var step: Int { get set }
    var losses: [Float] { get set }
    /// The per-step generator's state (0, and ignored when set, for a trainer that draws nothing
    /// per step).
    var rngState: UInt64 { get set }
    var dataFingerprint: String { get }
}

/// A checkpointed trainer that draws from `rng` every step: its checkpointed generator state is
/// `rng`'s, and a restored state reseeds `rng` with it.
protocol RandomizedTrainer: CheckpointedTrainer {
    var rng: SeededRandom { get set }
}

extension RandomizedTrainer {
    var rngState: UInt64 {
        get { rng.state }
        set { rng = SeededRandom(seed: newValue) }
    }
}

extension CheckpointedTrainer {
    private var trainingCheckpoint: TrainingCheckpoint {
        TrainingCheckpoint(format: Self.checkpointFormat, named: model.namedParameters, ema: ema, optimizer: optimizer)
    }

    /// Writes the whole training state to `path` atomically (a crash or a full disk leaves the
    /// previous checkpoint intact).
    func saveCheckpoint(to path: String) throws {
        try trainingCheckpoint.write(to: path, step: step, losses: losses, rngState: rngState, config: config, fingerprint: dataFingerprint)
    }

    /// Restores the state saved by `saveCheckpoint(to:)` after the checks of
    /// `TrainingCheckpoint.restore` (tensors by name and shape, config key by key, data
    /// fingerprint); a refused checkpoint leaves the trainer as it was.
    func restoreCheckpoint(from path: String) throws {
        let r = try trainingCheckpoint.restore(from: path, config: config, fingerprint: dataFingerprint)
        step = r.step; losses = r.losses; rngState = r.rngState
    }
}

/// Overwrites `layer`'s parameters from `file`'s tensors `prefix + name`, after checking that
/// every one is there with its shape (`GeneratorError.checkpointMismatch` names the first that is
/// not; nothing changes then).
func loadParameters(_ layer: Layer, from file: SafetensorsFile, prefix: String) throws {
    let values = try layer.namedParameters.map { name, p -> (Tensor, Tensor) in
        guard let e = file.entries[prefix + name] else { throw GeneratorError.checkpointMismatch(tensor: prefix + name, expected: p.shape, found: nil) }
        guard e.shape == p.shape else { throw GeneratorError.checkpointMismatch(tensor: prefix + name, expected: p.shape, found: e.shape) }
        return (p, try file.tensor(prefix + name))
    }
    for (p, v) in values { p.assign(v) }
}

/// A training config kept as a JSON file (keys left out take the type's defaults) and stored in
/// checkpoints as sorted-key JSON.
public protocol TrainingConfigFile: Codable {
    /// Throws `GeneratorError.invalidConfig` naming the first value out of range.
    func validate() throws
}

extension TrainingConfigFile {
    /// Reads a JSON config file; a malformed or invalid one is a typed error.
    public static func load(_ path: String) throws -> Self {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw GeneratorError.invalidConfig("cannot read '\(path)': \(error.localizedDescription)")
        }
        let config: Self
        do { config = try JSONDecoder().decode(Self.self, from: data) } catch {
            throw GeneratorError.invalidConfig("'\(path)': \(error)")
        }
        if let key = Self.unknownKey(in: data, knownFrom: config) {
            throw GeneratorError.invalidConfig("'\(path)': unknown key '\(key)' (a misspelt key would silently take its default)")
        }
        try config.validate()
        return config
    }

    /// The first key path (dotted, in sorted order) of the JSON object `data` that `config`'s own
    /// encoding lacks — a key this type does not read; nil when there is none. Every config type
    /// writes all of its keys, so the encoding of the decoded value names exactly the known ones.
    static func unknownKey(in data: Data, knownFrom config: Self) -> String? {
        guard let given = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let known = (try? JSONSerialization.jsonObject(with: Data(config.json().utf8))) as? [String: Any] else { return nil }
        func search(_ given: [String: Any], _ known: [String: Any], _ prefix: String) -> String? {
            for key in given.keys.sorted() {
                guard let k = known[key] else { return prefix + key }
                if let g = given[key] as? [String: Any], let k = k as? [String: Any], let found = search(g, k, prefix + key + ".") { return found }
            }
            return nil
        }
        return search(given, known, "")
    }

    /// The config as JSON with sorted keys (the form stored in checkpoints).
    public func json() -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        // Encoding plain numbers, strings and enums cannot fail.
        return (try? e.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// A trained generator's sampling model: its network with the EMA weights, the training config
/// and the step. Stored as one safetensors file of the network's parameters under their own names
/// (what a PyTorch mirror loads with `load_state_dict`) and metadata `format` (the type's tag),
/// `config` (the training config as sorted-key JSON), `step`.
public protocol GeneratorModelFile {
    associatedtype Config: TrainingConfigFile
    associatedtype Network: Layer
    /// The model file's format tag, and the tag of its trainer's checkpoints.
    static var format: String { get }
    static var checkpointFormat: String { get }
    /// A network of `config`'s architecture (weights to be overwritten).
    static func makeNetwork(_ config: Config) -> Network
    var config: Config { get }
    var network: Network { get }
    var step: Int { get }
    init(config: Config, network: Network, step: Int)
}

extension GeneratorModelFile {
    /// Writes the model atomically: F32, or F16 (half the size).
    public func save(to path: String, dtype: SafetensorsDType = .f32) throws {
        try network.saveCheckpoint(to: path, metadata: ["format": Self.format, "config": config.json(), "step": String(step)], dtype: dtype)
    }

    /// Reads a model file, or the EMA weights (`ema.` tensors) of a training checkpoint. The config
    /// must decode and validate; every tensor of the network it describes must be present with its
    /// shape (`GeneratorError.checkpointMismatch` names the first that is not); a file of another
    /// kind is `invalidCheckpoint`.
    public static func load(_ path: String) throws -> Self {
        let file = try Safetensors.read(path)
        let prefix: String
        switch file.metadata["format"] {
        case format: prefix = ""
        case checkpointFormat: prefix = "ema."
        default: throw GeneratorError.invalidCheckpoint(path: path, reason: "no '\(format)' format tag")
        }
        guard let json = file.metadata["config"], let step = file.metadata["step"].flatMap(Int.init) else {
            throw GeneratorError.invalidCheckpoint(path: path, reason: "metadata lacks config or step")
        }
        let config: Config
        do { config = try JSONDecoder().decode(Config.self, from: Data(json.utf8)) } catch {
            throw GeneratorError.invalidCheckpoint(path: path, reason: "unreadable config: \(error)")
        }
        try config.validate()
        let net = makeNetwork(config)
        try loadParameters(net, from: file, prefix: prefix)
        return Self(config: config, network: net, step: step)
    }

    /// A fresh network of `config` holding `weights` (in `namedParameters` order): a trainer's EMA model.
    static func network(_ config: Config, weights: [Tensor]) -> Network {
        let net = makeNetwork(config)
        for (p, s) in zip(net.parameters, weights) { p.assign(s) }
        return net
    }
}

/// The end of every trainer's step, on `loss` computed from cleared gradients: backward, the
/// global gradient-norm clip (`clip` > 0), the optimizer step, the EMA update — decay
/// min(decay, (1 + n)/(10 + n)) after n = step + 1 updates when `warmup` — and clearing the
/// gradients. Returns the loss's value.
func backwardAndUpdate(_ loss: Tensor, _ parameters: [Tensor], optimizer: Adam, ema: EMA, clip: Float, emaDecay: Float, emaWarmup: Bool,
                       step: Int) -> Float {
    loss.backward()
    if clip > 0 { clipGradNorm(parameters, maxNorm: clip) }
    optimizer.step()
    let n = Float(step + 1)
    ema.decay = emaWarmup ? min(emaDecay, (1 + n) / (10 + n)) : emaDecay
    ema.update()
    optimizer.zeroGrad()
    return loss.item
}
