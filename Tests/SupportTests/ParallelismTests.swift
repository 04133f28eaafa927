import Foundation
import Testing
@testable import Support

@Suite("Scoped thread counts")
struct ParallelismTests {
    @Test("withThreadCount holds inside its scope — on the caller and on every parallelFor worker — and nowhere else")
    func scopedCount() {
        let outside = Parallelism.threadCount
        let seen = Parallelism.withThreadCount(outside + 3) { () -> [Int] in
            #expect(Parallelism.threadCount == outside + 3)
            var counts = [Int](repeating: 0, count: 64)
            counts.withUnsafeMutableBufferPointer { buf in
                let p = buf.baseAddress!
                // minChunk 1: 64 single-index chunks spread over worker threads.
                parallelFor(64, minChunk: 1) { r in for i in r { p[i] = Parallelism.threadCount } }
            }
            return counts
        }
        #expect(seen.allSatisfy { $0 == outside + 3 }, "\(Set(seen))")
        #expect(Parallelism.threadCount == outside)
    }

    @Test("concurrent tasks each see their own scoped count, nested loops included")
    func concurrentScopes() async {
        await withTaskGroup(of: Bool.self) { group in
            for k in 1...8 {
                group.addTask {
                    Parallelism.withThreadCount(k) {
                        var ok = true
                        let lock = NSLock()
                        parallelFor(16, minChunk: 1) { _ in
                            // A nested loop on a worker thread splits as the caller asked.
                            parallelFor(4, minChunk: 1) { _ in
                                let mine = Parallelism.threadCount == k
                                lock.lock(); ok = ok && mine; lock.unlock()
                            }
                        }
                        return ok && Parallelism.threadCount == k
                    }
                }
            }
            for await ok in group { #expect(ok) }
        }
    }
}
