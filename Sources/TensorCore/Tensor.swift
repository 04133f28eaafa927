import Foundation
import Support

/// A reference-counted block of Float32 values (the class-backed buffer under every `Tensor`).
/// Several tensors may share one storage (views made by `reshaped` and by slicing the leading
/// axis); the memory is 64-byte aligned and returned to `BlockPool.shared` with the last reference.
public final class TensorStorage: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    /// Uninitialized storage of `count` floats (callers overwrite every value).
    public init(uninitialized count: Int) {
        precondition(count >= 0, "storage size must be ≥ 0")
        self.count = count
        pointer = BlockPool.shared.allocate(bytes: max(1, count) * 4).bindMemory(to: Float.self, capacity: max(1, count))
    }

    public convenience init(zeros count: Int) {
        self.init(uninitialized: count)
        pointer.initialize(repeating: 0, count: count)
    }

    deinit { BlockPool.shared.release(UnsafeMutableRawPointer(pointer), bytes: max(1, count) * 4) }
}

/// Recycles large blocks (≥ `minBytes`, 1 MiB) by exact size. Training repeats the same shapes
/// every step, and without this every large activation would be a fresh `mmap` whose pages fault
/// in (and are zeroed by the kernel) again on every step — a fifth of a step's time at NFD's sizes.
///
/// At most `limitBytes` of free blocks are kept: a block released into a full pool is returned to
/// the system (the blocks already kept stay — at a training's steady state they are the ones it
/// reuses). Small blocks go straight to `malloc`. A block handed out is never in the pool, so two
/// live tensors never share one. Thread-safe. Every tensor uses `BlockPool.shared`; tests make
/// their own pool so that other tests running at the same time cannot fill it.
public final class BlockPool: @unchecked Sendable {
    /// The pool every `TensorStorage` allocates from.
    public static let shared = BlockPool()

    /// Upper bound on kept (free) bytes.
    public let limitBytes: Int
    /// Smallest block size that is kept.
    public let minBytes: Int
    private var free: [Int: [UnsafeMutableRawPointer]] = [:]
    private var keptBytes = 0
    private let lock = NSLock()

    public init(limitBytes: Int = 1 << 30, minBytes: Int = 1 << 20) {
        precondition(limitBytes >= 0 && minBytes >= 1, "pool limits must be ≥ 0 / ≥ 1")
        self.limitBytes = limitBytes; self.minBytes = minBytes
    }

    deinit { purge() }

    /// Free bytes the pool holds now.
    public var cachedBytes: Int { lock.lock(); defer { lock.unlock() }; return keptBytes }

    /// A block of `bytes` bytes, 64-byte aligned: a kept one of exactly that size, or a new one.
    public func allocate(bytes: Int) -> UnsafeMutableRawPointer {
        if bytes >= minBytes {
            lock.lock()
            if var list = free[bytes], let p = list.popLast() {
                free[bytes] = list
                keptBytes -= bytes
                lock.unlock()
                return p
            }
            lock.unlock()
        }
        return UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
    }

    /// Gives back a block that `allocate(bytes:)` returned with the same `bytes`.
    public func release(_ p: UnsafeMutableRawPointer, bytes: Int) {
        if bytes >= minBytes {
            lock.lock()
            if keptBytes + bytes <= limitBytes {
                free[bytes, default: []].append(p)
                keptBytes += bytes
                lock.unlock()
                return
            }
            lock.unlock()
        }
        p.deallocate()
    }

    /// Returns every kept block to the system.
    public func purge() {
        lock.lock(); defer { lock.unlock() }
        for (_, list) in free { for p in list { p.deallocate() } }
        free = [:]; keptBytes = 0
    }
}

/// An n-dimensional array of Float32 that records the operations made on it for reverse-mode
/// automatic differentiation.
///
/// **Layout.** Values are contiguous and row-major (C order): element `(i0, i1, …, i{n-1})` lives
/// at `offset + Σ ik·strides[k]` in `storage`, with `strides[n-1] = 1` and
/// `strides[k] = strides[k+1]·shape[k+1]`. A rank-0 tensor (shape `[]`) holds one scalar.
/// Size-0 dimensions are allowed (empty tensors). Views (`reshaped`, `slice` along axis 0)
/// share storage with their source; every other op writes a new contiguous tensor.
///
/// **Autograd.** A tensor made by an op from inputs of which at least one `requiresGrad` records
/// a `GradNode` (its inputs and a backward closure). `backward()` visits the graph in reverse
/// topological order and *accumulates* into `.grad` of leaf tensors that require grad (tensors
/// made by the user with `requiresGrad = true`); intermediate gradients are dropped after use.
/// Inside `withNoGrad { … }` nothing is recorded (inference, optimizer updates).
///
/// Tensors are reference types (like `torch.Tensor`): optimizers update parameters in place
/// through `withMutableBuffer`. Not thread-safe for concurrent mutation.
public final class Tensor: @unchecked Sendable, CustomStringConvertible {
    public let storage: TensorStorage
    public let offset: Int
    public let shape: [Int]
    public let count: Int
    /// Whether gradients flow to this tensor (set on leaves such as parameters).
    public var requiresGrad: Bool
    /// Accumulated gradient (same shape), filled by `backward()` on leaves that require grad.
    public var grad: Tensor?
    /// The op that made this tensor, if recorded.
    public internal(set) var gradNode: GradNode?
    /// Optional name (parameters), shown in `description`.
    public var name: String?

