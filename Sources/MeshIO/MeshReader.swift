import Foundation
import Geometry

/// Native readers for OBJ and PLY, exact to the bit: no vertex welding, no reordering, floats
/// parsed correctly rounded. They read what `MeshWriter` writes and the common subsets written by
/// other tools; `MeshLoader` (assimp) is the general-purpose path with scene graphs.
///
/// - OBJ: `v` (extra w/colour columns ignored), `vn`, `f` with `i`, `i/t`, `i/t/n`, `i//n` corners,
///   negative (relative) indices; polygons are fan-triangulated (v0, vi, vi+1). Normals are kept
///   when every face corner's normal index equals its position index (as `MeshWriter` writes);
///   otherwise they are dropped. Other statements (`vt`, `o`, `g`, `usemtl`, `s`, `l`, `p`) are skipped.
/// - PLY: `ascii`, `binary_little_endian`, `binary_big_endian`; every scalar type; `vertex` with
///   `x y z` (+ `nx ny nz`), `face` with a list `vertex_indices` or `vertex_index` (polygons
///   fan-triangulated); other elements are skipped.
///
/// Faces are *not* cleaned: a degenerate face in the file stays (use `cleanedFaces()`), but every
/// index is checked against the vertex count.
public enum MeshReader {
    /// Reads `path` as the format its extension names.
    public static func read(path: String) throws -> TriangleMesh {
        let format = try MeshFileFormat.from(path: path)
        let data = try MeshIOError.readFile(path)
        return try read(data: data, format: format, name: path)
    }

    /// Parses `data` as `format`; `name` appears in errors.
    public static func read(data: Data, format: MeshFileFormat, name: String = "<memory>") throws -> TriangleMesh {
        guard !data.isEmpty else { throw MeshIOError.emptyFile(path: name) }
        let mesh: TriangleMesh
        switch format {
        case .obj: mesh = try parseOBJ(data, name: name)
        case .ply: mesh = try parsePLY(data, name: name)
        }
        do { try mesh.validate() } catch let e as TriangleMesh.InvariantViolation {
            if case .nonFinitePosition = e { return mesh }  // NaN coordinates are data, reported by cleaning
            throw MeshIOError.malformed(path: name, reason: e.description)
        }
        return mesh
    }

    // MARK: OBJ

