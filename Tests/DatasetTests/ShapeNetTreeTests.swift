import Foundation
import Testing
import TestSupport
@testable import Dataset

extension TemporaryDirectory {
    /// Writes `text` (a one-triangle OBJ by default) at `rel`, creating its folders.
    func write(_ rel: String, _ text: String = "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n") throws {
        let p = path + "/" + rel
        try FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: p, atomically: false, encoding: .utf8)
    }
    /// Creates the folder `rel` (and its parents).
    func dir(_ rel: String) throws { try FileManager.default.createDirectory(atPath: path + "/" + rel, withIntermediateDirectories: true) }
}

/// Model ids of the fixture trees, deliberately not created in sorted order.
let fixtureIds = ["f00d", "1a2b", "c3d4", "0001", "beef", "9999", "5e5e"]

@Suite("ShapeNet tree walker")
struct ShapeNetTreeTests {
    @Test("finds exactly the models of a v1 tree, sorted by synset then id")
    func v1Tree() throws {
        let t = try TemporaryDirectory("dataset"); defer { t.remove() }
        for s in ["04379243", "03001627"] { for id in fixtureIds { try t.write("\(s)/\(id)/model.obj") } }
        try t.write("03001627/notes.txt", "not a model folder")
        try t.dir("README_not_a_synset")
        let tree = try ShapeNetTree(root: t.path)
        #expect(tree.synsets == ["03001627", "04379243"])
        let list = try tree.enumerate()
        #expect(list.skipped.isEmpty)
        #expect(list.models.map { "\($0.synsetId)/\($0.modelId)" }
                == ["03001627", "04379243"].flatMap { s in fixtureIds.sorted().map { "\(s)/\($0)" } })
        #expect(list.models.allSatisfy { $0.layout == .v1 && $0.meshPath.hasSuffix("/model.obj") })
        #expect(list.models.first?.category == "chair")
    }

    @Test("finds exactly the models of a v2 tree and prefers v2 meshes; filters by name, synonym or id")
    func v2Tree() throws {
        let t = try TemporaryDirectory("dataset"); defer { t.remove() }
        for s in ["02691156", "03797390", "02958343"] { for id in fixtureIds { try t.write("\(s)/\(id)/models/model_normalized.obj") } }
        try t.write("02958343/beef/model.obj")   // both layouts: v2 wins
        let tree = try ShapeNetTree(root: t.path)
        let all = try tree.enumerate()
        #expect(all.models.count == 21 && all.skipped.isEmpty)
        #expect(all.models.allSatisfy { $0.layout == .v2 && $0.meshPath.hasSuffix("models/model_normalized.obj") })
        let some = try tree.enumerate(categories: ["Mug", "aeroplane"])
        #expect(Set(some.models.map(\.synsetId)) == ["02691156", "03797390"])
        #expect(some.models.count == 14)
        #expect(try tree.enumerate(categories: ["02958343"]).models.map(\.modelId) == fixtureIds.sorted())
    }

    @Test("a tree's own taxonomy.json names its categories")
    func taxonomyNames() throws {
        let t = try TemporaryDirectory("dataset"); defer { t.remove() }
        try t.write("12345678/aa/models/model_normalized.obj")
        let tax = ShapeNetTaxonomy(nodes: [.init(synsetId: "12345678", name: "widget,gizmo", numInstances: 1)])
        try tax.encoded().write(to: URL(fileURLWithPath: t.path + "/taxonomy.json"))
        let tree = try ShapeNetTree(root: t.path)
        #expect(try tree.enumerate(categories: ["gizmo"]).models.map(\.category) == ["widget"])
    }

    @Test("missing, empty or unreadable meshes are reported, skipped and counted; the rest is listed")
    func brokenModels() throws {
        let t = try TemporaryDirectory("dataset"); defer { t.remove() }
        for id in fixtureIds { try t.write("03636649/\(id)/models/model_normalized.obj") }
        try t.dir("03636649/zz_missing/models")
        try t.write("03636649/zz_empty/models/model_normalized.obj", "")
        try t.write("03636649/zz_locked/model.obj")
        chmod(t.path + "/03636649/zz_locked/model.obj", 0)
        let list = try ShapeNetTree(root: t.path).enumerate()
        let isRoot = getuid() == 0   // root can read a mode-000 file
        #expect(list.models.count == fixtureIds.count + (isRoot ? 1 : 0))
        #expect(list.skipped.count == (isRoot ? 2 : 3))
        #expect(list.skipped.map { ($0.folder as NSString).lastPathComponent }.sorted() == (isRoot ? ["zz_empty", "zz_missing"] : ["zz_empty", "zz_locked", "zz_missing"]))
        #expect(list.skipped.first { $0.folder.hasSuffix("zz_empty") }!.reason.contains("empty"))
        #expect(list.folderCount == fixtureIds.count + 3)
    }

    @Test("bad roots and categories are typed errors with a message")
    func badInput() throws {
        let t = try TemporaryDirectory("dataset"); defer { t.remove() }
        #expect(throws: DatasetError.noSuchDirectory(t.path + "/nope")) { try ShapeNetTree(root: t.path + "/nope") }
        try t.write("meshes/a.obj")
        #expect(throws: DatasetError.self) { try ShapeNetTree(root: t.path) }
        do { _ = try ShapeNetTree(root: t.path) } catch let e as DatasetError {
            guard case .notAShapeNetTree = e else { Issue.record("wrong error \(e)"); return }
            #expect(e.description.contains("not a ShapeNet tree"))
        }
        try t.write("03001627/x/model.obj")
        let tree = try ShapeNetTree(root: t.path)
        #expect(throws: DatasetError.self) { try tree.enumerate(categories: ["chiar"]) }
        do { _ = try tree.enumerate(categories: ["table"]) } catch let e as DatasetError {
            #expect(e == .categoryNotInTree(category: "table", synset: "04379243", root: tree.root))
        }
        try t.write("taxonomy.json", "{ not json")
        #expect(throws: DatasetError.unreadableTaxonomy(path: tree.root + "/taxonomy.json", reason: "not a JSON array of {synsetId, name, children, numInstances}")) {
            try ShapeNetTree(root: t.path)
        }
    }

    @Test("shards parse, reject out-of-range values, and partition the models: disjoint, complete, balanced",
          arguments: [1, 2, 3, 4, 7, 13, 50])
    func shards(_ n: Int) throws {
        let t = try TemporaryDirectory("dataset"); defer { t.remove() }
        for (k, s) in ["02691156", "03001627", "03797390"].enumerated() {
            for j in 0..<(5 + 4 * k) { try t.write("\(s)/m\(j * 7919 % 97)/models/model_normalized.obj") }
        }
        try t.dir("03001627/broken")   // broken folders take part in the split too
        let tree = try ShapeNetTree(root: t.path)
        let whole = try tree.enumerate()
        let shards = try (0..<n).map { try tree.enumerate(shard: ShapeNetShard(parsing: "\($0)/\(n)")) }
        let folders = shards.map { $0.models.map(\.folder) + $0.skipped.map(\.folder) }
        let union = folders.flatMap { $0 }
        #expect(union.count == Set(union).count)                                                  // disjoint
        #expect(Set(union) == Set(whole.models.map(\.folder) + whole.skipped.map(\.folder)))       // complete
        let sizes = folders.map(\.count)
        #expect(sizes.max()! - sizes.min()! <= 1)                                                  // balanced
        // Deterministic: the same shard twice gives the same list.
        #expect(try tree.enumerate(shard: ShapeNetShard(index: n - 1, count: n)).models == shards[n - 1].models)
    }

    @Test("shard text that is not i/n with 0 ≤ i < n is rejected")
    func shardParsing() throws {
        #expect(try ShapeNetShard(parsing: " 2 / 5 ") == ShapeNetShard(index: 2, count: 5))
        for bad in ["", "3", "1/", "a/b", "1/2/3"] { #expect(throws: DatasetError.invalidShard(bad)) { try ShapeNetShard(parsing: bad) } }
        for (i, n) in [(5, 5), (-1, 3), (0, 0), (7, 2)] {
            #expect(throws: DatasetError.shardOutOfRange(index: i, count: n)) { try ShapeNetShard(parsing: "\(i)/\(n)") }
        }
    }
}
