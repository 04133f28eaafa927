import ArgumentParser
import Pipeline
import Sampling
import Spatial

/// The inside test, as typed on the command line.
enum InsideTestOption: String, ExpressibleByArgument, CaseIterable {
    case winding, parity
    func test(rays: Int) -> InsideTest { self == .winding ? .windingNumber() : .rayParity(rays: rays) }
}

extension SamplePreset: ExpressibleByArgument {}

/// `octoplane sample MESH --preset onet|nfd|udf -o OUT [--points N] [--seed S] [--inside winding|parity]`.
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Sample occupancy or UDF points from a mesh into ONet, NFD or UDF files.",
        discussion: """
        onet: OUT is a folder receiving points.npz (100k float16 points in [-0.55, 0.55]³, packbits \
        occupancies, loc, scale) and pointcloud.npz (100k surface points + normals).
        nfd:  OUT is a .npy of shape (N, 4) float32: N/2 near-surface rows (σ = 0.01) then N/2 uniform rows in [-1, 1]³.
        udf:  OUT is a .npz with points (N, 3), udf (N,), gradient (N, 3) in the [-1, 1] frame.
        """)

    @Argument(help: "Input mesh (any format assimp reads).")
    var mesh: String
    @Option(help: "onet, nfd or udf.")
    var preset: SamplePreset
    @Option(name: .shortAndLong, help: "Output: a folder (onet), a .npy (nfd) or a .npz (udf).")
    var output: String
    @Option(help: "Query points (default: onet 100000, nfd 500000, udf 500000).")
    var points: Int?
    @Option(help: "Random seed (same seed, same files).")
    var seed: UInt64 = 0
    @Option(help: "Inside test: winding (fast winding number, robust to holes; default) or parity (ray-parity vote, ONet's).")
    var inside: InsideTestOption = .winding
    @Option(help: "Rays for --inside parity (odd, 1…5).")
    var rays: Int = 3
    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        if let p = points, p < 1 { throw ValidationError("--points must be ≥ 1") }
        if !(1...5).contains(rays) || rays % 2 == 0 { throw ValidationError("--rays must be 1, 3 or 5") }
        if preset == .nfd && !output.hasSuffix(".npy") { throw ValidationError("--preset nfd writes a .npy: give -o FILE.npy") }
        if preset == .udf && !output.hasSuffix(".npz") { throw ValidationError("--preset udf writes a .npz: give -o FILE.npz") }
    }

    func run() throws {
        let settings = SampleSettings(preset: preset, count: points, seed: seed, insideTest: inside.test(rays: rays))
        try SampleJob(input: mesh, output: output, settings: settings).run().emit(json: json)
    }
}
