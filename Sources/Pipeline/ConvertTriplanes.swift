import Foundation
import MeshIO
import Sampling
import TensorCore
import Triplanes

/// What `convert --to triplane` adds to `convert`'s options.
public struct TriplaneConvertSettings: Sendable {
    /// Decoder file; nil = the shipped one.
    public var decoder: String? = nil
    public var fit = TriplaneFitSettings()
    /// NFD sample rows drawn per mesh (the `settings.count` of `convert` is not used).
    public var samplePoints = 200_000
    /// Uniform points for each model's IoU in the manifest.
    public var iouPoints = 100_000
    /// k of the normalization's mean ± k·σ.
    public var normalizationK: Float = 16
    public init() {}
}

/// `octoplane convert ROOT --to triplane --out DIR` (`ConvertJob` with target `.triplane`): every model of the tree → NFD samples drawn
/// on the fly → planes fitted with the shared decoder frozen → `DIR/<synset>/<model>.npy`
/// (float32, (3, C, R, R)), with everything `convert` does (progress, atomic per-model files,
/// resume, `--shard`, failure log, manifest with the fit's IoU and seconds). At the end the
/// per-channel statistics over every planes file in DIR are written to `DIR/normalization.json`
/// (after sharded runs, one more run without `--shard` skips every model and writes the statistics
/// of the whole set).
func convertToTriplanes(_ source: some ConvertSource, options: ConvertOptions, triplane: TriplaneConvertSettings) throws -> ConvertSummary {
    let fitter = MeshTriplaneFit(settings: triplane.fit, samplePoints: triplane.samplePoints, iouPoints: triplane.iouPoints)
    try fitter.validate(samplePointsFlag: "--points")          // before any model is loaded or sampled
    try PlaneNormalization.validate(k: triplane.normalizationK)
    let decoderPath = try ShippedModels.resolve(triplane.decoder, default: ShippedModels.triplaneDecoder)
    let shape = try TriplaneDecoder.load(from: decoderPath).decoder.config.planeShape
    var opts = options
    opts.settings = SampleSettings(preset: .nfd, count: triplane.samplePoints, seed: options.settings.seed, insideTest: options.settings.insideTest)
    var summary = try runConversion(source, options: opts, label: "convert → triplane", files: { [opts.outputBase(for: $0)] }) { _ in
        // One decoder per worker: fitting toggles the frozen decoder's gradient flags.
        let decoder = try TriplaneDecoder.load(from: decoderPath).decoder
        return { item, base, seed in
            let t = Date()
            let mesh = try MeshLoader.load(path: item.meshPath).mesh
            let out = try fitter.run(mesh: mesh, decoder: decoder, seed: seed)
            if let s = out.fit.nonFiniteAtStep { throw TriplaneError.nonFiniteLoss(step: s) }
            try TriplaneFile.write(out.planes, to: base)
            return ManifestEntry(model: item.key, mesh: item.meshPath, preset: "triplane", files: [base],
                                 points: triplane.samplePoints, faces: out.faces, insideFraction: out.insideFraction,
                                 seconds: Date().timeIntervalSince(t), fitIoU: out.quality?.iou, fitSeconds: out.fitSeconds,
                                 fitDataLoss: out.fit.finalDataLoss)
        }
    }
    // Statistics over every planes file of the folder (this run's and earlier ones').
    let all = try npyFiles(under: options.outputDirectory)
    let planes = try all.map { try TriplaneFile.read($0, expected: shape) }
    if !planes.isEmpty {
        let path = options.outputDirectory + "/normalization.json"
        try PlaneNormalization.measure(planes, k: triplane.normalizationK).write(to: path)
        summary.normalization = path
    }
    return summary
}