    public init(storage: TensorStorage, offset: Int = 0, shape: [Int], requiresGrad: Bool = false) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        let n = shape.reduce(1, *)
        precondition(offset >= 0 && offset + n <= storage.count, "view [\(offset), \(offset + n)) outside storage of \(storage.count)")
        self.storage = storage; self.offset = offset; self.shape = shape; self.count = n
        self.requiresGrad = requiresGrad
    }

    /// Uninitialized tensor (for kernels that overwrite every element).
    public convenience init(uninitializedShape shape: [Int]) {
        self.init(storage: TensorStorage(uninitialized: shape.reduce(1, *)), shape: shape)
    }

    /// A tensor of zeros.
    public convenience init(zeros shape: [Int], requiresGrad: Bool = false) {
        self.init(storage: TensorStorage(zeros: shape.reduce(1, *)), shape: shape, requiresGrad: requiresGrad)
    }

    /// A tensor filled with `value`.
    public convenience init(repeating value: Float, shape: [Int], requiresGrad: Bool = false) {
        let s = TensorStorage(uninitialized: shape.reduce(1, *))
        s.pointer.initialize(repeating: value, count: s.count)
        self.init(storage: s, shape: shape, requiresGrad: requiresGrad)
    }

    /// A tensor holding `values` (row-major) with `shape`; `shape` defaults to `[values.count]`.
    public convenience init(_ values: [Float], shape: [Int]? = nil, requiresGrad: Bool = false) {
        let shp = shape ?? [values.count]
        precondition(shp.reduce(1, *) == values.count, "\(values.count) values do not fill shape \(shp)")
        let s = TensorStorage(uninitialized: values.count)
        values.withUnsafeBufferPointer { b in
            if let base = b.baseAddress { s.pointer.initialize(from: base, count: values.count) }
        }
        self.init(storage: s, shape: shp, requiresGrad: requiresGrad)
    }

    /// A rank-0 tensor.
    public convenience init(scalar: Float, requiresGrad: Bool = false) {
        self.init([scalar], shape: [], requiresGrad: requiresGrad)
    }

    // MARK: Access

    public var rank: Int { shape.count }
    /// Row-major strides in elements.
    public var strides: [Int] { Tensor.contiguousStrides(shape) }
    public static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for k in stride(from: shape.count - 1, through: 0, by: -1) { s[k] = acc; acc *= shape[k] }
        return s
    }

    /// Pointer to the first element (read-only use).
    @inlinable public var data: UnsafePointer<Float> { UnsafePointer(storage.pointer + offset) }
    /// Pointer to the first element for in-place writes (kernels writing fresh outputs, optimizers).
    @inlinable public var mutableData: UnsafeMutablePointer<Float> { storage.pointer + offset }

    /// Values as a Swift array (row-major).
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }
    /// The single value of a tensor with one element.
    public var item: Float {
        precondition(count == 1, "item needs exactly one element, shape is \(shape)")
        return data[0]
    }
    /// Element at a multi-index.
    public subscript(_ index: Int...) -> Float {
        precondition(index.count == rank, "index rank \(index.count) ≠ tensor rank \(rank)")
        var o = 0
        let st = strides
        for k in 0..<rank { precondition(index[k] >= 0 && index[k] < shape[k], "index out of range"); o += index[k] * st[k] }
        return data[o]
    }

    /// Runs `body` with a mutable buffer over the values (in-place updates; not recorded).
    public func withMutableBuffer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeMutableBufferPointer(start: mutableData, count: count))
    }

    /// A new tensor with the same values and no history.
    public func detached() -> Tensor { Tensor(storage: storage, offset: offset, shape: shape) }

    /// A deep copy with no history.
    public func copy() -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        t.mutableData.initialize(from: data, count: count)
        return t
    }

    /// Overwrites the values with those of `other` (same count); not recorded.
    public func assign(_ other: Tensor) {
        precondition(other.count == count, "assign: \(other.shape) into \(shape)")
        mutableData.update(from: other.data, count: count)
    }

    /// Clears `.grad`.
    public func zeroGrad() { grad = nil }

    public var description: String {
        let head = "Tensor\(shape)" + (name.map { " '\($0)'" } ?? "")
        if count <= 16 { return head + " " + scalars.map { String(format: "%.5g", $0) }.joined(separator: ", ") }
        return head
    }
}

// MARK: - Autograd engine

