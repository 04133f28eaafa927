import Foundation
import Support
import Testing
import TestSupport
@testable import NN
@testable import TensorCore
@testable import Triplanes

/// Labelled points of a ball of radius r centred at c: half near its surface, half uniform.
func ballSamples(radius r: Float, center c: (Float, Float, Float) = (0, 0, 0), count: Int = 20_000, seed: UInt64) throws -> TriplaneSamples {
    var rng = SeededRandom(seed: seed)
    var p = [Float](), t = [Float]()
    for i in 0..<count {
        var x: Float, y: Float, z: Float
        if i < count / 2 {
            // A point on the sphere pushed by N(0, 0.02²) along a random direction.
            var d = (rng.normal(), rng.normal(), rng.normal())
            let n = (d.0 * d.0 + d.1 * d.1 + d.2 * d.2).squareRoot()
            d = (d.0 / n, d.1 / n, d.2 / n)
            let s = r + 0.02 * rng.normal()
            (x, y, z) = (c.0 + s * d.0, c.1 + s * d.1, c.2 + s * d.2)
        } else {
            (x, y, z) = (rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1))
        }
        p += [x, y, z]
        let q = (x - c.0) * (x - c.0) + (y - c.1) * (y - c.1) + (z - c.2) * (z - c.2)
        t.append(q < r * r ? 1 : 0)
    }
    return try TriplaneSamples(points: p, targets: t)
}

/// IoU of the decoded occupancy against a ball on a 32³ lattice over [-1, 1]³.
func ballIoU(_ decoder: TriplaneDecoder, _ planes: Tensor, radius r: Float, center c: (Float, Float, Float) = (0, 0, 0)) -> Double {
    var pts = [Float](), truth = [Bool]()
    for i in 0..<32 { for j in 0..<32 { for k in 0..<32 {
        let x = -1 + 2 * (Float(i) + 0.5) / 32, y = -1 + 2 * (Float(j) + 0.5) / 32, z = -1 + 2 * (Float(k) + 0.5) / 32
        pts += [x, y, z]
        truth.append((x - c.0) * (x - c.0) + (y - c.1) * (y - c.1) + (z - c.2) * (z - c.2) < r * r)
    } } }
    let v = decoder.evaluate(planes, points: pts)
    var inter = 0, union = 0
    for (a, b) in zip(v.map { $0 > 0 }, truth) { if a && b { inter += 1 }; if a || b { union += 1 } }
    return Double(inter) / Double(max(1, union))
}

let tinyConfig = TriplaneConfig(resolution: 16, channels: 4, hidden: [32, 32], fourierFeatures: 16)
let tinyTraining = DecoderTrainingSettings(steps: 240, objectsPerStep: 3, pointsPerObject: 1024, decoderLearningRate: 3e-3,
                                           planeLearningRate: 3e-2, edrPoints: 256, seed: 5)

func tinyObjects() throws -> [TriplaneSamples] {
    try [ballSamples(radius: 0.3, seed: 1), ballSamples(radius: 0.6, seed: 2),
         ballSamples(radius: 0.4, center: (0.3, -0.2, 0.1), seed: 3), ballSamples(radius: 0.5, center: (-0.2, 0.2, 0), seed: 4)]
}

@Suite("triplane fitting: NFD's two phases")
struct TriplaneFittingTests {
    /// Also for the product of the planes, which learns only because its planes start near 1
    /// (from near 0 every plane's gradient, the product of the other two, would be near 0).
    @Test("phase 1 learns a decoder, and phase 2 fits a ball it never saw to IoU > 0.9", arguments: [TriplaneAggregation.sum, .product])
    func twoPhases(aggregation: TriplaneAggregation) throws {
        var config = tinyConfig
        config.aggregation = aggregation
        let trainer = try DecoderTrainer(config: config, settings: tinyTraining, objects: try tinyObjects(), names: ["a", "b", "c", "d"])
        var first: Float = 0, last: Float = 0
        for s in 0..<tinyTraining.steps {
            let r = try trainer.step()
            if s == 0 { first = r.data }
            last = r.data
        }
        #expect(last < 0.5 * first, "BCE \(first) → \(last)")
        #expect(ballIoU(trainer.decoder, trainer.planes[1], radius: 0.6) > 0.85)

        let held = try ballSamples(radius: 0.45, center: (0.1, 0.1, -0.1), seed: 9)
        let before = trainer.decoder.parameters.map(\.scalars)
        for schedule in TriplaneFitSchedule.allCases {
            var settings = TriplaneFitSettings(steps: 300, pointsPerStep: 2048, learningRate: 5e-3, edrPoints: 256, seed: 1)
            settings.schedule = schedule
            let fit = try TriplaneFitting.fit(held, decoder: trainer.decoder, settings: settings)
            #expect(fit.nonFiniteAtStep == nil && fit.steps == 300)
            let iou = ballIoU(trainer.decoder, fit.planes, radius: 0.45, center: (0.1, 0.1, -0.1))
            #expect(iou > 0.9, "held-out IoU \(iou) with the \(schedule) schedule")
        }
        // The decoder stayed frozen and is trainable again afterwards.
        #expect(trainer.decoder.parameters.map(\.scalars) == before)
        #expect(trainer.decoder.trainableParameters.allSatisfy { $0.requiresGrad })
    }

