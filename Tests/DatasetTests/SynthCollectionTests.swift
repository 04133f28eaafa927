import Foundation
import Testing
import TestSupport
import Geometry
import MeshIO
@testable import Dataset

@Suite("Writing the synthesized collection")
struct SynthCollectionTests {
    static func files(under root: String) -> [String: Data] {
        var out: [String: Data] = [:]
        let e = FileManager.default.enumerator(atPath: root)!
        while let rel = e.nextObject() as? String {
            var d: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + rel, isDirectory: &d), !d.boolValue {
                out[rel] = FileManager.default.contents(atPath: root + "/" + rel)
            }
        }
        return out
    }

    @Test("the same seed writes the same bytes, and the walker finds every model of every category")
    func deterministicAndComplete() throws {
        let a = try TemporaryDirectory("dataset"), b = try TemporaryDirectory("dataset"); defer { a.remove(); b.remove() }
        let cats: [SynthCategory] = [.mug, .table, .chair]
        let ra = try SynthCollection.write(root: a.path, categories: cats, perCategory: 2, seed: 7)
        _ = try SynthCollection.write(root: b.path, categories: cats, perCategory: 2, seed: 7)
        #expect(ra.written == 6 && ra.skipped == 0)
        let fa = Self.files(under: a.path), fb = Self.files(under: b.path)
        #expect(fa.count == 1 + 6 * 2)
        #expect(fa == fb)
        let listing = try ShapeNetTree(root: a.path).enumerate()
        #expect(listing.models.count == 6 && listing.skipped.isEmpty)
        #expect(Set(listing.models.map(\.synsetId)) == Set(cats.map(\.synsetId)))
        for c in cats {
            #expect(try ShapeNetTree(root: a.path).enumerate(categories: [c.rawValue]).models.count == 2)
        }
    }

    @Test("every written mesh loads back through assimp inside the ShapeNet v2 box, and its JSON matches it")
    func loadsBack() throws {
        let t = try TemporaryDirectory("dataset"); defer { t.remove() }
        _ = try SynthCollection.write(root: t.path, categories: SynthCategory.allCases, perCategory: 1, seed: 3)
        for m in try ShapeNetTree(root: t.path).enumerate().models {
            let mesh = try MeshLoader.load(path: m.meshPath).mesh
            #expect(mesh.faceCount > 100)
            let b = mesh.bounds
            #expect(b.min.isFinite && b.max.isFinite)
            #expect(abs(length(b.max - b.min) - 1) < 1e-3, "\(m.category): diagonal \(length(b.max - b.min))")
            #expect(length(b.center) < 1e-3)
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: m.folder + "/models/model_normalized.json"))) as! [String: Any]
            #expect(json["id"] as? String == m.modelId)
            let mn = (json["min"] as! [NSNumber]).map(\.floatValue), mx = (json["max"] as! [NSNumber]).map(\.floatValue)
            #expect(abs(mn[1] - b.min.y) < 1e-5 && abs(mx[0] - b.max.x) < 1e-5)
        }
    }

    @Test("a rerun skips complete models and rewrites one whose JSON is missing")
    func resumes() throws {
        let t = try TemporaryDirectory("dataset"); defer { t.remove() }
        _ = try SynthCollection.write(root: t.path, categories: [.lamp], perCategory: 3, seed: 1)
        let before = Self.files(under: t.path)
        let victim = try ShapeNetTree(root: t.path).enumerate().models[1]
        try FileManager.default.removeItem(atPath: victim.folder + "/models/model_normalized.json")
        let r = try SynthCollection.write(root: t.path, categories: [.lamp], perCategory: 3, seed: 1)
        #expect(r.written == 1 && r.skipped == 2)
        #expect(Self.files(under: t.path) == before)
    }

    @Test("a count below one is refused")
    func badOptions() throws {
        let t = try TemporaryDirectory("dataset"); defer { t.remove() }
        #expect(throws: DatasetError.self) { try SynthCollection.write(root: t.path, perCategory: 0, seed: 0) }
    }
}
