import Foundation

/// Chamfer distances between the surface cells of child-mask sequences, and between a sequence's
/// mirror image across x = 0 and another sequence — what `train octree --mirror auto` measures to
/// decide whether a category's mirror images look like its data.
///
/// - The leaves are taken at depth `min(structure depth, maxDepth)` (coarser leaves are the parents
///   of the finer ones), so the dense fields stay n³ with n ≤ 2^maxDepth (32³ floats for the default 5).
/// - Distance: the symmetric Chamfer distance in cells², mean over A's cells of the squared distance
///   to the nearest cell of B plus the same from B to A (PointFlow's convention on cell centres),
///   through each set's exact squared Euclidean distance transform (Felzenszwalb & Huttenlocher,
///   "Distance Transforms of Sampled Functions", Theory of Computing 2012). Empty sets are at
///   infinite distance from every non-empty one.
public struct LeafSetChamfer: Sendable {
    /// Cells per axis of the grid the distances are measured on.
    public let n: Int
    /// Per sequence: linear indices (x·n + y)·n + z of its leaf cells.
    let cells: [[Int32]]
    /// Per sequence: the squared distance (cells²) from every grid cell to its nearest leaf.
    let fields: [[Float]]

    public init(_ sequences: [ChildMaskSequence], maxDepth: Int = 5) {
        precondition(maxDepth >= 1, "maxDepth ≥ 1")
        let depth = min(sequences.map(\.depth).max() ?? 1, maxDepth)
        precondition(sequences.allSatisfy { $0.depth >= depth }, "sequences of one structure depth at least")
        let n = 1 << depth
        self.n = n
        cells = sequences.map { s in
            let shift = s.depth - depth
            return Array(Set(s.leaves.map { Int32(((($0.x >> shift) * n) + ($0.y >> shift)) * n + ($0.z >> shift)) })).sorted()
        }
        fields = cells.map { Self.squaredDistanceTransform(sites: $0, n: n) }
    }

    /// Chamfer distance between sequences `i` and `j` (cells²).
    public func distance(_ i: Int, _ j: Int) -> Double { chamfer(i, j, mirrorI: false) }

    /// Chamfer distance between the mirror image of sequence `i` (x → n − 1 − x) and sequence `j`.
    public func mirroredDistance(_ i: Int, _ j: Int) -> Double { chamfer(i, j, mirrorI: true) }

    private func chamfer(_ i: Int, _ j: Int, mirrorI: Bool) -> Double {
        let a = cells[i], b = cells[j]
        if a.isEmpty || b.isEmpty { return a.isEmpty && b.isEmpty ? 0 : .infinity }
        let nn = n * n
        func flip(_ c: Int) -> Int { mirrorI ? (n - 1 - c / nn) * nn + c % nn : c }
        let fa = fields[i], fb = fields[j]
        var ab = 0.0, ba = 0.0
        for c in a { ab += Double(fb[flip(Int(c))]) }
        for c in b { ba += Double(fa[flip(Int(c))]) }   // the mirror is an involution: the field of mirror(i) at c is i's at flip(c)
        return ab / Double(a.count) + ba / Double(b.count)
    }

    /// The exact squared Euclidean distance transform of `sites` on an n³ grid (x-major, z fastest):
    /// three passes of the 1D lower envelope of parabolas (Felzenszwalb & Huttenlocher 2012). No
    /// sites: every value is +∞.
    static func squaredDistanceTransform(sites: [Int32], n: Int) -> [Float] {
        var f = [Float](repeating: .infinity, count: n * n * n)
        for s in sites { f[Int(s)] = 0 }
        var line = [Float](repeating: 0, count: n), out = [Float](repeating: 0, count: n)
        var v = [Int](repeating: 0, count: n), z = [Float](repeating: 0, count: n + 1)
        for (stride, outer, inner) in [(1, n * n, n), (n, n * n, 1), (n * n, n, 1)] {
            // Lines along the axis of `stride`: start = a·outer + b·inner for a, b in 0..<n.
            for a in 0..<n { for b in 0..<n {
                let start = a * outer + b * inner
                for k in 0..<n { line[k] = f[start + k * stride] }
                envelope1D(line, &out, &v, &z)
                for k in 0..<n { f[start + k * stride] = out[k] }
            } }
        }
        return f
    }

    /// d(q) = min_p (q − p)² + g(p) over p in 0..<g.count (∞ where g is ∞ everywhere).
    static func envelope1D(_ g: [Float], _ d: inout [Float], _ v: inout [Int], _ z: inout [Float]) {
        let n = g.count
        guard let first = g.firstIndex(where: { $0.isFinite }) else { for q in 0..<n { d[q] = .infinity }; return }
        var k = 0
        v[0] = first; z[0] = -.infinity; z[1] = .infinity
        if first + 1 < n {
            for q in (first + 1)..<n where g[q].isFinite {
                var s: Float
                repeat {
                    let p = v[k]
                    s = ((g[q] + Float(q * q)) - (g[p] + Float(p * p))) / Float(2 * (q - p))
                    if s <= z[k] { k -= 1 } else { break }
                } while k >= 0
                k += 1
                v[k] = q; z[k] = s; z[k + 1] = .infinity
            }
        }
        k = 0
        for q in 0..<n {
            while z[k + 1] < Float(q) { k += 1 }
            let p = v[k]
            d[q] = Float((q - p) * (q - p)) + g[p]
        }
    }
}