    @Test("the cosine schedule starts at the rate, halves it midway and anneals it to 0; the constant one never moves",
          arguments: [(0, 1.0, 1.0), (50, 0.5, 1.0), (25, 0.853_553_4, 1.0), (100, 0.0, 1.0)] as [(Int, Float, Float)])
    func schedules(step: Int, cosine: Float, constant: Float) {
        #expect(abs(TriplaneFitSchedule.cosine.rate(2, step: step, of: 100) - 2 * cosine) < 1e-6)
        #expect(TriplaneFitSchedule.constant.rate(2, step: step, of: 100) == 2 * constant)
    }

    @Test("a resumed phase-1 run equals an uninterrupted one bit for bit")
    func resumeIsExact() throws {
        let objects = try tinyObjects(), names = ["a", "b", "c", "d"]
        var s = tinyTraining; s.steps = 12
        let straight = try DecoderTrainer(config: tinyConfig, settings: s, objects: objects, names: names)
        for _ in 0..<12 { try straight.step() }

        let tmp = try TemporaryDirectory("resume"); defer { tmp.remove() }
        let dir = tmp.path
        let first = try DecoderTrainer(config: tinyConfig, settings: s, objects: objects, names: names)
        for _ in 0..<5 { try first.step() }
        try first.checkpoint(to: dir + "/state.safetensors")
        let resumed = try DecoderTrainer.resume(from: dir + "/state.safetensors", objects: objects, names: names)
        #expect(resumed.completedSteps == 5)
        for _ in 0..<7 { try resumed.step() }
        #expect(resumed.decoder.parameters.map(\.scalars) == straight.decoder.parameters.map(\.scalars))
        #expect(resumed.planes.map(\.scalars) == straight.planes.map(\.scalars))

        // A checkpoint of another data set is refused, naming the difference.
        #expect(throws: TriplaneError.self) { try DecoderTrainer.resume(from: dir + "/state.safetensors", objects: objects, names: ["a", "b", "c", "x"]) }
    }

    @Test("a NaN loss, or a NaN gradient behind a finite loss, stops the fit and keeps the last good planes")
    func nanLossStops() throws {
        let samples = try ballSamples(radius: 0.5, seed: 1)
        let initial = TriplaneFitting.initialPlanes(tinyConfig, std: 0.001, seed: 3)
        // A NaN output bias: the loss itself is NaN.
        let nanOut = TriplaneDecoder(config: tinyConfig, seed: 1)
        nanOut.mlp.layers[2].bias!.mutableData[0] = .nan
        // A NaN first-layer weight: ReLU hides it from the loss, not from the planes' gradient.
        let nanHidden = TriplaneDecoder(config: tinyConfig, seed: 1)
        nanHidden.mlp.layers[0].weight.mutableData[0] = .nan
        for d in [nanOut, nanHidden] {
            let fit = try TriplaneFitting.fit(samples, decoder: d, settings: TriplaneFitSettings(steps: 10, pointsPerStep: 64), initial: initial)
            #expect(fit.nonFiniteAtStep == 0 && fit.steps == 0)
            #expect(fit.planes.scalars == initial.scalars)
        }
    }

    @Test("samples with a non-finite value or mismatched counts are refused")
    func badSamples() {
        #expect(throws: TriplaneError.self) { try TriplaneSamples(points: [0, 0, .nan], targets: [1]) }
        #expect(throws: TriplaneError.self) { try TriplaneSamples(points: [0, 0, 0], targets: [1, 0]) }
        #expect(throws: TriplaneError.self) { try TriplaneSamples(points: [], targets: []) }
        #expect(throws: TriplaneError.self) { try TriplaneSamples(nfdRows: [0, 0, 0], columns: 3) }
    }
}
