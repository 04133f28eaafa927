import Foundation
import Testing
@testable import Geometry

/// Checks shared by every primitive: closed, one component, consistently and outwardly oriented,
/// the expected Euler characteristic, and volume / area within `tol` (relative) of the analytic
/// values of the smooth shape (the meshes are inscribed, so they come out slightly below).
private func expectSolid(_ m: TriangleMesh, chi: Int = 2, volume: Double, area: Double, tol: Double,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(throws: Never.self, sourceLocation: sourceLocation) { try m.validate() }
    let t = MeshTopology(m)
    #expect(t.isWatertight, "boundary \(t.boundaryEdges), non-manifold \(t.nonManifoldEdges)", sourceLocation: sourceLocation)
    #expect(t.eulerCharacteristic == chi, sourceLocation: sourceLocation)
    #expect(t.inconsistentlyOrientedEdges == 0, sourceLocation: sourceLocation)
    #expect(t.components == 1, sourceLocation: sourceLocation)
    #expect(m.signedVolume > 0, sourceLocation: sourceLocation)
    #expect(abs(m.signedVolume - volume) / volume < tol, "volume \(m.signedVolume) vs \(volume)", sourceLocation: sourceLocation)
    #expect(abs(m.surfaceArea - area) / area < tol, "area \(m.surfaceArea) vs \(area)", sourceLocation: sourceLocation)
    // No degenerate (zero-area) faces.
    #expect((0..<m.faceCount).allSatisfy { m.faceArea($0) > 0 }, sourceLocation: sourceLocation)
}

/// Oracle for a polygonal profile revolved about Y into an S-gon-inscribed solid: exact volume
/// and area of the mesh (frustums of regular S-gonal pyramids), computed independently of the
/// builder. With S → ∞ the factors tend to π.
private func revolvedOracle(_ p: [SIMD2<Float>], segments s: Int) -> (volume: Double, area: Double) {
    let n = Double(s)
    let areaFactor = n / 2 * sin(2 * .pi / n)          // area of the unit-circumradius S-gon
    let apothem = cos(.pi / n)                           // its inradius
    let perimeter = 2 * n * sin(.pi / n)
    var vol = 0.0, area = 0.0
    for (a, b) in zip(p, p.dropFirst()) {
        let r0 = Double(a.x), r1 = Double(b.x), y0 = Double(a.y), y1 = Double(b.y)
        let h = y1 - y0
        vol += areaFactor * h / 3 * (r0 * r0 + r0 * r1 + r1 * r1)
        // Lateral faces are trapezoids: parallel sides chord·r0, chord·r1; slant height across
        // the apothems.
        let slant = ((r1 - r0) * (r1 - r0) * apothem * apothem + h * h).squareRoot()
        area += perimeter / 2 * (r0 + r1) * slant
    }
    area += areaFactor * Double(p.first!.x * p.first!.x) + areaFactor * Double(p.last!.x * p.last!.x)
    return (abs(vol), area)
}

@Suite("Closed primitive meshes")
struct PrimitivesTests {
    @Test("an icosphere is a closed outward sphere with the expected counts, volume and area")
    func icosphere() {
        let r: Float = 1.3
        let m = TriangleMesh.icosphere(subdivisions: 4, radius: r, center: [0.5, -2, 1])
        #expect(m.vertexCount == 10 * 256 + 2 && m.faceCount == 20 * 256)
        let rd = Double(r)
        expectSolid(m, volume: 4.0 / 3 * .pi * rd * rd * rd, area: 4 * .pi * rd * rd, tol: 0.01)
        #expect(m.positions.allSatisfy { abs(length($0 - [0.5, -2, 1]) - r) < 1e-5 })
        for n in 0...2 { expectSolid(.icosphere(subdivisions: n), volume: 4.0 / 3 * .pi, area: 4 * .pi, tol: 0.4) }
    }

