import Foundation
import Support
import Testing
@testable import TensorCore

@Suite("autograd engine")
struct AutogradTests {
    @Test("a tensor used twice receives the sum of both paths' gradients")
    func diamond() {
        let x = Tensor([1, -2, 3], requiresGrad: true)
        let y = (x * x + x * 3).sum()          // d/dx = 2x + 3
        y.backward()
        #expect(x.grad?.scalars == [5, -1, 9])
    }

    @Test("leaf gradients accumulate across backward calls until cleared")
    func accumulation() {
        let x = Tensor([2], requiresGrad: true)
        (x * 4).sum().backward()
        (x * 4).sum().backward()
        #expect(x.grad?.scalars == [8])
        x.zeroGrad()
        #expect(x.grad == nil)
    }

    /// Weak references to the tensors of one graph.
    final class WeakTensors {
        var refs: [() -> Tensor?] = []
        func track(_ t: Tensor) { refs.append { [weak t] in t } }
        var alive: Int { refs.filter { $0() != nil }.count }
    }

    @Test("a recorded graph is freed with its last tensor, before and after backward (no cycles through backward closures), for every op of the tables",
          arguments: coreOpTable + convOpTable + planeSamplingTable)
    func graphsAreFreed(_ c: OpCase) {
        for runBackward in [false, true] {
            let tracked = WeakTensors()
            do {
                var rng = SeededRandom(seed: 0x6A7)
                let inst = c.make(&rng)
                for (t, d) in zip(inst.inputs, inst.differentiable) { t.requiresGrad = d }
                // Each differentiable input goes through a recorded node first, so the graph has
                // interior tensors whose lifetime depends on the op's backward closure.
                let hidden = zip(inst.inputs, inst.differentiable).map { t, d in d ? t * 1 : t }
                let y = inst.op(hidden)
                tracked.track(y)
                for h in hidden { tracked.track(h) }
                if runBackward { y.sum().backward() }
            }
            #expect(tracked.alive == 0, "\(c.name) (backward: \(runBackward)) kept \(tracked.alive) tensor(s) of its graph alive")
        }
    }

    @Test("no-grad mode records nothing and restores the previous mode")
    func noGrad() {
        let x = Tensor([1, 2], requiresGrad: true)
        let y = withNoGrad { (x * 2).exp().sum() }
        #expect(y.gradNode == nil && !y.requiresGrad)
        #expect(Autograd.isEnabled)
        let z = (x * 2).sum()
        #expect(z.gradNode != nil)
    }

    @Test("no-grad on one thread does not silence recording on another")
    func threadLocalMode() async {
        await withTaskGroup(of: Bool.self) { group in
            for i in 0..<8 {
                group.addTask {
                    if i % 2 == 0 { return withNoGrad { (Tensor([1], requiresGrad: true) * 2).gradNode == nil } }
                    return (Tensor([1], requiresGrad: true) * 2).gradNode != nil
                }
            }
            for await ok in group { #expect(ok) }
        }
    }

    @Test("views share storage; reshaped gradients come back in the source shape")
    func views() {
        let x = Tensor((0..<12).map(Float.init), shape: [3, 4], requiresGrad: true)
        let v = x.reshaped([2, 6])
        #expect(v.storage === x.storage)
        let s = x.slice(axis: 0, 1..<3)
        #expect(s.storage === x.storage && s.scalars == (4..<12).map(Float.init))
        (v * v).sum().backward()
        #expect(x.grad?.shape == [3, 4] && x.grad?.scalars == (0..<12).map { Float(2 * $0) })
    }

    @Test("a deep chain (10k ops) differentiates without recursion")
    func deepChain() {
        let x = Tensor([1], requiresGrad: true)
        var y = x
        for _ in 0..<10_000 { y = y + 1 }
        y.sum().backward()
        #expect(x.grad?.scalars == [1])
    }

    @Test("seeded random tensors are reproducible and have the requested moments")
    func seededRandom() {
        var a = SeededRandom(seed: 7), b = SeededRandom(seed: 7)
        let x = Tensor.randn([20_000], mean: 1, std: 2, rng: &a)
        let y = Tensor.randn([20_000], mean: 1, std: 2, rng: &b)
        #expect(x.scalars == y.scalars)
        let m = x.mean().item, sd = x.variance().item.squareRoot()
        #expect(Swift.abs(m - 1) < 0.05 && Swift.abs(sd - 2) < 0.05)
        let u = Tensor.uniform([20_000], -1, 3, rng: &a)
        #expect(u.scalars.allSatisfy { $0 >= -1 && $0 < 3 } && Swift.abs(u.mean().item - 1) < 0.05)
    }

    @Test("empty tensors flow through elementwise ops and reductions")
    func empty() {
        let x = Tensor(zeros: [0, 3], requiresGrad: true)
        let y = (x * 2 + 1).sum(axes: [0])
        #expect(y.shape == [3] && y.scalars == [0, 0, 0])
    }

    @Test("large blocks are recycled by exact size, never handed to two owners, and a full pool frees what it cannot keep")
    func blockPool() {
        let mib = 1 << 20
        let pool = BlockPool(limitBytes: 3 * mib)   // its own pool: tests running alongside cannot fill it
        let p = pool.allocate(bytes: 2 * mib)
        pool.release(p, bytes: 2 * mib)
        #expect(pool.cachedBytes == 2 * mib)
        let other = pool.allocate(bytes: 2 * mib + 64)
        #expect(other != p)                                      // another size is never served a kept block
        other.deallocate()
        let b = pool.allocate(bytes: 2 * mib), c = pool.allocate(bytes: 2 * mib)
        #expect(b == p && c != p && pool.cachedBytes == 0)       // recycled once, then fresh
        pool.release(b, bytes: 2 * mib); pool.release(c, bytes: 2 * mib)
        #expect(pool.cachedBytes == 2 * mib)                     // the second would pass the 3 MiB limit: freed
        let small = pool.allocate(bytes: mib - 4)
        pool.release(small, bytes: mib - 4)
        #expect(pool.cachedBytes == 2 * mib)                     // blocks under 1 MiB are never kept
        pool.purge()
        #expect(pool.cachedBytes == 0)
    }

    @Test("tensors whose storage comes from the shared pool keep their own values")
    func sharedPoolTensors() {
        let n = (1 << 19) + 4_321   // > 1 MiB
        var a: Tensor? = Tensor(repeating: 1, shape: [n])
        a = nil
        let b = Tensor(zeros: [n]), c = Tensor(repeating: 2, shape: [n])
        #expect(b.data != c.data)
        #expect(b.scalars.allSatisfy { $0 == 0 } && c.scalars.allSatisfy { $0 == 2 })
        _ = a
    }
}
