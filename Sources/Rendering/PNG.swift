import CPNG
import Foundation
import Support

/// PNG encoding and decoding through libpng's simplified API (`png_image_*`, libpng ≥ 1.6).
///
/// The simplified API catches libpng's errors itself (it owns the `setjmp`), which the classic
/// `png_create_write_struct` path cannot do safely from Swift: a corrupt file becomes a typed
/// `RenderingError` with libpng's message instead of a `longjmp` through Swift frames.
/// Files are written with `AtomicFile`: either the complete PNG or nothing.
public enum PNG {
    /// The PNG byte stream of `image`: 8-bit RGB, or RGBA when the image has alpha; zlib's
    /// default compression.
    public static func encode(_ image: RGBImage) throws -> Data {
        guard !image.isEmpty else { throw RenderingError.encodeFailed(reason: "cannot encode an empty (0×0) image") }
        var png = png_image()
        png.version = png_uint_32(PNG_IMAGE_VERSION)
        png.width = png_uint_32(image.width)
        png.height = png_uint_32(image.height)
        let channels = image.alpha == nil ? 3 : 4
        png.format = channels == 3 ? png_uint_32(PNG_FORMAT_RGB) : png_uint_32(PNG_FORMAT_FLAG_COLOR) | png_uint_32(PNG_FORMAT_FLAG_ALPHA)
        let stride = png_int_32(channels * image.width)
        var pixels = image.bytes
        if let a = image.alpha {
            pixels = [UInt8](repeating: 0, count: 4 * a.count)
            for i in 0..<a.count {
                pixels[4 * i] = image.bytes[3 * i]; pixels[4 * i + 1] = image.bytes[3 * i + 1]
                pixels[4 * i + 2] = image.bytes[3 * i + 2]; pixels[4 * i + 3] = a[i]
            }
        }
        // Stored-deflate worst case plus headers: one attempt almost always suffices; libpng tells
        // the size it needs otherwise.
        var capacity = pixels.count + image.height + pixels.count / 1000 * 5 + 4096
        for _ in 0..<2 {
            var out = Data(count: capacity)
            var size = png_alloc_size_t(capacity)
            let ok = out.withUnsafeMutableBytes { o in
                pixels.withUnsafeBytes { b in
                    png_image_write_to_memory(&png, o.baseAddress, &size, 0, b.baseAddress, stride, nil)
                }
            }
            if ok != 0 { out.count = Int(size); return out }
            if size > capacity { capacity = Int(size); png_image_free(&png); png.opaque = nil; continue }
            let message = messageOf(&png)
            png_image_free(&png)
            throw RenderingError.encodeFailed(reason: message)
        }
        throw RenderingError.encodeFailed(reason: "libpng kept asking for a larger buffer")
    }

    /// Decodes any PNG libpng reads (grey, palette, 16-bit, …) to 8-bit RGB, keeping an alpha
    /// channel when the file has one (straight alpha, as PNG stores it).
    public static func decode(_ data: Data, path: String? = nil) throws -> RGBImage {
        var png = png_image()
        png.version = png_uint_32(PNG_IMAGE_VERSION)
        let begun = data.withUnsafeBytes { png_image_begin_read_from_memory(&png, $0.baseAddress, $0.count) }
        guard begun != 0 else {
            let m = messageOf(&png); png_image_free(&png)
            throw RenderingError.decodeFailed(path: path, reason: m)
        }
        let hasAlpha = png.format & png_uint_32(PNG_FORMAT_FLAG_ALPHA) != 0
        let channels = hasAlpha ? 4 : 3
        png.format = hasAlpha ? png_uint_32(PNG_FORMAT_FLAG_COLOR) | png_uint_32(PNG_FORMAT_FLAG_ALPHA) : png_uint_32(PNG_FORMAT_RGB)
        let w = Int(png.width), h = Int(png.height)
        guard w > 0, h > 0, w * h <= 1 << 28 else {
            png_image_free(&png)
            throw RenderingError.decodeFailed(path: path, reason: "unsupported size \(w)×\(h)")
        }
        var bytes = [UInt8](repeating: 0, count: channels * w * h)
        var black = png_color(red: 0, green: 0, blue: 0)
        let done = bytes.withUnsafeMutableBytes { png_image_finish_read(&png, &black, $0.baseAddress, png_int_32(channels * w), nil) }
        guard done != 0 else {
            let m = messageOf(&png); png_image_free(&png)
            throw RenderingError.decodeFailed(path: path, reason: m)
        }
        guard hasAlpha else { return RGBImage(width: w, height: h, bytes: bytes) }
        var rgb = [UInt8](repeating: 0, count: 3 * w * h), alpha = [UInt8](repeating: 0, count: w * h)
        for i in 0..<(w * h) {
            rgb[3 * i] = bytes[4 * i]; rgb[3 * i + 1] = bytes[4 * i + 1]; rgb[3 * i + 2] = bytes[4 * i + 2]
            alpha[i] = bytes[4 * i + 3]
        }
        return RGBImage(width: w, height: h, bytes: rgb, alpha: alpha)
    }

    /// Writes `image` to `path` atomically (temporary file + rename): no partial file on failure.
    public static func write(_ image: RGBImage, to path: String) throws {
        let data = try encode(image)
        do { try AtomicFile.write(data, to: path) } catch let e as FileWriteError {
            switch e {
            case let .noSuchDirectory(d): throw RenderingError.writeFailed(path: path, reason: "folder '\(d.isEmpty ? "." : d)' does not exist")
            case let .writeFailed(_, r): throw RenderingError.writeFailed(path: path, reason: r)
            }
        }
    }

    /// Reads the PNG at `path`.
    public static func read(_ path: String) throws -> RGBImage {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw RenderingError.unreadable(path: path, reason: "no such file")
        }
        guard !isDir.boolValue else { throw RenderingError.unreadable(path: path, reason: "it is a folder") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RenderingError.unreadable(path: path, reason: "permission denied or I/O error")
        }
        return try decode(data, path: path)
    }

    private static func messageOf(_ png: inout png_image) -> String {
        withUnsafeBytes(of: &png.message) { raw in
            let s = String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            return s.isEmpty ? "libpng error" : s
        }
    }
}

extension RGBImage {
    /// Writes the image as a PNG at `path`, atomically (see `PNG.write`).
    public func writePNG(to path: String) throws { try PNG.write(self, to: path) }
    /// Reads the PNG at `path` (see `PNG.read`).
    public init(pngAt path: String) throws { self = try PNG.read(path) }
}
