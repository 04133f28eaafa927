import Foundation
import Testing
import Geometry
@testable import Dataset

/// Brute-force thickness oracle: from points sampled on a part, cast a ray along the inward
/// normal and return the distance to the first other face of the same part it hits
/// (Möller–Trumbore). For a closed part this is the local wall thickness.
func inwardThicknesses(_ m: TriangleMesh, samples: Int, seed: UInt64) -> [Float] {
    let s = m.sampleSurface(count: samples, seed: seed)
    var out = [Float]()
    for (i, p) in s.points.enumerated() {
        let dir = -s.normals[i]
        let o = p + dir * 1e-6
        var best = Float.infinity
        for f in 0..<m.faceCount where f != Int(s.faces[i]) {
            let (a, b, c) = m.corners(f)
            let e1 = b - a, e2 = c - a
            let pv = cross(dir, e2)
            let det = dot(e1, pv)
            if abs(det) < 1e-12 { continue }
            let inv = 1 / det
            let tv = o - a
            let u = dot(tv, pv) * inv
            if u < -1e-6 || u > 1 + 1e-6 { continue }
            let qv = cross(tv, e1)
            let v = dot(dir, qv) * inv
            if v < -1e-6 || u + v > 1 + 1e-6 { continue }
            let t = dot(e2, qv) * inv
            if t > 1e-5 && t < best { best = t }
        }
        out.append(best)
    }
    return out
}

/// Symmetric Chamfer distance (mean of nearest-neighbour distances both ways), brute force.
func chamfer(_ x: [Vec3], _ y: [Vec3]) -> Float {
    func oneWay(_ a: [Vec3], _ b: [Vec3]) -> Float {
        var sum: Float = 0
        for p in a { var best = Float.infinity; for q in b { best = min(best, lengthSquared(p - q)) }; sum += best.squareRoot() }
        return sum / Float(a.count)
    }
    return oneWay(x, y) + oneWay(y, x)
}

@Suite("Shape synthesis")
struct ShapeSynthesisTests {
    @Test("the same category, seed and index give the same mesh, bit for bit; other indices do not",
          arguments: SynthCategory.allCases)
    func determinism(_ c: SynthCategory) {
        let a = ShapeSynthesizer.make(c, seed: 7, index: 3)
        let b = ShapeSynthesizer.make(c, seed: 7, index: 3)
        #expect(a.mesh == b.mesh)
        #expect(a.parameters == b.parameters && a.variants == b.variants && a.modelId == b.modelId)
        let other = ShapeSynthesizer.make(c, seed: 7, index: 4)
        #expect(other.mesh != a.mesh)
        let otherSeed = ShapeSynthesizer.make(c, seed: 8, index: 3)
        #expect(otherSeed.parameters != a.parameters)
    }

    @Test("every shape is normalized like ShapeNet v2: finite, centred, bounding-box diagonal 1",
          arguments: SynthCategory.allCases)
    func normalization(_ c: SynthCategory) {
        for i in 0..<12 {
            let s = ShapeSynthesizer.make(c, seed: 1, index: i)
            #expect(s.mesh.positions.allSatisfy { $0.isFinite })
            let box = s.mesh.bounds
            #expect(abs(box.diagonal - 1) < 1e-4)
            #expect(length(box.center) < 1e-4)
            #expect(AABB.cube(halfSize: 0.5 + 1e-5).contains(box.min) && AABB.cube(halfSize: 0.5 + 1e-5).contains(box.max))
            #expect(s.mesh.faceCount > 200 && s.mesh.faceCount < 60_000, "\(c) #\(i): \(s.mesh.faceCount) faces")
        }
    }

