import Foundation
import NN
import Support
import TensorCore
import Testing
import TestSupport
@testable import Generators

/// `Scripts/diffusion_torch.py` is the PyTorch mirror of the U-Net and the samplers (for training
/// past one machine). The committed fixture was written by
/// `python Scripts/diffusion_torch.py make-fixture Tests/GeneratorsTests/Fixtures` (PyTorch 2.13 CPU):
/// a conditional U-Net made by PyTorch (two blocks per level, attention at half resolution, every
/// weight perturbed), saved as an Octoplane model file, inputs, and PyTorch's outputs for them.
@Suite("PyTorch mirror of the diffusion U-Net and samplers")
struct PyTorchMirrorTests {
    static let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures").path

    /// max |a − b| over two tensors of one shape.
    static func largestDifference(_ a: Tensor, _ b: Tensor) -> Float {
        precondition(a.shape == b.shape, "shapes \(a.shape) and \(b.shape)")
        return zip(a.scalars, b.scalars).map { Swift.abs($0 - $1) }.max() ?? 0
    }

    @Test("Octoplane reproduces PyTorch's conditional, unconditional and guided predictions and one DDIM step to 1e-4")
    func reproducesPyTorch() throws {
        let model = try DiffusionModelFile.load(Self.fixtures + "/unet-model.safetensors")
        let net = model.network
        // The fixture exercises the paths that name tensors: two blocks per level, attention in the
        // down and up paths, channel changes, the class embedding with its null row.
        #expect(net.config.resBlocksPerLevel == 2 && net.config.attentionResolutions == [2] && net.config.classCount == 3)
        #expect(!net.downAttention.isEmpty && !net.upAttention.isEmpty && net.down.contains { $0.skip != nil })
        let c = try Safetensors.read(Self.fixtures + "/unet-case.safetensors")
        let x = try c.tensor("x")
        let t = try c.tensor("t").scalars.map { Int($0) }
        let labels = try c.tensor("labels").scalars.map { Int($0) }
        let w = try c.tensor("guidance").scalars[0]
        #expect(t == [999, 555, 3] && labels == [0, 2, 1])

        let cond = withNoGrad { net.predict(x, timesteps: t, labels: labels) }
        let uncond = withNoGrad { net.predict(x, timesteps: t, labels: nil) }
        let guided = withNoGrad { guidedPrediction(net, x, timesteps: t, labels: labels, guidance: w) }
        for (name, ours) in [("conditional", cond), ("unconditional", uncond), ("guided", guided)] {
            let worst = Self.largestDifference(ours, try c.tensor(name))
            #expect(worst < 1e-4, "\(name): largest difference \(worst)")
        }
        // The class matters (else the conditioning would be untested).
        #expect(Self.largestDifference(cond, uncond) > 0.05)

        // One DDIM step (η = 0, x₀ clipped) on the sampler's 10-step respacing, from entry `entry`.
        let entry = Int(try c.tensor("step_entry").scalars[0])
        let walk = model.sampler(SamplerSettings(method: .ddim(eta: 0), steps: Int(try c.tensor("step_steps").scalars[0]))).walkedSchedule
        #expect(walk.count == 10 && walk.timesteps.last == 999)
        let n = x.shape[0], entries = [Int](repeating: entry, count: n)
        let output = withNoGrad { guidedPrediction(net, x, timesteps: [Int](repeating: walk.timesteps[entry], count: n), labels: labels, guidance: w) }
        #expect(Self.largestDifference(output, try c.tensor("step_output")) < 1e-4)
        var rng = SeededRandom(seed: 0)
        for target in PredictionTarget.allCases {
            let (x0, eps) = walk.split(output, as: target, xt: x, at: entries, clip: 1)
            let step = ddimStep(walk, x0: x0, epsilon: eps, entry: entry, eta: 0, rng: &rng)
            let worst = Self.largestDifference(step, try c.tensor("ddim_\(target.rawValue)"))
            #expect(worst < 1e-4, "DDIM step, \(target) prediction: largest difference \(worst)")
            if target == .v {
                #expect(x0.scalars.contains { $0 == 1 || $0 == -1 }, "the fixture should exercise x₀ clipping")
                let mean = walk.posteriorMean(x0: x0, xt: x, at: entries)
                #expect(Self.largestDifference(mean, try c.tensor("ddpm_mean_v")) < 1e-4)
            }
        }
    }

    /// Python with torch, numpy and safetensors: the peers' virtualenv if present, else python3.
    static let torchPython: String? = {
        let env = ProcessInfo.processInfo.environment
        let venv = (env["OCTOPLANE_PEERS_VENV"] ?? FileManager.default.homeDirectoryForCurrentUser.path + "/.cache/octoplane/peers-venv") + "/bin/python"
        for py in [venv, "/usr/bin/python3", "/usr/local/bin/python3"] where FileManager.default.isExecutableFile(atPath: py) {
            if runProcess(py, ["-c", "import torch, numpy, safetensors"]).0 == 0 { return py }
        }
        return nil
    }()

