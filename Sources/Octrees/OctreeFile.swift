import ArrayIO
import Foundation
import Geometry
import Support

/// Octoplane's binary octree file (`.octree`), little-endian throughout:
///
/// | offset | bytes | field |
/// |---|---|---|
/// | 0 | 8 | magic `OCTPTREE` |
/// | 8 | 4 | format version (UInt32) = 1 |
/// | 12 | 1 | depth D (1…10) |
/// | 13 | 1 | full depth (0…D) |
/// | 14 | 2 | flags (UInt16): bit 0 adaptive, bit 1 planes present; other bits 0 |
/// | 16 | 4 | frame scale (Float32) |
/// | 20 | 12 | frame translation (3 × Float32) |
/// | 32 | 8 | total file length in bytes (UInt64) |
/// | 40 | 4·(D+1) | node count of every depth (UInt32) |
/// | … | Σ counts | node kinds, depth by depth, z-order (UInt8: 0 empty, 1 split, 2 leaf) |
/// | … | 16·Σ counts | planes (4 × Float32 per node), only with flag bit 1 |
/// | end − 4 | 4 | CRC-32 (zip polynomial) of every byte before it |
///
/// Keys are not stored: they follow from the kinds (level d + 1 is the children of level d's
/// split nodes, in order). Reading checks the magic, version, depths, flags, length, CRC and then
/// every structural invariant (`Octree.validate()`), so a corrupted or truncated file is rejected
/// with `OctreeError.corruptTreeFile` (or `invariantViolated`), never half-read. Writing is atomic.
public enum OctreeFile {
    public static let magic = Data("OCTPTREE".utf8)
    public static let version: UInt32 = 1

    public static func encode(_ tree: Octree) -> Data {
        var d = Data()
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        func putF(_ f: Float) { put(f.bitPattern) }
        d.append(magic)
        put(version)
        put(UInt8(tree.depth)); put(UInt8(tree.fullDepth))
        put(UInt16((tree.isAdaptive ? 1 : 0) | (tree.planes.isEmpty ? 0 : 2)))
        putF(tree.frame.scale); putF(tree.frame.translation.x); putF(tree.frame.translation.y); putF(tree.frame.translation.z)
        let n = tree.nodeCount
        let total = 40 + 4 * (tree.depth + 1) + n + (tree.planes.isEmpty ? 0 : 16 * n) + 4
        put(UInt64(total))
        for lv in tree.levels { put(UInt32(lv.count)) }
        for lv in tree.levels { d.append(contentsOf: lv.kinds.map(\.rawValue)) }
        for lv in tree.planes { for p in lv { putF(p.x); putF(p.y); putF(p.z); putF(p.w) } }
        put(Npz.crc32(d))
        precondition(d.count == total)
        return d
    }

