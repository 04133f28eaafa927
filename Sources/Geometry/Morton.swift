/// Morton (z-order) keys of octree cells — the one Morton encoder of the package (octree keys in
/// `Octrees`, cache-friendly query orders in `Spatial`) — in the bit order of O-CNN (Wang et al., "O-CNN:
/// Octree-based Convolutional Neural Networks for 3D Shape Analysis", SIGGRAPH 2017) and OctGPT.
///
/// A cell at depth `d` has integer coordinates (x, y, z), each in `0 ..< 2^d`, counted from the
/// cube's minimum corner. Its key interleaves their bits, most significant level first, with **x
/// highest** inside each 3-bit group:
///
///     key = Σ_{i < d}  (x_i << (3i + 2)) | (y_i << (3i + 1)) | (z_i << 3i)
///
/// so the child index of a cell inside its parent is `key & 7 = (x&1)<<2 | (y&1)<<1 | (z&1)`, the
/// parent's key is `key >> 3`, and the 8 children of `k` are `k << 3 | c`, c = 0…7. Sorting keys of
/// one depth gives z-order; sorting by `(parent key, child index)` gives the same order, so children
/// of sorted parents come out sorted. Depths up to `Morton.maxDepth` = 10 (30 bits) fit a `UInt32`.
public enum Morton {
    /// Deepest depth whose keys fit 32 bits.
    public static let maxDepth = 10

    /// Spreads the low 10 bits of `v` to every third bit (bit i → bit 3i).
    @inlinable public static func spread(_ v: UInt32) -> UInt32 {
        var x = v & 0x3FF
        x = (x | x << 16) & 0x0300_00FF
        x = (x | x << 8) & 0x0300_F00F
        x = (x | x << 4) & 0x030C_30C3
        x = (x | x << 2) & 0x0924_9249
        return x
    }
    /// Inverse of `spread`: gathers every third bit (bit 3i → bit i).
    @inlinable public static func compact(_ v: UInt32) -> UInt32 {
        var x = v & 0x0924_9249
        x = (x ^ (x >> 2)) & 0x030C_30C3
        x = (x ^ (x >> 4)) & 0x0300_F00F
        x = (x ^ (x >> 8)) & 0x0300_00FF
        x = (x ^ (x >> 16)) & 0x0000_03FF
        return x
    }
    /// Key of the cell with integer coordinates `xyz` (each < 2^10).
    @inlinable public static func encode(_ xyz: SIMD3<UInt32>) -> UInt32 {
        spread(xyz.x) << 2 | spread(xyz.y) << 1 | spread(xyz.z)
    }
    /// Integer coordinates of the cell with `key`.
    @inlinable public static func decode(_ key: UInt32) -> SIMD3<UInt32> {
        SIMD3(compact(key >> 2), compact(key >> 1), compact(key))
    }
}
