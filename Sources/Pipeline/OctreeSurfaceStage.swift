import Foundation
import Generators
import Geometry
import Octrees
import Sampling
import Spatial
import Support

/// Labelled points for the octree generator's learned surface stage (`SurfaceDecoderTrainer`),
/// from normalized meshes (octree frame) and their structure trees: per shape, `perShape` points in
/// the band of its tree (`OccupancyVolume.band(dilation: 1)` — where the stage decides), half near
/// the surface (Gaussian offsets of σ = ¼ and 1 structure cell from surface samples, kept when in the
/// band), half uniform in band cells; each labelled inside / outside by the mesh
/// (`TriangleBVH.occupancy`, the samplers' robust test). With `perturb` (drop, add) the same
/// points are used a second time under a perturbed structure (`OccupancyVolume.perturbed`: shell
/// cells dropped and added, the fill redone), so the stage learns to close the holes and ignore
/// the stray cells of sampled structures. Patches are built per batch (`OccupancyVolume.patchQuery`),
/// so the set costs a few bytes per point, not a dense matrix.
struct OctreeSurfaceExamples: SurfaceExamples {
    let radius: Int
    private var volumes: [OccupancyVolume] = []
    private var points: [[Vec3]] = []
    private var labels: [[Float]] = []
    /// Global index k → (shape, point): shape = first s with offsets[s + 1] > k.
    private var offsets: [Int] = [0]

    init(shapes: [(mesh: TriangleMesh, tree: Octree)], radius: Int, perShape: Int, perturb: (drop: Double, add: Double)? = nil,
         seed: UInt64) throws {
        self.radius = radius
        for (s, (mesh, tree)) in shapes.enumerated() {
            let volume = try tree.occupancyVolume()
            let band = volume.band(dilation: 1)
            let n = volume.n, h = Octree.cellSize(depth: tree.depth)
            func inBand(_ p: Vec3) -> Bool {
                let g = (p + 1) / h
                let c = SIMD3(Int(g.x.rounded(.down)), Int(g.y.rounded(.down)), Int(g.z.rounded(.down)))
                guard c.x >= 0 && c.x < n && c.y >= 0 && c.y < n && c.z >= 0 && c.z < n else { return false }
                return band[(c.x * n + c.y) * n + c.z]
            }
            let shapeSeed = seed &+ UInt64(s) &* 0x9E37_79B9
            var pts = PointSampler.nearSurface(mesh, count: perShape / 2, sigmas: [h / 4, h], seed: shapeSeed).filter(inBand)
            let cells = band.indices.filter { band[$0] }
            var rng = SeededRandom(seed: shapeSeed ^ 0x5EED)
            while pts.count < perShape, !cells.isEmpty {
                let c = cells[Int(rng.next() % UInt64(cells.count))]
                let corner = Vec3(Float(c / (n * n)), Float((c / n) % n), Float(c % n))
                pts.append((corner + Vec3(rng.nextFloat(), rng.nextFloat(), rng.nextFloat())) * h - 1)
            }
            let inside = TriangleBVH(mesh: mesh).occupancy(pts)
            let shapeLabels: [Float] = inside.map { $0 ? 1 : 0 }
            volumes.append(volume); points.append(pts); labels.append(shapeLabels)
            offsets.append(offsets.last! + pts.count)
            if let perturb, perturb.drop > 0 || perturb.add > 0 {
                volumes.append(volume.perturbed(drop: perturb.drop, add: perturb.add, seed: shapeSeed ^ 0xD20F))
                points.append(pts); labels.append(shapeLabels)
                offsets.append(offsets.last! + pts.count)
            }
        }
    }

    var count: Int { offsets.last! }

    /// The points grouped by shape (each volume builds its part of the query), the groups in order
    /// of first appearance in `indices`.
    func examples(_ indices: [Int]) -> (query: PatchQuery, targets: [Float]) {
        var query = PatchQuery(patchWidth: OccupancyVolume.patchWidth(radius: radius))
        var targets: [Float] = []
        var byShape: [Int: [Int]] = [:], order: [Int] = []
        for k in indices {
            var lo = 0, hi = offsets.count - 1
            while hi - lo > 1 { let mid = (lo + hi) / 2; if offsets[mid] <= k { lo = mid } else { hi = mid } }
            if byShape[lo] == nil { order.append(lo) }
            byShape[lo, default: []].append(k - offsets[lo])
        }
        for s in order {
            let items = byShape[s]!
            let part = volumes[s].patchQuery(items.map { points[s][$0] }, radius: radius)
            let base = query.cellCount
            query.patches += part.patches
            query.cellOfRow += part.cellOfRow.map { $0 + base }
            query.offsets += part.offsets; query.weights += part.weights
            targets += items.map { labels[s][$0] }
        }
        return (query, targets)
    }