    @Test("a plain box has volume xyz and area 2(xy+yz+zx) exactly")
    func plainBox() {
        let m = TriangleMesh.box(size: [1, 2, 3], center: [1, 1, 1])
        #expect(m.faceCount == 12)
        expectSolid(m, volume: 6, area: 22, tol: 1e-6)
        #expect(m.bounds == AABB(min: [0.5, 0, -0.5], max: [1.5, 2, 2.5]))
    }

    @Test("a bevelled box matches the volume and area of the rounded box, flat and at full bevel")
    func bevelledBox() {
        func analytic(_ s: Vec3, _ b: Float) -> (Double, Double) {
            let a = (s - 2 * b)
            let (x, y, z, bd) = (Double(a.x), Double(a.y), Double(a.z), Double(b))
            let v = x * y * z + 2 * bd * (x * y + y * z + z * x) + .pi * bd * bd * (x + y + z) + 4.0 / 3 * .pi * bd * bd * bd
            let ar = 2 * (x * y + y * z + z * x) + 2 * .pi * bd * (x + y + z) + 4 * .pi * bd * bd
            return (v, ar)
        }
        for (size, bevel) in [(Vec3(1, 0.6, 0.4), Float(0.08)), (Vec3(0.5, 0.05, 0.8), 0.025), (Vec3(1, 1, 1), 0.5)] {
            let m = TriangleMesh.box(size: size, bevel: bevel, bevelSegments: 8)
            let (v, a) = analytic(size, bevel)
            expectSolid(m, volume: v, area: a, tol: 0.02)
            #expect(abs(m.bounds.extent.x - size.x) < 1e-5 && abs(m.bounds.extent.y - size.y) < 1e-5)
        }
    }

    @Test("cylinders, frusta and cones are closed and match πr²h-type volumes and areas")
    func cylinders() {
        let s = 128
        let c = TriangleMesh.cylinder(radius: 0.3, height: 1.2, segments: s)
        expectSolid(c, volume: .pi * 0.09 * 1.2, area: 2 * .pi * 0.3 * 1.2 + 2 * .pi * 0.09, tol: 0.005)
        let (r0, r1, h) = (0.4, 0.1, 0.9)
        let f = TriangleMesh.cylinder(radius: Float(r0), topRadius: Float(r1), height: Float(h), segments: s)
        let slant = ((r0 - r1) * (r0 - r1) + h * h).squareRoot()
        expectSolid(f, volume: .pi * h / 3 * (r0 * r0 + r0 * r1 + r1 * r1),
                    area: .pi * (r0 + r1) * slant + .pi * (r0 * r0 + r1 * r1), tol: 0.005)
        let cone = TriangleMesh.cylinder(radius: 0.5, topRadius: 0, height: 1, segments: s)
        expectSolid(cone, volume: .pi * 0.25 / 3, area: .pi * 0.5 * (0.25 + 1).squareRoot() + .pi * 0.25, tol: 0.005)
        #expect(cone.bounds.max.y == 0.5)
        // A strut between two points: the right length and orientation.
        let a = Vec3(0.1, 0.2, 0.3), b = Vec3(-0.5, 0.9, 0.1)
        let strut = TriangleMesh.cylinder(from: a, to: b, radius: 0.05, segments: s)
        let l = Double(length(b - a))
        expectSolid(strut, volume: .pi * 0.0025 * l, area: 2 * .pi * 0.05 * l + 2 * .pi * 0.0025, tol: 0.005)
        // Cap centres sit on the two points.
        #expect(strut.positions.contains { length($0 - a) < 1e-5 } && strut.positions.contains { length($0 - b) < 1e-5 })
    }

    @Test("an ellipsoid has volume 4/3·πabc and Thomsen's area within 2%")
    func ellipsoid() {
        let (a, b, c) = (0.8, 0.3, 0.5)
        let m = TriangleMesh.ellipsoid(radii: [Float(a), Float(b), Float(c)], subdivisions: 4)
        let p = 1.6075
        let area = 4 * .pi * pow((pow(a * b, p) + pow(a * c, p) + pow(b * c, p)) / 3, 1 / p)
        expectSolid(m, volume: 4.0 / 3 * .pi * a * b * c, area: area, tol: 0.02)
    }

