import Foundation
import Geometry

/// Cars (ShapeNet 02958343), metres before normalization: front towards −Z, ground at y = 0.
///
/// The lower body and the cabin are lofts of rounded sections along Z (the windscreen and rear
/// window slopes come from interpolating between a low and a full-height section); wheels are
/// cylinders with hubs, all overlapping the body.
/// Variants: `body` sedan / hatchback / pickup / suv; `spoiler` none / spoiler; `mirrors` none /
/// mirrors.
/// Continuous (11): length, width, ground clearance, body height, cabin height, wheel radius,
/// tyre width, wheelbase, hood length, windscreen rake, roof taper, nose drop.
enum CarModel {
    enum Body: String, CaseIterable { case sedan, hatchback, pickup, suv }
    enum Spoiler: String, CaseIterable { case none, spoiler }
    enum Mirrors: String, CaseIterable { case none, mirrors }
    static func build(_ p: inout ParameterSampler) -> [SynthPart] {
        let body = p.choice("body", Body.self, stratified: true)
        let spoiler = p.choice("spoiler", Spoiler.self) == .spoiler
        let mirrors = p.choice("mirrors", Mirrors.self) == .mirrors
        let L = p.uniform("length", 3.8, 5.3)
        let W = p.uniform("width", 1.65, 2.0)
        var clearance = p.uniform("ground_clearance", 0.12, 0.22)
        let bodyH = p.uniform("body_height", 0.45, 0.68)
        var cabinH = p.uniform("cabin_height", 0.38, 0.6)
        var wheelR = p.uniform("wheel_radius", 0.28, 0.4)
        let tyreW = p.uniform("tyre_width", 0.18, 0.3)
        let wheelbase = p.uniform("wheelbase", 0.55, 0.66) * L
        let hood = p.uniform("hood_length", 0.2, 0.32) * L
        let rake = p.uniform("windscreen_rake", 0.1, 0.2) * L
        let roofTaper = p.uniform("roof_taper", 0.7, 0.9)
        let noseDrop = p.uniform("nose_drop", 0.05, 0.25)
        if body == .suv || body == .pickup { clearance += 0.08; wheelR += 0.04; cabinH += 0.12 }

        var a = PartAssembly(estimatedDiagonal: length(Vec3(L, clearance + bodyH + cabinH, W)))
        let bodyTop = clearance + bodyH

        // Lower body.
        let rr = Shapes2D.roundedRect(halfWidth: 1, halfHeight: 1, corner: 0.35, perCorner: 4)
        func bodySection(_ z: Float, _ wf: Float, _ bottomUp: Float, _ topDown: Float) -> [Vec3] {
            let hw = W / 2 * wf
            let y0 = clearance + bottomUp * bodyH, y1 = bodyTop - topDown * bodyH
            return rr.map { q in Vec3(q.x * hw, y0 + (q.y + 1) / 2 * (y1 - y0), z) }
        }
        let rearDrop: Float = body == .pickup ? 0.02 : 0.1
        a.loft("body", sections: [
            bodySection(-L / 2, 0.84, 0.18, noseDrop + 0.08),
            bodySection(-L / 2 + 0.04 * L, 0.95, 0.05, noseDrop * 0.7),
            bodySection(-L / 2 + 0.14 * L, 1, 0, noseDrop * 0.25),
            bodySection(-L / 2 + hood, 1, 0, 0),
            bodySection(L / 2 - 0.1 * L, 1, 0, 0),
            bodySection(L / 2 - 0.03 * L, 0.96, 0.04, rearDrop * 0.5),
            bodySection(L / 2, 0.88, 0.15, rearDrop),
        ], thickness: bodyH * 0.7)

        // Cabin: a rounded trapezoid section whose height follows the side profile.
        let cabinBottom = bodyTop - max(0.08, 2 * a.floor)
        let wb = W / 2 * 0.9, wt = wb * roofTaper
        func cabinSection(_ z: Float, _ hf: Float) -> [Vec3] {
            let top = bodyTop + max(hf * cabinH, a.floor)
            return rr.map { q in
                let f = (q.y + 1) / 2
                return Vec3(q.x * (wb + (wt - wb) * f), cabinBottom + f * (top - cabinBottom), z)
            }
        }
        let zA = -L / 2 + hood, zB = zA + rake
        var stations: [(Float, Float)] = [(zA, 0), (zB, 1)]
        switch body {
        case .sedan:
            let zD = L / 2 - 0.14 * L, zC = min(zB + 0.3 * L, zD - 0.12 * L)
            stations += [(zC, 1), (zD, 0)]
        case .hatchback:
            stations += [(L / 2 - 0.1 * L, 1), (L / 2 - 0.015 * L, 0.45)]
        case .suv:
            stations += [(L / 2 - 0.05 * L, 1), (L / 2 - 0.01 * L, 0.85)]
        case .pickup: // short cab, then an open bed.
            let zC = zB + 0.17 * L
            stations += [(zC, 1), (zC + 0.03 * L, 0.92)]
            let bedStart = zC + 0.03 * L, bedEnd = L / 2 - 0.005 * L
            let wall = max(0.05, a.floor), bedH = 0.28 * cabinH
            for s: Float in [-1, 1] {
                a.box("bed_side", size: [wall, bedH, bedEnd - bedStart], center: [s * (W / 2 - wall / 2), bodyTop + bedH / 2 - 0.01, (bedStart + bedEnd) / 2])
            }
            a.box("tailgate", size: [W, bedH, wall], center: [0, bodyTop + bedH / 2 - 0.01, bedEnd - wall / 2])
        }
        a.loft("cabin", sections: stations.map { cabinSection($0.0, $0.1) }, thickness: max(0.08, 2 * a.floor))

        // Wheels and hubs.
        for sx: Float in [-1, 1] { for sz: Float in [-1, 1] {
            let z = sz * wheelbase / 2 + 0.02 * L
            a.cylinder("tyre", from: [sx * (W / 2 - tyreW), wheelR, z], to: [sx * (W / 2 + 0.01), wheelR, z], radius: wheelR, segments: 32)
            a.cylinder("hub", from: [sx * (W / 2 - 0.03), wheelR, z], to: [sx * (W / 2 + 0.035), wheelR, z], radius: wheelR * 0.6, segments: 24)
        } }

        if spoiler {
            let rearZ = L / 2 - 0.06 * L
            let lift: Float = body == .hatchback ? 0.72 * cabinH : (body == .suv ? 0.93 * cabinH : 0)
            let y = bodyTop + lift + 0.1
            a.box("spoiler_wing", size: [W * 0.85, max(0.04, a.floor), 0.22], center: [0, y, rearZ + 0.05], bevel: 0.01)
            for s: Float in [-1, 1] {
                a.box("spoiler_post", size: [max(0.05, a.floor), 0.14, 0.1], center: [s * W * 0.3, y - 0.06, rearZ + 0.05])
            }
        }
        if mirrors {
            for s: Float in [-1, 1] {
                a.box("mirror", size: [0.16, 0.1, max(0.07, a.floor)], center: [s * (W / 2 + 0.05), bodyTop + 0.08, zA + rake * 0.35], bevel: 0.02)
            }
        }
        return a.parts
    }
}
