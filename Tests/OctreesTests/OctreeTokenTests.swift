import Testing
import Geometry
import Support
@testable import Octrees

@Suite("Octree token sequences")
struct OctreeTokenTests {
    @Test("split flags and child masks round-trip random point sets exactly (several seeds, depths, full depths)",
          arguments: [UInt64(1), 2, 3, 4, 5])
    func randomRoundTrips(seed: UInt64) throws {
        for (depth, fullDepth) in [(1, 0), (3, 0), (5, 2), (6, 3), (7, 1)] {
            for points in [Fixtures.randomPoints(300, seed: seed), Fixtures.clusteredPoints(2_000, seed: seed)] {
                let tree = try Octree(points: points, depth: depth, fullDepth: fullDepth)
                for scheme in OctreeTokens.Scheme.allCases {
                    let tokens = tree.tokens(scheme)
                    #expect(try Octree(tokens: tokens) == tree, "seed \(seed) depth \(depth) \(scheme)")
                    // Through the .npy table and back.
                    let table = try TokenFile.array(tokens)
                    #expect(try TokenFile.tokens(from: table) == tokens)
                }
            }
        }
    }

    @Test("both serializations round-trip the bundled shapes", arguments: Fixtures.shapes.map(\.name))
    func shapeRoundTrips(name: String) throws {
        let mesh = Fixtures.shapes.first { $0.name == name }!.mesh
        let points = Fixtures.surfacePoints(mesh).points
        let tree = try Octree(points: points, depth: 6, fullDepth: 2)
        let split = tree.splitFlagTokens(), mask = tree.childMaskTokens()
        #expect(try Octree(tokens: split) == tree)
        #expect(try Octree(tokens: mask) == tree)
        // Uni-3DAR's claim: far fewer child-mask tokens than split flags.
        #expect(mask.count * 4 < split.count)
    }

    @Test("token counts equal counts computed independently from the occupied cells", arguments: [UInt64(11), 12, 13])
    func independentCounts(seed: UInt64) throws {
        for (depth, fullDepth) in [(4, 0), (6, 2), (7, 3)] {
            let points = Fixtures.clusteredPoints(1_500, seed: seed)
            let tree = try Octree(points: points, depth: depth, fullDepth: fullDepth)
            let expected = Fixtures.expectedCounts(points, depth: depth, fullDepth: fullDepth)
            #expect(tree.splitFlagTokens().count == expected.split)
            #expect(tree.childMaskTokens().count == expected.childMask)
            #expect(tree.leafCount == expected.leaves)
            // The leaves are exactly the occupied cells.
            let occ = Fixtures.occupiedCells(points, depth: depth)[depth]
            let leaves = Set(zip(tree.levels[depth].keys, tree.levels[depth].kinds).filter { $0.1 == .leaf }.map { Morton.decode($0.0) })
            #expect(leaves == occ)
        }
    }

    @Test("a full octree of depth d has 8^d leaves, Σ 8^k split flags and all-255 child masks", arguments: [1, 2, 3, 4])
    func fullOctree(depth: Int) throws {
        let n = 1 << depth
        let centres = (0..<(n * n * n)).map { i in
            (Vec3(Float(i / (n * n)), Float((i / n) % n), Float(i % n)) + 0.5) * (2 / Float(n)) - 1
        }
        let tree = try Octree(points: centres, depth: depth)
        #expect(tree.leafCount == 1 << (3 * depth))
        let split = tree.splitFlagTokens()
        #expect(split.count == (1...depth).reduce(0) { $0 + (1 << (3 * $1)) })
        #expect(split.tokens.allSatisfy { $0 == 1 })
        let mask = tree.childMaskTokens()
        #expect(mask.count == (0..<depth).reduce(0) { $0 + (1 << (3 * $1)) })
        #expect(mask.tokens.allSatisfy { $0 == 255 })
    }

