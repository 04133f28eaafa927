import Foundation

/// A training-loss chart: loss against step on a log₁₀ y axis, the raw values as light dots and
/// their moving average as a dark line, with decade grid lines and the step range labelled.
///
/// - `steps` and `losses`: one value per logged step, same count, steps increasing. Non-finite or
///   non-positive losses cannot go on a log axis and are left out (the title says how many).
/// - Empty state: no (plottable) point gives the frame with "NO DATA", not an error.
/// - The moving average is centred, over `window` points (default: 2 % of the points, at least 1),
///   truncated at both ends.
public enum LossPlot {
    public static func render(steps: [Int], losses: [Float], title: String = "LOSS", width: Int = 640, height: Int = 360,
                              window: Int? = nil) -> RGBImage {
        precondition(steps.count == losses.count, "LossPlot: one loss per step")
        precondition(width >= 120 && height >= 80, "LossPlot: the image must be at least 120 × 80")
        var image = RGBImage(width: width, height: height)
        let ink = RGB8(40, 40, 40), grid = RGB8(225, 225, 225), dots = RGB8(170, 190, 230), line = RGB8(20, 60, 160)
        let left = 52, right = width - 12, top = 22, bottom = height - 24
        let points = zip(steps, losses).filter { $0.1.isFinite && $0.1 > 0 }
        let dropped = steps.count - points.count
        BitmapFont.draw(BitmapFont.fitted(title + (dropped > 0 ? " (\(dropped) NON-FINITE LEFT OUT)" : ""), width: width - 16),
                        into: &image, x: 8, y: 6, color: ink)
        drawLine(&image, left, bottom, right, bottom, ink)
        drawLine(&image, left, top, left, bottom, ink)
        guard let first = points.first, let last = points.last else {
            BitmapFont.draw("NO DATA", into: &image, x: (left + right) / 2 - 21, y: (top + bottom) / 2, color: ink)
            return image
        }
        let logs = points.map { log10(Double($0.1)) }
        var lo = floor(logs.min()!), hi = ceil(logs.max()!)
        if hi - lo < 1 { hi = lo + 1 }
        let x0 = Double(first.0), x1 = Double(max(last.0, first.0 + 1))
        func px(_ s: Int) -> Int { left + Int((Double(s) - x0) / (x1 - x0) * Double(right - left)) }
        func py(_ l: Double) -> Int { bottom - Int((l - lo) / (hi - lo) * Double(bottom - top)) }
        for d in stride(from: lo, through: hi, by: 1) {
            let y = py(d)
            drawLine(&image, left + 1, y, right, y, grid)
            let label = d >= 0 ? String(format: "%.0f", pow(10, d)) : String(format: "%.*f", Int(-d), pow(10, d))
            BitmapFont.draw(label, into: &image, x: max(2, left - 4 - BitmapFont.width(of: label)), y: y - 3, color: ink)
        }
        BitmapFont.draw("\(first.0)", into: &image, x: left, y: bottom + 6, color: ink)
        let endLabel = "STEP \(last.0)"
        BitmapFont.draw(endLabel, into: &image, x: right - BitmapFont.width(of: endLabel), y: bottom + 6, color: ink)
        for (p, l) in zip(points, logs) { image[px(p.0), py(l)] = dots }
        let w = max(1, window ?? points.count / 50), half = w / 2
        var prefix = [0.0]
        for l in logs { prefix.append(prefix.last! + l) }
        var previous: (Int, Int)? = nil
        for i in points.indices {
            let a = max(0, i - half), b = min(points.count, i + half + 1)
            let current = (px(points[i].0), py((prefix[b] - prefix[a]) / Double(b - a)))
            if let p = previous { drawLine(&image, p.0, p.1, current.0, current.1, line) } else { image[current.0, current.1] = line }
            previous = current
        }
        return image
    }

    /// Bresenham's line from (x0, y0) to (x1, y1), clipped to the image.
    static func drawLine(_ image: inout RGBImage, _ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ color: RGB8) {
        var x = x0, y = y0
        let dx = abs(x1 - x0), dy = -abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var err = dx + dy
        while true {
            if x >= 0 && x < image.width && y >= 0 && y < image.height { image[x, y] = color }
            if x == x1 && y == y1 { return }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x += sx }
            if e2 <= dx { err += dx; y += sy }
        }
    }
}
