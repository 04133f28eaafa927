import Foundation

/// An n-dimensional array as stored in a `.npy` file: C-order (row-major, last index fastest),
/// little-endian elements in `data`.
///
/// - `shape`: numpy's shape; `[]` is a 0-d scalar (one element), a 0 anywhere means no elements.
/// - `data`: exactly `count × dtype.itemSize` bytes.
///
/// Typed accessors (`floats()`, `doubles()`, `int64s()`, `int32s()`, `uint8s()`, `bools()`) convert
/// within a kind (any float dtype → Float, any integer dtype → Int64…) and throw
/// `ArrayIOError.dtypeMismatch` across kinds, so a mislabelled file is reported, not misread.
public struct NpyArray: Sendable, Equatable {
    public var shape: [Int]
    public var dtype: NpyDType
    public var data: Data

    /// Number of elements: the product of `shape` (1 for a 0-d array).
    public var count: Int { shape.reduce(1, *) }
    public var rank: Int { shape.count }

    /// Wraps raw little-endian C-order bytes; throws if their size does not match `shape`.
    public init(shape: [Int], dtype: NpyDType, data: Data) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else { throw ArrayIOError.countMismatch(shape: shape, count: data.count / dtype.itemSize) }
        let n = shape.reduce(1, *)
        guard data.count == n * dtype.itemSize else {
            if data.count < n * dtype.itemSize { throw ArrayIOError.truncated(expectedBytes: n * dtype.itemSize, actualBytes: data.count) }
            throw ArrayIOError.countMismatch(shape: shape, count: data.count / dtype.itemSize)
        }
        self.shape = shape; self.dtype = dtype; self.data = data
    }

    /// Throws `shapeMismatch` unless the shape matches `expected` (`nil` entries match any size).
    public func checkShape(_ expected: [Int?]) throws {
        guard expected.count == shape.count, zip(expected, shape).allSatisfy({ $0 == nil || $0! == $1 }) else {
            throw ArrayIOError.shapeMismatch(expected: expected, actual: shape)
        }
    }

    // MARK: Building arrays

    private init<T>(values: [T], shape: [Int]?, dtype: NpyDType) throws {
        let s = shape ?? [values.count]
        guard s.allSatisfy({ $0 >= 0 }), s.reduce(1, *) == values.count else { throw ArrayIOError.countMismatch(shape: s, count: values.count) }
        precondition(MemoryLayout<T>.stride == dtype.itemSize)
        self.shape = s; self.dtype = dtype
        self.data = values.withUnsafeBytes { Data($0) }
    }
    /// float32 array; `shape` defaults to `[floats.count]`.
    public init(floats: [Float], shape: [Int]? = nil) throws { try self.init(values: floats, shape: shape, dtype: .float32) }
    /// float64 array.
    public init(doubles: [Double], shape: [Int]? = nil) throws { try self.init(values: doubles, shape: shape, dtype: .float64) }
    /// float16 array from Float values (rounded to nearest even, like numpy's `astype(np.float16)`).
    public init(float16From floats: [Float], shape: [Int]? = nil) throws {
        try self.init(values: floats.map(HalfFloat.bits(from:)), shape: shape, dtype: .float16)
    }
    public init(int32s: [Int32], shape: [Int]? = nil) throws { try self.init(values: int32s, shape: shape, dtype: .int32) }
    public init(int64s: [Int64], shape: [Int]? = nil) throws { try self.init(values: int64s, shape: shape, dtype: .int64) }
    public init(uint32s: [UInt32], shape: [Int]? = nil) throws { try self.init(values: uint32s, shape: shape, dtype: .uint32) }
    public init(uint8s: [UInt8], shape: [Int]? = nil) throws { try self.init(values: uint8s, shape: shape, dtype: .uint8) }
    public init(bools: [Bool], shape: [Int]? = nil) throws {
        try self.init(values: bools.map { $0 ? UInt8(1) : 0 }, shape: shape, dtype: .bool)
    }
    /// A 0-d float32 scalar (numpy shape `()`), e.g. ONet's `scale`.
    public init(scalar: Float) { self.shape = []; self.dtype = .float32; self.data = withUnsafeBytes(of: scalar.bitPattern.littleEndian) { Data($0) } }

    // MARK: Reading elements

    private func load<T: FixedWidthInteger>(_: T.Type) -> [T] {
        let n = count
        return [T](unsafeUninitializedCapacity: n) { buf, done in
            data.withUnsafeBytes { raw in
                for i in 0..<n { buf[i] = T(littleEndian: raw.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self)) }
            }
            done = n
        }
    }
    private func mismatch(_ requested: String) -> ArrayIOError { .dtypeMismatch(requested: requested, actual: dtype.descr) }

    /// Elements as Float (from f2, f4 or f8; f8 rounds).
    public func floats() throws -> [Float] {
        switch dtype {
        case .float32: return load(UInt32.self).map(Float.init(bitPattern:))
        case .float16: return load(UInt16.self).map(HalfFloat.float(fromBits:))
        case .float64: return load(UInt64.self).map { Float(Double(bitPattern: $0)) }
        default: throw mismatch("a floating-point array")
        }
    }
    /// Elements as Double (from f2, f4 or f8; exact).
    public func doubles() throws -> [Double] {
        switch dtype {
        case .float64: return load(UInt64.self).map(Double.init(bitPattern:))
        case .float32, .float16: return try floats().map(Double.init)
        default: throw mismatch("a floating-point array")
        }
    }
    /// Elements as Int64 (from any integer dtype or bool; u8 above Int64.max traps, so it is refused).
    public func int64s() throws -> [Int64] {
        switch dtype {
        case .int8: return load(UInt8.self).map { Int64(Int8(bitPattern: $0)) }
        case .int16: return load(UInt16.self).map { Int64(Int16(bitPattern: $0)) }
        case .int32: return load(UInt32.self).map { Int64(Int32(bitPattern: $0)) }
        case .int64: return load(UInt64.self).map { Int64(bitPattern: $0) }
        case .uint8, .bool: return load(UInt8.self).map { Int64($0) }
        case .uint16: return load(UInt16.self).map { Int64($0) }
        case .uint32: return load(UInt32.self).map { Int64($0) }
        case .uint64:
            let v = load(UInt64.self)
            guard v.allSatisfy({ $0 <= UInt64(Int64.max) }) else { throw mismatch("int64 (values exceed Int64.max)") }
            return v.map { Int64($0) }
        default: throw mismatch("an integer array")
        }
    }
    /// Elements as Int32 (from integer dtypes whose values fit; otherwise `dtypeMismatch`).
    public func int32s() throws -> [Int32] {
        let v = try int64s()
        guard v.allSatisfy({ $0 >= Int64(Int32.min) && $0 <= Int64(Int32.max) }) else { throw mismatch("int32 (values out of range)") }
        return v.map { Int32($0) }
    }
    /// Raw bytes of a u1 / i1 / b1 array.
    public func uint8s() throws -> [UInt8] {
        guard dtype.itemSize == 1 else { throw mismatch("a one-byte array (u1, i1, b1)") }
        return [UInt8](data)
    }
    /// Elements of a b1 or u1 array as Bool (non-zero is true).
    public func bools() throws -> [Bool] {
        guard dtype == .bool || dtype == .uint8 else { throw mismatch("a boolean array") }
        return data.map { $0 != 0 }
    }
}
