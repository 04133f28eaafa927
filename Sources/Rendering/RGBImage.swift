/// An 8-bit sRGB colour.
public typealias RGB8 = SIMD3<UInt8>

/// An 8-bit sRGB raster image with an optional alpha channel.
///
/// - `bytes`: `3 · width · height` values, row-major from the top-left corner, (r, g, b) per
///   pixel, no padding between rows: pixel (x, y) starts at byte `3·(y·width + x)`.
/// - `alpha`: nil (opaque), or `width · height` straight (non-premultiplied) alpha values in the
///   same pixel order; PNGs of images with alpha are written as RGBA.
///
/// The empty image (0 × 0) is a valid value. Values are sRGB-encoded, as PNG stores them.
public struct RGBImage: Sendable, Equatable {
    public private(set) var width: Int
    public private(set) var height: Int
    /// `3 · width · height` bytes.
    public var bytes: [UInt8]
    /// nil, or `width · height` alpha bytes (255 = opaque).
    public var alpha: [UInt8]? {
        didSet { precondition(alpha == nil || alpha!.count == width * height, "alpha must have width·height bytes") }
    }

    /// A `width × height` opaque image filled with `fill`.
    public init(width: Int, height: Int, fill: RGB8 = RGB8(255, 255, 255)) {
        precondition(width >= 0 && height >= 0, "image size must be non-negative")
        self.width = width; self.height = height
        bytes = [UInt8](repeating: 0, count: 3 * width * height)
        if fill != .zero {
            bytes.withUnsafeMutableBufferPointer { b in
                for i in 0..<(width * height) { b[3 * i] = fill.x; b[3 * i + 1] = fill.y; b[3 * i + 2] = fill.z }
            }
        }
    }

    /// Wraps `bytes` (3·width·height of them, row-major from the top-left) and optional `alpha`
    /// (width·height of them).
    public init(width: Int, height: Int, bytes: [UInt8], alpha: [UInt8]? = nil) {
        precondition(width >= 0 && height >= 0 && bytes.count == 3 * width * height, "image bytes must be 3·width·height")
        precondition(alpha == nil || alpha!.count == width * height, "alpha must have width·height bytes")
        self.width = width; self.height = height; self.bytes = bytes; self.alpha = alpha
    }

    public var isEmpty: Bool { width == 0 || height == 0 }

    /// The colour of pixel (x, y) (alpha ignored).
    @inlinable public subscript(x: Int, y: Int) -> RGB8 {
        get {
            precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width)×\(height)")
            let i = 3 * (y * width + x)
            return RGB8(bytes[i], bytes[i + 1], bytes[i + 2])
        }
        set {
            precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width)×\(height)")
            let i = 3 * (y * width + x)
            bytes[i] = newValue.x; bytes[i + 1] = newValue.y; bytes[i + 2] = newValue.z
        }
    }

    /// Alpha of pixel (x, y): 255 for an opaque image.
    public func alpha(x: Int, y: Int) -> UInt8 { alpha?[y * width + x] ?? 255 }

    /// Fills the rectangle `[x0, x0+w) × [y0, y0+h)`, clipped to the image (alpha, if any, → 255).
    public mutating func fill(x x0: Int, y y0: Int, width w: Int, height h: Int, with c: RGB8) {
        let xa = max(0, x0), xb = min(width, x0 + w), ya = max(0, y0), yb = min(height, y0 + h)
        guard xa < xb, ya < yb else { return }
        for y in ya..<yb { for x in xa..<xb { self[x, y] = c; if alpha != nil { alpha![y * width + x] = 255 } } }
    }

    /// Copies `other` with its top-left corner at (x0, y0), clipped to this image. Colours are
    /// copied as they are (no blending); alpha is copied when both images have it, an opaque
    /// source makes the covered pixels opaque.
    public mutating func draw(_ other: RGBImage, atX x0: Int, y y0: Int) {
        let xa = max(0, x0), xb = min(width, x0 + other.width)
        let ya = max(0, y0), yb = min(height, y0 + other.height)
        guard xa < xb, ya < yb else { return }
        let n = xb - xa
        bytes.withUnsafeMutableBufferPointer { d in
            other.bytes.withUnsafeBufferPointer { s in
                for y in ya..<yb {
                    let src = 3 * ((y - y0) * other.width + (xa - x0)), dst = 3 * (y * width + xa)
                    d.baseAddress!.advanced(by: dst).update(from: s.baseAddress!.advanced(by: src), count: 3 * n)
                }
            }
        }
        if alpha != nil {
            for y in ya..<yb {
                for x in xa..<xb { alpha![y * width + x] = other.alpha(x: x - x0, y: y - y0) }
            }
        }
    }

    /// The image without its alpha channel, composited over `background` (in linear light).
    public func flattened(over background: RGB8 = RGB8(255, 255, 255)) -> RGBImage {
        guard let a = alpha else { return self }
        var out = RGBImage(width: width, height: height, bytes: bytes)
        let bg = SRGB.decode(background.srgb)
        for i in 0..<(width * height) where a[i] != 255 {
            let t = Float(a[i]) / 255
            let c = SRGB.decode(RGB8(bytes[3 * i], bytes[3 * i + 1], bytes[3 * i + 2]).srgb)
            let e = SRGB.encode8(c * t + bg * (1 - t))
            out.bytes[3 * i] = e.x; out.bytes[3 * i + 1] = e.y; out.bytes[3 * i + 2] = e.z
        }
        return out
    }
}

extension RGB8 {
    /// From sRGB components in [0, 1] (clamped, rounded).
    public init(srgb c: SIMD3<Float>) {
        let v = (c.clamped(lowerBound: .zero, upperBound: .one) * 255).rounded(.toNearestOrEven)
        self.init(UInt8(v.x), UInt8(v.y), UInt8(v.z))
    }
    /// sRGB components in [0, 1].
    public var srgb: SIMD3<Float> { SIMD3<Float>(Float(x), Float(y), Float(z)) / 255 }
}