    @Test("every part is a closed, outward-oriented surface; parts overlap instead of being unioned",
          arguments: SynthCategory.allCases)
    func partsAreClosed(_ c: SynthCategory) {
        for i in 0..<8 {
            let s = ShapeSynthesizer.make(c, seed: 2, index: i)
            #expect(s.parts.count >= (c == .mug ? 2 : 3), "\(c) #\(i) has only \(s.parts.count) parts")
            for part in s.parts {
                let topo = MeshTopology(part.mesh)
                #expect(topo.isWatertight && topo.inconsistentlyOrientedEdges == 0, "\(c) #\(i) \(part.name): \(topo)")
                #expect(part.mesh.signedVolume > 0, "\(c) #\(i) \(part.name) is inside out")
            }
            // Interpenetration: the merged mesh is not one watertight surface with the summed volume
            // of a union — but it is the plain concatenation of closed parts.
            #expect(s.mesh.faceCount == s.parts.reduce(0) { $0 + $1.mesh.faceCount })
        }
    }

    @Test("thin parts stay thicker than 1/128 of the normalized shape (measured by inward rays)",
          arguments: SynthCategory.allCases)
    func thinParts(_ c: SynthCategory) {
        let limit: Float = 1.0 / 128
        for i in 0..<6 {
            let s = ShapeSynthesizer.make(c, seed: 3, index: i)
            for (k, part) in s.parts.enumerated() {
                #expect(part.thickness >= limit, "\(c) #\(i) \(part.name): declared \(part.thickness)")
                // Robust minimum: the lower quartile of 48 rays. A ray starting next to an acute
                // edge (a frustum's rim, a pointed tip) exits early through the neighbouring face,
                // but on a part that is really too thin at least half the area gives short rays
                // (both big faces of a slat or a wing, all of a rod or a wall).
                let t = inwardThicknesses(part.mesh, samples: 48, seed: UInt64(k)).sorted()
                #expect(t[12] >= limit, "\(c) #\(i) \(part.name): lower quartile \(t[12]) < \(limit)")
            }
        }
    }

    @Test("shapes vary: parameters, bounding-box proportions and Chamfer distances differ",
          arguments: SynthCategory.allCases)
    func variety(_ c: SynthCategory) {
        let shapes = (0..<16).map { ShapeSynthesizer.make(c, seed: 11, index: $0) }
        #expect(Set(shapes.map { $0.parameters.map(\.value) }).count == 16)
        // Proportions: the spread of height/width and depth/width over the 16 shapes.
        let ratios = shapes.map { s -> SIMD2<Float> in let e = s.mesh.bounds.extent; return [e.y / e.x, e.z / e.x] }
        let lo = ratios.reduce(SIMD2(repeating: .infinity)) { pointwiseMin($0, $1) }
        let hi = ratios.reduce(SIMD2(repeating: -.infinity)) { pointwiseMax($0, $1) }
        #expect(((hi - lo) / hi).max() > 0.25, "\(c): aspect ratios \(lo) … \(hi) barely vary")
        // No near-copies: every pair is farther apart than a small Chamfer threshold, and the
        // median pair is clearly different.
        let clouds = shapes.enumerated().map { $0.element.mesh.sampleSurface(count: 256, seed: UInt64($0.offset)).points }
        var d = [Float]()
        for i in 0..<16 { for j in (i + 1)..<16 { d.append(chamfer(clouds[i], clouds[j])) } }
        d.sort()
        #expect(d[0] > 0.01, "\(c): two shapes are near-copies (CD \(d[0]))")
        #expect(d[d.count / 2] > 0.04, "\(c): median pairwise CD \(d[d.count / 2])")
    }

    @Test("every discrete variant value occurs within 24 shapes", arguments: SynthCategory.allCases)
    func variantsOccur(_ c: SynthCategory) {
        var seen = [String: Set<String>]()
        for i in 0..<24 {
            for v in ShapeSynthesizer.make(c, seed: 5, index: i).variants { seen[v.name, default: []].insert(v.value) }
        }
        let expected: [String: Set<String>]
        switch c {
        case .chair: expected = ["base": ["legs", "swivel", "sled"], "back": ["solid", "slats", "rails"], "arms": ["none", "arms"],
                                  "seat": ["square", "rounded", "round"], "legs": ["round", "square"], "stretchers": ["none", "H"]]
        case .table: expected = ["support": ["legs", "pedestal", "trestle"], "top": ["rectangular", "round", "oval"], "shelf": ["none", "shelf"],
                                  "legs": ["square", "round", "tapered"], "apron": ["none", "apron"], "foot": ["disc", "cross"]]
        case .airplane: expected = ["wing": ["straight", "swept", "delta"], "engines": ["0", "1", "2"], "tail": ["conventional", "T-tail"],
                                     "mount": ["low", "mid", "high"]]
        case .car: expected = ["body": ["sedan", "hatchback", "pickup", "suv"], "spoiler": ["none", "spoiler"], "mirrors": ["none", "mirrors"]]
        case .lamp: expected = ["base": ["disc", "square", "tripod"], "arm": ["straight", "angled", "gooseneck"], "shade": ["cone", "drum", "dome"]]
        case .mug: expected = ["body": ["cylinder", "tapered", "barrel", "flared"], "handle": ["round", "square", "ear"], "rim": ["plain", "lip"]]
        }
        #expect(seen == expected)
    }

