import Foundation
import Testing
@testable import Rendering

@Suite("Loss plots")
struct LossPlotTests {
    static let line = RGB8(20, 60, 160)

    /// (x, y) of the curve's pixels, left to right, the topmost pixel of each column.
    static func curve(_ image: RGBImage) -> [(Int, Int)] {
        (0..<image.width).compactMap { x in (0..<image.height).first { image[x, $0] == line }.map { (x, $0) } }
    }

    @Test("a loss falling by a constant factor per step is drawn as a straight falling line on the log axis")
    func exponentialDecayIsStraight() {
        let steps = Array(stride(from: 10, through: 2000, by: 10))
        let losses = steps.map { Float(pow(10, -2 * Double($0) / 2000)) }
        let image = LossPlot.render(steps: steps, losses: losses, window: 1)
        let points = Self.curve(image)
        #expect(points.count > 500)
        let (x0, y0) = points.first!, (x1, y1) = points.last!
        #expect(y0 < y1, "the curve starts high and ends low")
        for (x, y) in points {
            let expected = Double(y0) + Double(y1 - y0) * Double(x - x0) / Double(x1 - x0)
            #expect(abs(Double(y) - expected) <= 2, "pixel (\(x), \(y)) is off the straight line")
        }
    }

    @Test("the moving average removes alternating noise")
    func movingAverageSmooths() {
        let steps = Array(0..<400)
        let losses = steps.map { Float($0 % 2 == 0 ? 0.5 : 2.0) }
        let image = LossPlot.render(steps: steps, losses: losses, window: 21)
        // Away from the ends, where the truncated window is lopsided: the alternating values
        // (a factor 4 apart, ~95 px on this axis) average to a flat line.
        let points = Self.curve(image), x0 = points.first!.0, x1 = points.last!.0, margin = (x1 - x0) / 10
        let ys = points.filter { $0.0 > x0 + margin && $0.0 < x1 - margin }.map(\.1)
        #expect(ys.count > 300 && ys.max()! - ys.min()! <= 6, "a flat mean line, not a zigzag")
    }

    @Test("no plottable point gives the empty frame, not a crash")
    func emptyAndNonFinite() {
        let empty = LossPlot.render(steps: [], losses: [])
        #expect(empty.width == 640 && Self.curve(empty).isEmpty)
        let bad = LossPlot.render(steps: [1, 2, 3], losses: [.nan, 0, -.infinity])
        #expect(Self.curve(bad).isEmpty)
        let one = LossPlot.render(steps: [5], losses: [0.3])
        #expect(Self.curve(one).count == 1)
    }
}