    /// Torch is not a prerequisite of the suite (not even under CI): without it this test is skipped.
    @Test("the mirror loads a model Octoplane wrote and predicts what Octoplane predicts (live PyTorch), with and without input patches",
          .enabled(if: torchPython != nil, "needs Python with torch, numpy and safetensors: bash Scripts/peers-venv.sh numpy \"torch==2.13.0+cpu\" safetensors"),
          arguments: [1, 2])
    func livePyTorch(patchSize: Int) throws {
        let python = try #require(Self.torchPython)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Scripts/diffusion_torch.py").path
        // Another shape than the fixture's: three levels, one block each, attention at level 0;
        // with 2×2 input patches folded into channels too (8×8 inputs: levels at 4, 2, 1).
        var config = DiffusionTrainingConfig(model: UNetConfig(inChannels: 6, baseChannels: 8, channelMultipliers: [1, 2, 2],
                                                               attentionResolutions: [1], attentionHeads: 4, groups: 4, classCount: 5,
                                                               patchSize: patchSize))
        config.prediction = .epsilon; config.schedule = .scaledLinear(steps: 200); config.timesteps = 200
        var rng = SeededRandom(seed: 21)
        let net = UNet(config.model, rng: &rng)
        withNoGrad { for (_, p) in net.namedParameters { p.assign(p + Tensor.randn(p.shape, std: 0.1, rng: &rng)) } }
        let dir = try TemporaryDirectory("torch-mirror"); defer { dir.remove() }
        try DiffusionModelFile(config: config, network: net, step: 7).save(to: dir.file("model.safetensors"))
        let x = Tensor.randn([4, 6, 8, 8], rng: &rng), t = [0, 17, 120, 199], labels = [4, 0, 5, 2]
        try Safetensors.write(["x": x, "t": Tensor(t.map(Float.init), shape: [4]), "labels": Tensor(labels.map(Float.init), shape: [4])],
                              to: dir.file("inputs.safetensors"))
        let r = runProcess(python, [script, "predict", dir.file("model.safetensors"), dir.file("inputs.safetensors"),
                                  "-o", dir.file("out.safetensors"), "--guidance", "3"])
        try #require(r.0 == 0, "diffusion_torch.py predict failed: \(r.1)")
        let theirs = try Safetensors.read(dir.file("out.safetensors"))
        let ours: [(String, Tensor)] = withNoGrad {
            [("prediction", guidedPrediction(net, x, timesteps: t, labels: labels, guidance: 3)),
             ("conditional", net.predict(x, timesteps: t, labels: labels)), ("unconditional", net.predict(x, timesteps: t, labels: nil))]
        }
        for (name, o) in ours {
            let worst = Self.largestDifference(o, try theirs.tensor(name))
            #expect(worst < 1e-4, "\(name): largest difference \(worst)")
        }
    }

    /// The latent stage: a latent diffusion RUN holds the autoencoder that maps its samples to planes.
    @Test("the mirror loads an autoencoder Octoplane wrote and encodes and decodes as Octoplane does (live PyTorch)",
          .enabled(if: torchPython != nil, "needs Python with torch, numpy and safetensors: bash Scripts/peers-venv.sh numpy \"torch==2.13.0+cpu\" safetensors"))
    func livePyTorchAutoencoder() throws {
        let python = try #require(Self.torchPython)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Scripts/diffusion_torch.py").path
        // Two blocks per level (block numbering across levels, a skip conv where the width
        // changes), a pool and an upsampling, groups capped by the narrowest layer's 4 channels.
        let config = AutoencoderTrainingConfig(model: PlaneAutoencoderConfig(inChannels: 6, channels: [8, 16], blocksPerLevel: 2,
                                                                              latentChannels: 4, groups: 4))
        var rng = SeededRandom(seed: 23)
        let net = PlaneAutoencoder(config.model, rng: &rng)
        withNoGrad { for (_, p) in net.namedParameters { p.assign(p + Tensor.randn(p.shape, std: 0.1, rng: &rng)) } }
        #expect(net.namedParameters.contains { $0.0 == "enc.blocks.2.skip.weight" } && net.namedParameters.contains { $0.0 == "dec.blocks.2.skip.weight" })
        let dir = try TemporaryDirectory("torch-mirror-ae"); defer { dir.remove() }
        try AutoencoderModelFile(config: config, network: net, step: 5).save(to: dir.file("autoencoder.safetensors"))
        let x = Tensor.randn([3, 6, 8, 8], rng: &rng), z = Tensor.randn([3, 4, 4, 4], rng: &rng)
        try Safetensors.write(["x": x, "z": z], to: dir.file("inputs.safetensors"))
        let r = runProcess(python, [script, "autoencode", dir.file("autoencoder.safetensors"), dir.file("inputs.safetensors"),
                                  "-o", dir.file("out.safetensors"), "--threads", "1"])
        try #require(r.0 == 0, "diffusion_torch.py autoencode failed: \(r.1)")
        let theirs = try Safetensors.read(dir.file("out.safetensors"))
        let ours: [(String, Tensor)] = withNoGrad {
            let (mean, logVariance) = net.encode(x)
            return [("mean", mean), ("logvar", logVariance), ("decoded", net.decode(z))]
        }
        for (name, o) in ours {
            let worst = Self.largestDifference(o, try theirs.tensor(name))
            #expect(worst < 1e-4, "\(name): largest difference \(worst)")
        }
    }
}