/// One recorded operation: its inputs and a closure mapping the gradient of its output to the
/// gradients of its inputs (nil where an input needs none). Backward closures run in no-grad mode.
public final class GradNode {
    public let name: String
    public let inputs: [Tensor]
    public let backward: (Tensor) -> [Tensor?]
    init(name: String, inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) {
        self.name = name; self.inputs = inputs; self.backward = backward
    }
}

/// The autograd switch, per thread (tests and independent jobs may record graphs on several
/// threads at once; a `withNoGrad` on one must not silence the others). Kernels' worker threads
/// never create tensors, so they never consult it.
public enum Autograd {
    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        let rc = pthread_key_create(&k, nil)
        precondition(rc == 0, "pthread_key_create failed")
        return k
    }()
    /// Whether ops on the current thread record history.
    public static var isEnabled: Bool {
        get { pthread_getspecific(key) == nil }
        set { pthread_setspecific(key, newValue ? nil : UnsafeRawPointer(bitPattern: 1)) }
    }
}

/// Runs `body` without recording any history on this thread (inference, optimizer steps, EMA).
@discardableResult
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    let saved = Autograd.isEnabled
    Autograd.isEnabled = false
    defer { Autograd.isEnabled = saved }
    return try body()
}

extension Tensor {
    /// Whether an op taking these inputs records a node.
    @inlinable static func needsGrad(_ inputs: [Tensor]) -> Bool {
        guard Autograd.isEnabled else { return false }
        for t in inputs where t.requiresGrad { return true }
        return false
    }

    /// Attaches `backward` to `output` when any of `inputs` requires grad; returns `output`.
    @discardableResult
    func record(_ name: String, _ inputs: [Tensor], _ backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        if Tensor.needsGrad(inputs) {
            requiresGrad = true
            gradNode = GradNode(name: name, inputs: inputs, backward: backward)
        }
        return self
    }

    /// Whether this tensor is a leaf of the graph (made by the user, not by a recorded op).
    public var isLeaf: Bool { gradNode == nil }

    /// Reverse-mode differentiation of this tensor. `gradient` defaults to ones (so a scalar loss
    /// needs none). Leaf tensors with `requiresGrad` accumulate into `.grad`.
    public func backward(_ gradient: Tensor? = nil) {
        let seed = gradient ?? Tensor(repeating: 1, shape: shape)
        precondition(seed.shape == shape, "backward: gradient shape \(seed.shape) ≠ \(shape)")
        guard requiresGrad else { return }
        // Topological order by iterative DFS (graphs can be thousands of nodes deep).
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Bool)] = [(self, false)]
        while let (t, expanded) = stack.popLast() {
            if expanded { order.append(t); continue }
            let id = ObjectIdentifier(t)
            if visited.contains(id) { continue }
            visited.insert(id)
            stack.append((t, true))
            if let node = t.gradNode {
                for inp in node.inputs where inp.requiresGrad && !visited.contains(ObjectIdentifier(inp)) {
                    stack.append((inp, false))
                }
            }
        }
        var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed]
        withNoGrad {
            for t in order.reversed() {
                let id = ObjectIdentifier(t)
                guard let g = grads.removeValue(forKey: id) else { continue }
                guard let node = t.gradNode else {
                    // Leaf: accumulate.
                    // A fresh copy: `g` may alias another gradient, and `.grad` is updated in place
                    // (clipping, accumulation).
                    if let old = t.grad { old.addInPlace(g) } else { let c = g.copy(); t.grad = Tensor(storage: c.storage, shape: t.shape) }
                    continue
                }
                let gs = node.backward(g)
                precondition(gs.count == node.inputs.count, "\(node.name): backward returned \(gs.count) grads for \(node.inputs.count) inputs")
                for (inp, gi) in zip(node.inputs, gs) {
                    guard inp.requiresGrad, let gi else { continue }
                    precondition(gi.count == inp.count, "\(node.name): gradient \(gi.shape) for input \(inp.shape)")
                    let iid = ObjectIdentifier(inp)
                    if let old = grads[iid] { grads[iid] = old.adding(gi) } else { grads[iid] = gi }
                }
            }
        }
    }

}

// MARK: - Random initialisation

extension Tensor {
    /// N(mean, std²) values from `rng` (Box–Muller; deterministic for a seed).
    public static func randn(_ shape: [Int], mean: Float = 0, std: Float = 1, rng: inout SeededRandom, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        let p = t.mutableData
        for i in 0..<t.count { p[i] = mean + std * rng.normal() }
        t.requiresGrad = requiresGrad
        return t
    }

    /// Uniform values in [lo, hi) from `rng`.
    public static func uniform(_ shape: [Int], _ lo: Float = 0, _ hi: Float = 1, rng: inout SeededRandom, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        let p = t.mutableData
        for i in 0..<t.count { p[i] = rng.uniform(lo, hi) }
        t.requiresGrad = requiresGrad
        return t
    }
}
