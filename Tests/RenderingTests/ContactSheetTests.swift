import Foundation
import Geometry
import Testing
import TestSupport
@testable import Rendering

@Suite("Contact sheets, font and turntable")
struct ContactSheetTests {
    @Test("every glyph is 7 rows of 5 bits, distinct characters have distinct glyphs, lower case draws as capitals")
    func font() {
        var seen: [[UInt8]: Character] = [:]
        for (c, rows) in BitmapFont.glyphs {
            #expect(rows.count == 7 && rows.allSatisfy { $0 < 32 }, "glyph \(c)")
            if c != " " { #expect(rows.contains { $0 != 0 }, "glyph \(c) is blank") }
            if let other = seen[rows] { Issue.record("\(c) and \(other) share a glyph") }
            seen[rows] = c
        }
        #expect(BitmapFont.rows("q") == BitmapFont.rows("Q"))
        #expect(BitmapFont.rows("€") == BitmapFont.rows("?"))
        // The drawn ink lies inside the measured box.
        var img = RGBImage(width: 100, height: 20)
        BitmapFont.draw("AZ 90", into: &img, x: 3, y: 4, scale: 2, color: RGB8(0, 0, 0))
        var minX = 100, maxX = -1, minY = 100, maxY = -1
        for y in 0..<20 { for x in 0..<100 where img[x, y] == RGB8(0, 0, 0) {
            minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
        } }
        #expect(minX == 3 && maxX == 3 + BitmapFont.width(of: "AZ 90", scale: 2) - 1)
        #expect(minY == 4 && maxY == 4 + BitmapFont.height(scale: 2) - 1)
        // 10 characters take 59 px: 8 of the name and "..".
        #expect(BitmapFont.fitted("a-very-long-name.obj", width: 60) == "a-very-l..")
        #expect(BitmapFont.fitted("short", width: 60) == "short")
    }

    @Test("compose places every image exactly in its cell and writes labels only under labelled cells")
    func compose() {
        let colours: [RGB8] = [RGB8(255, 0, 0), RGB8(0, 255, 0), RGB8(0, 0, 255), RGB8(9, 9, 9), RGB8(200, 100, 0)]
        let images = colours.enumerated().map { i, c in RGBImage(width: 20 + 2 * i, height: 16, fill: c) }
        let labels = ["R", "", "B", "D", "O"]
        let gap = 4, scale = 1
        let sheet = ContactSheet.compose(images: images, columns: 3, labels: labels, gap: gap, labelScale: scale)
        let cellW = 28, cellH = 16, labelH = BitmapFont.height(scale: scale) + 2 * scale + 2
        #expect(sheet.width == gap + 3 * (cellW + gap) && sheet.height == gap + 2 * (cellH + labelH + gap))
        for (i, img) in images.enumerated() {
            let cx = gap + (i % 3) * (cellW + gap) + (cellW - img.width) / 2, cy = gap + (i / 3) * (cellH + labelH + gap)
            for y in 0..<img.height { for x in 0..<img.width { #expect(sheet[cx + x, cy + y] == colours[i]) } }
            // The label strip holds ink iff the label is non-empty.
            var ink = 0
            for y in (cy + cellH)..<(cy + cellH + labelH) { for x in (gap + (i % 3) * (cellW + gap))..<(gap + (i % 3) * (cellW + gap) + cellW) where sheet[x, y] != RGB8(255, 255, 255) { ink += 1 } }
            #expect((ink > 0) == !labels[i].isEmpty, "cell \(i)")
        }
        #expect(ContactSheet.defaultColumns(for: 4) == 2 && ContactSheet.defaultColumns(for: 5) == 3 && ContactSheet.defaultColumns(for: 1) == 1)
    }

    @Test("turntable frames are the renders at evenly spaced azimuths, same framing, written as numbered PNGs")
    func turntable() throws {
        let mesh = TriangleMesh.box(size: [1.5, 0.6, 0.4])
        var o = RenderOptions(width: 48, height: 48, supersampling: 1)
        o.lights = [CameraLight(direction: [0.3, 0.5, 1], intensity: 0.8)]
        let frames = try Turntable.frames(of: mesh, count: 4, elevation: 10, options: o)
        #expect(frames.count == 4)
        for (k, f) in frames.enumerated() {
            #expect(f == (try Renderer.render(mesh: mesh, azimuth: Float(90 * k), elevation: 10, framing: .sphere, options: o)))
        }
        // Opposite views of a box centred at the origin are mirror images in silhouette.
        func mask(_ i: RGBImage) -> [Bool] { (0..<(48 * 48)).map { i[$0 % 48, $0 / 48] != RGB8(255, 255, 255) } }
        let m0 = mask(frames[0]), m2 = mask(frames[2])
        var mirrored = [Bool](repeating: false, count: 48 * 48)
        for y in 0..<48 { for x in 0..<48 { mirrored[y * 48 + x] = m2[y * 48 + 47 - x] } }
        #expect(zip(m0, mirrored).filter { $0 != $1 }.count <= 48)
        #expect(m0 != mask(frames[1]))
        let tmp = try TemporaryDirectory("turntable"); defer { tmp.remove() }
        let dir = tmp.path
        let paths = try Turntable.write(frames, toFolder: dir)
        #expect(paths.map { ($0 as NSString).lastPathComponent } == ["frame_0000.png", "frame_0001.png", "frame_0002.png", "frame_0003.png"])
        #expect(try PNG.read(paths[3]) == frames[3])
        #expect(throws: RenderingError.self) { try Turntable.write(frames, toFolder: dir + "/missing") }
        #expect(throws: RenderingError.self) { try Turntable.frames(of: mesh, count: 0) }
    }

    @Test("tight framing fills the image more than sphere framing and never clips the mesh")
    func framing() throws {
        let bar = TriangleMesh.box(size: [3, 0.5, 0.5])
        var o = RenderOptions(width: 64, height: 64, supersampling: 1)
        o.transparentBackground = true
        for az in [Float(0), 30, 90] {
            let tight = try Renderer.render(mesh: bar, azimuth: az, elevation: 15, framing: .tight, options: o)
            let sphere = try Renderer.render(mesh: bar, azimuth: az, elevation: 15, framing: .sphere, options: o)
            let a = tight.alpha!, b = sphere.alpha!
            #expect(a.filter { $0 > 0 }.count > b.filter { $0 > 0 }.count)
            // Nothing touches the border: the margin keeps the silhouette inside.
            for i in 0..<64 { #expect(a[i] == 0 && a[63 * 64 + i] == 0 && a[i * 64] == 0 && a[i * 64 + 63] == 0) }
        }
    }
}
