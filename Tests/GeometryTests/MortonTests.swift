import Testing
import Geometry

/// Naive reference: interleave bit by bit, x highest in each group (O-CNN's order).
func naiveMorton(_ x: UInt32, _ y: UInt32, _ z: UInt32, depth: Int) -> UInt32 {
    var key: UInt32 = 0
    for i in 0..<depth {
        key |= ((x >> UInt32(i)) & 1) << UInt32(3 * i + 2)
        key |= ((y >> UInt32(i)) & 1) << UInt32(3 * i + 1)
        key |= ((z >> UInt32(i)) & 1) << UInt32(3 * i)
    }
    return key
}

@Suite("Morton keys")
struct MortonTests {
    @Test("encode matches the bit-by-bit interleaving and decode inverts it, at depth 10")
    func roundTrip() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let p = SIMD3<UInt32>(UInt32.random(in: 0..<1024, using: &rng), UInt32.random(in: 0..<1024, using: &rng), UInt32.random(in: 0..<1024, using: &rng))
            let k = Morton.encode(p)
            #expect(k == naiveMorton(p.x, p.y, p.z, depth: 10))
            #expect(Morton.decode(k) == p)
        }
    }

    @Test("x is the highest bit of each group; parent is key >> 3; sorted keys are z-order")
    func ordering() {
        #expect(Morton.encode([1, 0, 0]) == 4)
        #expect(Morton.encode([0, 1, 0]) == 2)
        #expect(Morton.encode([0, 0, 1]) == 1)
        for x in UInt32(0)..<8 { for y in UInt32(0)..<8 { for z in UInt32(0)..<8 {
            let k = Morton.encode([x, y, z])
            #expect(k >> 3 == Morton.encode([x >> 1, y >> 1, z >> 1]))
            #expect(k & 7 == (x & 1) << 2 | (y & 1) << 1 | (z & 1))
        } } }
        // z-order: comparing keys equals comparing the coarse cells first, then the child index.
        let cells = (0..<512).map { Morton.decode(UInt32($0)) }
        for i in 1..<cells.count {
            let a = cells[i - 1] &>> 1, b = cells[i] &>> 1
            #expect(Morton.encode(a) <= Morton.encode(b))
        }
    }
}
