import Foundation
import Geometry

/// Grids of images: several views of one mesh, or one view each of many meshes, with labels.
public enum ContactSheet {
    /// Lays `images` out row by row in a grid of `columns` columns.
    ///
    /// Every cell is as large as the largest image; an image is centred in its cell. When
    /// `labels` is non-empty (one per image; "" for none) a strip under each cell holds its label
    /// in the built-in 5×7 font at `labelScale`, centred, cut with ".." when too long. Images
    /// with alpha are composited over `background` first. `gap` pixels separate cells and frame
    /// the sheet. No images give a `gap × gap` sheet.
    public static func compose(images: [RGBImage], columns: Int, labels: [String] = [], gap: Int = 8,
                               labelScale: Int = 2, background: RGB8 = RGB8(255, 255, 255),
                               labelColor: RGB8 = RGB8(40, 40, 48)) -> RGBImage {
        precondition(columns >= 1, "a contact sheet needs at least one column")
        precondition(labels.isEmpty || labels.count == images.count, "one label per image")
        precondition(gap >= 0 && labelScale >= 1, "gap ≥ 0, label scale ≥ 1")
        guard !images.isEmpty else { return RGBImage(width: max(1, gap), height: max(1, gap), fill: background) }
        let cellW = images.map(\.width).max()!, cellH = images.map(\.height).max()!
        let labelH = labels.isEmpty ? 0 : BitmapFont.height(scale: labelScale) + 2 * labelScale + 2
        let cols = min(columns, images.count), rows = (images.count + cols - 1) / cols
        let w = gap + cols * (cellW + gap), h = gap + rows * (cellH + labelH + gap)
        var sheet = RGBImage(width: w, height: h, fill: background)
        for (i, image) in images.enumerated() {
            let cx = gap + (i % cols) * (cellW + gap), cy = gap + (i / cols) * (cellH + labelH + gap)
            let opaque = image.alpha == nil ? image : image.flattened(over: background)
            sheet.draw(opaque, atX: cx + (cellW - image.width) / 2, y: cy + (cellH - image.height) / 2)
            if !labels.isEmpty && !labels[i].isEmpty {
                let text = BitmapFont.fitted(labels[i], width: cellW, scale: labelScale)
                let tw = BitmapFont.width(of: text, scale: labelScale)
                BitmapFont.draw(text, into: &sheet, x: cx + (cellW - tw) / 2, y: cy + cellH + labelScale + 1,
                                scale: labelScale, color: labelColor)
            }
        }
        return sheet
    }

    /// A grid of columns for `count` cells: ⌈√count⌉ (4 → 2×2, 6 → 3×2, 8 → 3×3).
    public static func defaultColumns(for count: Int) -> Int {
        max(1, Int(Double(count).squareRoot().rounded(.up)))
    }

    /// `count` views of `mesh` at azimuths evenly spaced from `startAzimuth` (360°/count apart) and
    /// one `elevation`, each framed per `framing`, in a grid with "AZ a EL e" labels when `labels`.
    public static func views(of mesh: TriangleMesh, count: Int, elevation: Float = 20, startAzimuth: Float = 30,
                             columns: Int? = nil, upAxis: UpAxis = .y, framing: Camera.Framing = .tight,
                             options: RenderOptions = RenderOptions(),
                             colors: SurfaceColors = .uniform, labels: Bool = true) throws -> RGBImage {
        guard count >= 1 else { throw RenderingError.invalidOption("view count \(count) must be ≥ 1") }
        var images: [RGBImage] = [], names: [String] = []
        for k in 0..<count {
            let az = (startAzimuth + 360 * Float(k) / Float(count)).truncatingRemainder(dividingBy: 360)
            images.append(try Renderer.render(mesh: mesh, azimuth: az, elevation: elevation, upAxis: upAxis,
                                              framing: framing, options: options, colors: colors))
            names.append("AZ \(formatDegrees(az)) EL \(formatDegrees(elevation))")
        }
        return compose(images: images, columns: columns ?? defaultColumns(for: count), labels: labels ? names : [],
                       labelScale: max(1, options.width / 256))
    }

    /// Degrees without a trailing ".0" ("30", "22.5").
    static func formatDegrees(_ a: Float) -> String {
        a == a.rounded() ? String(Int(a)) : String(format: "%.1f", a)
    }
}

/// A turntable: views all around the mesh at one elevation, as frames or one sheet.
public enum Turntable {
    /// `count` frames at azimuths 0, 360/count, … (degrees), all from the same distance
    /// (`.sphere` framing, so the object does not pump in and out).
    public static func frames(of mesh: TriangleMesh, count: Int, elevation: Float = 20, upAxis: UpAxis = .y,
                              options: RenderOptions = RenderOptions(), colors: SurfaceColors = .uniform) throws -> [RGBImage] {
        guard count >= 1 else { throw RenderingError.invalidOption("turntable frame count \(count) must be ≥ 1") }
        return try (0..<count).map { k in
            try Renderer.render(mesh: mesh, azimuth: 360 * Float(k) / Float(count), elevation: elevation,
                                upAxis: upAxis, framing: .sphere, options: options, colors: colors)
        }
    }

    /// Writes `frames` into the existing folder `folder` as `frame_0000.png`, `frame_0001.png`, …
    /// (each atomically); returns the paths.
    @discardableResult
    public static func write(_ frames: [RGBImage], toFolder folder: String) throws -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
            throw RenderingError.writeFailed(path: folder, reason: "not an existing folder")
        }
        return try frames.enumerated().map { k, f in
            let path = (folder as NSString).appendingPathComponent(String(format: "frame_%04d.png", k))
            try f.writePNG(to: path)
            return path
        }
    }
}
