import ArrayIO
import Foundation
import Support

// Checkpoints in the safetensors format (Hugging Face, https://github.com/huggingface/safetensors):
//
//   [8 bytes: N, little-endian u64] [N bytes: JSON header] [data bytes]
//
// The header maps each tensor name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets
// relative to the start of the data section) plus an optional "__metadata__" object of strings.
// Reading validates everything before touching a value: the header length against the file
// size, the JSON, every dtype, shape and byte range, and that the ranges tile the data section
// without holes or overlaps (as the reference implementation requires). Anything off is a typed
// `SafetensorsError`, never a crash.

/// Why a safetensors file was rejected.
public enum SafetensorsError: Error, Equatable, CustomStringConvertible {
    /// Fewer bytes than the 8-byte length prefix plus the declared header / data.
    case truncated(expectedBytes: Int, actualBytes: Int)
    /// A header length above the 100 MB limit of the reference implementation.
    case headerTooLarge(Int)
    /// The header is not a UTF-8 JSON object of the expected form.
    case invalidHeader(String)
    /// A dtype the format does not define (or, when converting to Float32, one that cannot be).
    case unsupportedDType(tensor: String, dtype: String)
    /// A shape that is not a list of non-negative integers.
    case invalidShape(tensor: String)
    /// `data_offsets` malformed, reversed, outside the data section, or not `count × itemsize` long.
    case invalidByteRange(tensor: String, reason: String)
    /// The byte ranges leave a hole, overlap, or stop short of the data section's end.
    case dataNotFullyIndexed(String)
    /// A tensor the caller asked for is absent.
    case missingTensor(String)
    /// A tensor has another shape than the caller expects.
    case shapeMismatch(tensor: String, expected: [Int], actual: [Int])
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// A finite value that the requested storage dtype cannot hold (|x| > 65504 for F16).
    case notRepresentable(tensor: String, dtype: String)

    public var description: String {
        switch self {
        case let .truncated(e, a): return "safetensors file truncated: needs \(e) bytes, has \(a)"
        case let .headerTooLarge(n): return "safetensors header of \(n) bytes exceeds the 100 MB limit (corrupt length prefix?)"
        case let .invalidHeader(r): return "safetensors header is invalid: \(r)"
        case let .unsupportedDType(t, d): return "tensor '\(t)': unsupported dtype '\(d)'"
        case let .invalidShape(t): return "tensor '\(t)': shape must be a list of non-negative integers"
        case let .invalidByteRange(t, r): return "tensor '\(t)': invalid data_offsets: \(r)"
        case let .dataNotFullyIndexed(r): return "safetensors data section is not fully indexed: \(r)"
        case let .missingTensor(t): return "no tensor named '\(t)' in the checkpoint"
        case let .shapeMismatch(t, e, a): return "tensor '\(t)' has shape \(a), expected \(e)"
        case let .unreadable(p, r): return "cannot read '\(p)': \(r)"
        case let .notRepresentable(t, d): return "tensor '\(t)' holds values beyond the range of \(d)"
        }
    }
}

/// The element types of the safetensors format.
public enum SafetensorsDType: String, Sendable, CaseIterable {
    case bool = "BOOL", u8 = "U8", i8 = "I8", f8e5m2 = "F8_E5M2", f8e4m3 = "F8_E4M3"
    case i16 = "I16", u16 = "U16", f16 = "F16", bf16 = "BF16"
    case i32 = "I32", u32 = "U32", f32 = "F32", i64 = "I64", u64 = "U64", f64 = "F64"

    public var itemSize: Int {
        switch self {
        case .bool, .u8, .i8, .f8e5m2, .f8e4m3: return 1
        case .i16, .u16, .f16, .bf16: return 2
        case .i32, .u32, .f32: return 4
        case .i64, .u64, .f64: return 8
        }
    }
}

/// One tensor's entry in the header: dtype, shape (row-major) and byte range in the data section.
public struct SafetensorsEntry: Sendable, Equatable {
    public var dtype: SafetensorsDType
    public var shape: [Int]
    public var byteRange: Range<Int>
}

/// A validated safetensors file: entries, metadata and the data section.
public struct SafetensorsFile: Sendable {
    public var entries: [String: SafetensorsEntry]
    public var metadata: [String: String]
    /// The data section (offsets in `entries` are relative to its start).
    public var data: Data

    /// Tensor names, sorted.
    public var names: [String] { entries.keys.sorted() }

