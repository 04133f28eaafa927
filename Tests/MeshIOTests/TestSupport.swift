import Foundation
import Geometry
@testable import MeshIO


/// The folder of assimp-testmodels, when the Debian package is installed.
let assimpModels = "/usr/share/assimp/models"
let haveAssimpModels = FileManager.default.fileExists(atPath: assimpModels + "/PLY")

/// Files in `dir` (not hidden, no temporaries).
func listing(_ dir: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
}


/// A mesh with awkward floats (subnormals, huge, negative zero, many digits) and normals.
func awkwardMesh(seed: UInt64 = 7) -> TriangleMesh {
    var state = seed
    func next() -> UInt64 { state &+= 0x9E37_79B9_7F4A_7C15; var z = state; z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9; z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB; return z ^ (z >> 31) }
    func randFloat() -> Float {
        // Random bit patterns, rejecting NaN/Inf: covers every exponent, subnormals and -0.
        while true { let f = Float(bitPattern: UInt32(truncatingIfNeeded: next())); if f.isFinite { return f } }
    }
    var positions = (0..<300).map { _ in Vec3(randFloat(), randFloat(), randFloat()) }
    positions += [Vec3(-0.0, 0.1, Float(bitPattern: 1)), Vec3(3.4028235e38, -1.1754944e-38, 0.333333343)]
    let n = UInt32(positions.count)
    let tris = (0..<500).map { _ in SIMD3(UInt32(next() % UInt64(n)), UInt32(next() % UInt64(n)), UInt32(next() % UInt64(n))) }
    let normals = positions.indices.map { _ in normalize(Vec3(randFloat(), randFloat(), randFloat())) }
    return TriangleMesh(positions: positions, triangles: tris, normals: normals)
}

/// Bitwise equality of two meshes (positions and normals compared by bit pattern, so -0 ≠ +0).
func bitIdentical(_ a: TriangleMesh, _ b: TriangleMesh) -> Bool {
    func bits(_ v: [Vec3]) -> [UInt32] { v.flatMap { [$0.x.bitPattern, $0.y.bitPattern, $0.z.bitPattern] } }
    guard a.triangles == b.triangles, bits(a.positions) == bits(b.positions) else { return false }
    switch (a.normals, b.normals) {
    case (nil, nil): return true
    case let (x?, y?): return bits(x) == bits(y)
    default: return false
    }
}