    @Test("each category has at least six continuous parameters", arguments: SynthCategory.allCases)
    func parameterCount(_ c: SynthCategory) {
        #expect(ShapeSynthesizer.make(c, seed: 0, index: 0).parameters.count >= 6)
    }

    @Test("orientation follows ShapeNet v2: +Y up, −Z front", arguments: SynthCategory.allCases)
    func orientation(_ c: SynthCategory) {
        for i in 0..<6 {
            let s = ShapeSynthesizer.make(c, seed: 9, index: i)
            func centre(_ name: String) -> Vec3 {
                let ps = s.parts.filter { $0.name == name }.flatMap(\.mesh.positions)
                return ps.reduce(.zero, +) / Float(ps.count)
            }
            switch c {
            case .chair: #expect(centre("seat").z < s.parts.first { $0.name.hasPrefix("back") }!.mesh.bounds.center.z)
            case .table: #expect(s.parts.first { $0.name == "top" }!.mesh.bounds.max.y == s.mesh.bounds.max.y)
            case .airplane:
                #expect(centre("fin").z > centre("wing").z)            // tail behind the wing
                #expect(centre("fin").y > centre("fuselage").y)        // fin on top
                // The nose (−Z) is the front-most point: no wing, engine or tail sticks out ahead of it.
                #expect(s.parts.first { $0.name == "fuselage" }!.mesh.bounds.min.z == s.mesh.bounds.min.z)
            case .car:
                #expect(centre("cabin").y > centre("body").y)
                let body = s.parts.first { $0.name == "body" }!.mesh
                let front = body.positions.filter { $0.z < body.bounds.min.z + 0.02 }.map(\.y).max()!
                #expect(front < body.bounds.max.y)                     // the nose drops at −Z
            case .lamp: #expect(centre("shade").y > s.parts[0].mesh.bounds.center.y)
            case .mug: #expect(centre("handle").x > 0.1)
            }
        }
    }

    @Test("model ids are 32 hex digits, stable, and distinct across categories, seeds and indices")
    func modelIds() {
        var ids = Set<String>()
        for c in SynthCategory.allCases { for seed: UInt64 in [0, 1, 12345] { for i in 0..<50 {
            let id = ModelID.make(category: c, seed: seed, index: i)
            #expect(ModelID.isValid(id))
            ids.insert(id)
        } } }
        #expect(ids.count == 6 * 3 * 50)
        #expect(ModelID.make(category: .chair, seed: 0, index: 0) == ModelID.make(category: .chair, seed: 0, index: 0))
    }

    @Test("category names, synonyms and synset ids parse; unknown names are a typed error")
    func categoryParsing() throws {
        #expect(try SynthCategory.parseList("mug, Chair,03001627,aeroplane") == [.chair, .airplane, .mug])
        #expect(SynthCategory(name: "automobile") == .car)
        #expect(throws: DatasetError.unknownCategory("sofa", known: SynthCategory.allCases.map(\.rawValue))) {
            try SynthCategory.parseList("chair,sofa")
        }
        #expect(throws: DatasetError.self) { try SynthCategory.parseList(" , ") }
        for c in SynthCategory.allCases { #expect(ShapeNetSynsets.name(of: c.synsetId) == c.rawValue) }
    }
}