    /// The tensor `name` as Float32 (F32 exactly; F16, BF16, F64 and integer/bool dtypes converted;
    /// F8 dtypes are refused). Throws `missingTensor` / `unsupportedDType`.
    public func tensor(_ name: String) throws -> Tensor {
        guard let e = entries[name] else { throw SafetensorsError.missingTensor(name) }
        let n = e.shape.reduce(1, *)
        let t = Tensor(uninitializedShape: e.shape)
        let out = t.mutableData
        let start = data.startIndex + e.byteRange.lowerBound
        try data[start..<(start + e.byteRange.count)].withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            func load<T>(_ type: T.Type, _ f: (T) -> Float) {
                for i in 0..<n { out[i] = f(raw.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self)) }
            }
            switch e.dtype {
            case .f32: load(UInt32.self) { Float(bitPattern: UInt32(littleEndian: $0)) }
            case .f16: load(UInt16.self) { HalfFloat.float(fromBits: UInt16(littleEndian: $0)) }
            case .bf16: load(UInt16.self) { Float(bitPattern: UInt32(UInt16(littleEndian: $0)) << 16) }
            case .f64: load(UInt64.self) { Float(Double(bitPattern: UInt64(littleEndian: $0))) }
            case .bool, .u8: load(UInt8.self) { Float($0) }
            case .i8: load(Int8.self) { Float($0) }
            case .i16: load(Int16.self) { Float(Int16(littleEndian: $0)) }
            case .u16: load(UInt16.self) { Float(UInt16(littleEndian: $0)) }
            case .i32: load(Int32.self) { Float(Int32(littleEndian: $0)) }
            case .u32: load(UInt32.self) { Float(UInt32(littleEndian: $0)) }
            case .i64: load(Int64.self) { Float(Int64(littleEndian: $0)) }
            case .u64: load(UInt64.self) { Float(UInt64(littleEndian: $0)) }
            case .f8e4m3, .f8e5m2: throw SafetensorsError.unsupportedDType(tensor: name, dtype: e.dtype.rawValue)
            }
        }
        return t
    }

    /// `tensor(name)`, checking its shape.
    public func tensor(_ name: String, shape: [Int]) throws -> Tensor {
        let t = try tensor(name)
        guard t.shape == shape else { throw SafetensorsError.shapeMismatch(tensor: name, expected: shape, actual: t.shape) }
        return t
    }
}

public enum Safetensors {
    /// Header size limit of the reference implementation.
    public static let maxHeaderBytes = 100_000_000