    var fingerprint: String {
        var h = FNV1a()
        h.mix(UInt64(radius))
        for (pts, t) in zip(points, labels) {
            h.mix(UInt64(pts.count))
            for (p, y) in zip(pts, t) { h.mix(UInt64(p.x.bitPattern) << 32 | UInt64(p.y.bitPattern)); h.mix(UInt64(p.z.bitPattern) << 1 | UInt64(y)) }
        }
        return h.hex
    }
}

extension Octree {
    /// The octree generator's surface stage on this tree: through `learned` when given
    /// (`learnedSurfaceMesh` with its patch radius), else the blur (`smoothMesh`, `smoothing`
    /// cells of the tree's depth), at `targetDepth`.
    func surfaceStageMesh(targetDepth: Int, learned: SurfaceDecoderFile?, smoothing: Float, inSourceFrame: Bool = false) throws -> TriangleMesh {
        guard let learned else { return try smoothMesh(targetDepth: targetDepth, sigma: smoothing, inSourceFrame: inSourceFrame) }
        return try learnedSurfaceMesh(targetDepth: targetDepth, radius: learned.config.radius, inSourceFrame: inSourceFrame) { learned.logits($0) }
    }
}

extension TrainOctreeJob {
    /// `surfaceOnly`: the surface stage of the octree generator in `output`, trained on the trees
    /// of `data` (a mesh root) at the manifest's structure depth.
    func runSurfaceOnly(start: Date) throws -> Report {
        guard surfaceSteps != 0 else { throw PipelineError.invalidOption("--surface-only with --surface-steps 0 trains nothing") }
        guard let manifest = try OctreeGeneratorManifest.readIfOctree(output) else {
            throw PipelineError.invalidInput(path: output, reason: "no octree generator here (generator.json): --surface-only adds a surface stage to an existing model")
        }
        let folder = try OctreeSequenceFolder(data, depth: manifest.depth)
        guard folder.fromMeshes else {
            throw PipelineError.invalidInput(path: data, reason: "trees or token files: the surface stage learns from meshes (pass the mesh root the trees were built from)")
        }
        let surface = try trainSurface(folder.shapes, start: start)
        return Report(run: output, shapes: folder.shapes.count, categories: trainingCategoryOrder(folder.categoryOfItem), depth: manifest.depth,
                      longestSequence: folder.sequences.map(\.count).max() ?? 0,
                      meanSequence: Double(folder.sequences.map(\.count).reduce(0, +)) / Double(max(1, folder.sequences.count)),
                      steps: 0, resumedFrom: nil, finalLoss: .nan, parameters: 0, surfaceSteps: surface.steps, surfaceLoss: surface.loss,
                      surfaceOnly: true, seconds: Date().timeIntervalSince(start))
    }

    /// The second stage of `train octree`: the learned surface decoder in `RUN/surface/`
    /// (model.safetensors, state.safetensors, log.jsonl, loss.png — `GeneratorTrainingLoop`'s files)
    /// on labelled points of the training meshes. Resumes like the transformer.
    func trainSurface(_ shapes: [(mesh: TriangleMesh, tree: Octree)], start: Date) throws -> (steps: Int, loss: Float) {
        let dir = output + "/surface"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var config = surfaceConfig ?? SurfaceDecoderConfig(inputs: OccupancyVolume.patchWidth(radius: SurfaceDecoderConfig.defaultRadius))
        config.inputs = OccupancyVolume.patchWidth(radius: config.radius)
        if let s = surfaceSteps { config.totalSteps = s; config.warmupSteps = min(config.warmupSteps, s) }
        if !quiet { FileHandle.standardError.write(Data("train surface: labelling \(surfacePointsPerShape) points on each of \(shapes.count) shapes\n".utf8)) }
        let examples = try OctreeSurfaceExamples(shapes: shapes, radius: config.radius, perShape: surfacePointsPerShape,
                                                 perturb: (config.dropShell, config.addShell), seed: config.seed)
        let trainer = try SurfaceDecoderTrainer(config: config, data: examples)
        let resumedFrom = try resumeTraining(statePath: dir + "/state.safetensors", allowed: resume) { try trainer.resume(from: $0); return trainer.step }
        var loop = GeneratorTrainingLoop(label: "train surface", output: dir, totalSteps: config.totalSteps, checkpointEvery: checkpointEvery,
                                         progressEvery: 25, lossTitle: "TRAIN SURFACE LOSS (BCE)", quiet: quiet)
        loop.modelDType = modelDType
        try loop.run(trainer, resumed: resumedFrom != nil, start: start) { _ in }
        let tail = trainer.losses.suffix(50)
        return (trainer.step, tail.isEmpty ? .nan : tail.reduce(0, +) / Float(tail.count))
    }
}
