import Foundation
import Generators

/// The octree generator's second stage: a learned local decoder of the structure
/// (`Octree.learnedSurfaceMesh`, trained by `train octree` on mesh data) or the blurred structure
/// (`Octree.smoothMesh`).
public enum SurfaceStage: String, Sendable, Equatable, CaseIterable { case learned, blur }

/// The diffusion sampler `generate` and `eval-generator` use: ancestral DDPM (stochastic) or DDIM
/// with η = 0 (deterministic given the initial noise), both over respaced steps.
public enum DiffusionSamplerKind: String, Sendable, Equatable, CaseIterable {
    case ddpm, ddim

    /// Steps when none are given: DDPM 100, DDIM 50 (each scored no better with twice as many on
    /// the shipped model; README, *Triplane diffusion*).
    public var defaultSteps: Int { self == .ddpm ? 100 : 50 }
}

/// How shapes are drawn from a trained generator, shared by `generate` and `eval-generator`.
/// Each field says which family reads it; the other ignores it.
public struct GenerationSettings: Sendable, Equatable {
    /// Diffusion: sampling steps (nil: the sampler's default, 50 DDIM / 100 DDPM steps). Octree
    /// parallel decoding: MaskGIT steps per depth (nil: 8).
    public var steps: Int? = nil
    /// Diffusion: classifier-free guidance weight (0: unconditional).
    public var guidance: Float = 2
    /// Diffusion: how planes are drawn. DDIM 50 is the default. Ancestral DDPM over 100 respaced
    /// steps scored better on average on the shipped model over three sampling seeds (mean 1-NNA
    /// 73.6% vs 77.5%, COV better in five categories of six, 1.47 vs 1.10 s a shape) but drew an
    /// empty table in one seed's 32, and every generated mesh must be non-empty; DDIM 50 drew
    /// none in 576.
    public var sampler: DiffusionSamplerKind = .ddim
    /// Diffusion: marching-cubes lattice points per axis over [-1, 1]³.
    public var resolution = 129
    /// Octree: how tokens are drawn, their temperature (0: greedy), top-k (0: all) and nucleus
    /// mass top-p (1: all). Next-token
    /// is the default: on the shipped model (F32 weights) it scored better in every category (1-NNA 73–95% vs
    /// 94–100%) and ran faster (0.12–0.30 s vs 0.21–1.27 s per shape) than parallel decoding with 8
    /// MaskGIT steps per depth — at depth 5 a sequence has ~450 tokens, so cached single-token steps
    /// cost less than 8 full forwards per depth.
    public var decoding: OctreeDecoding = .nextToken
    public var temperature: Float = 1
    public var topK = 0
    public var topP: Float = 1
    /// Octree: depth of the surface stage's lattice (nil: max(structure depth, 7); the structure
    /// depth itself: the plain octree decoder) and its blur in structure cells.
    public var surfaceDepth: Int? = nil
    public var smoothing: Float = 0.5
    /// Octree: the learned surface stage when the model has one (else, and with `.blur`, the blur).
    public var surface: SurfaceStage = .learned
    /// Diffusion: x̂₀ is clamped to ± this while sampling (nil: the model's bound, the largest
    /// |value| of its normalized training planes; 0: no clamping).
    public var clipX0: Float? = nil
    /// Both: closed pieces smaller than this fraction of the largest one's volume are dropped (0: keep all).
    public var minComponent = GenerationSettings.defaultMinComponent

    /// The default `minComponent`: keep every piece. Measured on the shipped diffusion model (32
    /// samples vs 32 held-out shapes per category): dropping pieces under 5% of the largest made MMD
    /// worse in 5 of 6 categories and 1-NNA worse in 3 (lamp 82.8% → 92.2%, table 71.9% → 76.6%,
    /// chair 96.9% → 100%; better for airplane and mug by ~1.5 points) — the small pieces are mostly
    /// real parts (lamp arms, wings) that came out detached, not floaters.
    public static let defaultMinComponent = 0.0

    public init() {}

    /// Typed errors for values no family accepts.
    public func validate() throws {
        if let steps { guard steps >= 1 else { throw PipelineError.invalidOption("--steps must be ≥ 1") } }
        guard guidance.isFinite && guidance >= 0 else { throw PipelineError.invalidOption("--guidance must be finite and ≥ 0") }
        guard resolution >= 9 else { throw PipelineError.invalidOption("--resolution must be ≥ 9") }
        guard (0...1).contains(minComponent) else { throw PipelineError.invalidOption("--min-component must be in [0, 1]") }
        if let c = clipX0 { guard c.isFinite && c >= 0 else { throw PipelineError.invalidOption("--clip-x0 must be finite and ≥ 0") } }
        guard temperature.isFinite && temperature >= 0 && topK >= 0 else { throw PipelineError.invalidOption("--temperature and --top-k must be ≥ 0") }
        guard topP > 0 && topP <= 1 else { throw PipelineError.invalidOption("--top-p must be in (0, 1]") }
    }

    /// The diffusion sampler: DDIM (η = 0) or DDPM, x̂₀ clamped to ±`clipX0` (default `dataBound`).
    public func diffusionSampler(dataBound: Float) -> SamplerSettings {
        let bound = clipX0 ?? dataBound
        return SamplerSettings(method: sampler == .ddpm ? .ddpm : .ddim(eta: 0), steps: diffusionSteps, clipX0: bound > 0 ? bound : nil, guidance: guidance)
    }

    /// Diffusion: the sampling steps in effect.
    public var diffusionSteps: Int { steps ?? sampler.defaultSteps
    }

    public var octreeSampler: OctreeSamplerSettings {
        OctreeSamplerSettings(decoding: decoding, temperature: temperature, topK: topK, topP: topP, stepsPerDepth: steps ?? 8)
    }

    /// One line for reports, e.g. "50 DDIM steps, guidance 2.0" or "parallel decoding, 8 steps per depth, temperature 1.0".
    func describe(octree: Bool) -> String {
        if octree {
            let how = decoding == .parallel ? String(format: "parallel decoding, %d steps per depth", steps ?? 8) : "next-token decoding"
            return String(format: "%@, temperature %@%@%@, %@ surface stage at depth %@", how, Self.shortest(temperature), topK > 0 ? ", top-\(topK)" : "", topP < 1 ? ", top-p \(Self.shortest(topP))" : "",
                          surface == .learned ? "learned (if the model has one, else blur)" : "blur",
                          surfaceDepth.map(String.init) ?? "max(structure, 7)")
        }
        let clip = clipX0.map { $0 > 0 ? String(format: ", x̂₀ clamped to ±%.2f", $0) : ", x̂₀ not clamped" } ?? ""
        return String(format: "%d %@ steps, guidance %@%@", diffusionSteps, sampler == .ddpm ? "DDPM" : "DDIM", Self.shortest(guidance), clip)
    }

    /// A setting as typed: Swift's shortest round-tripping decimal (2 → "2.0", 0.85 → "0.85", where
    /// "%.1f" printed "0.9").
    static func shortest(_ x: Float) -> String { "\(x)" }
}
