import Foundation
import Support
import Testing
import TestSupport
@testable import Rendering

@Suite("PNG")
struct PNGTests {
    @Test("RGB and RGBA images round-trip bit-exactly through libpng")
    func roundTrip() throws {
        var rng = SeededRandom(seed: 42)
        let tmp = try TemporaryDirectory("render"); defer { tmp.remove() }
        let dir = tmp.path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (w, h) in [(1, 1), (37, 19), (256, 3)] {
            let bytes = (0..<(3 * w * h)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let rgb = RGBImage(width: w, height: h, bytes: bytes)
            let path = dir + "/rgb-\(w)x\(h).png"
            try rgb.writePNG(to: path)
            #expect(try RGBImage(pngAt: path) == rgb)
            let alpha = (0..<(w * h)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let rgba = RGBImage(width: w, height: h, bytes: bytes, alpha: alpha)
            #expect(try PNG.decode(PNG.encode(rgba)) == rgba)
        }
    }

    @Test("a missing output folder is a typed error and leaves no file behind")
    func badOutputPath() throws {
        let tmp = try TemporaryDirectory("render"); defer { tmp.remove() }
        let dir = tmp.path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let img = RGBImage(width: 4, height: 4)
        let target = dir + "/no/such/folder/out.png"
        #expect(throws: RenderingError.self) { try img.writePNG(to: target) }
        do { try img.writePNG(to: target) } catch let e as RenderingError {
            guard case .writeFailed(let p, _) = e else { Issue.record("wrong case \(e)"); return }
            #expect(p == target)
            #expect(e.description.contains("does not exist"))
        }
        // A folder where the file should go: rename fails, the temporary file is cleaned up.
        let clash = dir + "/taken.png"
        try FileManager.default.createDirectory(atPath: clash + "/inner", withIntermediateDirectories: true)
        #expect(throws: RenderingError.self) { try img.writePNG(to: clash) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["taken.png"])
        // An empty image cannot be encoded: nothing is written.
        #expect(throws: RenderingError.self) { try RGBImage(width: 0, height: 0).writePNG(to: dir + "/empty.png") }
        #expect(!FileManager.default.fileExists(atPath: dir + "/empty.png"))
    }

    @Test("unreadable and corrupt PNGs are typed errors")
    func badInput() throws {
        let tmp = try TemporaryDirectory("render"); defer { tmp.remove() }
        let dir = tmp.path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: RenderingError.self) { try PNG.read(dir + "/missing.png") }
        #expect(throws: RenderingError.self) { try PNG.read(dir) }
        let good = try PNG.encode(RGBImage(width: 16, height: 16, fill: RGB8(1, 2, 3)))
        let truncated = dir + "/truncated.png"
        try good.prefix(good.count / 2).write(to: URL(fileURLWithPath: truncated))
        #expect(throws: RenderingError.self) { try PNG.read(truncated) }
        #expect(throws: RenderingError.self) { try PNG.decode(Data("not a png at all".utf8)) }
    }

    @Test("sRGB 8-bit encoding matches rounding the transfer function, at every code")
    func srgbEncode() {
        for k in 0...255 {
            let v = SRGB.decode(Float(k) / 255)
            #expect(SRGB.encode8(v) == UInt8(k))
        }
        // Away from the rounding midpoints, the table search equals rounding the encoded value.
        for i in 0...1000 {
            let v = Float(i) / 1000
            let e = SRGB.encode(v) * 255
            if abs(e - e.rounded(.down) - 0.5) < 1e-3 { continue }
            #expect(SRGB.encode8(v) == UInt8(e.rounded()))
        }
        #expect(SRGB.encode8(-1) == 0 && SRGB.encode8(2) == 255)
    }
}
