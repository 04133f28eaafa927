import ArrayIO
import Foundation
import Support
import Testing
import TestSupport
@testable import TensorCore
@testable import Triplanes

@Suite("triplane files: decoders, planes and normalization statistics")
struct TriplaneFileTests {
    @Test("a decoder round-trips through safetensors with its configuration")
    func decoderRoundTrip() throws {
        let tmp = try TemporaryDirectory("decoder"); defer { tmp.remove() }
        let dir = tmp.path
        for agg in TriplaneAggregation.allCases {
            let cfg = TriplaneConfig(resolution: 8, channels: 3, aggregation: agg, hidden: [16, 8], fourierFeatures: agg == .product ? 0 : 12)
            let d = TriplaneDecoder(config: cfg, seed: 7)
            try d.save(to: dir + "/d.safetensors")
            let (e, meta) = try TriplaneDecoder.load(from: dir + "/d.safetensors")
            #expect(e.config == cfg && meta["octoplane.kind"] == "octoplane-triplane-decoder")
            var rng = SeededRandom(seed: 1)
            let p = Tensor.randn(cfg.planeShape, rng: &rng)
            let pts = (0..<300).map { _ in rng.uniform(-1, 1) }
            #expect(d.evaluate(p, points: pts) == e.evaluate(p, points: pts))
        }
    }

    @Test("a decoder file of another configuration is refused with the tensor that differs")
    func decoderMismatch() throws {
        let tmp = try TemporaryDirectory("decoder-bad"); defer { tmp.remove() }
        let dir = tmp.path
        let d = TriplaneDecoder(config: TriplaneConfig(resolution: 8, channels: 3, hidden: [16]), seed: 1)
        // Same metadata, a tensor of the wrong width: the configuration claims 16 hidden units.
        var tensors = Dictionary(uniqueKeysWithValues: d.namedParameters)
        tensors["mlp.layers.0.weight"] = Tensor(zeros: [17, 24])
        let cfg = String(decoding: try JSONEncoder().encode(d.config), as: UTF8.self)
        try Safetensors.write(tensors, metadata: ["octoplane.kind": "octoplane-triplane-decoder", "octoplane.config": cfg], to: dir + "/bad.safetensors")
        do {
            _ = try TriplaneDecoder.load(from: dir + "/bad.safetensors")
            Issue.record("a mismatched decoder was accepted")
        } catch let TriplaneError.badDecoder(_, reason) {
            #expect(reason.contains("mlp.layers.0.weight"), "\(reason)")
        }
        // A plain checkpoint without the kind is not a triplane decoder.
        try Safetensors.write(tensors, to: dir + "/plain.safetensors")
        #expect(throws: TriplaneError.self) { try TriplaneDecoder.load(from: dir + "/plain.safetensors") }
        // Planes of another channel count than the decoder reads.
        #expect(throws: TriplaneError.planesMismatch(expected: [3, 3, 8, 8], actual: [3, 4, 8, 8])) {
            try TriplaneField(decoder: d, planes: Tensor(zeros: [3, 4, 8, 8]))
        }
    }

    @Test("planes files of the wrong rank, layout or dtype are refused")
    func badPlanes() throws {
        let tmp = try TemporaryDirectory("planes"); defer { tmp.remove() }
        let dir = tmp.path
        let good = Tensor((0..<(3 * 2 * 4 * 4)).map(Float.init), shape: [3, 2, 4, 4])
        try TriplaneFile.write(good, to: dir + "/ok.npy")
        #expect(try TriplaneFile.read(dir + "/ok.npy").scalars == good.scalars)
        try Npy.write(try NpyArray(floats: [Float](repeating: 0, count: 2 * 2 * 4 * 4), shape: [2, 2, 4, 4]), to: dir + "/two.npy")
        try Npy.write(try NpyArray(floats: [Float](repeating: 0, count: 3 * 4 * 4), shape: [3, 4, 4]), to: dir + "/rank3.npy")
        try Npy.write(try NpyArray(int32s: [Int32](repeating: 0, count: 3 * 2 * 4 * 4), shape: [3, 2, 4, 4]), to: dir + "/int.npy")
        try Npy.write(try NpyArray(floats: [Float](repeating: 0, count: 3 * 2 * 4 * 5), shape: [3, 2, 4, 5]), to: dir + "/rect.npy")
        for name in ["two", "rank3", "int", "rect", "missing"] {
            #expect(throws: TriplaneError.self, "\(name)") { try TriplaneFile.read(dir + "/\(name).npy") }
        }
        #expect(throws: TriplaneError.planesMismatch(expected: [3, 8, 4, 4], actual: [3, 2, 4, 4])) {
            try TriplaneFile.read(dir + "/ok.npy", expected: [3, 8, 4, 4])
        }
    }

    @Test("normalization maps mean ± kσ to ±1 per stacked channel and inverts exactly")
    func normalization() throws {
        var rng = SeededRandom(seed: 2)
        let set = (0..<5).map { i in Tensor.randn([3, 2, 6, 6], mean: Float(i) * 0.1, std: 0.3, rng: &rng) }
        let n = try PlaneNormalization.measure(set, k: 4)
        #expect(n.channels == 6 && n.objects == 5)
        for p in set {
            let back = n.denormalize(n.normalize(p))
            #expect(zip(back.scalars, p.scalars).allSatisfy { Swift.abs($0 - $1) < 1e-5 })
        }
        // Over the whole set, each stacked channel of the normalized planes has mean 0 and std 1/k.
        let normalized = set.map { n.normalize($0) }
        for c in 0..<6 {
            let vals = normalized.flatMap { Array($0.scalars[(c * 36)..<((c + 1) * 36)]) }.map(Double.init)
            let mean = vals.reduce(0, +) / Double(vals.count)
            let std = (vals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(vals.count)).squareRoot()
            #expect(Swift.abs(mean) < 1e-5 && Swift.abs(std - 0.25) < 1e-4, "channel \(c): mean \(mean), std \(std)")
        }
        let tmp = try TemporaryDirectory("norm"); defer { tmp.remove() }
        let dir = tmp.path
        try n.write(to: dir + "/n.json")
        #expect(try PlaneNormalization.read(dir + "/n.json", expectedChannels: 6) == n)
        #expect(throws: TriplaneError.self) { try PlaneNormalization.read(dir + "/n.json", expectedChannels: 24) }
        #expect(throws: TriplaneError.self) { try PlaneNormalization.read(dir + "/none.json") }
        #expect(throws: TriplaneError.self) { try PlaneNormalization.measure([Tensor(zeros: [3, 2, 6, 6]), Tensor(zeros: [3, 2, 4, 4])]) }
    }
}
