import Dataset
import Foundation
import Geometry
import MeshIO
import Rendering

/// `octoplane synth`: writes the procedural ShapeNet-v2-style collection (see `SynthCollection`).
/// `categories`: names or synset ids, comma-separated; nil = all six.
public func synthesizeCollection(out: String, categories: String?, perCategory: Int, seed: UInt64,
                                 showProgress: Bool = true) throws -> SynthCollection.Report {
    let cats = try categories.map { try SynthCategory.parseList($0) } ?? SynthCategory.allCases
    return try SynthCollection.write(root: out, categories: cats, perCategory: perCategory, seed: seed,
                                     showProgress: showProgress)
}

/// `octoplane render --dataset DIR --category C`: one labelled contact sheet of a category's models
/// (walker order, at most `limit`), each seen from `settings.azimuth`/`elevation`. Models that fail
/// to load are reported in the result's text and skipped; none loading is an error.
public func renderDatasetSheet(root: String, category: String, limit: Int, output: String,
                               settings: RenderSettings = RenderSettings()) throws -> RenderResult {
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