    @Test("a torus is closed with Euler characteristic 0, volume 2π²Rr² and area 4π²Rr")
    func torus() {
        let (R, r) = (0.7, 0.2)
        let m = TriangleMesh.torus(major: Float(R), minor: Float(r), majorSegments: 96, minorSegments: 48)
        expectSolid(m, chi: 0, volume: 2 * .pi * .pi * R * r * r, area: 4 * .pi * .pi * R * r, tol: 0.01)
    }

    @Test("a revolved profile is closed at poles and flat caps and matches the polygon-frustum oracle")
    func revolved() {
        // A vase: flat bottom, bulge, neck, lip, closed by a flat top.
        let vase: [SIMD2<Float>] = [[0.25, 0], [0.4, 0.2], [0.42, 0.4], [0.2, 0.7], [0.15, 0.8], [0.2, 0.9]]
        for s in [3, 7, 48] {
            let m = TriangleMesh.revolved(profile: vase, segments: s)
            let o = revolvedOracle(vase, segments: s)
            expectSolid(m, volume: o.volume, area: o.area, tol: 1e-4)
        }
        // Pole to pole (a spindle), listed top to bottom: orientation is still outward.
        let spindle: [SIMD2<Float>] = [[0, 1], [0.3, 0.5], [0, 0]]
        let m = TriangleMesh.revolved(profile: spindle, segments: 64)
        let o = revolvedOracle(spindle, segments: 64)
        expectSolid(m, volume: o.volume, area: o.area, tol: 1e-4)
        // A mug-like hollow wall: outer wall up, inner wall down, ending on the axis.
        let cup: [SIMD2<Float>] = [[0, 0], [0.4, 0], [0.4, 1], [0.35, 1], [0.35, 0.08], [0, 0.08]]
        let cm = TriangleMesh.revolved(profile: cup, segments: 64)
        let co = revolvedOracle(cup, segments: 64)
        expectSolid(cm, volume: co.volume, area: co.area, tol: 1e-3)
    }

    @Test("a straight sweep is a cylinder; a mitred L keeps πr²(L1+L2); a circular loop is a torus")
    func sweeps() {
        let s = 96
        let straight = TriangleMesh.sweep(path: [[0, 0, 0], [0, 0, 0.5], [0, 0, 1]], radius: 0.1, sides: s)
        expectSolid(straight, volume: .pi * 0.01, area: 2 * .pi * 0.1 + 2 * .pi * 0.01, tol: 0.005)
        let ell = TriangleMesh.sweep(path: [[0, 0, 0], [1, 0, 0], [1, 0.8, 0]], radius: 0.05, sides: s)
        expectSolid(ell, volume: .pi * 0.0025 * 1.8, area: 2 * .pi * 0.05 * 1.8 + 2 * .pi * 0.0025, tol: 0.01)
        // Tapered tube: a cone frustum along a slanted line.
        let taper = TriangleMesh.sweep(path: [[0, 0, 0], [0.3, 0.4, 0]], radius: 0, radii: [0.2, 0.1], sides: s)
        expectSolid(taper, volume: .pi * 0.5 / 3 * (0.04 + 0.02 + 0.01),
                    area: .pi * 0.3 * (0.01 + 0.25).squareRoot() + .pi * 0.05, tol: 0.005)
        // A closed loop on a circle of radius R (with a twist that the frames must absorb: tilted).
        let R: Float = 0.6, n = 128
        let path = (0..<n).map { i -> Vec3 in
            let a = 2 * Float.pi * Float(i) / Float(n)
            return Rotation3.aboutX(0.7).apply([R * cos(a), 0, R * sin(a)])
        }
        let loop = TriangleMesh.sweep(path: path, radius: 0.15, sides: 48, closed: true)
        let (Rd, r) = (0.6, 0.15)
        expectSolid(loop, chi: 0, volume: 2 * .pi * .pi * Rd * r * r, area: 4 * .pi * .pi * Rd * r, tol: 0.01)
        // A helix (non-planar path, a real torsion) with a rectangular section.
        let helix = (0...60).map { i -> Vec3 in
            let t = Float(i) / 60 * 4 * .pi
            return [0.5 * cos(t), 0.05 * t, 0.5 * sin(t)]
        }
        let rect: [SIMD2<Float>] = [[-0.04, -0.02], [0.04, -0.02], [0.04, 0.02], [-0.04, 0.02]]
        let h = TriangleMesh.sweep(path: helix, section: rect)
        let len = zip(helix, helix.dropFirst()).reduce(0.0) { $0 + Double(length($1.1 - $1.0)) }
        expectSolid(h, volume: 0.08 * 0.04 * len, area: 2 * (0.08 + 0.04) * len + 2 * 0.08 * 0.04, tol: 0.02)
    }

