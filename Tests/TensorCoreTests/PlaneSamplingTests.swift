import Foundation
import Support
import Testing
@testable import TensorCore

let planeSamplingTable: [OpCase] = [true, false].flatMap { align in [false, true].map { concat in
    OpCase(name: "samplePlanes align_corners=\(align) \(concat ? "concat" : "sum")") { rng in
        let p = 1 + Int(rng.next() % 3), c = randomDim(&rng, max: 11), h = randomDim(&rng, max: 6), w = randomDim(&rng, max: 6)
        let n = 1 + Int(rng.next() % 40)
        let axes: [PlaneAxes] = Array(PlaneAxes.triplane.prefix(p))
        let planes = randomTensor([p, c, h, w], &rng)
        // Some points outside [-1, 1] exercise the zero padding at the borders.
        let points = randomTensor([n, 3], &rng) { $0.uniform(-1.3, 1.3) }
        return OpInstance(inputs: [planes, points], differentiable: [true, true],
                          op: { samplePlanes($0[0], at: $0[1], axes: axes, alignCorners: align, combine: concat ? .concat : .sum) },
                          reference: { refSamplePlanes($0[0], $0[1], axes: axes.map { ($0.u, $0.v) }, alignCorners: align, concat: concat) })
    }
} }

@Suite("bilinear plane sampling (the triplane op)")
struct PlaneSamplingTests {
    @Test("forward matches grid_sample's formula; gradients to planes and points match finite differences", arguments: planeSamplingTable)
    func table(_ c: OpCase) {
        checkTableRow(c, seeds: 6, baseSeed: 77, probesPerInput: 40)
    }

    @Test("align_corners puts ±1 on pixel centres; otherwise on pixel edges (zero padding fades out)")
    func cornerSemantics() {
        // One plane, one channel, 1×2 pixels with values 10 and 20.
        let planes = Tensor([10, 20], shape: [1, 1, 1, 2])
        let axes = [PlaneAxes(u: 0, v: 1)]
        let pts = Tensor([-1, 0, 1, 0, 0, 0], shape: [3, 2])
        #expect(samplePlanes(planes, at: pts, axes: axes, alignCorners: true).scalars == [10, 20, 15])
        // Without align_corners, x = −1 is half a pixel left of pixel 0's centre: half of it is padding.
        // y = 0 on a 1-pixel-high plane is exactly the centre row.
        let v = samplePlanes(planes, at: pts, axes: axes, alignCorners: false).scalars
        #expect(v == [5, 10, 15])
    }

    @Test("the parallel kernel gives the same values and gradients on 1 and 2 threads")
    func threadIndependence() {
        var rng = SeededRandom(seed: 5)
        let planes = Tensor.randn([3, 16, 20, 20], rng: &rng, requiresGrad: true)
        let pts = Tensor.uniform([5000, 3], -1, 1, rng: &rng, requiresGrad: true)
        func run(_ threads: Int) -> ([Float], [Float], [Float]) { Parallelism.withThreadCount(threads) {
            planes.grad = nil; pts.grad = nil
            let y = samplePlanes(planes, at: pts)
            (y * y).sum().backward()
            return (y.scalars, planes.grad!.scalars, pts.grad!.scalars)
        } }
        let a = run(1), b = run(2)
        #expect(a.0 == b.0 && a.2 == b.2)
        #expect(zip(a.1, b.1).allSatisfy { Swift.abs($0 - $1) <= 1e-5 * max(1, Swift.abs($0)) })
    }
}
