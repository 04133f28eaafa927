/// An 8-bit sRGB colour.
public typealias RGB8 = SIMD3<UInt8>

/// An RGB8 raster image: `width × height` pixels, row-major from the top-left corner, 3 bytes
/// per pixel (r, g, b), no padding between rows: pixel (x, y) starts at byte `3·(y·width + x)`.
///
/// The empty image (0 × 0) is a valid value. Values are sRGB-encoded, as PNG stores them.
public struct Image: Sendable, Equatable {
    public private(set) var width: Int
    public private(set) var height: Int
    /// `3 · width · height` bytes.
    public var bytes: [UInt8]

    /// A `width × height` image filled with `fill`.
    public init(width: Int, height: Int, fill: RGB8 = RGB8(255, 255, 255)) {
        precondition(width >= 0 && height >= 0, "image size must be non-negative")
        self.width = width; self.height = height
        bytes = [UInt8](repeating: 0, count: 3 * width * height)
        if fill != .zero {
            for i in 0..<(width * height) { bytes[3 * i] = fill.x; bytes[3 * i + 1] = fill.y; bytes[3 * i + 2] = fill.z }
        }
    }

    /// Wraps `bytes` (3·width·height of them, row-major from the top-left).
    public init(width: Int, height: Int, bytes: [UInt8]) {
        precondition(width >= 0 && height >= 0 && bytes.count == 3 * width * height, "image bytes must be 3·width·height")
        self.width = width; self.height = height; self.bytes = bytes
    }

    public var isEmpty: Bool { width == 0 || height == 0 }

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

    /// Fills the rectangle `[x0, x0+w) × [y0, y0+h)` clipped to the image.
    public mutating func fill(x x0: Int, y y0: Int, width w: Int, height h: Int, with c: RGB8) {
        let xa = max(0, x0), xb = min(width, x0 + w), ya = max(0, y0), yb = min(height, y0 + h)
        guard xa < xb, ya < yb else { return }
        for y in ya..<yb { for x in xa..<xb { self[x, y] = c } }
    }

    /// Copies `other` with its top-left corner at (x0, y0), clipped to this image.
    public mutating func draw(_ other: Image, atX x0: Int, y y0: Int) {
        let xa = max(0, x0), xb = min(width, x0 + other.width)
        guard xa < xb else { return }
        for y in max(0, y0)..<max(max(0, y0), min(height, y0 + other.height)) {
            let src = 3 * ((y - y0) * other.width + (xa - x0)), dst = 3 * (y * width + xa), n = 3 * (xb - xa)
            bytes.withUnsafeMutableBufferPointer { d in
                other.bytes.withUnsafeBufferPointer { s in
                    d.baseAddress!.advanced(by: dst).update(from: s.baseAddress!.advanced(by: src), count: n)
                }
            }
        }
    }

    /// Box-filter downscale by an integer `factor` (each output pixel = mean of a factor² block,
    /// averaged on the sRGB bytes). Width and height must be divisible by `factor`.
    public func downsampled(by factor: Int) -> Image {
        precondition(factor >= 1 && width % factor == 0 && height % factor == 0, "downsample factor must divide the size")
        if factor == 1 { return self }
        let w = width / factor, h = height / factor
        var out = Image(width: w, height: h, fill: .zero)
        let n = UInt32(factor * factor)
        for y in 0..<h {
            for x in 0..<w {
                var s = SIMD3<UInt32>.zero
                for dy in 0..<factor { for dx in 0..<factor { s &+= SIMD3<UInt32>(truncatingIfNeeded: self[x * factor + dx, y * factor + dy]) } }
                out[x, y] = RGB8(truncatingIfNeeded: (s &+ n / 2) / n)
            }
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
