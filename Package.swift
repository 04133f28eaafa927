// swift-tools-version: 6.1
//
// Octoplane: meshes → neural fields (triplanes, octrees) → generators → meshes, on the CPU.
//
// The module map. Every target declares exactly the modules it imports, no more, no fewer
// (`Scripts/check-imports.py`, run by `Scripts/test.sh`, fails otherwise). Dependencies flow one way:
//   C shims: CAssimp (MeshIO), CBLAS (TensorCore), CPNG (Rendering), CZlib (ArrayIO)
//   Support (no deps)          ArrayIO (.npy/.npz) ← Support
//   Geometry ← Support          (the indented targets below also import Geometry and Support)
//     MeshIO ← Geometry (assimp)            Fields ← Geometry
//     Spatial ← Geometry, Fields            Extraction ← Geometry, Fields
//     Sampling ← Spatial, ArrayIO           Metrics ← Spatial
//     Rendering ← Geometry (libpng)         Dataset ← Geometry, MeshIO
//     Octrees ← Geometry, Fields, Extraction, ArrayIO
//   TensorCore ← Support, ArrayIO (OpenBLAS);  NN ← TensorCore
//     (TensorCore never imports Geometry, and Geometry never imports it)
//   Generators ← TensorCore, NN: diffusion on any [N, C, H, W] tensor (schedules, DDPM/DDIM, CFG,
//     the conditional U-Net's trainer); never Geometry. The octree transformer will live here too.
//   Triplanes ← TensorCore, NN, Geometry, Fields, ArrayIO: the one place where fields meet tensors
//   Pipeline ← the geometry side, TensorCore, NN, Triplanes, Generators: one `Job` per command
//     (Sources/Pipeline/Job.swift)
//   Benchmarks ← Pipeline and the modules it times (+ CBLAS): the `octoplane bench` harnesses,
//     not part of the `Octoplane` library product
//   octoplane ← Pipeline, Benchmarks (+ the library modules whose types its options name, Triplanes
//     and Generators included): argument parsing only
//
// Hot code is built for the host CPU by the scripts (`-Xswiftc -target-cpu -Xswiftc haswell`),
// never through unsafeFlags here, so that a package depending on Octoplane by version still builds.
import PackageDescription

