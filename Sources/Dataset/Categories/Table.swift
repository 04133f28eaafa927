import Foundation
import Geometry

/// Tables (ShapeNet 04379243), metres before normalization; the long side along X, front −Z.
///
/// Variants: `support` legs / pedestal / trestle; `top` rectangular / round / oval; `shelf`
/// none / shelf; for legs `legs` square / round / tapered and `apron` none / apron; for a
/// pedestal `foot` disc / cross.
/// Continuous (9): width, depth ratio, height, top thickness, leg thickness, leg inset, apron
/// height, shelf height, edge bevel.
enum TableModel {
    enum Support: String, CaseIterable { case legs, pedestal, trestle }
    enum Top: String, CaseIterable { case rectangular, round, oval }
    enum Shelf: String, CaseIterable { case none, shelf }
    enum Foot: String, CaseIterable { case disc, cross }
    enum Legs: String, CaseIterable { case square, round, tapered }
    enum Apron: String, CaseIterable { case none, apron }
    static func build(_ p: inout ParameterSampler) -> [SynthPart] {
        let support = p.choice("support", Support.self, stratified: true)
        let topShape = p.choice("top", Top.self)
        let shelf = p.choice("shelf", Shelf.self) == .shelf
        let width = p.uniform("width", 0.7, 1.9)
        let ratio = p.uniform("depth_ratio", 0.45, 1.0)
        let height = p.uniform("height", 0.45, 0.95)
        let tt = p.uniform("top_thickness", 0.02, 0.07)
        let lt = p.uniform("leg_thickness", 0.035, 0.09)
        let insetF = p.uniform("leg_inset", 0.02, 0.14)
        let apronH = p.uniform("apron_height", 0.05, 0.12)
        let shelfF = p.uniform("shelf_height", 0.12, 0.35)
        let bevelF = p.uniform("edge_bevel", 0.0, 0.45)

        let W = width
        let D = topShape == .round ? width : width * ratio
        var a = PartAssembly(estimatedDiagonal: length(Vec3(W, height, D)))
        let topY = height - tt / 2
        switch topShape {
        case .rectangular:
            a.box("top", size: [W, tt, D], center: [0, topY, 0], bevel: bevelF * tt)
        case .round, .oval:
            a.ellipticCylinder("top", radii: [W / 2, D / 2], height: tt, center: [0, topY, 0], segments: 64)
        }
        let under = height - tt
        let shelfY = shelfF * height
        // Leg positions: inside the top's outline (corners of a rectangle, or diagonals of an ellipse).
        let k: Float = topShape == .rectangular ? 1 : 0.7071
        let lx = W / 2 * k - insetF * W * 0.5 - lt / 2, lz = D / 2 * k - insetF * D * 0.5 - lt / 2

        switch support {
        case .pedestal:
            let foot = p.choice("foot", Foot.self)
            let colR = max(lt * 0.8, 0.04)
            a.cylinder("column", from: [0, 0, 0], to: [0, under + 0.001, 0], radius: colR, topRadius: colR * 0.8, segments: 32)
            a.ellipticCylinder("column_cap", radii: [colR * 2.2, colR * 2.2], height: 0.03, center: [0, under - 0.015, 0], segments: 32)
            let reach = min(W, D) * 0.38
            if foot == .disc {
                a.cylinder("foot", from: [0, 0, 0], to: [0, 0.04, 0], radius: reach, topRadius: reach * 0.85, segments: 48)
            } else {
                for j in 0..<4 {
                    let ang = Float.pi / 4 + Float(j) * Float.pi / 2
                    a.beam("foot", from: [0, 0.03, 0], to: [reach * 1.2 * cosf(ang), 0.015, reach * 1.2 * sinf(ang)], width: lt, height: 0.05)
                }
            }
            if shelf { a.ellipticCylinder("shelf", radii: [reach * 1.1, reach * 1.1], height: max(0.02, tt * 0.7), center: [0, shelfY, 0], segments: 48) }
        case .trestle:
            let plankW = D * 0.55
            for s: Float in [-1, 1] {
                let x = s * (W / 2 - insetF * W * 0.5 - lt)
                a.box("trestle_upright", size: [lt, under, plankW * 0.45], center: [x, under / 2, 0], bevel: 0.004)
                a.box("trestle_foot", size: [lt * 1.3, 0.06, D * 0.8], center: [x, 0.03, 0], bevel: 0.01)
                a.box("trestle_bearer", size: [lt * 1.3, 0.05, D * 0.75], center: [x, under - 0.025, 0], bevel: 0.005)
            }
            let span = W - insetF * W - 2 * lt
            a.box("stretcher", size: [span, 0.06, lt], center: [0, under * 0.35, 0], bevel: 0.005)
            if shelf { a.box("shelf", size: [span, max(0.02, tt * 0.7), plankW * 0.8], center: [0, shelfY, 0]) }
        case .legs:
            let style = p.choice("legs", Legs.self)
            let apron = p.choice("apron", Apron.self) == .apron
            for sx: Float in [-1, 1] { for sz: Float in [-1, 1] {
                let foot = Vec3(sx * lx, 0, sz * lz), top = Vec3(sx * lx, under + 0.001, sz * lz)
                switch style {
                case .square: a.box("leg", size: [lt, under, lt], center: (foot + top) / 2, bevel: 0.003)
                case .round: a.cylinder("leg", from: foot, to: top, radius: lt / 2)
                case .tapered: a.beam("leg", from: top, to: foot, width: lt, height: lt, endScale: 0.5)
                }
            } }
            if apron {
                let h = min(apronH, under * 0.3)
                a.box("apron", size: [2 * lx, h, lt * 0.35], center: [0, under - h / 2, lz])
                a.box("apron", size: [2 * lx, h, lt * 0.35], center: [0, under - h / 2, -lz])
                a.box("apron", size: [lt * 0.35, h, 2 * lz], center: [lx, under - h / 2, 0])
                a.box("apron", size: [lt * 0.35, h, 2 * lz], center: [-lx, under - h / 2, 0])
            }
            if shelf { a.box("shelf", size: [2 * lx + lt * 0.5, max(0.02, tt * 0.7), 2 * lz + lt * 0.5], center: [0, shelfY, 0], bevel: 0.003) }
        }
        return a.parts
    }
}
