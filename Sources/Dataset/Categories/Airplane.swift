import Foundation
import Geometry

/// Airplanes (ShapeNet 02691156): nose towards −Z, span along X, up +Y; fuselage length ≈ 1.
///
/// Variants: `wing` straight / swept / delta; `engines` 0 / 1 / 2 per wing; `tail`
/// conventional / T-tail; `mount` low / mid / high wing.
/// Continuous (14): fuselage length and radius, nose length, tail-cone length, wing span, root
/// chord, taper ratio, sweep, dihedral, wing position, thickness ratio, tail span, fin height,
/// engine radius.
enum AirplaneModel {
    enum Wing: String, CaseIterable { case straight, swept, delta }
    enum Engines: String, CaseIterable {
        case none = "0", one = "1", two = "2"
        var perWing: Int { self == .none ? 0 : self == .one ? 1 : 2 }
    }
    enum Tail: String, CaseIterable { case conventional, tTail = "T-tail" }
    enum Mount: String, CaseIterable { case low, mid, high }
    static func build(_ p: inout ParameterSampler) -> [SynthPart] {
        let wing = p.choice("wing", Wing.self, stratified: true)
        let engines = p.choice("engines", Engines.self).perWing
        let tTail = p.choice("tail", Tail.self) == .tTail
        let mount = p.choice("mount", Mount.self)
        let L = p.uniform("fuselage_length", 0.8, 1.2)
        let fr = p.uniform("fuselage_radius", 0.035, 0.075) * L
        let nose = p.uniform("nose_length", 0.06, 0.18) * L
        let tailCone = p.uniform("tail_cone", 0.15, 0.32) * L
        var span = p.uniform("wing_span", 0.75, 1.25) * L
        var rootChord = p.uniform("root_chord", 0.12, 0.24) * L
        var taper = p.uniform("taper_ratio", 0.25, 0.7)
        var sweepDeg = p.uniform("sweep_deg", 0, 12)
        let dihedral = p.uniform("dihedral_deg", 0, 7) * .pi / 180
        let wingPos = p.uniform("wing_position", 0.36, 0.5)
        let tc = p.uniform("thickness_ratio", 0.08, 0.14)
        let tailSpanF = p.uniform("tail_span", 0.28, 0.45)
        let finH = p.uniform("fin_height", 0.1, 0.2) * L
        let er = p.uniform("engine_radius", 0.35, 0.6) * fr
        switch wing {
        case .swept: sweepDeg += 22
        case .delta: sweepDeg += 45; rootChord *= 2.2; taper *= 0.25; span *= 0.75
        case .straight: break
        }
        let sweep = sweepDeg * .pi / 180

        var a = PartAssembly(estimatedDiagonal: length(Vec3(span, finH + 2 * fr, L)))

        // Fuselage: revolved about Y from the tail (y = −L/2) to the nose pole (y = +L/2), then
        // turned so that +Y goes to −Z.
        var prof = [SIMD2<Float>]()
        let rTail = a.r(fr * 0.2)
        for k in 0...4 {
            let f = Float(k) / 4
            prof.append([rTail + (fr - rTail) * sinf(f * .pi / 2), -L / 2 + tailCone * f])
        }
        prof.append([fr, L / 2 - nose])
        for k in 1...7 {
            let th = Float(k) / 7 * .pi / 2
            prof.append([k == 7 ? 0 : fr * cosf(th), L / 2 - nose + nose * sinf(th)])
        }
        let toZ = Rotation3.aboutX(-.pi / 2)
        a.add("fuselage", TriangleMesh.revolved(profile: prof, segments: 32).transformed(rotation: toZ), thickness: 2 * rTail)

        // A lofted airfoil surface from `root` (leading edge) to `tip`, chord along +Z;
        // `thicknessAxis` is where the airfoil's thickness goes (Y for wings, X for the fin).
        func surface(_ name: String, root: Vec3, tip: Vec3, rootChord cr: Float, tipChord ct: Float, thicknessAxis: Vec3) {
            let minHalfAbs = 0.55 * a.floor
            func section(_ le: Vec3, _ c: Float) -> [Vec3] {
                Shapes2D.airfoil(tc: tc, minHalf: minHalfAbs / c).map { q in le + Vec3(0, 0, q.x * c) + thicknessAxis * (q.y * c) }
            }
            a.loft(name, sections: [section(root, cr), section(tip, ct)], thickness: 2 * minHalfAbs)
        }

        let yMount: Float = mount == .low ? -0.55 * fr : (mount == .high ? 0.6 * fr : 0)
        let zLE = -L / 2 + wingPos * L
        let tipChord = rootChord * taper
        let half = span / 2
        for s: Float in [-1, 1] {
            let tip = Vec3(s * half, yMount + half * tanf(dihedral), zLE + half * tanf(sweep))
            surface("wing", root: [0, yMount, zLE], tip: tip, rootChord: rootChord, tipChord: tipChord, thicknessAxis: [0, 1, 0])
            // Engines under the wing.
            let stations: [Float] = engines == 1 ? [0.36] : (engines == 2 ? [0.26, 0.55] : [])
            for eta in stations {
                let x = s * half * eta
                let wingY = yMount + half * eta * tanf(dihedral)
                let le = zLE + half * eta * tanf(sweep)
                let chordHere = rootChord + (tipChord - rootChord) * eta
                let el = max(0.11 * L, 4 * er)
                let c = Vec3(x, wingY - tc * chordHere * 0.5 - er * 1.25, le - el * 0.3)
                a.cylinder("nacelle", from: c - Vec3(0, 0, el / 2), to: c + Vec3(0, 0, el / 2), radius: er, topRadius: er * 0.75, segments: 20)
                a.box("pylon", size: [er * 0.3, wingY - c.y, min(el * 0.5, chordHere * 0.6)], center: [x, (wingY + c.y) / 2, le + chordHere * 0.3])
            }
        }

        // Tail: fin (thickness along X) and horizontal stabilizers.
        let finRoot = rootChord * 0.85 * (wing == .delta ? 0.45 : 1)
        let finTip = finRoot * 0.55
        let finSweep = sweep * 0.6 + 0.45
        let finLE = L / 2 - finRoot * 1.05
        let finBase = Vec3(0, fr * 0.4, finLE)
        let finTop = Vec3(0, fr + finH, finLE + (fr + finH - fr * 0.4) * tanf(finSweep))
        surface("fin", root: finBase, tip: finTop, rootChord: finRoot, tipChord: finTip, thicknessAxis: [1, 0, 0])
        if wing != .delta || tTail {
            let hs = span * tailSpanF / 2
            let hRoot = rootChord * 0.55, hTip = hRoot * 0.55
            let base: Vec3 = tTail ? Vec3(0, finTop.y - finTip * tc * 0.3, finTop.z + finTip * 0.05) : Vec3(0, fr * 0.25, L / 2 - hRoot * 1.15)
            let chordAt = tTail ? finTip * 0.95 : hRoot
            for s: Float in [-1, 1] {
                let tip = base + Vec3(s * hs, hs * 0.05, hs * tanf(sweep * 0.8 + 0.1))
                surface("stabilizer", root: base, tip: tip, rootChord: chordAt, tipChord: min(hTip, chordAt * 0.6), thicknessAxis: [0, 1, 0])
            }
        }
        return a.parts
    }
}
