import Foundation
import Geometry

/// Mugs (ShapeNet 03797390), metres before normalization: a surface of revolution about +Y (outer
/// wall up, inner wall down, a solid bottom), standing on y = 0, the handle on the +X side.
///
/// Variants: `body` cylinder / tapered / barrel / flared; `handle` round / square / ear;
/// `rim` plain / lip (a torus rolled on the rim).
/// Continuous (10): height, radius, taper, belly, flare, wall thickness, bottom thickness,
/// handle size, handle height, handle reach, handle thickness.
enum MugModel {
    enum Body: String, CaseIterable { case cylinder, tapered, barrel, flared }
    enum Handle: String, CaseIterable { case round, square, ear }
    enum Rim: String, CaseIterable { case plain, lip }
    static func build(_ p: inout ParameterSampler) -> [SynthPart] {
        let body = p.choice("body", Body.self, stratified: true)
        let handle = p.choice("handle", Handle.self)
        let lip = p.choice("rim", Rim.self) == .lip
        let H = p.uniform("height", 0.08, 0.13)
        let R = p.uniform("radius", 0.032, 0.055)
        let taperP = p.uniform("taper", 0.08, 0.3)
        let bellyP = p.uniform("belly", 0.06, 0.18)
        let flareP = p.uniform("flare", 0.08, 0.22)
        let wallP = p.uniform("wall", 0.003, 0.008)
        let bottomP = p.uniform("bottom", 0.005, 0.014)
        let handleSize = p.uniform("handle_size", 0.45, 0.7)
        let handleCenter = p.uniform("handle_height", 0.42, 0.58)
        let handleReach = p.uniform("handle_reach", 0.45, 0.9)
        let handleT = p.uniform("handle_thickness", 0.006, 0.012)

        let taper: Float = body == .tapered ? taperP : 0
        let belly: Float = body == .barrel ? bellyP : 0
        let flare: Float = body == .flared ? flareP : 0
        var a = PartAssembly(estimatedDiagonal: length(Vec3(2 * R * (1 + taper + belly) + handleReach * R, H, 2 * R)))
        let wall = a.t(wallP), bottom = a.t(bottomP)

        func radius(_ y: Float) -> Float {
            let f = y / H
            return R * (1 - taper / 2 + taper * f + belly * sinf(.pi * f) + flare * powf(f, 4))
        }
        let n = 16
        var outer = [SIMD2<Float>]()
        for k in 0...n { let y = H * Float(k) / Float(n); outer.append([radius(y), y]) }
        var inner = Shapes2D.offsetTowardsAxis(outer, by: wall).filter { $0.y > bottom + 1e-4 }
        inner.insert([inner.first!.x, bottom], at: 0)
        inner[inner.count - 1].y = H   // the rim is flat
        var profile: [SIMD2<Float>] = [[0, 0]] + outer + inner.reversed()
        profile.append([0, bottom])
        a.revolved("body", profile: profile, center: .zero, thickness: min(wall, bottom), segments: 48)

        if lip { a.torus("lip", major: radius(H) - wall / 2, minor: wall * 0.8, center: [0, H, 0]) }

        // Handle in the XY plane on the +X side, its ends buried in the wall.
        let yc = handleCenter * H
        let hh = min(handleSize * H / 2, min(yc - bottom, H - yc) - 0.06 * H)
        let ht = a.r(handleT / 2)
        let reach = handleReach * R
        var path = [Vec3]()
        switch handle {
        case .square:
            let x0 = radius(yc + hh) - wall / 2, x1 = radius(yc - hh) - wall / 2
            let xr = max(x0, x1) + reach, c = min(hh * 0.35, reach * 0.35)
            path = [[x0, yc + hh, 0], [xr - c, yc + hh, 0], [xr, yc + hh - c, 0], [xr, yc - hh + c, 0], [xr - c, yc - hh, 0], [x1, yc - hh, 0]]
            a.sweep("handle", path: path, section: Shapes2D.ellipse(ht * 1.5, ht, 12), thickness: 2 * ht, up: [0, 0, 1])
        case .round, .ear:
            let ear = handle == .ear
            let hy = ear ? hh * 0.7 : hh, rx = ear ? reach * 0.7 : reach
            let cy = ear ? yc + hh * 0.25 : yc
            let x0 = radius(cy) - wall / 2
            for k in 0...14 {
                let phi = Float.pi / 2 - Float.pi * Float(k) / 14
                path.append([x0 + rx * cosf(phi) + (ear ? rx * 0.3 * cosf(phi) * cosf(phi) : 0), cy + hy * sinf(phi), 0])
            }
            a.tube("handle", path: path, radius: ht, sides: 12)
        }
        return a.parts
    }
}
