import Foundation

/// Refuses OFF, PLY and binary STL files whose header declares more elements than the file can
/// hold, *before* assimp sees them: assimp sizes its arrays from the header, so
/// assimp-testmodels' `invalid/OutOfMemory.off` (3.5·10¹¹ vertices declared in a 1 KB file)
/// allocates and zero-fills ~16 GB before failing.
///
/// Lower bounds on the bytes each element needs (never more than any valid file spends):
/// - OFF (ASCII): a vertex ≥ 6 bytes ("0 0 0\n"), a face ≥ 4 bytes ("1 0\n").
/// - PLY ascii: a row ≥ 2 bytes per scalar property ("0 "), a list property ≥ 2 ("0 ");
///   binary: a row ≥ the sum of its scalar sizes plus each list's count size.
/// - STL: a file not starting with "solid" is binary: 84 + 50·n bytes for n triangles.
/// Refused only when those bytes exceed twice the file plus 64 KiB: a grossly wrong header (the
/// allocation hazard); a file a few rows short still reaches assimp, which reports on it as before
/// (assimp-testmodels' `PLY/pond.0.ply` is 68 bytes short of its header).
/// Files of other formats, and headers this check cannot parse, pass unchanged (assimp decides).
enum DeclaredCounts {
    /// Throws `MeshIOError.declaredCountsTooLarge` when `bytes` (the whole file, or at least its
    /// first 64 KiB, with `size` the full length) declares more than `size` bytes can hold.
    static func check(path: String, ext: String, head: Data, size: Int) throws {
        guard let (what, needed) = requiredBytes(ext: ext.lowercased(), head: head), needed > mulAdd(size, 2, 65536) else { return }
        throw MeshIOError.declaredCountsTooLarge(path: path, declared: what, needed: needed, size: size)
    }

    /// Reads the first 64 KiB of `path` and checks them (see `check(path:ext:head:size:)`).
    static func check(path: String) throws {
        let ext = (path as NSString).pathExtension.lowercased()
        guard ["off", "ply", "stl"].contains(ext), let fh = FileHandle(forReadingAtPath: path) else { return }
        defer { try? fh.close() }
        let head = (try? fh.read(upToCount: 65536)) ?? Data()
        let size = Int((try? fh.seekToEnd()) ?? 0)
        try check(path: path, ext: ext, head: head, size: size)
    }

    /// (a description of the declared counts, the bytes they need at least), or nil.
    static func requiredBytes(ext: String, head: Data) -> (String, Int)? {
        switch ext {
        case "off": return off(head)
        case "ply": return ply(head)
        case "stl": return stl(head)
        default: return nil
        }
    }

    /// Saturating a·b + c (declared counts may be absurd).
    static func mulAdd(_ a: Int, _ b: Int, _ c: Int) -> Int {
        let (m, o1) = a.multipliedReportingOverflow(by: b)
        if o1 { return .max }
        let (s, o2) = m.addingReportingOverflow(c)
        return o2 ? .max : s
    }

    static func off(_ head: Data) -> (String, Int)? {
        // Tokens of the header, '#' comments dropped: [OFF-keyword] nv nf ne.
        let text = String(decoding: head.prefix(4096), as: UTF8.self)
        var tokens: [Substring] = []
        var consumed = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            consumed += line.utf8.count + 1
            let body = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            tokens += body.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            let numbers = tokens.drop(while: { Int($0) == nil })
            if numbers.count >= 2 { break }
        }
        guard let first = tokens.first, first.uppercased().hasSuffix("OFF") || Int(first) != nil,
              !tokens.contains(where: { $0.uppercased() == "BINARY" }) else { return nil }
        let numbers = tokens.drop(while: { Int($0) == nil }).prefix(2).compactMap { Int($0) }
        guard numbers.count == 2, numbers[0] >= 0, numbers[1] >= 0 else { return nil }
        let need = mulAdd(numbers[0], 6, mulAdd(numbers[1], 4, min(consumed, head.count)))
        return ("\(numbers[0]) vertices and \(numbers[1]) faces", need)
    }

    static func ply(_ head: Data) -> (String, Int)? {
        guard let end = head.range(of: Data("end_header".utf8)) else { return nil }
        let text = String(decoding: head[..<end.lowerBound], as: UTF8.self)
        var format = ""
        var elements: [(name: String, count: Int, fixed: Int, lists: Int, props: Int)] = []
        let sizes = ["char": 1, "uchar": 1, "int8": 1, "uint8": 1, "short": 2, "ushort": 2, "int16": 2, "uint16": 2,
                     "int": 4, "uint": 4, "int32": 4, "uint32": 4, "float": 4, "float32": 4, "double": 8, "float64": 8]
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let t = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let key = t.first else { continue }
            if key == "format", t.count >= 2 { format = String(t[1]) }
            if key == "element", t.count >= 3 {
                guard let n = Int(t[2]), n >= 0 else { return nil }
                elements.append((String(t[1]), n, 0, 0, 0))
            }
            if key == "property", t.count >= 3, !elements.isEmpty {
                if t[1] == "list", t.count >= 5 {
                    guard let countSize = sizes[String(t[2])] else { return nil }
                    elements[elements.count - 1].lists += countSize
                } else {
                    guard let s = sizes[String(t[1])] else { return nil }
                    elements[elements.count - 1].fixed += s
                }
                elements[elements.count - 1].props += 1
            }
        }
        guard !format.isEmpty, !elements.isEmpty else { return nil }
        var need = end.upperBound
        for e in elements {
            let row = format == "ascii" ? 2 * e.props : e.fixed + e.lists
            need = mulAdd(e.count, row, need)
        }
        return (elements.map { "\($0.count) \($0.name)" }.joined(separator: ", "), need)
    }

    static func stl(_ head: Data) -> (String, Int)? {
        guard head.count >= 84, !head.prefix(5).elementsEqual(Data("solid".utf8)) else { return nil }
        let n = Int(head[80]) | Int(head[81]) << 8 | Int(head[82]) << 16 | Int(head[83]) << 24
        return ("\(n) triangles (binary STL)", mulAdd(n, 50, 84))
    }
}