    public static func decode(_ data: Data) throws -> Octree {
        let bytes = [UInt8](data)
        func fail(_ s: String) -> OctreeError { .corruptTreeFile(s) }
        guard bytes.count >= 48 else { throw fail("\(bytes.count) bytes is shorter than the header") }
        guard Data(bytes[0..<8]) == magic else { throw fail("missing the OCTPTREE magic (not an Octoplane octree)") }
        func u32(_ o: Int) -> UInt32 { UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24 }
        func f32(_ o: Int) -> Float { Float(bitPattern: u32(o)) }
        let v = u32(8)
        guard v == version else { throw fail("format version \(v), this reader knows \(version)") }
        let depth = Int(bytes[12]), fullDepth = Int(bytes[13])
        let flags = UInt16(bytes[14]) | UInt16(bytes[15]) << 8
        guard Octree.depthRange.contains(depth), fullDepth <= depth else { throw fail("depth \(depth) / full depth \(fullDepth) out of range") }
        guard flags & ~3 == 0 else { throw fail("unknown flags 0x\(String(flags, radix: 16))") }
        let total = UInt64(u32(32)) | UInt64(u32(36)) << 32
        guard total == UInt64(bytes.count) else { throw fail("header says \(total) bytes, the file has \(bytes.count) (truncated or extended)") }
        let stored = u32(bytes.count - 4)
        guard Npz.crc32(Data(bytes[0..<(bytes.count - 4)])) == stored else { throw fail("CRC-32 mismatch (the file is corrupted)") }
        let hasPlanes = flags & 2 != 0
        var o = 40
        guard bytes.count >= o + 4 * (depth + 1) + 4 else { throw fail("level counts truncated") }
        let counts = (0...depth).map { Int(u32(40 + 4 * $0)) }
        o += 4 * (depth + 1)
        let n = counts.reduce(0, +)
        guard bytes.count == o + n + (hasPlanes ? 16 * n : 0) + 4 else { throw fail("node counts \(counts) do not match the file length") }
        let scale = f32(16)
        guard scale.isFinite && scale != 0 else { throw fail("frame scale \(scale) is not a finite non-zero number") }
        let frame = SimilarityTransform(scale: scale, translation: Vec3(f32(20), f32(24), f32(28)))
        // Keys follow from the kinds, level by level.
        var levels = [Octree.Level]()
        var keys: [UInt32] = [0]
        for d in 0...depth {
            guard keys.count == counts[d] else { throw fail("depth \(d) stores \(counts[d]) nodes, its parents' splits make \(keys.count)") }
            var kinds = [Octree.NodeKind](); kinds.reserveCapacity(counts[d])
            var next = [UInt32]()
            for i in 0..<counts[d] {
                guard let k = Octree.NodeKind(rawValue: bytes[o + i]) else { throw fail("node \(i) of depth \(d) has kind \(bytes[o + i])") }
                kinds.append(k)
                if k == .split && d < depth { for c in 0..<8 { next.append(keys[i] << 3 | UInt32(c)) } }
            }
            o += counts[d]
            levels.append(Octree.Level(keys: keys, kinds: kinds))
            keys = next
        }
        var planes = [[SIMD4<Float>]]()
        if hasPlanes {
            for d in 0...depth {
                planes.append((0..<counts[d]).map { i in
                    let b = o + 16 * i
                    return SIMD4(f32(b), f32(b + 4), f32(b + 8), f32(b + 12))
                })
                o += 16 * counts[d]
            }
        }
        let tree = try Octree(depth: depth, fullDepth: fullDepth, levels: levels, planes: planes, frame: frame)
        guard tree.isAdaptive == (flags & 1 != 0) else { throw fail("adaptive flag disagrees with the leaves") }
        return tree
    }

    /// Writes `tree` to `path` atomically.
    public static func write(_ tree: Octree, to path: String) throws {
        try AtomicFile.write(encode(tree), to: path)
    }
    /// Reads and validates the tree at `path`.
    public static func read(_ path: String) throws -> Octree {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw OctreeError.corruptTreeFile("cannot read '\(path)'")
        }
        return try decode(data)
    }
}

/// Token files, in one of two containers chosen by the path's extension.
///
/// **`.npy`** (the default): one int32 array of shape (N + 1, 6), readable by `np.load` alone.
/// - Row 0 is a header: `[0x4F43 (magic "OC"), 1 (version), scheme (0 split, 1 childmask),
///   depth, full depth, N]`.
/// - Rows 1…N are the tokens in sequence order: `[token, depth, key, x, y, z]` — the token value,
///   the depth and Morton key of the node it describes, and that node's integer cell coordinates.
/// - In numpy: `t = np.load(f); tokens, depth, key, xyz = t[1:, 0], t[1:, 1], t[1:, 2], t[1:, 3:]`.
///
/// **`.npz`**: the same columns as separate arrays, in their natural types — `tokens` (N,) uint8,
/// `depth` (N,) uint8, `key` (N,) uint32 (the Morton position), `xyz` (N, 3) int32, and `meta`
/// (5,) int32 = `[0x4F43, 1, scheme, depth, full depth]`.
///
/// Reading checks the header, every column's range, and (through `Octree(tokens:)`) that the
/// stored positions are those the tokens imply; errors are `OctreeError`s naming the token position.
public enum TokenFile {
    static let magic: Int32 = 0x4F43
    static let version: Int32 = 1

