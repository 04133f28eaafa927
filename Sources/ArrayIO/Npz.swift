import CZlib
import Foundation
import Support

/// `.npz` archives (`np.savez` / `np.load`): a zip file whose members are `.npy` files named
/// `<key>.npy`.
///
/// - Reading: the central directory (zip64 records included) locates members; STORED (method 0,
///   `np.savez`) and DEFLATE (method 8, `np.savez_compressed`, inflated with zlib) members are
///   read, and every member's CRC-32 is verified. Other methods throw `unsupportedCompression`.
/// - Writing: STORED members with correct CRC-32s, like `np.savez`, in the given (or sorted key)
///   order, with a fixed 1980-01-01 timestamp so equal inputs give byte-identical files. Members
///   and the archive must stay under 4 GiB (no zip64 on the writing side; `tooLarge` otherwise).
/// - Keys are returned without the `.npy` suffix, exactly as `np.load(...).files` lists them.
public enum Npz {
    /// Reads every member of the archive at `path`.
    public static func read(_ path: String) throws -> [String: NpyArray] {
        try decode(Npy.readFile(path))
    }
    /// Writes `arrays` (members in sorted key order) atomically.
    public static func write(_ arrays: [String: NpyArray], to path: String) throws {
        try write(ordered: arrays.sorted { $0.key < $1.key }, to: path)
    }
    /// Writes the members in the given order atomically.
    public static func write(ordered arrays: [(String, NpyArray)], to path: String) throws {
        try AtomicFile.write(encode(ordered: arrays), to: path)
    }

    /// CRC-32 (ISO 3309 / zip), via zlib.
    public static func crc32(_ data: Data) -> UInt32 {
        var c: uLong = CZlib.crc32(0, nil, 0)
        data.withUnsafeBytes { raw in
            var p = raw.bindMemory(to: Bytef.self).baseAddress
            var left = raw.count
            while left > 0, let q = p {
                let n = min(left, 1 << 30)
                c = CZlib.crc32(c, q, uInt(n))
                p = q + n; left -= n
            }
        }
        return UInt32(truncatingIfNeeded: c)
    }

    // MARK: Writing

    public static func encode(ordered arrays: [(String, NpyArray)]) throws -> Data {
        var out = Data()
        var central = Data()
        guard arrays.count < 0xFFFF else { throw ArrayIOError.tooLarge(member: "(\(arrays.count) members)", bytes: 0) }
        for (key, array) in arrays {
            let name = Array((key + ".npy").utf8)
            let body = Npy.encode(array)
            guard body.count < 0xFFFF_FFFF, out.count < 0xFFFF_FFFF else { throw ArrayIOError.tooLarge(member: key, bytes: body.count) }
            let crc = crc32(body)
            let offset = UInt32(out.count)
            // Local file header.
            out.le32(0x0403_4B50); out.le16(20); out.le16(0); out.le16(0) // version, flags, STORED
            out.le16(0); out.le16(0x21)                                    // 00:00, 1980-01-01
            out.le32(crc); out.le32(UInt32(body.count)); out.le32(UInt32(body.count))
            out.le16(UInt16(name.count)); out.le16(0)
            out.append(contentsOf: name)
            out.append(body)
            // Central directory entry.
            central.le32(0x0201_4B50); central.le16(20); central.le16(20); central.le16(0); central.le16(0)
            central.le16(0); central.le16(0x21)
            central.le32(crc); central.le32(UInt32(body.count)); central.le32(UInt32(body.count))
            central.le16(UInt16(name.count)); central.le16(0); central.le16(0) // extra, comment
            central.le16(0); central.le16(0); central.le32(0o100644 << 16)     // disk, internal, external attrs
            central.le32(offset)
            central.append(contentsOf: name)
        }
        guard out.count + central.count < 0xFFFF_FFFF else { throw ArrayIOError.tooLarge(member: "(archive)", bytes: out.count + central.count) }
        let cdOffset = UInt32(out.count)
        out.append(central)
        out.le32(0x0605_4B50); out.le16(0); out.le16(0)
        out.le16(UInt16(arrays.count)); out.le16(UInt16(arrays.count))
        out.le32(UInt32(central.count)); out.le32(cdOffset); out.le16(0)
        return out
    }

    // MARK: Reading

