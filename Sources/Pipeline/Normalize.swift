import Foundation
import Geometry
import MeshIO

/// Why `octoplane normalize` refused.
public enum NormalizeError: Error, Equatable, CustomStringConvertible {
    /// The mesh spans no length, or so small a one that the scale overflows Float.
    case cannotNormalize(path: String, convention: String)
    /// ONet padding outside [0, 1).
    case badPadding(Float)

    public var description: String {
        switch self {
        case let .cannotNormalize(p, c): return "\(p): cannot normalize to \(c): the mesh spans no length (or too small a one for Float)"
        case let .badPadding(p): return "padding \(p) is not valid: ONet padding must lie in [0, 1)"
        }
    }
}

/// What `normalize` did: the transform (apply it to original coordinates to get normalized ones;
/// its inverse maps results back), the output's counts and bounds, and the load report.
public struct NormalizeResult: Codable, Sendable {
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
    public var json: String {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try! e.encode(self), as: UTF8.self)
    }
}

/// The job behind `octoplane normalize IN OUT --convention …`: loads `input` through assimp,
/// normalizes it and writes `output` (.obj or .ply by extension) atomically. The output format is
/// checked before anything is loaded; on any error no output file is left.
public func normalizeMesh(input: String, output: String, convention: NormalizationConvention) throws -> NormalizeResult {
    if MeshFileFormat(path: output) == nil {
        throw MeshIOError.unsupportedFormat(path: output, ext: URL(fileURLWithPath: output).pathExtension)
    }
    if case let .onet(p) = convention, !(p >= 0 && p < 1) { throw NormalizeError.badPadding(p) }
    let loaded = try MeshLoader.load(path: input)
    guard convention.transform(for: loaded.mesh.positions) != nil else {
        throw NormalizeError.cannotNormalize(path: input, convention: convention.description)
    }
    let (mesh, t) = loaded.mesh.normalized(convention)
    try MeshWriter.write(mesh, to: output)
    let b = mesh.bounds
    return NormalizeResult(input: input, output: output, convention: convention.description, transform: t, inverse: t.inverse,
                           vertices: mesh.vertexCount, faces: mesh.faceCount,
                           boundsMin: [b.min.x, b.min.y, b.min.z], boundsMax: [b.max.x, b.max.y, b.max.z], load: loaded.report)
}
