import Dispatch
import Foundation

/// The one knob for Octoplane's own threads (non-BLAS kernels: BVH queries, marching cubes,
/// elementwise ops, grid sampling, im2col…).
///
/// Resolution order: `Parallelism.threadCount` if set by the program, else the environment
/// variable `OCTOPLANE_THREADS`, else the number of active processors. Always ≥ 1.
/// The tensor core also splits its matrix products over this many threads (OpenBLAS itself runs
/// single-threaded).
public enum Parallelism {
    nonisolated(unsafe) private static var override: Int? = nil
    /// `OCTOPLANE_THREADS` or the processor count, read once (building the environment dictionary
    /// on every parallel loop and BLAS call cost more than small kernels themselves).
    private static let defaultCount: Int = {
        if let s = ProcessInfo.processInfo.environment["OCTOPLANE_THREADS"], let n = Int(s), n > 0 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()
    private static let lock = NSLock()

    /// Number of worker threads used by `parallelFor`. Setting a value ≤ 0 resets to the default.
    public static var threadCount: Int {
        get {
            lock.lock(); defer { lock.unlock() }
            return override ?? defaultCount
        }
        set {
            lock.lock(); defer { lock.unlock() }
            override = newValue > 0 ? newValue : nil
        }
    }
}

/// Runs `body(range)` over `0..<count` split into contiguous chunks, on up to
/// `Parallelism.threadCount` threads. Chunks are at least `minChunk` long, so tiny loops run
/// inline on the caller's thread. `body` must be safe to call concurrently on disjoint ranges.
///
/// Edge cases: `count == 0` calls nothing; one thread or `count <= minChunk` runs inline.
@inlinable
public func parallelFor(_ count: Int, minChunk: Int = 1024, _ body: (Range<Int>) -> Void) {
    if count <= 0 { return }
    let threads = Parallelism.threadCount
    let maxChunks = max(1, count / max(1, minChunk))
    // A few chunks per thread balance uneven work (e.g. BVH queries near vs far from the surface).
    let chunks = min(maxChunks, threads == 1 ? 1 : threads * 4)
    if chunks <= 1 { body(0..<count); return }
    let size = (count + chunks - 1) / chunks
    withoutActuallyEscaping(body) { body in
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = c * size
            let hi = min(count, lo + size)
            if lo < hi { body(lo..<hi) }
        }
    }
}

/// `parallelFor` that writes one result per index into a new array.
@inlinable
public func parallelMap<T>(_ count: Int, minChunk: Int = 1024, repeating initial: T, _ f: (Int) -> T) -> [T] {
    var out = [T](repeating: initial, count: count)
    out.withUnsafeMutableBufferPointer { buf in
        let base = buf.baseAddress
        parallelFor(count, minChunk: minChunk) { r in
            for i in r { base![i] = f(i) }
        }
    }
    return out
}
