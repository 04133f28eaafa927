import Foundation
import Support

/// The `.npy` file format (numpy's NEP 1): magic `\x93NUMPY`, major and minor version, header
/// length (uint16 LE in 1.0; uint32 LE in 2.0 and 3.0), an ASCII (3.0: UTF-8) Python dict literal
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }` padded with spaces and a final
/// `\n` so the data starts at a multiple of 64 bytes, then the raw elements.
///
/// Reading: versions 1.0/2.0/3.0, little- and big-endian scalar dtypes (`NpyDType`),
/// `fortran_order: True` arrays are transposed into C order (the returned array is always C-order).
/// Writing: version 1.0 (2.0 when the header exceeds 65,535 bytes), little-endian, C order.
public enum Npy {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59] // \x93NUMPY

    /// Reads a `.npy` file.
    public static func read(_ path: String) throws -> NpyArray {
        try decode(readFile(path))
    }
    /// Writes `array` to `path` atomically (temporary file + rename).
    public static func write(_ array: NpyArray, to path: String) throws {
        try AtomicFile.write(encode(array), to: path)
    }

    /// Parses the bytes of a `.npy` file.
    public static func decode(_ bytes: Data) throws -> NpyArray {
        let b = [UInt8](bytes.prefix(12))
        guard b.count >= 10, Array(b[0..<6]) == magic else { throw ArrayIOError.notNpy }
        let major = b[6], minor = b[7]
        let headerLen: Int, start: Int
        switch major {
        case 1: headerLen = Int(b[8]) | Int(b[9]) << 8; start = 10
        case 2, 3:
            guard b.count >= 12 else { throw ArrayIOError.corruptHeader("file ends inside the header length") }
            headerLen = Int(b[8]) | Int(b[9]) << 8 | Int(b[10]) << 16 | Int(b[11]) << 24; start = 12
        default: throw ArrayIOError.unsupportedVersion(major: major, minor: minor)
        }
        guard minor == 0 else { throw ArrayIOError.unsupportedVersion(major: major, minor: minor) }
        guard bytes.count >= start + headerLen else {
            throw ArrayIOError.corruptHeader("header says \(headerLen) bytes but the file has \(bytes.count - start) after the preamble")
        }
        let lo = bytes.startIndex + start
        guard let text = String(data: bytes[lo..<(lo + headerLen)], encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw ArrayIOError.corruptHeader("header is not text")
        }
        let (descr, fortran, shape) = try parseHeader(text)
        guard let (dtype, bigEndian) = NpyDType.parse(descr: descr) else { throw ArrayIOError.unsupportedDType(descr) }
        var n = 1
        for s in shape {
            let (m, o) = n.multipliedReportingOverflow(by: s)
            guard !o else { throw ArrayIOError.corruptHeader("shape \(shape) overflows") }
            n = m
        }
        let need = n * dtype.itemSize
        let payload = bytes.count - start - headerLen
        guard payload >= need else { throw ArrayIOError.truncated(expectedBytes: need, actualBytes: payload) }
        var data = Data(bytes[(lo + headerLen)..<(lo + headerLen + need)])
        if bigEndian { swapBytes(&data, itemSize: dtype.itemSize) }
        if fortran && shape.count > 1 { data = fortranToC(data, shape: shape, itemSize: dtype.itemSize) }
        return try NpyArray(shape: shape, dtype: dtype, data: data)
    }

    /// The bytes of a `.npy` file holding `array`.
    public static func encode(_ array: NpyArray) -> Data {
        let shapeText: String
        switch array.shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(array.shape[0]),)"
        default: shapeText = "(" + array.shape.map(String.init).joined(separator: ", ") + ")"
        }
        var header = "{'descr': '\(array.dtype.descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        let use2 = header.utf8.count + 1 + 10 > 65_535
        let pre = use2 ? 12 : 10
        let total = pre + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
        var out = Data(magic)
        out.append(contentsOf: [use2 ? 2 : 1, 0])
        let hl = header.utf8.count
        if use2 { out.append(contentsOf: [UInt8(hl & 0xFF), UInt8(hl >> 8 & 0xFF), UInt8(hl >> 16 & 0xFF), UInt8(hl >> 24 & 0xFF)]) }
        else { out.append(contentsOf: [UInt8(hl & 0xFF), UInt8(hl >> 8)]) }
        out.append(contentsOf: Array(header.utf8))
        out.append(array.data)
        return out
    }

    // MARK: Header dictionary (a tiny subset of Python literals)

    static func parseHeader(_ text: String) throws -> (descr: String, fortran: Bool, shape: [Int]) {
        var p = LiteralParser(Array(text.unicodeScalars))
        let dict = try p.parseDict()
        guard case let .string(descr)? = dict["descr"] else {
            if dict["descr"] != nil { throw ArrayIOError.unsupportedDType("structured dtype") }
            throw ArrayIOError.corruptHeader("no 'descr' key")
        }
        guard case let .bool(fortran)? = dict["fortran_order"] else { throw ArrayIOError.corruptHeader("no boolean 'fortran_order' key") }
        guard case let .tuple(shape)? = dict["shape"] else { throw ArrayIOError.corruptHeader("no tuple 'shape' key") }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw ArrayIOError.corruptHeader("negative dimension in shape \(shape)") }
        return (descr, fortran, shape)
    }

    enum Literal: Equatable { case string(String), bool(Bool), tuple([Int]), other }

    struct LiteralParser {
        let s: [Unicode.Scalar]
        var i = 0
        init(_ s: [Unicode.Scalar]) { self.s = s }
        mutating func skip() { while i < s.count, s[i] == " " || s[i] == "\n" || s[i] == "\t" || s[i] == "\r" { i += 1 } }
        mutating func expect(_ c: Unicode.Scalar) throws {
            skip()
            guard i < s.count, s[i] == c else { throw ArrayIOError.corruptHeader("expected '\(c)' at offset \(i)") }
            i += 1
        }
        mutating func peek() -> Unicode.Scalar? { skip(); return i < s.count ? s[i] : nil }
        mutating func parseString() throws -> String {
            skip()
            guard i < s.count, s[i] == "'" || s[i] == "\"" else { throw ArrayIOError.corruptHeader("expected a string at offset \(i)") }
            let q = s[i]; i += 1
            var out = String.UnicodeScalarView()
            while i < s.count, s[i] != q { out.append(s[i]); i += 1 }
            guard i < s.count else { throw ArrayIOError.corruptHeader("unterminated string") }
            i += 1
            return String(out)
        }
        mutating func parseInt() throws -> Int {
            skip()
            var digits = ""
            while i < s.count, ("0"..."9").contains(s[i]) || s[i] == "L" { if s[i] != "L" { digits.unicodeScalars.append(s[i]) }; i += 1 }
            guard let v = Int(digits) else { throw ArrayIOError.corruptHeader("expected a non-negative integer at offset \(i)") }
            return v
        }
        mutating func parseValue() throws -> Literal {
            switch peek() {
            case "'", "\"": return .string(try parseString())
            case "(":
                i += 1
                var items: [Int] = []
                while peek() != ")" {
                    items.append(try parseInt())
                    if peek() == "," { i += 1 } else { break }
                }
                try expect(")")
                return .tuple(items)
            case "T", "F":
                if s[i...].starts(with: "True".unicodeScalars) { i += 4; return .bool(true) }
                if s[i...].starts(with: "False".unicodeScalars) { i += 5; return .bool(false) }
                throw ArrayIOError.corruptHeader("unexpected token at offset \(i)")
            case "[":
                // A structured dtype's list: skip it balanced, report as unsupported later.
                var depth = 0
                repeat {
                    if s[i] == "[" { depth += 1 } else if s[i] == "]" { depth -= 1 }
                    i += 1
                } while depth > 0 && i < s.count
                guard depth == 0 else { throw ArrayIOError.corruptHeader("unbalanced '['") }
                return .other
            default: throw ArrayIOError.corruptHeader("unexpected token at offset \(i)")
            }
        }
        mutating func parseDict() throws -> [String: Literal] {
            try expect("{")
            var d: [String: Literal] = [:]
            while peek() != "}" {
                guard peek() != nil else { throw ArrayIOError.corruptHeader("unterminated dictionary") }
                let k = try parseString()
                try expect(":")
                d[k] = try parseValue()
                if peek() == "," { i += 1 } else { break }
            }
            try expect("}")
            return d
        }
    }

    // MARK: Byte order and memory order

    static func swapBytes(_ data: inout Data, itemSize: Int) {
        guard itemSize > 1 else { return }
        data.withUnsafeMutableBytes { raw in
            let p = raw.bindMemory(to: UInt8.self)
            var o = 0
            while o + itemSize <= p.count {
                var a = o, b = o + itemSize - 1
                while a < b { p.swapAt(a, b); a += 1; b -= 1 }
                o += itemSize
            }
        }
    }

    /// Fortran-order bytes of shape `shape` are C-order bytes of the reversed shape; transposing
    /// that array (all axes reversed) yields the C-order bytes of `shape`.
    static func fortranToC(_ data: Data, shape: [Int], itemSize: Int) -> Data {
        let n = shape.reduce(1, *)
        guard n > 0 else { return data }
        let r = shape.count
        // Strides (in elements) of the Fortran layout: stride[k] = prod(shape[0..<k]).
        var fstride = [Int](repeating: 1, count: r)
        for k in 1..<r { fstride[k] = fstride[k - 1] * shape[k - 1] }
        var out = Data(count: data.count)
        var idx = [Int](repeating: 0, count: r)
        data.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                for c in 0..<n {
                    var f = 0
                    for k in 0..<r { f += idx[k] * fstride[k] }
                    memcpy(dst.baseAddress! + c * itemSize, src.baseAddress! + f * itemSize, itemSize)
                    var k = r - 1
                    while k >= 0 { idx[k] += 1; if idx[k] < shape[k] { break }; idx[k] = 0; k -= 1 }
                }
            }
        }
        return out
    }

    static func readFile(_ path: String) throws -> Data {
        do { return try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe) } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? error.localizedDescription : "no such file"
            throw ArrayIOError.unreadable(path: path, reason: reason)
        }
    }
}
