import Foundation
import Geometry
import MeshIO

/// What `normalize` did: the transform (apply it to original coordinates to get normalized ones;
/// its inverse maps results back), the output's counts and bounds, and the load report.
public struct NormalizeResult: JobReport, Codable, Sendable {
    public var input: String
    public var output: String
    public var convention: String
    public var transform: SimilarityTransform
    public var inverse: SimilarityTransform
    public var vertices: Int
    public var faces: Int
    public var boundsMin: [Float]
    public var boundsMax: [Float]
    public var load: LoadReport

    public var text: String {
        func v(_ a: Vec3) -> String { "(\(a.x), \(a.y), \(a.z))" }
        return """
        \(input) → \(output) (\(convention)): \(vertices) vertices, \(faces) triangles
        transform: x ↦ \(transform.scale) · x + \(v(transform.translation))
        inverse:   x ↦ \(inverse.scale) · x + \(v(inverse.translation))
        bounds:    (\(boundsMin.map { "\($0)" }.joined(separator: ", "))) … (\(boundsMax.map { "\($0)" }.joined(separator: ", ")))
        dropped:   \(load.droppedDegenerate) degenerate, \(load.droppedNonFinite) NaN/Inf triangle(s)
        """
    }
}

/// `octoplane normalize IN OUT --convention …`: loads `input` through assimp, normalizes it and
/// writes `output` (.obj or .ply by extension) atomically. The output format and the padding are
/// checked before anything is loaded; on any error no output file is left.
///
/// Errors: `MeshIOError` (unsupported output format, unreadable input, write failure);
/// `PipelineError.invalidOption` for an ONet padding outside [0, 1);
/// `PipelineError.invalidInput` for a mesh that spans no length (or too small a one for Float).
public struct NormalizeJob: Job {
    public var input: String
    public var output: String
    public var convention: NormalizationConvention
    public init(input: String, output: String, convention: NormalizationConvention) {
        self.input = input; self.output = output; self.convention = convention
    }

    public func run() throws -> NormalizeResult {
        if MeshFileFormat(path: output) == nil {
            throw MeshIOError.unsupportedFormat(path: output, ext: URL(fileURLWithPath: output).pathExtension)
        }
        if case let .onet(p) = convention, !(p >= 0 && p < 1) {
            throw PipelineError.invalidOption("padding \(p) is not valid: ONet padding must lie in [0, 1)")
        }
        let loaded = try MeshLoader.load(path: input)
        guard convention.transform(for: loaded.mesh.positions) != nil else {
            throw PipelineError.invalidInput(path: input, reason: "cannot normalize to \(convention.description): the mesh spans no length (or too small a one for Float)")
        }
        let (mesh, t) = loaded.mesh.normalized(convention)
        try MeshWriter.write(mesh, to: output)
        let b = mesh.bounds
        return NormalizeResult(input: input, output: output, convention: convention.description, transform: t, inverse: t.inverse,
                               vertices: mesh.vertexCount, faces: mesh.faceCount,
                               boundsMin: [b.min.x, b.min.y, b.min.z], boundsMax: [b.max.x, b.max.y, b.max.z], load: loaded.report)
    }
}
