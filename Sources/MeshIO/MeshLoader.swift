import CAssimp
import Foundation
import Geometry

/// What the loader saw and removed on the way from a scene file to one `TriangleMesh`.
public struct LoadReport: Sendable, Equatable, Codable {
    /// Meshes in the scene (`aiScene.mNumMeshes`), before instancing.
    public var meshCount: Int = 0
    /// Mesh instances placed by the node graph (a mesh referenced by two nodes counts twice).
    public var meshInstances: Int = 0
    /// Nodes in the scene graph, the root included.
    public var nodeCount: Int = 0
    /// Point and line primitives skipped (Octoplane keeps triangles only).
    public var droppedPoints: Int = 0
    public var droppedLines: Int = 0
    /// Triangles removed for a repeated index or exactly zero area.
    public var droppedDegenerate: Int = 0
    /// Triangles removed because a corner has a NaN or infinite coordinate.
    public var droppedNonFinite: Int = 0
    /// Vertices left unreferenced by the removals above and compacted away.
    public var droppedUnreferencedVertices: Int = 0
    /// Instances placed by a mirroring transform (negative determinant): their winding was
    /// reversed so that faces keep their orientation relative to the transformed geometry.
    public var mirroredInstances: Int = 0
    public init() {}
}

/// A loaded mesh and the report of what loading did to it.
public struct LoadedMesh: Sendable {
    public var mesh: TriangleMesh
    public var report: LoadReport
}

/// Mesh ingestion through assimp 5.2: any format it reads (OBJ, PLY, STL, OFF, glTF/GLB, DAE, 3DS,
/// FBX, …) becomes one `TriangleMesh`.
///
/// Steps: assimp imports with `aiProcess_ValidateDataStructure | aiProcess_Triangulate |
/// aiProcess_JoinIdenticalVertices | aiProcess_SortByPType`; the node graph is walked from the root, each node's transform
/// accumulated (parent · child, column-vector convention) and applied to every mesh the node
/// references (positions by the full affine matrix, normals by the inverse transpose of its
/// 3×3 part, renormalized); all instances are merged in traversal order (depth-first, children in
/// file order); points and lines are skipped; non-finite and degenerate triangles are dropped and
/// unreferenced vertices compacted away (`TriangleMesh.cleanedFaces`). Normals are kept only when
/// every mesh instance carries them. The result is compact: every vertex is used by a face.
///
/// assimp 5.2 is not safe to call from several threads at once (concurrent imports were seen to
/// crash inside libassimp, and the C API keeps its last error in a global), so imports are
/// serialized by a process-wide lock; the conversion to `TriangleMesh` runs outside it.
public enum MeshLoader {
    /// The post-processing steps used for every import.
    /// `aiProcess_ValidateDataStructure` runs first and rejects out-of-range indices: without it
    /// a truncated binary PLY imports with garbage indices that crash assimp 5.2's later steps
    /// (seen under valgrind). Validation also rejects point clouds (a mesh without faces); when
    /// it fails, the file is imported once more without any step, only to tell a scene without
    /// triangles (`noTriangles`, `emptyScene`) from a corrupt one (`assimp`). (Importing raw and
    /// post-processing with `aiApplyPostProcessing` is not an option: on failure assimp 5.2 frees
    /// the scene twice.)
    public static let postProcessFlags: UInt32 =
        aiProcess_ValidateDataStructure.rawValue | aiProcess_Triangulate.rawValue | aiProcess_JoinIdenticalVertices.rawValue | aiProcess_SortByPType.rawValue

    private static let lock = NSLock()

