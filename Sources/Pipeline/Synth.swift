import Dataset
import Foundation
import Geometry
import MeshIO
import Rendering

/// `octoplane synth`: writes the procedural ShapeNet-v2-style collection (see `SynthCollection`);
/// resumes (complete models are kept). Errors: `DatasetError` (unknown category, bad count),
/// `FileWriteError` (the first file that cannot be written).
public struct SynthJob: Job {
    /// Output root.
    public var output: String
    /// Categories (names or synset ids); nil = all six.
    public var categories: [String]? = nil
    public var perCategory = 8
    public var seed: UInt64 = 0
    public var showProgress = true
    public init(output: String) { self.output = output }

    public func run() throws -> SynthCollection.Report {
        let cats = try categories.map { try SynthCategory.parseList($0.joined(separator: ",")) } ?? SynthCategory.allCases
        return try SynthCollection.write(root: output, categories: cats, perCategory: perCategory, seed: seed,
                                         showProgress: showProgress)
    }
}

extension SynthCollection.Report: JobReport {
    public var text: String {
        "\(root): \(written) models written, \(skipped) already complete, \(String(format: "%.1f", seconds)) s"
    }
}

/// The `.dataset` source of `RenderJob`.
func renderDatasetSheet(root: String, category: String, limit: Int, output: String,
                        settings: RenderSettings) throws -> RenderResult {
    let tree = try ShapeNetTree(root: root)
    let listing = try tree.enumerate(categories: [category])
    var meshes: [TriangleMesh] = [], names: [String] = [], inputs: [String] = []
    for m in listing.models.prefix(limit) {
        guard let mesh = try? MeshLoader.load(path: m.meshPath).mesh else { continue }
        meshes.append(mesh); names.append(String(m.modelId.prefix(8))); inputs.append(m.meshPath)
    }
    guard !meshes.isEmpty else {
        throw DatasetError.notAShapeNetTree(path: root, reason: "no loadable model of category '\(category)'")
    }
    var s = settings
    s.views = 1
    return try renderMeshes(meshes, names: names, inputs: inputs, output: output, settings: s)
}