    public static func decode(_ input: Data) throws -> [String: NpyArray] {
        let d = input.startIndex == 0 ? input : Data(input)
        let n = d.count
        func need(_ off: Int, _ len: Int, _ what: String) throws {
            guard off >= 0, len >= 0, off <= n - len else { throw ArrayIOError.corruptArchive("\(what) lies outside the file (truncated?)") }
        }
        // End of central directory: the last signature within 22 + 65535 bytes of the end.
        guard n >= 22 else { throw ArrayIOError.corruptArchive("too short to be a zip file (\(n) bytes)") }
        var eocd = -1
        var i = n - 22
        while i >= max(0, n - 22 - 65_535) {
            if d.u32(i) == 0x0605_4B50 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else { throw ArrayIOError.corruptArchive("no end-of-central-directory record") }
        var entries = Int(d.u16(eocd + 10))
        var cdSize = Int(d.u32(eocd + 12))
        var cdOffset = Int(d.u32(eocd + 16))
        // Zip64: locator right before the EOCD.
        if eocd >= 20, d.u32(eocd - 20) == 0x0706_4B50 {
            let z = Int(truncatingIfNeeded: d.u64(eocd - 12))
            try need(z, 56, "zip64 end record")
            guard d.u32(z) == 0x0606_4B50 else { throw ArrayIOError.corruptArchive("bad zip64 end record signature") }
            entries = Int(truncatingIfNeeded: d.u64(z + 32))
            cdSize = Int(truncatingIfNeeded: d.u64(z + 40))
            cdOffset = Int(truncatingIfNeeded: d.u64(z + 48))
        }
        try need(cdOffset, cdSize, "central directory")
        var result: [String: NpyArray] = [:]
        var p = cdOffset
        for _ in 0..<entries {
            try need(p, 46, "central directory entry")
            guard d.u32(p) == 0x0201_4B50 else { throw ArrayIOError.corruptArchive("bad central directory signature at byte \(p)") }
            let flags = d.u16(p + 8)
            let method = d.u16(p + 10)
            let crc = d.u32(p + 16)
            var csize = Int(d.u32(p + 20)), usize = Int(d.u32(p + 24))
            let nameLen = Int(d.u16(p + 28)), extraLen = Int(d.u16(p + 30)), commentLen = Int(d.u16(p + 32))
            var local = Int(d.u32(p + 42))
            try need(p + 46, nameLen + extraLen + commentLen, "central directory names")
            let name = String(decoding: d[(p + 46)..<(p + 46 + nameLen)], as: UTF8.self)
            // Zip64 extended information: the 0xFFFFFFFF fields, in order usize, csize, offset.
            var e = p + 46 + nameLen
            let eEnd = e + extraLen
            while e + 4 <= eEnd {
                let id = d.u16(e), len = Int(d.u16(e + 2))
                if id == 1 {
                    var q = e + 4
                    if usize == 0xFFFF_FFFF, q + 8 <= e + 4 + len { usize = Int(truncatingIfNeeded: d.u64(q)); q += 8 }
                    if csize == 0xFFFF_FFFF, q + 8 <= e + 4 + len { csize = Int(truncatingIfNeeded: d.u64(q)); q += 8 }
                    if local == 0xFFFF_FFFF, q + 8 <= e + 4 + len { local = Int(truncatingIfNeeded: d.u64(q)); q += 8 }
                }
                e += 4 + len
            }
            p = eEnd + commentLen
            guard flags & 1 == 0 else { throw ArrayIOError.corruptArchive("member '\(name)' is encrypted") }
            try need(local, 30, "local header of '\(name)'")
            guard d.u32(local) == 0x0403_4B50 else { throw ArrayIOError.corruptArchive("bad local header signature for '\(name)'") }
            let start = local + 30 + Int(d.u16(local + 26)) + Int(d.u16(local + 28))
            try need(start, csize, "data of '\(name)'")
            let raw = d[start..<(start + csize)]
            let body: Data
            switch method {
            case 0:
                guard csize == usize else { throw ArrayIOError.corruptArchive("stored member '\(name)' has different sizes") }
                body = Data(raw)
            case 8: body = try inflate(raw, expectedSize: usize, member: name)
            default: throw ArrayIOError.unsupportedCompression(member: name, method: method)
            }
            guard crc32(body) == crc else { throw ArrayIOError.checksumMismatch(member: name) }
            let key = name.hasSuffix(".npy") ? String(name.dropLast(4)) : name
            result[key] = try Npy.decode(body)
        }
        return result
    }

    static func inflate(_ raw: Data, expectedSize: Int, member: String) throws -> Data {
        var out = Data(count: expectedSize)
        var strm = z_stream()
        guard inflateInit2_(&strm, -MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ArrayIOError.corruptArchive("zlib failed to initialize for '\(member)'")
        }
        defer { inflateEnd(&strm) }
        let status: Int32 = raw.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                strm.next_in = UnsafeMutablePointer(mutating: src.bindMemory(to: Bytef.self).baseAddress)
                strm.avail_in = uInt(src.count)
                strm.next_out = dst.bindMemory(to: Bytef.self).baseAddress
                strm.avail_out = uInt(dst.count)
                return CZlib.inflate(&strm, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END, Int(strm.total_out) == expectedSize else {
            throw ArrayIOError.corruptArchive("DEFLATE data of '\(member)' is corrupt or truncated")
        }
        return out
    }
}

extension Dictionary where Key == String, Value == NpyArray {
    /// The member `name`, or `ArrayIOError.missingMember`.
    public func array(_ name: String) throws -> NpyArray {
        guard let a = self[name] else { throw ArrayIOError.missingMember(name) }
        return a
    }
}

extension Data {
    mutating func le16(_ v: UInt16) { Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) } }
    mutating func le32(_ v: UInt32) { Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) } }
    func u16(_ o: Int) -> UInt16 { UInt16(self[o]) | UInt16(self[o + 1]) << 8 }
    func u32(_ o: Int) -> UInt32 { UInt32(u16(o)) | UInt32(u16(o + 2)) << 16 }
    func u64(_ o: Int) -> UInt64 { UInt64(u32(o)) | UInt64(u32(o + 4)) << 32 }
}
