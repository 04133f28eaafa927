import Fields
import Geometry
import Support

/// The finest-depth cell labels of an octree's solid: what decoding needs before marching cubes.
///
/// - `n` = 2^depth cells per axis over [-1, 1]³ (octree frame); `labels[(x·n + y)·n + z]`
///   (x-major, z fastest — `ScalarGrid`'s order) is `.outside`, `.shell` (a surface cell) or
///   `.interior`.
/// - `filled`: false when no cell is interior — an open surface, or a shell with a hole the
///   flood fill leaked through; then the shell itself is the solid (a skin one cell thick).
public struct OccupancyVolume: Sendable, Equatable {
    public enum Label: UInt8, Sendable { case outside = 0, shell = 1, interior = 2 }
    public let depth: Int
    public var n: Int { 1 << depth }
    public var labels: [Label]
    public var filled: Bool { labels.contains(.interior) }

    @inlinable public func index(_ x: Int, _ y: Int, _ z: Int) -> Int { (x * n + y) * n + z }
    public func count(_ l: Label) -> Int { labels.lazy.filter { $0 == l }.count }

    /// The solid's volume in the octree frame: Σ cell weights (see `cellWeights()`) × cell volume.
    public var volume: Float {
        let cell = Octree.cellSize(depth: depth)
        return cellWeights().reduce(0, +) * cell * cell * cell
    }

    /// A (n + 1)³ grid over [-1, 1]³ whose `0.5` level set (inside ≥ 0.5) bounds the solid: the
    /// value at a cell corner is the mean of its 8 incident cells' weights (`cellWeights()`; cells
    /// beyond the cube weigh 0), so the surface runs through the middle of the shell.
    public func cornerGrid() -> ScalarGrid {
        let m = n + 1, n = self.n
        let weights = cellWeights()
        var values = [Float](repeating: 0, count: m * m * m)
        weights.withUnsafeBufferPointer { wb in
            values.withUnsafeMutableBufferPointer { vb in
                let w = wb.baseAddress!, v = vb.baseAddress!
                parallelFor(m, minChunk: 1) { r in
                    for i in r { for j in 0..<m { for k in 0..<m {
                        var s: Float = 0
                        for x in max(i - 1, 0)...min(i, n - 1) { for y in max(j - 1, 0)...min(j, n - 1) { for z in max(k - 1, 0)...min(k, n - 1) {
                            s += w[(x * n + y) * n + z]
                        } } }
                        v[(i * m + j) * m + k] = s / 8
                    } } }
                }
            }
        }
        return ScalarGrid(resolution: SIMD3(m, m, m), bounds: .cube(halfSize: 1), values: values)
    }

    /// How much of each cell is solid, in `labels` order: 0 outside, 1 interior; across the shell a
    /// ramp from the outside to the interior, t = d_out / (d_out + d_in), with d_out and d_in the
    /// 6-connected step counts through shell cells from the nearest shell cell touching the outside /
    /// the interior (1 for a cell touching it) — ½ for a one-cell shell, ⅓ and ⅔ for a two-cell one —
    /// so the 0.5 level lies in the middle of the shell whatever its thickness (a shell cut by a
    /// slanted surface is a staircase two or three cells thick). A shell cell in a run of at most two
    /// shell cells bounded by outside on both sides along some axis holds a sheet thinner than
    /// about two cells (a thin wall, a fin, an open surface) and weighs 1, as does a shell cell more
    /// than 3 steps from any interior, so thin parts survive as slabs one or two cells thick
    /// instead of vanishing (they come out up to a cell thicker than they are).
    public func cellWeights() -> [Float] {
        let n = self.n, nn = n * n
        let l = labels
        func neighbors(_ i: Int, _ body: (Int) -> Void) {
            let x = i / nn, y = (i / n) % n, z = i % n
            if x > 0 { body(i - nn) }; if x < n - 1 { body(i + nn) }
            if y > 0 { body(i - n) }; if y < n - 1 { body(i + n) }
            if z > 0 { body(i - 1) }; if z < n - 1 { body(i + 1) }
        }
        let shell = l.indices.filter { l[$0] == .shell }
        /// Steps through shell cells from the shell cells touching `source` (0: not reached).
        func distances(from source: Label) -> [UInt16] {
            var d = [UInt16](repeating: 0, count: l.count)
            var frontier = [Int]()
            for i in shell {
                var touches = false
                neighbors(i) { if l[$0] == source { touches = true } }
                if touches { d[i] = 1; frontier.append(i) }
            }
            var step: UInt16 = 1
            while !frontier.isEmpty && step < UInt16.max {
                step += 1
                var next = [Int]()
                for i in frontier { neighbors(i) { j in if l[j] == .shell && d[j] == 0 { d[j] = step; next.append(j) } } }
                frontier = next
            }
            return d
        }
        let dOut = distances(from: .outside), dIn = distances(from: .interior)
        var w = l.map { $0 == .interior ? Float(1) : 0 }
        let coords = { (i: Int) in SIMD3(i / nn, (i / n) % n, i % n) }
        let strides = SIMD3(nn, n, 1)
        /// True when the run of shell cells through `i` along `axis` is at most `maxRun` cells long
        /// and ends in outside (or the cube's border) on both sides.
        func thin(_ i: Int, axis: Int, maxRun: Int) -> Bool {
            let c = coords(i)[axis], st = strides[axis]
            var run = 1
            for dir in [-1, 1] {
                var k = 1
                while true {
                    let q = c + dir * k
                    if q < 0 || q >= n || l[i + dir * k * st] == .outside { break }
                    if l[i + dir * k * st] == .interior { return false }
                    run += 1; k += 1
                    if run > maxRun { return false }
                }
            }
            return true
        }
        for i in shell {
            let sheet = thin(i, axis: 0, maxRun: 2) || thin(i, axis: 1, maxRun: 2) || thin(i, axis: 2, maxRun: 2)
            if sheet || dIn[i] == 0 || dIn[i] > 3 || dOut[i] == 0 { w[i] = 1; continue }
            w[i] = Float(dOut[i]) / Float(Int(dOut[i]) + Int(dIn[i]))
        }
        return w
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