    @Test("a single point gives d·8 split flags with one 1 per depth, and d one-bit child masks spelling its key",
          arguments: [1, 3, 6, 10])
    func singlePoint(depth: Int) throws {
        var rng = SeededRandom(seed: UInt64(depth))
        let p = Vec3(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1))
        let tree = try Octree(points: [p], depth: depth)
        let split = tree.splitFlagTokens()
        #expect(split.count == 8 * depth)
        #expect(split.tokens.filter { $0 == 1 }.count == depth)
        let mask = tree.childMaskTokens()
        #expect(mask.count == depth)
        var key: UInt32 = 0
        for t in mask.tokens {
            #expect(t.nonzeroBitCount == 1)
            key = key << 3 | UInt32(t.trailingZeroBitCount)
        }
        #expect(key == Morton.encode(Octree.cellCoordinates(of: p, depth: depth)))
        // Positions: token t of the child masks describes the ancestor at depth t.
        for t in 0..<depth {
            #expect(Int(mask.depths[t]) == t)
            #expect(mask.keys[t] == key >> UInt32(3 * (depth - t)))
        }
    }

    @Test("positions carried by the tokens are the depth and Morton key of the node each describes")
    func positions() throws {
        let tree = try Octree(points: Fixtures.clusteredPoints(500, seed: 3), depth: 5, fullDepth: 2)
        let split = tree.splitFlagTokens()
        var t = 0
        for d in 2...5 {
            for i in 0..<tree.levels[d].count {
                #expect(Int(split.depths[t]) == d && split.keys[t] == tree.levels[d].keys[i])
                t += 1
            }
        }
        #expect(t == split.count)
        let mask = tree.childMaskTokens()
        for t in 0..<mask.count {
            let d = Int(mask.depths[t])
            let i = try #require(tree.index(ofKey: mask.keys[t], depth: d))
            #expect(tree.occupied[d][i])
            #expect(mask.xyz(t) == Morton.decode(mask.keys[t]))
        }
        // Depths never decrease and keys increase within a depth (z-order).
        for t in 1..<mask.count {
            #expect(mask.depths[t - 1] < mask.depths[t] || (mask.depths[t - 1] == mask.depths[t] && mask.keys[t - 1] < mask.keys[t]))
        }
    }

    @Test("empty trees have empty (or complete empty) sequences and round-trip")
    func emptyTrees() throws {
        for fullDepth in [0, 2] {
            let tree = try Octree(points: [], depth: 4, fullDepth: fullDepth)
            #expect(tree.isEmpty)
            for scheme in OctreeTokens.Scheme.allCases {
                #expect(try Octree(tokens: tree.tokens(scheme)) == tree)
            }
        }
        #expect(try Octree(points: [], depth: 4).splitFlagTokens().count == 0)
    }
}

@Suite("Octree token errors")
struct OctreeTokenErrorTests {
    let tree: Octree
    init() throws { tree = try Octree(points: Fixtures.clusteredPoints(400, seed: 9), depth: 5, fullDepth: 1) }

    @Test("depth outside 1…10 is a typed error for every entry point", arguments: [0, -1, 11, 64])
    func depthRange(depth: Int) {
        #expect(throws: OctreeError.depthOutOfRange(depth: depth, allowed: 1...10)) { try Octree(points: [.zero], depth: depth) }
        #expect(throws: OctreeError.depthOutOfRange(depth: depth, allowed: 1...10)) { try Octree(splitFlags: [], depth: depth, fullDepth: 0) }
        #expect(throws: OctreeError.depthOutOfRange(depth: depth, allowed: 1...10)) { try Octree(childMasks: [], depth: depth, fullDepth: 0) }
        #expect(throws: OctreeError.depthOutOfRange(depth: depth, allowed: 1...10)) { try Octree(adaptivePoints: [.zero], depth: depth) }
        #expect(throws: OctreeError.depthOutOfRange(depth: 4, allowed: 0...3)) { try Octree(points: [.zero], depth: 3, fullDepth: 4) }
    }