    /// The `.npy` table of `t`.
    public static func array(_ t: OctreeTokens) throws -> NpyArray {
        var rows: [Int32] = [magic, version, Int32(t.scheme.rawValue), Int32(t.depth), Int32(t.fullDepth), Int32(t.count)]
        rows.reserveCapacity(6 * (t.count + 1))
        for i in 0..<t.count {
            let p = t.xyz(i)
            rows += [Int32(t.tokens[i]), Int32(t.depths[i]), Int32(bitPattern: t.keys[i]), Int32(p.x), Int32(p.y), Int32(p.z)]
        }
        return try NpyArray(int32s: rows, shape: [t.count + 1, 6])
    }

    /// The `.npz` members of `t`, in order.
    public static func arrays(_ t: OctreeTokens) throws -> [(String, NpyArray)] {
        var xyz = [Int32](); xyz.reserveCapacity(3 * t.count)
        for i in 0..<t.count { let p = t.xyz(i); xyz += [Int32(p.x), Int32(p.y), Int32(p.z)] }
        return [
            ("tokens", try NpyArray(uint8s: t.tokens, shape: [t.count])),
            ("depth", try NpyArray(uint8s: t.depths, shape: [t.count])),
            ("key", try NpyArray(uint32s: t.keys, shape: [t.count])),
            ("xyz", try NpyArray(int32s: xyz, shape: [t.count, 3])),
            ("meta", try NpyArray(int32s: [magic, version, Int32(t.scheme.rawValue), Int32(t.depth), Int32(t.fullDepth)], shape: [5])),
        ]
    }

    /// Parses the `.npy` table.
    public static func tokens(from a: NpyArray) throws -> OctreeTokens {
        func fail(_ s: String) -> OctreeError { .malformedTokenFile(s) }
        guard a.rank == 2, a.shape[1] == 6, a.shape[0] >= 1 else { throw fail("expected an (N + 1, 6) array, got shape \(a.shape)") }
        guard a.dtype.isInteger else { throw fail("expected integers, got dtype \(a.dtype)") }
        let v = try a.int64s()
        let n = a.shape[0] - 1
        guard v[5] == Int64(n) else { throw fail("header announces \(v[5]) tokens, the array holds \(n)") }
        var rows = [[Int64]](repeating: [], count: 4)
        for t in 0..<n {
            let r = 6 * (t + 1)
            rows[0].append(v[r]); rows[1].append(v[r + 1]); rows[2].append(v[r + 2])
            rows[3] += [v[r + 3], v[r + 4], v[r + 5]]
        }
        return try assemble(meta: Array(v[0..<5]), tokens: rows[0], depths: rows[1], keys: rows[2], xyz: rows[3])
    }

    /// Parses the `.npz` members.
    public static func tokens(from members: [String: NpyArray]) throws -> OctreeTokens {
        func fail(_ s: String) -> OctreeError { .malformedTokenFile(s) }
        func member(_ name: String, rank: Int) throws -> [Int64] {
            guard let a = members[name] else { throw fail("missing member '\(name)'") }
            guard a.rank == rank, a.dtype.isInteger else { throw fail("'\(name)' must be a rank-\(rank) integer array, got \(a.dtype) \(a.shape)") }
            return try a.int64s()
        }
        let meta = try member("meta", rank: 1)
        guard meta.count == 5 else { throw fail("'meta' must hold 5 values, holds \(meta.count)") }
        let tokens = try member("tokens", rank: 1), depths = try member("depth", rank: 1)
        let keys = try member("key", rank: 1), xyz = try member("xyz", rank: 2)
        let n = tokens.count
        guard depths.count == n, keys.count == n, xyz.count == 3 * n, members["xyz"]!.shape == [n, 3] else {
            throw fail("member lengths differ: tokens \(n), depth \(depths.count), key \(keys.count), xyz \(members["xyz"]!.shape)")
        }
        return try assemble(meta: meta, tokens: tokens, depths: depths, keys: keys, xyz: xyz)
    }