    @Test("placing a part by rotation and translation keeps it closed, outward and of equal volume")
    func placement() {
        let part = TriangleMesh.box(size: [0.3, 0.1, 0.6], bevel: 0.02)
        let r = Rotation3(axis: [1, 2, 3], angle: 1.1)
        let moved = part.transformed(rotation: r, translation: [1, -1, 2])
        #expect(abs(moved.signedVolume - part.signedVolume) < 1e-5)
        #expect(MeshTopology(moved) == MeshTopology(part))
        #expect(length(r.apply(r.inverse.apply([0.3, 0.2, 0.1])) - [0.3, 0.2, 0.1]) < 1e-6)
        let to = Rotation3(from: [0, 1, 0], to: [1, 1, 0])
        #expect(length(to.apply([0, 1, 0]) - normalize([1, 1, 0])) < 1e-6)
        #expect(length(Rotation3(from: [0, 1, 0], to: [0, -1, 0]).apply([0, 1, 0]) - [0, -1, 0]) < 1e-6)
        // Mirroring by a negative scale flips the faces so the volume stays positive.
        let mirrored = part.scaled(by: [-2, 1, 1])
        #expect(abs(mirrored.signedVolume - 2 * part.signedVolume) < 1e-5)
        #expect(MeshTopology(mirrored).inconsistentlyOrientedEdges == 0)
    }

    @Test("a loft between two parallel squares is a frustum of volume h/3·(A₀ + √(A₀A₁) + A₁), either order")
    func loft() {
        func square(_ a: Float, _ z: Float) -> [Vec3] { [[a, a, z], [-a, a, z], [-a, -a, z], [a, -a, z]] }
        // Square frustum: side 2 at z = 0, side 1 at z = 3 → V = 3/3·(4 + 2 + 1) = 7.
        let lateral = 4 * (2 + 1) / 2 * Double((9 + 0.25 as Float).squareRoot())
        expectSolid(.loft(sections: [square(1, 0), square(0.5, 3)]), volume: 7, area: 4 + 1 + lateral, tol: 1e-5)
        expectSolid(.loft(sections: [square(0.5, 3), square(1, 0)]), volume: 7, area: 4 + 1 + lateral, tol: 1e-5)
        // Three sections: a box of 2 × 2 × 4 split in the middle.
        expectSolid(.loft(sections: [square(1, 0), square(1, 2), square(1, 4)]), volume: 16, area: 8 + 32, tol: 1e-5)
    }

    @Test("a revolved loop is a closed genus-1 ring; a square loop gives the S-gonal washer's volume")
    func revolvedLoop() {
        // Square (r, y) loop [1, 2] × [0, 1]: washer volume = areaFactor·(R² − r²)·h.
        let s = 64
        let loop: [SIMD2<Float>] = [[1, 0], [2, 0], [2, 1], [1, 1]]
        let areaFactor = Double(s) / 2 * sin(2 * .pi / Double(s))
        let perimeter = 2 * Double(s) * sin(.pi / Double(s))
        let volume = areaFactor * (4 - 1)
        let area = 2 * areaFactor * (4 - 1) + perimeter * (2 + 1)
        expectSolid(.revolved(loop: loop, segments: s), chi: 0, volume: volume, area: area, tol: 1e-5)
        expectSolid(.revolved(loop: loop.reversed(), segments: s), chi: 0, volume: volume, area: area, tol: 1e-5)
    }
}