    static func parseOBJ(_ data: Data, name: String) throws -> TriangleMesh {
        guard let text = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .isoLatin1) else {
            throw MeshIOError.malformed(path: name, reason: "not text")
        }
        var positions: [Vec3] = [], normals: [Vec3] = [], tris: [SIMD3<UInt32>] = []
        var normalsMatch = true
        var lineNo = 0
        func bad(_ why: String) -> MeshIOError { .malformed(path: name, reason: "line \(lineNo): \(why)") }
        func floats(_ toks: ArraySlice<Substring>) throws -> Vec3 {
            guard toks.count >= 3 else { throw bad("expected 3 coordinates") }
            var v = Vec3()
            for (k, t) in toks.prefix(3).enumerated() {
                guard let f = Float(t) else { throw bad("'\(t)' is not a number") }
                v[k] = f
            }
            return v
        }
        func resolve(_ s: Substring, count: Int) throws -> Int {
            guard let i = Int(s), i != 0 else { throw bad("bad index '\(s)'") }
            let r = i > 0 ? i - 1 : count + i
            guard r >= 0 && r < count else { throw bad("index \(i) out of range (\(count) defined)") }
            return r
        }
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNo += 1
            let toks = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard let head = toks.first else { continue }
            switch head {
            case "v": positions.append(try floats(toks.dropFirst()))
            case "vn": normals.append(try floats(toks.dropFirst()))
            case "f":
                var corners: [Int] = []
                for c in toks.dropFirst() {
                    let parts = c.split(separator: "/", omittingEmptySubsequences: false)
                    let v = try resolve(parts[0], count: positions.count)
                    corners.append(v)
                    if parts.count >= 3, !parts[2].isEmpty {
                        if try resolve(parts[2], count: normals.count) != v { normalsMatch = false }
                    } else { normalsMatch = false }
                }
                guard corners.count >= 3 else { throw bad("a face needs at least 3 corners") }
                for k in 1..<(corners.count - 1) {
                    tris.append(SIMD3(UInt32(corners[0]), UInt32(corners[k]), UInt32(corners[k + 1])))
                }
            default: continue
            }
        }
        let keepNormals = normalsMatch && !tris.isEmpty && normals.count == positions.count
        return TriangleMesh(positions: positions, triangles: tris, normals: keepNormals ? normals : nil)
    }

    // MARK: PLY

    enum PLYType: String {
        case int8, uint8, int16, uint16, int32, uint32, float32, float64
        init?(name: String) {
            switch name {
            case "char", "int8": self = .int8
            case "uchar", "uint8": self = .uint8
            case "short", "int16": self = .int16
            case "ushort", "uint16": self = .uint16
            case "int", "int32": self = .int32
            case "uint", "uint32": self = .uint32
            case "float", "float32": self = .float32
            case "double", "float64": self = .float64
            default: return nil
            }
        }
        var size: Int {
            switch self { case .int8, .uint8: 1; case .int16, .uint16: 2; case .int32, .uint32, .float32: 4; case .float64: 8 }
        }
    }
    struct PLYProperty { var name: String; var type: PLYType; var listCount: PLYType? }
    struct PLYElement { var name: String; var count: Int; var properties: [PLYProperty] }
    enum PLYEncoding { case ascii, littleEndian, bigEndian }

    /// Reads PLY values one at a time (binary: fixed-size fields; ascii: whitespace tokens).
    struct PLYCursor {
        let bytes: [UInt8]
        var offset: Int
        let encoding: PLYEncoding
        let name: String

        mutating func value(_ t: PLYType) throws -> Double {
            if encoding == .ascii {
                while offset < bytes.count, bytes[offset] == 0x20 || bytes[offset] == 0x0A || bytes[offset] == 0x0D || bytes[offset] == 0x09 { offset += 1 }
                let start = offset
                while offset < bytes.count, !(bytes[offset] == 0x20 || bytes[offset] == 0x0A || bytes[offset] == 0x0D || bytes[offset] == 0x09) { offset += 1 }
                guard offset > start else { throw MeshIOError.malformed(path: name, reason: "unexpected end of file") }
                let tok = String(decoding: bytes[start..<offset], as: UTF8.self)
                if t == .float32 { if let f = Float(tok) { return Double(f) } }
                guard let d = Double(tok) else { throw MeshIOError.malformed(path: name, reason: "'\(tok)' is not a number") }
                return d
            }
            guard offset + t.size <= bytes.count else {
                throw MeshIOError.malformed(path: name, reason: "unexpected end of file (truncated binary data)")
            }
            var raw: UInt64 = 0
            for k in 0..<t.size {
                let b = UInt64(bytes[offset + (encoding == .littleEndian ? k : t.size - 1 - k)])
                raw |= b << (8 * UInt64(k))
            }
            offset += t.size
            switch t {
            case .int8: return Double(Int8(truncatingIfNeeded: raw))
            case .uint8: return Double(UInt8(truncatingIfNeeded: raw))
            case .int16: return Double(Int16(truncatingIfNeeded: raw))
            case .uint16: return Double(UInt16(truncatingIfNeeded: raw))
            case .int32: return Double(Int32(truncatingIfNeeded: raw))
            case .uint32: return Double(UInt32(truncatingIfNeeded: raw))
            case .float32: return Double(Float(bitPattern: UInt32(truncatingIfNeeded: raw)))
            case .float64: return Double(bitPattern: raw)
            }
        }
    }

    static func parsePLY(_ data: Data, name: String) throws -> TriangleMesh {
        let bytes = [UInt8](data)
        func bad(_ why: String) -> MeshIOError { .malformed(path: name, reason: why) }
        // Header: lines up to and including "end_header".
        var offset = 0
        var lines: [String] = []
        while true {
            guard let nl = bytes[offset...].firstIndex(of: 0x0A) else { throw bad("no end_header line") }
            let line = String(decoding: bytes[offset..<nl], as: UTF8.self).trimmingCharacters(in: .whitespaces.union(.init(charactersIn: "\r")))
            offset = nl + 1
            lines.append(line)
            if line == "end_header" { break }
            if lines.count > 10_000 { throw bad("header too long") }
        }
        guard lines.first == "ply" else { throw bad("not a PLY file (first line is not 'ply')") }
        var encoding: PLYEncoding?
        var elements: [PLYElement] = []
        for line in lines.dropFirst() {
            let t = line.split(separator: " ").map(String.init)
            guard let head = t.first else { continue }
            switch head {
            case "format":
                guard t.count >= 2 else { throw bad("bad format line") }
                switch t[1] {
                case "ascii": encoding = .ascii
                case "binary_little_endian": encoding = .littleEndian
                case "binary_big_endian": encoding = .bigEndian
                default: throw bad("unknown PLY format '\(t[1])'")
                }
            case "element":
                guard t.count == 3, let n = Int(t[2]), n >= 0 else { throw bad("bad element line '\(line)'") }
                elements.append(PLYElement(name: t[1], count: n, properties: []))
            case "property":
                guard !elements.isEmpty else { throw bad("property before any element") }
                if t.count == 5, t[1] == "list", let c = PLYType(name: t[2]), let v = PLYType(name: t[3]) {
                    elements[elements.count - 1].properties.append(PLYProperty(name: t[4], type: v, listCount: c))
                } else if t.count == 3, let v = PLYType(name: t[1]) {
                    elements[elements.count - 1].properties.append(PLYProperty(name: t[2], type: v, listCount: nil))
                } else { throw bad("bad property line '\(line)'") }
            default: continue  // comment, obj_info, end_header
            }
        }
        guard let enc = encoding else { throw bad("no format line") }
        var cur = PLYCursor(bytes: bytes, offset: offset, encoding: enc, name: name)
        var positions: [Vec3] = [], normals: [Vec3]? = nil, tris: [SIMD3<UInt32>] = []
        for el in elements {
            if el.name == "vertex" {
                let names = el.properties.map(\.name)
                guard let ix = names.firstIndex(of: "x"), let iy = names.firstIndex(of: "y"), let iz = names.firstIndex(of: "z") else {
                    throw bad("vertex element lacks x, y, z")
                }
                let nIdx = ["nx", "ny", "nz"].map { names.firstIndex(of: $0) }
                let hasN = nIdx.allSatisfy { $0 != nil }
                positions.reserveCapacity(el.count)
                if hasN { normals = [] ; normals!.reserveCapacity(el.count) }
                var row = [Double](repeating: 0, count: el.properties.count)
                for _ in 0..<el.count {
                    for (k, p) in el.properties.enumerated() {
                        if let c = p.listCount {
                            let n = Int(try cur.value(c)); for _ in 0..<max(n, 0) { _ = try cur.value(p.type) }
                        } else { row[k] = try cur.value(p.type) }
                    }
                    positions.append(Vec3(Float(row[ix]), Float(row[iy]), Float(row[iz])))
                    if hasN { normals!.append(Vec3(Float(row[nIdx[0]!]), Float(row[nIdx[1]!]), Float(row[nIdx[2]!]))) }
                }
            } else if el.name == "face" {
                guard let li = el.properties.firstIndex(where: { ($0.name == "vertex_indices" || $0.name == "vertex_index") && $0.listCount != nil }) else {
                    throw bad("face element lacks a vertex_indices list")
                }
                tris.reserveCapacity(el.count)
                var poly: [UInt32] = []
                for f in 0..<el.count {
                    for (k, p) in el.properties.enumerated() {
                        if let c = p.listCount {
                            let n = Int(try cur.value(c))
                            if k == li {
                                poly.removeAll(keepingCapacity: true)
                                for _ in 0..<max(n, 0) {
                                    let v = try cur.value(p.type)
                                    guard v >= 0, v < Double(positions.count) else { throw bad("face \(f) references vertex \(Int(v)) of \(positions.count)") }
                                    poly.append(UInt32(v))
                                }
                                guard poly.count >= 3 else { throw bad("face \(f) has \(poly.count) corners") }
                                for j in 1..<(poly.count - 1) { tris.append(SIMD3(poly[0], poly[j], poly[j + 1])) }
                            } else { for _ in 0..<max(n, 0) { _ = try cur.value(p.type) } }
                        } else { _ = try cur.value(p.type) }
                    }
                }
            } else {
                for _ in 0..<el.count {
                    for p in el.properties {
                        if let c = p.listCount { let n = Int(try cur.value(c)); for _ in 0..<max(n, 0) { _ = try cur.value(p.type) } }
                        else { _ = try cur.value(p.type) }
                    }
                }
            }
        }
        return TriangleMesh(positions: positions, triangles: tris, normals: normals)
    }
}
