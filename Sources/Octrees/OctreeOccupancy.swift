import Fields
import Geometry
import Support

/// The finest-depth cell labels of an octree's solid: what decoding needs before marching cubes.
///
/// - `n` = 2^depth cells per axis over [-1, 1]³ (octree frame); `labels[(x·n + y)·n + z]`
///   (x-major, z fastest — `ScalarGrid`'s order) is `.outside`, `.shell` (a surface cell) or
///   `.interior`.
/// - `filled`: false when no cell is interior — an open surface, or a shell with a hole the
///   flood fill leaked through; then the shell itself is the solid (a thin, double-sided skin).
public struct OccupancyVolume: Sendable, Equatable {
    public enum Label: UInt8, Sendable { case outside = 0, shell = 1, interior = 2 }
    public let depth: Int
    public var n: Int { 1 << depth }
    public var labels: [Label]
    public var filled: Bool { labels.contains(.interior) }

    @inlinable public func index(_ x: Int, _ y: Int, _ z: Int) -> Int { (x * n + y) * n + z }
    public func count(_ l: Label) -> Int { labels.lazy.filter { $0 == l }.count }

    /// The solid's volume in the octree frame, counting shell cells half (the surface runs through them).
    public var volume: Float {
        let cell = Octree.cellSize(depth: depth)
        return (Float(count(.interior)) + 0.5 * Float(filled ? count(.shell) : 0)) * cell * cell * cell
    }

    /// A (n + 1)³ grid over [-1, 1]³ whose `0.5` level set (inside ≥ 0.5) bounds the solid: the
    /// value at a cell corner is the mean over its 8 incident cells of 0 (outside, or beyond the
    /// cube), ½ (shell) and 1 (interior), so the surface runs through the middle of the shell.
    /// Without interior (`filled` false) shell cells weigh 1, so the level set wraps the shell.
    public func cornerGrid() -> ScalarGrid {
        let m = n + 1, n = self.n
        let shellWeight: Float = filled ? 0.5 : 1
        var values = [Float](repeating: 0, count: m * m * m)
        labels.withUnsafeBufferPointer { lb in
            values.withUnsafeMutableBufferPointer { vb in
                let l = lb.baseAddress!, v = vb.baseAddress!
                parallelFor(m, minChunk: 1) { r in
                    for i in r { for j in 0..<m { for k in 0..<m {
                        var s: Float = 0
                        for x in max(i - 1, 0)...min(i, n - 1) { for y in max(j - 1, 0)...min(j, n - 1) { for z in max(k - 1, 0)...min(k, n - 1) {
                            switch l[(x * n + y) * n + z] {
                            case .outside: break
                            case .shell: s += shellWeight
                            case .interior: s += 1
                            }
                        } } }
                        v[(i * m + j) * m + k] = s / 8
                    } } }
                }
            }
        }
        return ScalarGrid(resolution: SIMD3(m, m, m), bounds: .cube(halfSize: 1), values: values)
    }
}

extension Octree {
    /// Deepest depth `occupancyVolume()` accepts (2^9 = 512 cells per axis, 134 M labels).
    public static let maxVolumeDepth = 9

    /// Sorted keys of the finest-depth cells the surface passes through: the finest leaves, and for
    /// each leaf above the finest depth (adaptive trees) its finest descendants that its plane
    /// crosses (box–plane test: |n·c + w| ≤ ½h(|nₓ| + |n_y| + |n_z|)); a coarse leaf without a
    /// plane contributes all its descendants.
    public func surfaceCells() -> [UInt32] {
        var keys = [UInt32]()
        for d in 0...depth {
            for (i, kind) in levels[d].kinds.enumerated() where kind == .leaf {
                let k = levels[d].keys[i]
                if d == depth { keys.append(k); continue }
                if planes.isEmpty {
                    let shift = UInt32(3 * (depth - d))
                    for sub in 0..<(UInt32(1) << shift) { keys.append(k << shift | sub) }
                } else {
                    keys += Octree.planeCells(planes[d][i], key: k, depth: d, finest: depth).map(Morton.encode)
                }
            }
        }
        keys.sort()
        return keys
    }

    /// Labels the finest cells as shell (`surfaceCells()`), outside and interior — decoding's first
    /// step (a surface octree marks only the shell; the solid must be recovered).
    ///
    /// - Default: flood fill of the outside, 6-connected, from every non-shell cell on the cube's
    ///   border; whatever it does not reach is interior. Exact for the shell of a closed surface
    ///   built by `init(mesh:)` (see there); a point-sampled shell with holes leaks, and if nothing
    ///   is left inside the volume is returned unfilled (see `OccupancyVolume.filled`).
    /// - `inside`: a classifier of cell centres (octree frame), e.g. the source mesh's winding
    ///   number, used instead of the flood fill for the non-shell cells when the source is at hand.
    /// - Throws `depthOutOfRange` beyond `maxVolumeDepth` (the dense volume would not fit).
    public func occupancyVolume(inside: (([Vec3]) -> [Bool])? = nil) throws -> OccupancyVolume {
        guard depth <= Octree.maxVolumeDepth else { throw OctreeError.depthOutOfRange(depth: depth, allowed: 1...Octree.maxVolumeDepth) }
        let n = 1 << depth
        var labels = [OccupancyVolume.Label](repeating: .interior, count: n * n * n)
        for k in surfaceCells() {
            let c = Morton.decode(k)
            labels[(Int(c.x) * n + Int(c.y)) * n + Int(c.z)] = .shell
        }
        if let inside {
            let free = labels.indices.filter { labels[$0] != .shell }
            let centres = free.map { i in (Vec3(Float(i / (n * n)), Float((i / n) % n), Float(i % n)) + 0.5) * Octree.cellSize(depth: depth) - 1 }
            let flags = inside(centres)
            precondition(flags.count == centres.count, "one inside flag per cell centre")
            for (j, i) in free.enumerated() where !flags[j] { labels[i] = .outside }
        } else {
            labels.withUnsafeMutableBufferPointer { Octree.floodOutside($0.baseAddress!, n: n) }
        }
        return OccupancyVolume(depth: depth, labels: labels)
    }

    /// 6-connected flood fill: turns every `.interior` cell reachable from the border through
    /// non-shell cells into `.outside`. Iterative (explicit stack of cell indices).
    static func floodOutside(_ l: UnsafeMutablePointer<OccupancyVolume.Label>, n: Int) {
        var stack = [Int32]()
        func push(_ i: Int) { if l[i] == .interior { l[i] = .outside; stack.append(Int32(i)) } }
        for a in 0..<n { for b in 0..<n {
            push((0 * n + a) * n + b); push(((n - 1) * n + a) * n + b)
            push((a * n + 0) * n + b); push((a * n + n - 1) * n + b)
            push((a * n + b) * n + 0); push((a * n + b) * n + n - 1)
        } }
        let nn = n * n
        while let s = stack.popLast() {
            let i = Int(s)
            let x = i / nn, y = (i / n) % n, z = i % n
            if x > 0 { push(i - nn) }; if x < n - 1 { push(i + nn) }
            if y > 0 { push(i - n) }; if y < n - 1 { push(i + n) }
            if z > 0 { push(i - 1) }; if z < n - 1 { push(i + 1) }
        }
    }
}