    /// Runs `body` holding the lock that serializes every call into assimp. Code that calls assimp
    /// directly (tests comparing against assimp's own post-processing) must go through it.
    static func withAssimpLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        return try body()
    }

    /// Loads the mesh file at `url` (a file URL).
    public static func load(url: URL) throws -> LoadedMesh {
        try load(path: url.path)
    }

    /// Loads the mesh file at `path`.
    public static func load(path: String) throws -> LoadedMesh {
        try MeshIOError.checkReadableFile(path)
        try DeclaredCounts.check(path: path)
        return try importScene(name: path) { flags in aiImportFile(path, flags) }
    }

    /// Loads a mesh from bytes in memory. `hint` is the format's extension without the dot
    /// ("obj", "glb", "ply", …); formats that reference side files (OBJ's .mtl, glTF's .bin) load
    /// without them.
    public static func load(data: Data, hint: String) throws -> LoadedMesh {
        let hint = hint.hasPrefix(".") ? String(hint.dropFirst()) : hint
        let name = "<memory>.\(hint)"
        guard !data.isEmpty else { throw MeshIOError.emptyFile(path: name) }
        guard data.count <= Int(UInt32.max) else { throw MeshIOError.unreadable(path: name, reason: "larger than 4 GiB") }
        try DeclaredCounts.check(path: name, ext: hint, head: data.prefix(65536), size: data.count)
        return try data.withUnsafeBytes { raw in
            try importScene(name: name) { flags in
                aiImportFileFromMemory(raw.baseAddress!.assumingMemoryBound(to: CChar.self), UInt32(raw.count), flags, hint)
            }
        }
    }

    private static func importScene(name: String, _ doImport: (UInt32) -> UnsafePointer<aiScene>?) throws -> LoadedMesh {
        let outcome = withAssimpLock { () -> Result<UnsafePointer<aiScene>, MeshIOError> in
            if let scene = doImport(postProcessFlags) { return .success(scene) }
            let message = String(cString: aiGetErrorString())
            // Tell "no triangles here" from "corrupt" on the raw scene (no step, nothing processed).
            guard let raw = doImport(0) else { return .failure(.assimp(path: name, message: message)) }
            defer { aiReleaseImport(raw) }
            return .failure(classifyRefused(raw.pointee, name: name) ?? .assimp(path: name, message: message))
        }
        let scene = try outcome.get()
        defer { withAssimpLock { aiReleaseImport(scene) } }
        return try convert(scene.pointee, name: name)
    }

    /// For a scene that validation refused: `emptyScene` when it has no meshes, `noTriangles`
    /// when no face has 3 or more corners (points, lines, faceless point clouds); else nil.
    static func classifyRefused(_ scene: aiScene, name: String) -> MeshIOError? {
        if scene.mNumMeshes == 0 || scene.mMeshes == nil { return .emptyScene(path: name) }
        var points = 0, lines = 0
        for m in 0..<Int(scene.mNumMeshes) {
            guard let mesh = scene.mMeshes[m]?.pointee else { continue }
            if mesh.mNumFaces == 0 { points += Int(mesh.mNumVertices); continue }
            guard let faces = mesh.mFaces else { continue }
            for f in 0..<Int(mesh.mNumFaces) {
                switch faces[f].mNumIndices {
                case 0: continue
                case 1: points += 1
                case 2: lines += 1
                default: return nil
                }
            }
        }
        return points + lines > 0 ? .noTriangles(path: name, points: points, lines: lines) : .emptyScene(path: name)
    }

    /// A 4×4 affine matrix, row-major like `aiMatrix4x4` (translation in the last column).
    struct Affine {
        var m: [Double]  // 16 entries, row-major
        static let identity = Affine(m: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1])
        init(m: [Double]) { self.m = m }
        init(_ a: aiMatrix4x4) {
            m = [a.a1, a.a2, a.a3, a.a4, a.b1, a.b2, a.b3, a.b4, a.c1, a.c2, a.c3, a.c4, a.d1, a.d2, a.d3, a.d4].map { Double($0) }
        }
        static func * (l: Affine, r: Affine) -> Affine {
            var o = [Double](repeating: 0, count: 16)
            for i in 0..<4 { for j in 0..<4 { var s = 0.0; for k in 0..<4 { s += l.m[i * 4 + k] * r.m[k * 4 + j] }; o[i * 4 + j] = s } }
            return Affine(m: o)
        }
        func apply(_ p: Vec3d) -> Vec3d {
            Vec3d(m[0] * p.x + m[1] * p.y + m[2] * p.z + m[3],
                  m[4] * p.x + m[5] * p.y + m[6] * p.z + m[7],
                  m[8] * p.x + m[9] * p.y + m[10] * p.z + m[11])
        }
        var determinant3: Double {
            m[0] * (m[5] * m[10] - m[6] * m[9]) - m[1] * (m[4] * m[10] - m[6] * m[8]) + m[2] * (m[4] * m[9] - m[5] * m[8])
        }
        /// The cofactor matrix of the 3×3 part (= det · inverse-transpose): maps normals
        /// correctly up to a positive factor (times the determinant's sign, fixed by the caller).
        var cofactor3: [Double] {
            [m[5] * m[10] - m[6] * m[9], m[6] * m[8] - m[4] * m[10], m[4] * m[9] - m[5] * m[8],
             m[2] * m[9] - m[1] * m[10], m[0] * m[10] - m[2] * m[8], m[1] * m[8] - m[0] * m[9],
             m[1] * m[6] - m[2] * m[5], m[2] * m[4] - m[0] * m[6], m[0] * m[5] - m[1] * m[4]]
        }
        var isIdentity: Bool { m == Affine.identity.m }
    }

    private static func convert(_ scene: aiScene, name: String) throws -> LoadedMesh {
        var report = LoadReport()
        report.meshCount = Int(scene.mNumMeshes)
        guard scene.mNumMeshes > 0, let root = scene.mRootNode else { throw MeshIOError.emptyScene(path: name) }

        var pieces: [TriangleMesh] = []
        var allHaveNormals = true
        // Depth-first walk with an explicit stack (deep graphs must not overflow the call stack).
        var stack: [(UnsafeMutablePointer<aiNode>, Affine)] = [(root, Affine(root.pointee.mTransformation))]
        var counted = Set<Int>()  // meshes whose point/line primitives were already counted
        while let (nodePtr, global) = stack.popLast() {
            report.nodeCount += 1
            let node = nodePtr.pointee
            for i in 0..<Int(node.mNumMeshes) {
                let meshIndex = Int(node.mMeshes[i])
                guard meshIndex < Int(scene.mNumMeshes), let meshPtr = scene.mMeshes[meshIndex] else { continue }
                report.meshInstances += 1
                let firstTime = counted.insert(meshIndex).inserted
                let (piece, points, lines, mirrored) = instance(meshPtr.pointee, transform: global)
                if firstTime { report.droppedPoints += points; report.droppedLines += lines }
                if mirrored { report.mirroredInstances += 1 }
                if piece.faceCount > 0 {
                    if piece.normals == nil { allHaveNormals = false }
                    pieces.append(piece)
                }
            }
            // Push children reversed so they are visited in file order.
            for c in stride(from: Int(node.mNumChildren) - 1, through: 0, by: -1) {
                if let child = node.mChildren[c] { stack.append((child, global * Affine(child.pointee.mTransformation))) }
            }
        }
        if !allHaveNormals { for i in pieces.indices { pieces[i].normals = nil } }
        let merged = TriangleMesh.merged(pieces)
        if merged.faceCount == 0 {
            if report.droppedPoints + report.droppedLines > 0 {
                throw MeshIOError.noTriangles(path: name, points: report.droppedPoints, lines: report.droppedLines)
            }
            throw MeshIOError.emptyScene(path: name)
        }
        let (clean, cleaning) = merged.cleanedFaces()
        report.droppedDegenerate = cleaning.droppedDegenerate
        report.droppedNonFinite = cleaning.droppedNonFinite
        report.droppedUnreferencedVertices = cleaning.droppedUnreferencedVertices
        if clean.faceCount == 0 {
            if cleaning.droppedNonFinite > 0 { throw MeshIOError.nonFinite(path: name, faces: cleaning.droppedNonFinite) }
            throw MeshIOError.allDegenerate(path: name, faces: cleaning.droppedDegenerate)
        }
        return LoadedMesh(mesh: clean, report: report)
    }

    /// One mesh placed by `transform`: its triangles (points/lines counted and skipped) and its
    /// vertices transformed. Vertices used only by points/lines are kept here and compacted later.
    private static func instance(_ mesh: aiMesh, transform: Affine) -> (TriangleMesh, points: Int, lines: Int, mirrored: Bool) {
        var points = 0, lines = 0
        var tris: [SIMD3<UInt32>] = []
        tris.reserveCapacity(Int(mesh.mNumFaces))
        let mirrored = transform.determinant3 < 0
        for f in 0..<Int(mesh.mNumFaces) {
            let face = mesh.mFaces[f]
            switch face.mNumIndices {
            case 3:
                let a = face.mIndices[0], b = face.mIndices[1], c = face.mIndices[2]
                tris.append(mirrored ? SIMD3(a, c, b) : SIMD3(a, b, c))
            case 1: points += 1
            case 2: lines += 1
            default: break  // cannot happen after aiProcess_Triangulate
            }
        }
        // A point cloud (e.g. a PLY without faces) comes as a mesh of vertices and no faces.
        if mesh.mNumFaces == 0 { points += Int(mesh.mNumVertices) }
        if tris.isEmpty { return (TriangleMesh(), points, lines, mirrored) }
        let n = Int(mesh.mNumVertices)
        var positions = [Vec3](repeating: .zero, count: n)
        let identity = transform.isIdentity
        for v in 0..<n {
            let p = mesh.mVertices[v]
            positions[v] = identity ? Vec3(Float(p.x), Float(p.y), Float(p.z))
                                    : transform.apply(Vec3d(Double(p.x), Double(p.y), Double(p.z))).float
        }
        var normals: [Vec3]? = nil
        if let src = mesh.mNormals {
            let c = transform.cofactor3
            let sign: Double = transform.determinant3 < 0 ? -1 : 1
            var out = [Vec3](repeating: .zero, count: n)
            for v in 0..<n {
                let q = src[v]
                let x = Double(q.x), y = Double(q.y), z = Double(q.z)
                if identity { out[v] = Vec3(Float(x), Float(y), Float(z)); continue }
                let t = Vec3d(c[0] * x + c[1] * y + c[2] * z, c[3] * x + c[4] * y + c[5] * z, c[6] * x + c[7] * y + c[8] * z) * sign
                let l = length(t)
                out[v] = l > 0 && l.isFinite ? (t / l).float : .zero
            }
            normals = out
        }
        return (TriangleMesh(positions: positions, triangles: tris, normals: normals), points, lines, mirrored)
    }
}
