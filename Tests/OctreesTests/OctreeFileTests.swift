import Foundation
import Testing
import TestSupport
import ArrayIO
import Geometry
import Support
@testable import Octrees

@Suite("Octree file format")
struct OctreeFileTests {
    static func trees() throws -> [Octree] {
        let torus = Fixtures.surfacePoints(Fixtures.shapes[1].mesh, count: 5_000)
        return [
            try Octree(points: Fixtures.clusteredPoints(800, seed: 1), depth: 6, fullDepth: 2,
                       frame: SimilarityTransform(scale: 1.7, translation: Vec3(0.1, -0.2, 0.3))),
            try Octree(adaptivePoints: torus.points, normals: torus.normals, depth: 6, fullDepth: 2),
            try Octree(points: [], depth: 3),
            try Octree(points: [], depth: 3, fullDepth: 2),
            try Octree(points: [Vec3(0.3, -0.7, 0.9)], depth: 10),
        ]
    }

    @Test("encode → decode reproduces every tree (keys, kinds, planes, frame)")
    func roundTrip() throws {
        for tree in try Self.trees() {
            let back = try OctreeFile.decode(OctreeFile.encode(tree))
            #expect(back == tree)
        }
    }

    @Test("write and read through the file system, atomically")
    func files() throws {
        let tmp = try TemporaryDirectory("octree-file"); defer { tmp.remove() }
        let dir = URL(fileURLWithPath: tmp.path)
        let tree = try Self.trees()[1]
        let path = dir.appendingPathComponent("t.octree").path
        try OctreeFile.write(tree, to: path)
        #expect(try OctreeFile.read(path) == tree)
        #expect(throws: OctreeError.self) { try OctreeFile.read(dir.appendingPathComponent("missing.octree").path) }
        // Token tables in both containers.
        for ext in ["npy", "npz"] {
            for scheme in OctreeTokens.Scheme.allCases {
                let t = tree.tokens(scheme)
                let p = dir.appendingPathComponent("t-\(scheme).\(ext)").path
                try TokenFile.write(t, to: p)
                #expect(try TokenFile.read(p) == t)
            }
        }
    }

    @Test("every truncation and every flipped byte of a file is rejected with a typed error")
    func corruption() throws {
        let data = OctreeFile.encode(try Octree(points: Fixtures.clusteredPoints(50, seed: 2), depth: 3))
        for n in 0..<data.count {
            #expect(throws: OctreeError.self) { try OctreeFile.decode(data.prefix(n)) }
        }
        for i in 0..<data.count {
            var d = data
            d[i] ^= 0x5A
            #expect(throws: OctreeError.self) { try OctreeFile.decode(d) }
        }
        #expect(throws: OctreeError.self) { try OctreeFile.decode(data + Data([0])) }
    }

    /// Replaces bytes and recomputes the CRC, so that the structural checks behind it are exercised.
    static func patched(_ data: Data, _ edits: [(Int, UInt8)]) -> Data {
        var d = data
        for (i, v) in edits { d[i] = v }
        let crc = Npz.crc32(d.prefix(d.count - 4))
        withUnsafeBytes(of: crc.littleEndian) { d.replaceSubrange((d.count - 4)..<d.count, with: $0) }
        return d
    }

    @Test("structurally wrong files with a valid CRC are rejected with the reason")
    func structure() throws {
        let tree = try Octree(points: Fixtures.clusteredPoints(50, seed: 2), depth: 3)
        let data = OctreeFile.encode(tree)
        let kinds = 40 + 4 * 4   // first kind byte
        let cases: [(Data, String)] = [
            (Self.patched(data, [(0, UInt8(ascii: "X"))]), "missing the OCTPTREE magic"),
            (Self.patched(data, [(8, 2)]), "format version 2"),
            (Self.patched(data, [(12, 11)]), "depth 11 / full depth"),
            (Self.patched(data, [(14, 8)]), "unknown flags 0x8"),
            (Self.patched(data, [(kinds, 7)]), "node 0 of depth 0 has kind 7"),
            // Root no longer split: the counts below no longer follow from the kinds.
            (Self.patched(data, [(kinds, 0)]), "depth 1 stores 8 nodes, its parents' splits make 0"),
            // The last node of the finest depth made a split node.
            (Self.patched(data, [(data.count - 5, 1)]), "a node of the finest depth 3 is split"),
            (Self.patched(data, [(14, 1)]), "adaptive flag disagrees with the leaves"),
        ]
        for (bad, reason) in cases {
            do {
                _ = try OctreeFile.decode(bad)
                Issue.record("accepted a file that should fail with '\(reason)'")
            } catch let e as OctreeError {
                // Each corruption is caught by its own check, which says what is wrong.
                #expect(e.description.contains(reason), "\(e.description)")
            }
        }
        #expect(throws: OctreeError.self) { try OctreeFile.decode(Data("not an octree at all, but long enough to hold a header".utf8)) }
    }
}
