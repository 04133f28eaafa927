import Foundation
import Geometry

/// Lamps (ShapeNet 03636649), metres before normalization: standing on y = 0, arms reaching
/// towards −Z (the front), shades open at the bottom.
///
/// Variants: `base` disc / square / tripod; `arm` straight / angled (pole, elbow joint, arm) /
/// gooseneck (a curved tube); `shade` cone / drum / dome (thin shells of revolution, open).
/// Continuous (10): height, base size, base thickness, pole radius, shade radius, shade top
/// ratio, shade height, shade wall, arm angle, arm reach.
enum LampModel {
    enum Base: String, CaseIterable { case disc, square, tripod }
    enum Arm: String, CaseIterable { case straight, angled, gooseneck }
    enum Shade: String, CaseIterable { case cone, drum, dome }
    static func build(_ p: inout ParameterSampler) -> [SynthPart] {
        let base = p.choice("base", Base.self, stratified: true)
        let arm = p.choice("arm", Arm.self)
        let shade = p.choice("shade", Shade.self)
        let H = p.uniform("height", 0.4, 1.6)
        let baseR = p.uniform("base_size", 0.1, 0.2) * H
        let baseT = p.uniform("base_thickness", 0.02, 0.05) * H
        let poleR = p.uniform("pole_radius", 0.008, 0.018) * H
        let shadeR = p.uniform("shade_radius", 0.12, 0.26) * H
        let topRatio = p.uniform("shade_top_ratio", 0.35, 1.0)
        let shadeH = p.uniform("shade_height", 0.14, 0.3) * H
        let wallF = p.uniform("shade_wall", 0.012, 0.03)
        let armAngle = p.uniform("arm_angle", 0.35, 1.1)
        let reach = p.uniform("arm_reach", 0.18, 0.4) * H

        let sideways: Float = arm == .straight ? 0 : reach
        var a = PartAssembly(estimatedDiagonal: length(Vec3(2 * max(shadeR, baseR), H, max(2 * baseR, sideways + shadeR + baseR))))
        let wall = a.t(wallF * shadeR)

        // Base.
        switch base {
        case .square:
            a.box("base", size: [2 * baseR, baseT, 2 * baseR], center: [0, baseT / 2, 0], bevel: 0.3 * baseT)
        case .tripod:
            let apex = Vec3(0, H * 0.32, 0)
            for k in 0..<3 {
                let ang = 2 * Float.pi * Float(k) / 3 + .pi / 2
                let foot = Vec3(baseR * 1.4 * cosf(ang), 0, -baseR * 1.4 * sinf(ang))
                a.cylinder("tripod_leg", from: foot, to: apex + Vec3(0, 0.02 * H, 0), radius: poleR * 1.1, topRadius: poleR * 0.9, segments: 16)
            }
            a.sphere("tripod_hub", radius: poleR * 1.8, center: apex)
        case .disc:
            a.cylinder("base", from: [0, 0, 0], to: [0, baseT, 0], radius: baseR, topRadius: baseR * 0.8, segments: 48)
        }

        // Arm, ending at the shade's top centre `hang`.
        var hang: Vec3
        let poleBottom: Float = base == .tripod ? H * 0.32 : baseT * 0.5
        switch arm {
        case .angled:
            let elbow = Vec3(0, H - shadeH - reach * cosf(armAngle) * 0.5, 0)
            a.cylinder("pole", from: [0, poleBottom, 0], to: elbow, radius: poleR, segments: 16)
            a.sphere("elbow", radius: poleR * 1.9, center: elbow)
            let end = elbow + Vec3(0, reach * cosf(armAngle) * 0.5, -reach * sinf(armAngle))
            a.cylinder("arm", from: elbow, to: end, radius: poleR * 0.85, segments: 16)
            a.sphere("shade_joint", radius: poleR * 1.5, center: end)
            hang = end
        case .gooseneck:
            // Quadratic Bézier from the top of the pole, up and over towards −Z, ending downwards.
            let p0 = Vec3(0, H * 0.55, 0), p1 = Vec3(0, H * 0.95 + 0.1 * H, -reach * 0.2), p2 = Vec3(0, H - shadeH * 0.1, -reach)
            a.cylinder("pole", from: [0, poleBottom, 0], to: p0 + Vec3(0, 0.01 * H, 0), radius: poleR, segments: 16)
            var path = [Vec3]()
            for k in 0...12 {
                let t = Float(k) / 12
                path.append((1 - t) * (1 - t) * p0 + 2 * (1 - t) * t * p1 + t * t * p2)
            }
            path.append(p2 + Vec3(0, -shadeH * 0.15, -reach * 0.02))
            a.tube("gooseneck", path: path, radius: poleR * 0.8, sides: 12)
            hang = path.last!
        case .straight:
            hang = Vec3(0, H - shadeH * 0.15, 0)
            a.cylinder("pole", from: [0, poleBottom, 0], to: hang, radius: poleR, segments: 16)
        }
        a.sphere("bulb", radius: min(shadeR * 0.35, 0.06 * H), center: hang - Vec3(0, shadeH * 0.45, 0))
        a.cylinder("socket", from: hang, to: hang - Vec3(0, shadeH * 0.3, 0), radius: poleR * 1.6, segments: 16)

        // Shade: an open shell of revolution hanging from `hang`, its top at hang.y + 0.15·height.
        let topY = shadeH * 0.15, botY = topY - shadeH
        let rTop = max(shadeR * topRatio, 2 * wall + poleR * 2)
        var outer = [SIMD2<Float>]()   // (r, y) from the bottom rim up to the top rim
        switch shade {
        case .dome:
            for k in 0...8 {
                let th = Float(k) / 8 * (.pi / 2 - 0.35)
                outer.append([shadeR * cosf(th), botY + shadeH * sinf(th) / sinf(.pi / 2 - 0.35)])
            }
        case .drum:
            outer = [[shadeR, botY], [shadeR, topY]]
        case .cone:
            outer = [[shadeR, botY], [rTop, topY]]
        }
        // The wall: outer profile up, then the same profile moved inwards along its normal, down.
        let loop = outer + Shapes2D.offsetTowardsAxis(outer, by: wall).reversed()
        a.revolvedLoop("shade", loop: loop, center: hang, thickness: wall * 0.9, segments: 48)
        return a.parts
    }
}
