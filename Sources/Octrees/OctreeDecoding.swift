import Extraction
import Fields
import Geometry

extension Octree {
    /// Decodes the tree's surface into a closed triangle mesh: finest surface cells
    /// (`surfaceCells()`) → solid cell labels (`occupancyVolume(inside:)`: flood fill of the outside,
    /// or `inside` when the source is at hand) → the (2^depth + 1)³ corner grid of
    /// `OccupancyVolume.cornerGrid()` → marching cubes at 0.5 (inside ≥ 0.5; Lorensen & Cline 1987,
    /// `Extraction.MarchingCubes`), so the surface runs through the middle of the shell cells.
    ///
    /// - Output: counter-clockwise-outward triangles, in the source frame (`frame.inverse` applied)
    ///   when `inSourceFrame`, else in the octree frame [-1, 1]³. Token sequences carry no frame,
    ///   so trees decoded from tokens stay in the octree frame.
    /// - A closed shell gives a watertight, edge-manifold mesh; an unfilled volume (open surface or
    ///   leaky shell, see `OccupancyVolume.filled`) gives the closed skin around the shell cells.
    ///   Shell cells on the cube's outermost layer close just beyond it (`MarchingCubes.extractClosed`).
    /// - Accuracy: the surface lies within about half a finest cell of the shell's middle, i.e.
    ///   within ~1 finest cell (2/2^depth) of the source surface; sharp features are rounded at that scale.
    /// - The empty tree gives the empty mesh. Depths beyond `maxVolumeDepth` throw `depthOutOfRange`.
    public func reconstructMesh(inside: (([Vec3]) -> [Bool])? = nil, inSourceFrame: Bool = true) throws -> TriangleMesh {
        try reconstruct(inside: inside, inSourceFrame: inSourceFrame).mesh
    }

    /// `reconstructMesh`, also telling whether the volume was filled (`OccupancyVolume.filled`).
    public func reconstruct(inside: (([Vec3]) -> [Bool])? = nil, inSourceFrame: Bool = true) throws -> (mesh: TriangleMesh, filled: Bool) {
        let volume = try occupancyVolume(inside: inside)
        let mesh = try MarchingCubes.extractClosed(volume.cornerGrid(), level: 0.5, inside: .higher)
        return (inSourceFrame ? mesh.transformed(by: frame.inverse) : mesh, volume.filled)
    }
}
