import Extraction
import Foundation
import Fields
import Geometry
import Support

extension Octree {
    /// A smooth closed surface from a coarse tree: the second stage of the octree generator, which
    /// decides structure only down to a depth a CPU can afford (5 or 6) and meshes at a finer one.
    ///
    /// Steps: the solid of `occupancyVolume()` as the (2^depth + 1)³ corner grid of
    /// `OccupancyVolume.cornerGrid()` (inside ≥ 0.5, the surface through the middle of the shell)
    /// → trilinear upsampling to the (2^targetDepth + 1)³ lattice of [-1, 1]³ → a separable Gaussian
    /// blur of standard deviation `sigma` coarse cells (σ·2^(target − depth) lattice steps, kernel
    /// cut at 3σ, values beyond the cube taken as 0) → marching cubes at 0.5 (Lorensen & Cline 1987).
    /// Blurring a solid's indicator and taking its ½ level moves a flat face by nothing and a
    /// curved one by about σ²·κ/2 (curvature κ), so staircases of cell faces round off while flat
    /// parts stay put; parts thinner than about 2σ can vanish.
    ///
    /// - `sigma` = 0 skips the blur (then the surface is the coarse one, finely tessellated).
    /// - Output in the octree frame [-1, 1]³ (or the source frame when `inSourceFrame`), closed
    ///   (watertight, edge-manifold): where the solid reaches the cube's border the lattice is padded
    ///   by one step (`MarchingCubes.extractClosed`), so the surface closes just beyond it.
    /// - The empty tree gives the empty mesh; targetDepth must lie in depth…`maxVolumeDepth`.
    public func smoothMesh(targetDepth: Int, sigma: Float, inSourceFrame: Bool = false) throws -> TriangleMesh {
        guard (depth...Octree.maxVolumeDepth).contains(targetDepth) else {
            throw OctreeError.depthOutOfRange(depth: targetDepth, allowed: depth...Octree.maxVolumeDepth)
        }
        precondition(sigma >= 0 && sigma.isFinite, "sigma must be finite and ≥ 0")
        let coarse = try occupancyVolume().cornerGrid()
        let m = (1 << targetDepth) + 1, scale = 1 << (targetDepth - depth), cm = (1 << depth) + 1
        // Trilinear upsampling: fine lattice point i lies at coarse coordinate i / scale.
        var values = [Float](repeating: 0, count: m * m * m)
        let cv = coarse.values
        values.withUnsafeMutableBufferPointer { vb in
            cv.withUnsafeBufferPointer { cb in
                let v = vb.baseAddress!, c = cb.baseAddress!
                parallelFor(m, minChunk: 1) { r in
                    for i in r {
                        let (i0, fi) = (min(i / scale, cm - 2), Float(i - min(i / scale, cm - 2) * scale) / Float(scale))
                        for j in 0..<m {
                            let (j0, fj) = (min(j / scale, cm - 2), Float(j - min(j / scale, cm - 2) * scale) / Float(scale))
                            for k in 0..<m {
                                let (k0, fk) = (min(k / scale, cm - 2), Float(k - min(k / scale, cm - 2) * scale) / Float(scale))
                                var s: Float = 0
                                for corner in 0..<8 {
                                    let dx = corner >> 2, dy = (corner >> 1) & 1, dz = corner & 1
                                    let w = (dx == 1 ? fi : 1 - fi) * (dy == 1 ? fj : 1 - fj) * (dz == 1 ? fk : 1 - fk)
                                    if w != 0 { s += w * c[((i0 + dx) * cm + j0 + dy) * cm + k0 + dz] }
                                }
                                v[(i * m + j) * m + k] = s
                            }
                        }
                    }
                }
            }
        }
        if sigma > 0 { Self.gaussianBlur(&values, n: m, sigma: sigma * Float(scale)) }
        let grid = ScalarGrid(resolution: SIMD3(m, m, m), bounds: .cube(halfSize: 1), values: values)
        let mesh = try MarchingCubes.extractClosed(grid, level: 0.5, inside: .higher)
        return inSourceFrame ? mesh.transformed(by: frame.inverse) : mesh
    }

    /// Separable Gaussian blur of an n³ grid (x-major, z fastest) with standard deviation `sigma`
    /// lattice steps, kernel truncated at ⌈3σ⌉ and normalized; values beyond the grid count as 0.
    static func gaussianBlur(_ v: inout [Float], n: Int, sigma: Float) {
        let radius = Int((3 * sigma).rounded(.up))
        var kernel = (-radius...radius).map { Foundation.exp(-Float($0 * $0) / (2 * sigma * sigma)) }
        let total = kernel.reduce(0, +)
        kernel = kernel.map { $0 / total }
        let strides = [n * n, n, 1]
        for axis in 0..<3 {
            let st = strides[axis]
            let src = v
            v.withUnsafeMutableBufferPointer { vb in
                src.withUnsafeBufferPointer { sb in
                    kernel.withUnsafeBufferPointer { kb in
                        let out = vb.baseAddress!, inp = sb.baseAddress!, k = kb.baseAddress!
                        parallelFor(n * n, minChunk: 64) { r in
                            for line in r {
                                // The line's first element: the other two coordinates fixed.
                                let a = line / n, b = line % n
                                let base: Int
                                switch axis {
                                case 0: base = a * n + b
                                case 1: base = a * n * n + b
                                default: base = (a * n + b) * n
                                }
                                for t in 0..<n {
                                    var s: Float = 0
                                    for o in max(-radius, -t)...min(radius, n - 1 - t) { s += k[o + radius] * inp[base + (t + o) * st] }
                                    out[base + t * st] = s
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