    /// Checks the header and every column, token by token.
    static func assemble(meta v: [Int64], tokens tok: [Int64], depths: [Int64], keys: [Int64], xyz: [Int64]) throws -> OctreeTokens {
        func fail(_ s: String) -> OctreeError { .malformedTokenFile(s) }
        guard v[0] == Int64(magic) else { throw fail("header lacks the magic 0x4F43 (not an Octoplane token file)") }
        guard v[1] == Int64(version) else { throw fail("token file version \(v[1]), this reader knows \(version)") }
        guard let scheme = OctreeTokens.Scheme(rawValue: Int(clamping: v[2])) else { throw fail("unknown scheme \(v[2])") }
        let depth = Int(clamping: v[3]), fullDepth = Int(clamping: v[4])
        guard Octree.depthRange.contains(depth) else { throw OctreeError.depthOutOfRange(depth: depth, allowed: Octree.depthRange) }
        guard (0...depth).contains(fullDepth) else { throw OctreeError.depthOutOfRange(depth: fullDepth, allowed: 0...depth) }
        let n = tok.count
        var tokens = [UInt8](), ds = [UInt8](), ks = [UInt32]()
        tokens.reserveCapacity(n); ds.reserveCapacity(n); ks.reserveCapacity(n)
        for t in 0..<n {
            let d = depths[t]
            guard (0...255).contains(tok[t]) else { throw OctreeError.invalidToken(position: t, depth: Int(clamping: d), value: Int(clamping: tok[t])) }
            guard (0...Int64(depth)).contains(d) else { throw OctreeError.inconsistentPosition(position: t, reason: "depth \(d) outside 0…\(depth)") }
            let k = UInt32(truncatingIfNeeded: keys[t])
            guard Int64(k) == keys[t] || Int64(Int32(bitPattern: k)) == keys[t], k < UInt32(1) << UInt32(3 * d) else {
                throw OctreeError.inconsistentPosition(position: t, reason: "key \(keys[t]) does not exist at depth \(d)")
            }
            let p = Morton.decode(k)
            guard Int64(p.x) == xyz[3 * t], Int64(p.y) == xyz[3 * t + 1], Int64(p.z) == xyz[3 * t + 2] else {
                throw OctreeError.inconsistentPosition(position: t, reason: "xyz (\(xyz[3 * t]), \(xyz[3 * t + 1]), \(xyz[3 * t + 2])) is not the cell of key \(k)")
            }
            tokens.append(UInt8(tok[t])); ds.append(UInt8(d)); ks.append(k)
        }
        return OctreeTokens(scheme: scheme, depth: depth, fullDepth: fullDepth, tokens: tokens, depths: ds, keys: ks)
    }

    /// Writes `t` to `path` atomically: `.npz` members when the path ends in `.npz`, else the `.npy` table.
    public static func write(_ t: OctreeTokens, to path: String) throws {
        if path.lowercased().hasSuffix(".npz") { try Npz.write(ordered: arrays(t), to: path) }
        else { try Npy.write(array(t), to: path) }
    }
    /// Reads a token file of either container (told apart by its first bytes, not its name).
    public static func read(_ path: String) throws -> OctreeTokens {
        guard let head = FileHandle(forReadingAtPath: path).map({ h in defer { try? h.close() }; return h.readData(ofLength: 2) }) else {
            throw OctreeError.malformedTokenFile("cannot read '\(path)'")
        }
        if head == Data("PK".utf8) { return try tokens(from: Npz.read(path)) }
        return try tokens(from: Npy.read(path))
    }
}