let package = Package(
    name: "Octoplane",
    products: [
        .executable(name: "octoplane", targets: ["octoplane"]),
        .library(name: "Octoplane", targets: [
            "Geometry", "MeshIO", "ArrayIO", "Spatial", "Fields", "Sampling", "Extraction",
            "Metrics", "Rendering", "Dataset", "TensorCore", "NN", "Generators", "Octrees", "Triplanes", "Pipeline",
        ]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // MARK: C system libraries (Debian packages named as apt providers)
        .systemLibrary(name: "CAssimp", pkgConfig: "assimp", providers: [.apt(["libassimp-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        // zlib (a dependency of libpng): CRC-32 and DEFLATE for .npz members.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // MARK: Leaf utilities
        .target(name: "Support"),
        .target(name: "ArrayIO", dependencies: ["Support", "CZlib"]),

        // MARK: Geometry side
        .target(name: "Geometry", dependencies: ["Support"]),
        .target(name: "MeshIO", dependencies: ["Geometry", "CAssimp", "Support"]),
        .target(name: "Spatial", dependencies: ["Geometry", "Fields", "Support"]),
        .target(name: "Fields", dependencies: ["Geometry", "Support"]),
        .target(name: "Sampling", dependencies: ["Geometry", "Spatial", "ArrayIO", "Support"]),
        .target(name: "Extraction", dependencies: ["Geometry", "Fields", "Support"]),
        .target(name: "Metrics", dependencies: ["Geometry", "Spatial", "Support"]),
        .target(name: "Rendering", dependencies: ["Geometry", "CPNG", "Support"]),
        .target(name: "Dataset", dependencies: ["Geometry", "MeshIO", "Support"]),
        .target(name: "Octrees", dependencies: ["Geometry", "Fields", "Extraction", "ArrayIO", "Support"]),

        // MARK: Neural side
        .target(name: "TensorCore", dependencies: ["CBLAS", "Support", "ArrayIO"]),
        .target(name: "NN", dependencies: ["TensorCore", "Support"]),
        .target(name: "Generators", dependencies: ["TensorCore", "NN", "Support"]),

        // MARK: Where fields meet tensors (the only target importing both sides)
        .target(name: "Triplanes", dependencies: ["TensorCore", "NN", "Geometry", "Fields", "ArrayIO", "Support"]),

        // MARK: Product
        .target(name: "Pipeline", dependencies: [
            "Geometry", "MeshIO", "ArrayIO", "Spatial", "Fields", "Sampling", "Extraction", "Metrics",
            "Rendering", "Dataset", "Octrees", "TensorCore", "NN", "Triplanes", "Generators", "Support",
        ]),
        // The six `octoplane bench` harnesses and the raw-sgemm baseline: only the CLI's bench
        // group uses them, so they stay out of the `Octoplane` library product.
        .target(name: "Benchmarks", dependencies: [
            "Pipeline", "Geometry", "MeshIO", "ArrayIO", "Spatial", "Fields", "Sampling", "Extraction", "Metrics",
            "Rendering", "TensorCore", "NN", "Generators", "Support", "CBLAS",
        ]),
        .executableTarget(name: "octoplane", dependencies: [
            "Pipeline", "Benchmarks", "Geometry", "Octrees", "Rendering", "Sampling", "Spatial", "Triplanes", "Generators",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // MARK: Tests (Swift Testing)
        .target(name: "TestSupport", dependencies: ["Geometry"], path: "Tests/TestSupport"),
        .testTarget(name: "SupportTests", dependencies: ["Support"]),
        .testTarget(name: "GeometryTests", dependencies: ["Geometry", "TestSupport"]),
        .testTarget(name: "MeshIOTests", dependencies: ["MeshIO", "Geometry", "CAssimp", "TestSupport"]),
        .testTarget(name: "ArrayIOTests", dependencies: ["ArrayIO", "TestSupport"]),
        .testTarget(name: "SpatialTests", dependencies: ["Spatial", "Geometry", "Fields", "Support"]),
        .testTarget(name: "SamplingTests", dependencies: ["Sampling", "Spatial", "Geometry", "MeshIO", "ArrayIO", "Pipeline", "Support", "Dataset", "TestSupport"]),
        .testTarget(name: "ExtractionTests", dependencies: ["Extraction", "Fields", "Geometry", "Spatial", "Support", "Metrics"]),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics", "Geometry", "Spatial", "Support"]),
        .testTarget(name: "RenderingTests", dependencies: ["Rendering", "Geometry", "Support", "TestSupport"]),
        .testTarget(name: "DatasetTests", dependencies: ["Dataset", "Geometry", "MeshIO", "TestSupport"]),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "ArrayIO", "Support", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "NNTests", dependencies: ["NN", "TensorCore", "Support", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "GeneratorsTests", dependencies: ["Generators", "NN", "TensorCore", "Support", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "OctreesTests", dependencies: ["Octrees", "Geometry", "Fields", "ArrayIO", "Support", "TestSupport"]),
        .testTarget(name: "TriplanesTests", dependencies: ["Triplanes", "TensorCore", "NN", "ArrayIO", "Support", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "Dataset", "Geometry", "MeshIO", "Octrees", "Extraction", "Fields", "ArrayIO", "Metrics", "Sampling", "Spatial", "Triplanes", "Generators", "TensorCore", "NN", "Support", "TestSupport"]),
    ],
    // Swift 5 language mode: the numerical kernels hand raw buffers to worker threads
    // (`parallelFor`), which Swift 6's strict Sendable checking cannot express without noise.
    swiftLanguageModes: [.v5]
)