    @Test("truncated split flags name the position and the depth that ran short")
    func truncatedSplit() {
        let flags = tree.splitFlagTokens().tokens
        let cut = Array(flags.dropLast(3))
        // The last depth needed 8 × (splits at depth 4) flags.
        let lastDepthCount = tree.levels[5].count
        #expect(throws: OctreeError.truncatedTokens(position: cut.count, depth: 5, expected: lastDepthCount, available: lastDepthCount - 3)) {
            try Octree(splitFlags: cut, depth: 5, fullDepth: 1)
        }
        #expect(throws: OctreeError.trailingTokens(position: flags.count, count: 2)) {
            try Octree(splitFlags: flags + [0, 1], depth: 5, fullDepth: 1)
        }
    }

    @Test("a split count that does not match the next level is rejected at its position")
    func inconsistentSplit() throws {
        var flags = tree.splitFlagTokens().tokens
        // Turn one split at depth 1 into empty: the next depths now have 8 nodes too many.
        let i = try #require(flags.firstIndex(of: 1))
        flags[i] = 0
        #expect(throws: OctreeError.self) { try Octree(splitFlags: flags, depth: 5, fullDepth: 1) }
        // Values outside the vocabulary.
        var bad = tree.splitFlagTokens().tokens
        bad[5] = 3
        #expect(throws: OctreeError.invalidToken(position: 5, depth: 1, value: 3)) { try Octree(splitFlags: bad, depth: 5, fullDepth: 1) }
        var leafAtFinest = tree.splitFlagTokens().tokens
        leafAtFinest[leafAtFinest.count - 1] = 2
        #expect(throws: OctreeError.invalidToken(position: leafAtFinest.count - 1, depth: 5, value: 2)) {
            try Octree(splitFlags: leafAtFinest, depth: 5, fullDepth: 1)
        }
        // A split whose children are all empty: depth 1 = [1, 0…0], depth 2 = eight 0s.
        #expect(throws: OctreeError.splitWithoutChildren(position: 0, depth: 1)) {
            try Octree(splitFlags: [1, 0, 0, 0, 0, 0, 0, 0] + [UInt8](repeating: 0, count: 8), depth: 2, fullDepth: 0)
        }
    }

    @Test("truncated or over-long child masks name the position")
    func truncatedMasks() {
        let masks = tree.childMaskTokens().tokens
        #expect(throws: OctreeError.self) { try Octree(childMasks: Array(masks.dropLast()), depth: 5, fullDepth: 1) }
        do {
            _ = try Octree(childMasks: Array(masks.dropLast()), depth: 5, fullDepth: 1)
        } catch let OctreeError.truncatedTokens(position, depth, expected, available) {
            #expect(position == masks.count - 1 && depth == 4 && available == expected - 1)
        } catch { Issue.record("unexpected \(error)") }
        #expect(throws: OctreeError.trailingTokens(position: masks.count, count: 1)) {
            try Octree(childMasks: masks + [1], depth: 5, fullDepth: 1)
        }
        // A zero mask (leaf) at the root is impossible.
        #expect(throws: OctreeError.invalidToken(position: 0, depth: 0, value: 0)) { try Octree(childMasks: [0], depth: 3, fullDepth: 0) }
    }

    @Test("stored positions that disagree with the tokens are rejected at the first wrong one")
    func wrongPositions() {
        for scheme in OctreeTokens.Scheme.allCases {
            var t = tree.tokens(scheme)
            t.keys[7] ^= 1
            #expect(throws: OctreeError.inconsistentPosition(position: 7, reason: "stored at depth \(t.depths[7]) key \(t.keys[7]), but the tokens before it place it at depth \(t.depths[7]) key \(t.keys[7] ^ 1)")) {
                try Octree(tokens: t)
            }
        }
    }

    @Test("random corruption of a token sequence is either rejected with a typed error or decodes to a valid tree")
    func fuzz() {
        var rng = SeededRandom(seed: 99)
        for scheme in OctreeTokens.Scheme.allCases {
            let clean = tree.tokens(scheme).tokens
            for _ in 0..<300 {
                var t = clean
                switch rng.next() % 3 {
                case 0: t[Int(rng.next() % UInt64(t.count))] = UInt8(truncatingIfNeeded: rng.next() % (scheme == .splitFlags ? 4 : 256))
                case 1: t.removeLast(Int(rng.next() % UInt64(t.count)) + 1)
                default: t.insert(UInt8(truncatingIfNeeded: rng.next() % 3), at: Int(rng.next() % UInt64(t.count)))
                }
                do {
                    let decoded = scheme == .splitFlags
                        ? try Octree(splitFlags: t, depth: 5, fullDepth: 1)
                        : try Octree(childMasks: t, depth: 5, fullDepth: 1)
                    #expect(throws: Never.self) { try decoded.validate() }
                    #expect(decoded.tokens(scheme).tokens == t)
                } catch is OctreeError {
                } catch { Issue.record("untyped error \(error)") }
            }
        }
    }
}
