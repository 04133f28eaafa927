import Foundation
import NN
import Support
import TensorCore

/// Phase 1 of NFD: train the shared decoder jointly with the planes of a training set.
///
///     loss = data + edrWeight·EDR + tvWeight·mean_k TV(planes_k) + l2Weight·mean_k L2(planes_k)
///
/// over the `objectsPerStep` objects of the step (NFD: BCE + 0.3·EDR + 1e-2·TV + 1e-3·L2 with TV
/// and L2 divided by the number of objects). Objects are visited in seeded random epochs; each step
/// draws `pointsPerObject` shuffled rows of each of its objects and decodes them in one MLP call.
/// The decoder has one Adam; every object's planes have their own Adam that steps only when the
/// object is in the batch (sparse updates: dense Adam over all planes stalls, `../shared/ANCHORS.md`).
public struct DecoderTrainingSettings: Codable, Sendable, Equatable {
    public var steps: Int
    public var objectsPerStep: Int
    public var pointsPerObject: Int
    public var decoderLearningRate: Float
    public var planeLearningRate: Float
    public var edrWeight: Float
    public var edrPoints: Int
    public var tvWeight: Float
    public var l2Weight: Float
    public var initStd: Float
    public var seed: UInt64

    public init(steps: Int = 4000, objectsPerStep: Int = 8, pointsPerObject: Int = 2048, decoderLearningRate: Float = 1e-3,
                planeLearningRate: Float = 1e-2, edrWeight: Float = 0.3, edrPoints: Int = 2048, tvWeight: Float = 1e-2,
                l2Weight: Float = 1e-3, initStd: Float = 0.001, seed: UInt64 = 0) {
        self.steps = steps; self.objectsPerStep = objectsPerStep; self.pointsPerObject = pointsPerObject
        self.decoderLearningRate = decoderLearningRate; self.planeLearningRate = planeLearningRate
        self.edrWeight = edrWeight; self.edrPoints = edrPoints; self.tvWeight = tvWeight; self.l2Weight = l2Weight
        self.initStd = initStd; self.seed = seed
    }

    public func validate() throws {
        guard steps >= 1, objectsPerStep >= 1, pointsPerObject >= 1, edrPoints >= 0 else {
            throw TriplaneError.invalidConfig("steps, objects per step and points per object must be ≥ 1 (EDR points ≥ 0)")
        }
        guard [decoderLearningRate, planeLearningRate].allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw TriplaneError.invalidConfig("learning rates must be finite and > 0")
        }
        guard [edrWeight, tvWeight, l2Weight, initStd].allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw TriplaneError.invalidConfig("loss weights and the init σ must be finite and ≥ 0")
        }
    }
}

/// The state of a phase-1 run: decoder, every object's planes, optimizer moments, data order and
/// RNG. `step()` advances it by one batch; `checkpoint(to:)` / `resume(from:)` round-trip the whole
/// state, so a killed run continues the same loss curve bit for bit (same thread count).
public final class DecoderTrainer {
    public let config: TriplaneConfig
    public let settings: DecoderTrainingSettings
    public let objectNames: [String]
    public let decoder: TriplaneDecoder
    public private(set) var planes: [Tensor]
    public private(set) var completedSteps = 0
    let objects: [TriplaneSamples]
    let decoderOpt: Adam
    let planeOpts: [Adam]
    var rng: SeededRandom
    var order: [Int] = []
    var orderPosition = 0

    /// A fresh run over `objects` (named `names`, used to refuse a checkpoint of another data set).
    public init(config: TriplaneConfig, settings: DecoderTrainingSettings, objects: [TriplaneSamples], names: [String]) throws {
        try config.validate(); try settings.validate()
        guard !objects.isEmpty, objects.count == names.count else {
            throw TriplaneError.invalidConfig("phase 1 needs at least one object (got \(objects.count), \(names.count) names)")
        }
        self.config = config; self.settings = settings; self.objects = objects; self.objectNames = names
        decoder = TriplaneDecoder(config: config, seed: settings.seed)
        planes = objects.indices.map { TriplaneFitting.initialPlanes(config, std: settings.initStd, seed: settings.seed &+ 1 &+ UInt64($0)) }
        decoderOpt = Adam(decoder.trainableParameters, learningRate: settings.decoderLearningRate)
        planeOpts = planes.map { Adam([$0], learningRate: settings.planeLearningRate) }
        rng = SeededRandom(seed: settings.seed ^ 0xDEC0DE)
    }

    /// The next `objectsPerStep` object indices (a new seeded permutation at each epoch's end).
    func nextBatch() -> [Int] {
        var out: [Int] = []
        let b = min(settings.objectsPerStep, objects.count)
        while out.count < b {
            if orderPosition >= order.count {
                order = Array(objects.indices)
                for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
                orderPosition = 0
            }
            let k = order[orderPosition]; orderPosition += 1
            if !out.contains(k) { out.append(k) }
        }
        return out
    }

