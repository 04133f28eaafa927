import Testing
import Geometry
@testable import Metrics

@Suite("Volumetric IoU")
struct VolumetricIoUTests {
    @Test("occupancy IoU counts intersection over union; an empty union counts as agreement")
    func occupancies() throws {
        #expect(try VolumetricIoU.compute([true, true, false, false], [true, false, true, false]) == 1.0 / 3)
        #expect(try VolumetricIoU.compute([false, false], [false, false]) == 1)
        #expect(try VolumetricIoU.compute([true, false], [false, true]) == 0)
        #expect(throws: MetricsError.self) { try VolumetricIoU.compute([true], [true, false]) }
        #expect(throws: MetricsError.self) { try VolumetricIoU.compute([], []) }
    }

    @Test("a mesh with itself scores 1")
    func selfIoU() throws {
        let torus = TriangleMesh.torus(major: 0.3, minor: 0.12, majorSegments: 24, minorSegments: 12)
        #expect(try VolumetricIoU.compute(torus, torus, count: 20_000, seed: 3, occupancy: meshOccupancy) == 1)
    }

    @Test("two unit cubes offset by half a side: IoU = 1/3 within 1%")
    func offsetCubes() throws {
        let a = TriangleMesh.box(size: Vec3(1, 1, 1))
        let b = TriangleMesh.box(size: Vec3(1, 1, 1), center: Vec3(0.5, 0, 0))
        let iou = try VolumetricIoU.compute(a, b, count: 200_000, seed: 5, occupancy: meshOccupancy)
        #expect(abs(iou - 1.0 / 3) < 0.01 / 3)
        // Disjoint cubes: 0.
        let c = TriangleMesh.box(size: Vec3(1, 1, 1), center: Vec3(2, 0, 0))
        #expect(try VolumetricIoU.compute(a, c, count: 20_000, seed: 5, occupancy: meshOccupancy) == 0)
    }

    @Test("uniform points are seeded, inside the box, and fill it evenly")
    func uniformPoints() {
        let box = AABB(min: Vec3(-1, 0, 2), max: Vec3(1, 0.5, 3))
        let p = VolumetricIoU.uniformPoints(in: box, count: 50_000, seed: 9)
        #expect(p == VolumetricIoU.uniformPoints(in: box, count: 50_000, seed: 9))
        #expect(p.allSatisfy { box.contains($0) })
        let left = p.filter { $0.x < 0 }.count
        #expect(abs(Double(left) / 50_000 - 0.5) < 0.01)
    }

    @Test("empty meshes are typed errors")
    func emptyMesh() {
        let a = TriangleMesh.box(size: Vec3(1, 1, 1))
        #expect(throws: MetricsError.emptyMesh(role: "reference")) {
            try VolumetricIoU.compute(a, TriangleMesh(), occupancy: meshOccupancy)
        }
    }
}
