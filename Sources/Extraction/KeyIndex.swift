/// An insertion-ordered set of UInt64 keys (packed lattice coordinates) giving each key a dense id
/// 0, 1, 2, … in order of first insertion: open addressing with linear probing, several times faster
/// than `Dictionary` for the millions of lattice look-ups of the dual extractor.
/// `UInt64.max` is reserved (the empty slot) and must not be inserted.
struct KeyIndex {
    private var slots: [UInt64]
    private var ids: [Int32]
    private var mask: Int
    private(set) var keys: [UInt64] = []

    init(expected n: Int) {
        var cap = 16
        while cap < 2 * max(n, 8) { cap <<= 1 }
        slots = [UInt64](repeating: .max, count: cap)
        ids = [Int32](repeating: -1, count: cap)
        mask = cap - 1
        keys.reserveCapacity(n)
    }

    var count: Int { keys.count }

    @inline(__always) private static func hash(_ k: UInt64) -> Int {
        var z = k &* 0x9E37_79B9_7F4A_7C15
        z ^= z >> 29
        return Int(truncatingIfNeeded: z)
    }

    /// The id of `k`, inserting it with the next id if new.
    @discardableResult
    mutating func insert(_ k: UInt64) -> Int32 {
        precondition(k != .max)
        if 2 * (keys.count + 1) > slots.count { grow() }
        var i = Self.hash(k) & mask
        while true {
            let s = slots[i]
            if s == k { return ids[i] }
            if s == .max {
                slots[i] = k; ids[i] = Int32(keys.count); keys.append(k)
                return ids[i]
            }
            i = (i + 1) & mask
        }
    }

    /// The id of `k`, or −1.
    @inline(__always) func find(_ k: UInt64) -> Int32 {
        var i = Self.hash(k) & mask
        while true {
            let s = slots[i]
            if s == k { return ids[i] }
            if s == .max { return -1 }
            i = (i + 1) & mask
        }
    }

    private mutating func grow() {
        let old = keys
        let cap = slots.count * 2
        slots = [UInt64](repeating: .max, count: cap)
        ids = [Int32](repeating: -1, count: cap)
        mask = cap - 1
        keys.removeAll(keepingCapacity: true)
        for k in old { insert(k) }
    }

    /// Packs non-negative lattice coordinates (each < 2²¹) into one key.
    @inline(__always) static func pack(_ x: Int, _ y: Int, _ z: Int) -> UInt64 {
        UInt64(x) << 42 | UInt64(y) << 21 | UInt64(z)
    }
    @inline(__always) static func unpack(_ k: UInt64) -> SIMD3<Int> {
        SIMD3(Int(k >> 42), Int((k >> 21) & 0x1F_FFFF), Int(k & 0x1F_FFFF))
    }
}