    /// One optimization step. Returns (total loss, data loss). Throws `nonFiniteLoss` (and changes
    /// no parameter, plane or moment) when the loss or a gradient is NaN or infinite.
    @discardableResult
    public func step() throws -> (loss: Float, data: Float) {
        let batch = nextBatch()
        let ps = batch.map { planes[$0] }
        var xs: [Tensor] = [], ys: [Tensor] = []
        for k in batch {
            let (x, y) = objects[k].batch(settings.pointsPerObject, rng: &rng)
            xs.append(x); ys.append(y)
        }
        decoder.zeroGrad()
        for p in ps { p.grad = nil }
        let data = config.dataLoss(decoder(ps, at: xs), Tensor.concat(ys, axis: 0))
        let loss = TriplaneRegularizers.regularizedLoss(data, decoder: decoder, planes: ps, edrWeight: settings.edrWeight,
                                                        edrPoints: settings.edrPoints, tvWeight: settings.tvWeight,
                                                        l2Weight: settings.l2Weight, rng: &rng)
        let l = loss.item
        guard l.isFinite else { throw TriplaneError.nonFiniteLoss(step: completedSteps) }
        loss.backward()
        // A NaN can hide behind a finite loss (ReLU maps NaN to 0): no step on a non-finite gradient.
        for p in decoder.trainableParameters + ps {
            guard let g = p.grad, g.scalars.allSatisfy(\.isFinite) else { throw TriplaneError.nonFiniteLoss(step: completedSteps) }
        }
        withNoGrad {
            decoderOpt.step()
            for k in batch { planeOpts[k].step() }
        }
        completedSteps += 1
        return (l, data.item)
    }

    // MARK: Checkpoints

    struct State: Codable {
        var config: TriplaneConfig
        var settings: DecoderTrainingSettings
        var names: [String]
        var completedSteps: Int
        var rngState: UInt64
        var order: [Int]
        var orderPosition: Int
        var decoderAdamSteps: Int
        var planeAdamSteps: [Int]
    }

    /// Writes the whole state to one safetensors file, atomically (a crash mid-write leaves the
    /// previous checkpoint intact).
    public func checkpoint(to path: String) throws {
        var t: [String: Tensor] = [:]
        for (n, p) in decoder.namedParameters { t["decoder.\(n)"] = p }
        for (i, m) in decoderOpt.m.enumerated() { t["adam.decoder.m.\(i)"] = m; t["adam.decoder.v.\(i)"] = decoderOpt.v[i] }
        for (k, p) in planes.enumerated() {
            t["planes.\(k)"] = p; t["adam.planes.\(k).m"] = planeOpts[k].m[0]; t["adam.planes.\(k).v"] = planeOpts[k].v[0]
        }
        let state = State(config: config, settings: settings, names: objectNames, completedSteps: completedSteps,
                          rngState: rng.state, order: order, orderPosition: orderPosition,
                          decoderAdamSteps: decoderOpt.stepCount, planeAdamSteps: planeOpts.map(\.stepCount))
        let json = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
        try Safetensors.write(t, metadata: ["octoplane.kind": "octoplane-decoder-training", "octoplane.state": json], to: path)
    }

    /// Continues a run from `checkpoint(to:)`'s file. The objects must be the same (names and
    /// order) and the configuration and settings equal, except `steps`, which may be raised to
    /// train longer. Throws `badCheckpoint` naming what differs.
    public static func resume(from path: String, objects: [TriplaneSamples], names: [String], steps: Int? = nil) throws -> DecoderTrainer {
        let file: SafetensorsFile
        do { file = try Safetensors.read(path) } catch { throw TriplaneError.badCheckpoint(path: path, reason: "\(error)") }
        guard file.metadata["octoplane.kind"] == "octoplane-decoder-training", let text = file.metadata["octoplane.state"],
              let state = try? JSONDecoder().decode(State.self, from: Data(text.utf8)) else {
            throw TriplaneError.badCheckpoint(path: path, reason: "not a decoder-training checkpoint")
        }
        guard state.names == names else {
            throw TriplaneError.badCheckpoint(path: path, reason: "it was trained on \(state.names.count) other objects (first differing: \(zip(state.names, names).first { $0 != $1 }.map { "\($0.0) vs \($0.1)" } ?? "count \(state.names.count) vs \(names.count)"))")
        }
        var settings = state.settings
        if let steps { settings.steps = steps }
        let tr = try DecoderTrainer(config: state.config, settings: settings, objects: objects, names: names)
        do {
            for (n, p) in tr.decoder.namedParameters { p.assign(try file.tensor("decoder.\(n)", shape: p.shape)) }
            tr.decoderOpt.restore(stepCount: state.decoderAdamSteps,
                                  m: try tr.decoderOpt.parameters.indices.map { try file.tensor("adam.decoder.m.\($0)", shape: tr.decoderOpt.parameters[$0].shape) },
                                  v: try tr.decoderOpt.parameters.indices.map { try file.tensor("adam.decoder.v.\($0)", shape: tr.decoderOpt.parameters[$0].shape) })
            let shape = state.config.planeShape
            for k in tr.planes.indices {
                tr.planes[k].assign(try file.tensor("planes.\(k)", shape: shape))
                tr.planeOpts[k].restore(stepCount: state.planeAdamSteps[k], m: [try file.tensor("adam.planes.\(k).m", shape: shape)],
                                        v: [try file.tensor("adam.planes.\(k).v", shape: shape)])
            }
        } catch let e as SafetensorsError {
            throw TriplaneError.badCheckpoint(path: path, reason: e.description)
        }
        tr.completedSteps = state.completedSteps
        tr.rng = SeededRandom(seed: state.rngState)
        tr.order = state.order; tr.orderPosition = state.orderPosition
        return tr
    }
}
