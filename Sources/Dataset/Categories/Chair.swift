import Foundation
import Geometry

/// Chairs (ShapeNet 03001627), in metres before normalization; seat centre above the origin,
/// the sitter facing −Z, the back towards +Z.
///
/// Variants: `base` legs / swivel (gas column, five spokes, casters) / sled (two bent runners);
/// `back` solid / slats (vertical) / rails (horizontal); `arms` none / arms; `seat` square /
/// rounded / round; for legs, `legs` round / square and `stretchers` none / H.
/// Continuous (11): seat width, depth, height, thickness, back height, back tilt, back thickness,
/// leg thickness, leg splay, arm height, slat count.
enum ChairModel {
    enum Base: String, CaseIterable { case legs, swivel, sled }
    enum Back: String, CaseIterable { case solid, slats, rails }
    enum Arms: String, CaseIterable { case none, arms }
    enum Seat: String, CaseIterable { case square, rounded, round }
    enum Legs: String, CaseIterable { case round, square }
    enum Stretchers: String, CaseIterable { case none, h = "H" }
    static func build(_ p: inout ParameterSampler) -> [SynthPart] {
        let base = p.choice("base", Base.self, stratified: true)
        let back = p.choice("back", Back.self)
        let arms = p.choice("arms", Arms.self) == .arms
        let seat = p.choice("seat", Seat.self)
        let w = p.uniform("seat_width", 0.40, 0.62)
        let d = p.uniform("seat_depth", 0.38, 0.56)
        let sh = p.uniform("seat_height", 0.38, 0.52)
        let st = p.uniform("seat_thickness", 0.025, 0.09)
        let bh = p.uniform("back_height", 0.28, 0.62)
        let tilt = p.uniform("back_tilt", 0.0, 0.32)
        let bt = p.uniform("back_thickness", 0.02, 0.06)
        let lt = p.uniform("leg_thickness", 0.022, 0.055)
        let splay = p.uniform("leg_splay", 0.0, 0.07)
        let armH = p.uniform("arm_height", 0.16, 0.26)
        let slats = p.integer("slat_count", 2, 6)

        var a = PartAssembly(estimatedDiagonal: length(Vec3(w + 2 * splay, sh + bh, d + bh * sinf(tilt))))
        let seatTop = sh, seatMid = sh - st / 2

        // Seat.
        switch seat {
        case .round:
            a.ellipticCylinder("seat", radii: [w / 2, d / 2], height: st, center: [0, seatMid, 0])
        case .rounded:
            a.box("seat", size: [w, st, d], center: [0, seatMid, 0], bevel: 0.45 * st)
        case .square:
            a.box("seat", size: [w, st, d], center: [0, seatMid, 0], bevel: 0.004)
        }

        // Back, built upright in a frame pivoting about the seat's rear edge, then tilted (+Z).
        let pivot = Vec3(0, seatTop - st, d / 2 - bt / 2)
        let rot = Rotation3.aboutX(tilt)
        func place(_ c: Vec3) -> Vec3 { rot.apply(c) + pivot }
        let backBottom: Float = 0, backTop = bh + st
        switch back {
        case .solid:
            a.box("back", size: [w * 0.98, backTop - backBottom, bt], center: place([0, (backTop + backBottom) / 2, 0]), bevel: 0.3 * bt, rotation: rot)
        case .slats, .rails:
            let post = max(lt, 0.03)
            for s: Float in [-1, 1] {
                a.box("back_post", size: [post, backTop, bt], center: place([s * (w / 2 - post / 2), backTop / 2, 0]), bevel: 0.002, rotation: rot)
            }
            let railH = max(0.05, 0.14 * bh)
            a.box("back_top_rail", size: [w, railH, bt], center: place([0, backTop - railH / 2, 0]), bevel: 0.3 * min(railH, bt), rotation: rot)
            let inner = w - 2 * post
            if back == .slats {
                let sw = min(inner / Float(slats) * 0.55, 0.07)
                for k in 0..<slats {
                    let x = -inner / 2 + inner * (Float(k) + 0.5) / Float(slats)
                    a.box("back_slat", size: [sw, backTop - railH, bt * 0.6], center: place([x, (backTop - railH) / 2 + st / 2, 0]), rotation: rot)
                }
            } else {
                let n = max(1, slats / 2)
                for k in 0..<n {
                    let y = st + (backTop - railH - st) * (Float(k) + 0.6) / Float(n + 1)
                    a.box("back_rail", size: [w, railH * 0.6, bt * 0.7], center: place([0, y, 0]), rotation: rot)
                }
            }
        }

        // Base.
        switch base {
        case .swivel:
            let colR = max(0.022, lt * 0.6)
            let hub: Float = 0.09
            a.cylinder("gas_column", from: [0, hub, 0], to: [0, seatMid, 0], radius: colR)
            a.cylinder("column_sleeve", from: [0, 0.05, 0], to: [0, hub + 0.12, 0], radius: colR * 1.5)
            a.box("seat_mechanism", size: [min(0.2, w * 0.5), 0.05, min(0.2, d * 0.5)], center: [0, seatTop - st - 0.02, 0], bevel: 0.005)
            let reach = max(w, d) * 0.62
            for k in 0..<5 {
                let ang = 2 * Float.pi * Float(k) / 5 + Float.pi / 2
                let dir = Vec3(cosf(ang), 0, -sinf(ang))
                let end = dir * reach + Vec3(0, 0.05, 0)
                a.beam("spoke", from: [0, hub - 0.02, 0], to: end, width: max(lt, 0.035), height: max(lt, 0.03))
                a.ellipsoid("caster", radii: [0.022, 0.025, 0.025], center: end + Vec3(0, -0.025, 0))
            }
        case .sled:
            let x = w / 2 - max(lt, 0.025)
            let r = max(lt / 2, 0.012)
            for s: Float in [-1, 1] {
                let path: [Vec3] = [
                    [s * x, seatMid, -d / 2 + 0.06], [s * (x + splay), r, -d / 2 - 0.02 - splay],
                    [s * (x + splay), r, d / 2 + splay], [s * x, seatMid, d / 2 - 0.08],
                ]
                a.tube("runner", path: path, radius: r)
            }
        case .legs:
            let square = p.choice("legs", Legs.self) == .square
            let stretch = p.choice("stretchers", Stretchers.self) == .h
            let inset = lt * 0.8
            var feet = [Vec3]()
            for sx: Float in [-1, 1] { for sz: Float in [-1, 1] {
                let top = Vec3(sx * (w / 2 - inset), seatMid, sz * (d / 2 - inset))
                let foot = Vec3(sx * (w / 2 - inset + splay), 0, sz * (d / 2 - inset + splay))
                feet.append(foot)
                if square { a.beam("leg", from: foot, to: top, width: lt, height: lt) }
                else { a.cylinder("leg", from: foot, to: top, radius: lt / 2, topRadius: lt / 2 * 1.1) }
            } }
            if stretch {
                // Legs interpolated at 30 % height.
                func at(_ i: Int) -> Vec3 { let f = feet[i]; let top = Vec3(f.x - (f.x > 0 ? splay : -splay), seatMid, f.z - (f.z > 0 ? splay : -splay)); return f + (top - f) * 0.3 }
                a.beam("stretcher", from: at(0), to: at(1), width: lt * 0.6, height: lt * 0.6)
                a.beam("stretcher", from: at(2), to: at(3), width: lt * 0.6, height: lt * 0.6)
                a.beam("stretcher", from: (at(0) + at(1)) / 2, to: (at(2) + at(3)) / 2, width: lt * 0.6, height: lt * 0.6)
            }
        }

        // Arms.
        if arms {
            let aw: Float = 0.055, at: Float = 0.03
            for s: Float in [-1, 1] {
                let x = s * (w / 2 + aw / 2 - 0.01)
                a.box("armrest", size: [aw, at, d * 0.85], center: [x, seatTop + armH, -d * 0.05], bevel: 0.012)
                a.cylinder("arm_support", from: [x, seatMid, -d / 2 + 0.07], to: [x, seatTop + armH, -d / 2 + 0.07], radius: max(lt, 0.03) / 2)
            }
        }
        return a.parts
    }
}