    /// Reads and validates a safetensors file (memory-mapped).
    public static func read(_ path: String) throws -> SafetensorsFile {
        let bytes: Data
        do { bytes = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) } catch {
            throw SafetensorsError.unreadable(path: path, reason: error.localizedDescription)
        }
        return try decode(bytes)
    }

    /// Validates and parses the bytes of a safetensors file.
    public static func decode(_ bytes: Data) throws -> SafetensorsFile {
        let total = bytes.count
        guard total >= 8 else { throw SafetensorsError.truncated(expectedBytes: 8, actualBytes: total) }
        var n64: UInt64 = 0
        for k in 0..<8 { n64 |= UInt64(bytes[bytes.startIndex + k]) << (8 * UInt64(k)) }
        guard n64 <= UInt64(maxHeaderBytes) else { throw SafetensorsError.headerTooLarge(n64 > UInt64(Int.max) ? Int.max : Int(n64)) }
        let n = Int(n64)
        guard 8 + n <= total else { throw SafetensorsError.truncated(expectedBytes: 8 + n, actualBytes: total) }
        let headerBytes = bytes[(bytes.startIndex + 8)..<(bytes.startIndex + 8 + n)]
        guard headerBytes.first == UInt8(ascii: "{") else { throw SafetensorsError.invalidHeader("does not start with '{'") }
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: Data(headerBytes)) } catch {
            throw SafetensorsError.invalidHeader("not valid JSON")
        }
        guard let dict = json as? [String: Any] else { throw SafetensorsError.invalidHeader("not a JSON object") }
        let dataSize = total - 8 - n
        var entries: [String: SafetensorsEntry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in dict {
            if name == "__metadata__" {
                guard let m = value as? [String: Any] else { throw SafetensorsError.invalidHeader("__metadata__ is not an object") }
                for (k, v) in m {
                    guard let s = v as? String else { throw SafetensorsError.invalidHeader("__metadata__ value for '\(k)' is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let info = value as? [String: Any] else { throw SafetensorsError.invalidHeader("entry '\(name)' is not an object") }
            guard let ds = info["dtype"] as? String else { throw SafetensorsError.invalidHeader("entry '\(name)' has no dtype string") }
            guard let dtype = SafetensorsDType(rawValue: ds) else { throw SafetensorsError.unsupportedDType(tensor: name, dtype: ds) }
            guard let shapeAny = info["shape"] as? [Any] else { throw SafetensorsError.invalidShape(tensor: name) }
            var shape: [Int] = []
            for d in shapeAny {
                guard let num = d as? NSNumber, let v = exactInt(num), v >= 0 else { throw SafetensorsError.invalidShape(tensor: name) }
                shape.append(v)
            }
            var count = 1
            for d in shape {
                let (p, o) = count.multipliedReportingOverflow(by: d)
                guard !o else { throw SafetensorsError.invalidShape(tensor: name) }
                count = p
            }
            guard let offs = info["data_offsets"] as? [Any], offs.count == 2,
                  let b0 = offs[0] as? NSNumber, let e0 = offs[1] as? NSNumber,
                  let b = exactInt(b0), let e = exactInt(e0) else {
                throw SafetensorsError.invalidByteRange(tensor: name, reason: "expected [begin, end] integers")
            }
            guard b >= 0, b <= e else { throw SafetensorsError.invalidByteRange(tensor: name, reason: "[\(b), \(e)] is reversed or negative") }
            guard e <= dataSize else {
                throw SafetensorsError.truncated(expectedBytes: 8 + n + e, actualBytes: total)
            }
            let (need, o) = count.multipliedReportingOverflow(by: dtype.itemSize)
            guard !o, e - b == need else {
                throw SafetensorsError.invalidByteRange(tensor: name, reason: "\(e - b) bytes for shape \(shape) of \(dtype.rawValue) (needs \(o ? Int.max : need))")
            }
            entries[name] = SafetensorsEntry(dtype: dtype, shape: shape, byteRange: b..<e)
        }
        // The ranges must tile [0, dataSize) exactly.
        var cursor = 0
        for (name, e) in entries.sorted(by: { ($0.value.byteRange.lowerBound, $0.value.byteRange.upperBound) < ($1.value.byteRange.lowerBound, $1.value.byteRange.upperBound) }) {
            guard e.byteRange.lowerBound == cursor else {
                throw SafetensorsError.dataNotFullyIndexed(e.byteRange.lowerBound > cursor
                    ? "hole of \(e.byteRange.lowerBound - cursor) bytes before '\(name)'" : "'\(name)' overlaps the previous tensor")
            }
            cursor = e.byteRange.upperBound
        }
        guard cursor == dataSize else { throw SafetensorsError.dataNotFullyIndexed("\(dataSize - cursor) trailing bytes after the last tensor") }
        let data = bytes[(bytes.startIndex + 8 + n)...]
        return SafetensorsFile(entries: entries, metadata: metadata, data: Data(data))
    }

    private static func exactInt(_ n: NSNumber) -> Int? {
        let d = n.doubleValue
        guard d.isFinite, d == d.rounded(), Swift.abs(d) < 9.0e15 else { return nil }
        return Int(exactly: d)
    }

    /// The bytes of a safetensors file holding `tensors` as `dtype` — F32 (exact) or F16 (each
    /// value rounded to the nearest half, ties to even; half the size, ~3 significant digits, for
    /// shipping sampling weights) — with names sorted, offsets ascending, the header padded with
    /// spaces to a multiple of 8 bytes as the reference writer does. A finite value beyond F16's
    /// range (|x| > 65504) is `SafetensorsError.notRepresentable` naming the tensor.
    public static func encode(_ tensors: [String: Tensor], metadata: [String: String] = [:], dtype: SafetensorsDType = .f32) throws -> Data {
        precondition(dtype == .f32 || dtype == .f16, "Safetensors.encode writes F32 or F16, not \(dtype.rawValue)")
        let names = tensors.keys.sorted()
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for name in names {
            let t = tensors[name]!
            let bytes = dtype.itemSize * t.count
            header[name] = ["dtype": dtype.rawValue, "shape": t.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
        var out = Data(capacity: 8 + json.count + offset)
        var len = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &len) { out.append(contentsOf: $0) }
        out.append(json)
        for name in names {
            let t = tensors[name]!
            let values = UnsafeBufferPointer(start: t.data, count: t.count)
            if dtype == .f32 {
                // Float32 in memory is little-endian on every platform Octoplane builds for.
                out.append(values)
            } else {
                var half = [UInt16](repeating: 0, count: t.count)
                for (i, v) in values.enumerated() {
                    half[i] = HalfFloat.bits(from: v).littleEndian
                    if v.isFinite && (half[i] & 0x7C00) == 0x7C00 { throw SafetensorsError.notRepresentable(tensor: name, dtype: dtype.rawValue) }
                }
                half.withUnsafeBufferPointer { out.append($0) }
            }
        }
        return out
    }

    /// Writes `tensors` (as `dtype`: F32 or F16) and `metadata` to `path` atomically.
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], dtype: SafetensorsDType = .f32, to path: String) throws {
        try AtomicFile.write(encode(tensors, metadata: metadata, dtype: dtype), to: path)
    }
}

// MARK: - .npy import/export of single tensors

extension Tensor {
    /// A tensor from a `.npy` array of any float dtype (f2/f4/f8 converted to Float32).
    public convenience init(npy array: NpyArray) throws {
        self.init(try array.floats(), shape: array.shape)
    }

    /// This tensor as a float32 `.npy` array.
    public func npyArray() -> NpyArray {
        // Shape and count always agree for a tensor, so this cannot fail.
        do { return try NpyArray(floats: scalars, shape: shape) } catch {
            preconditionFailure("a tensor's shape \(shape) disagrees with its \(scalars.count) scalars: \(error)")
        }
    }

    /// Reads a tensor from a `.npy` file (float dtypes).
    public static func load(npy path: String) throws -> Tensor { try Tensor(npy: Npy.read(path)) }

    /// Writes this tensor as a float32 `.npy` file, atomically.
    public func save(npy path: String) throws { try Npy.write(npyArray(), to: path) }
}
