import Dispatch
import Foundation

/// The one knob for Octoplane's own threads (non-BLAS kernels: BVH queries, marching cubes,
/// elementwise ops, grid sampling, im2col…).
///
/// Resolution order: a scoped count (`withThreadCount`, a task-local: it holds for the calling
/// task and the worker threads `parallelFor` starts for it, and for nobody else), else
/// `Parallelism.threadCount` if set by the program's entry point, else the environment variable
/// `OCTOPLANE_THREADS`, else the number of active processors. Always ≥ 1.
/// The tensor core also splits its matrix products over this many threads (OpenBLAS itself runs
/// single-threaded).
///
/// Library code and tests never assign `threadCount` (a process-wide value that tests running in
/// parallel would see change under them); they scope a count with `withThreadCount`.
public enum Parallelism {
    /// The scoped count of `withThreadCount` (nil: none). Public only so that the inlinable
    /// `parallelFor` can hand it to its worker threads.
    @TaskLocal public static var scopedThreadCount: Int? = nil

    /// Runs `body` with `threadCount` = `count` (≥ 1) for the current task and the worker threads
    /// its `parallelFor` loops start, leaving every other task's count alone.
    public static func withThreadCount<T>(_ count: Int, _ body: () throws -> T) rethrows -> T {
        precondition(count >= 1, "thread count \(count) must be ≥ 1")
        return try $scopedThreadCount.withValue(count, operation: body)
    }

    nonisolated(unsafe) private static var override: Int? = nil
    /// `OCTOPLANE_THREADS` or the processor count, read once (building the environment dictionary
    /// on every parallel loop and BLAS call cost more than small kernels themselves).
    private static let defaultCount: Int = {
        if let s = ProcessInfo.processInfo.environment["OCTOPLANE_THREADS"], let n = Int(s), n > 0 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()
    private static let lock = NSLock()

    /// Number of worker threads used by `parallelFor`. Setting it (the CLI's `--threads`, once, at
    /// start) changes the default of the whole process; a value ≤ 0 resets to the default.
    public static var threadCount: Int {
        get {
            if let scoped = scopedThreadCount { return scoped }
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
/// A count scoped by `Parallelism.withThreadCount` on the caller holds inside `body` on every
/// worker thread too (nested loops split as the caller asked).
@inlinable
public func parallelFor(_ count: Int, minChunk: Int = 1024, _ body: (Range<Int>) -> Void) {
    if count <= 0 { return }
    let threads = Parallelism.threadCount
    let maxChunks = max(1, count / max(1, minChunk))
    // A few chunks per thread balance uneven work (e.g. BVH queries near vs far from the surface).
    let chunks = min(maxChunks, threads == 1 ? 1 : threads * 4)
    if chunks <= 1 { body(0..<count); return }
    let size = (count + chunks - 1) / chunks
    let scoped = Parallelism.scopedThreadCount
    withoutActuallyEscaping(body) { body in
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = c * size
            let hi = min(count, lo + size)
            guard lo < hi else { return }
            // Worker threads belong to no task: hand them the caller's scoped count explicitly.
            if let scoped { Parallelism.$scopedThreadCount.withValue(scoped) { body(lo..<hi) } } else { body(lo..<hi) }
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
