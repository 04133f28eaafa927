// swift-tools-version: 6.1
//
// Octoplane: meshes → neural fields (triplanes, octrees) → generators → meshes, on the CPU.
//
// Dependencies flow one way:
//   C shims (CAssimp, CBLAS, CPNG)
//   Support (no deps)                        ArrayIO (.npy/.npz, no deps)
//   Geometry → MeshIO, Fields → Spatial → Sampling → Extraction, Metrics, Octrees
//   TensorCore → NN   (never imports Geometry, and Geometry never imports it)
//   Triplanes (TensorCore + NN + Geometry + Fields: the one place where fields meet tensors)
//   Generators (TensorCore + NN: diffusion on any [N, C, H, W] tensor — schedules, DDPM/DDIM, CFG,
//               the conditional U-Net's trainer with resumable checkpoints; never Geometry)
//   Rendering (Geometry + CPNG), Dataset (Geometry + MeshIO)
//   Pipeline (everything) → octoplane (argument parsing only)
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
        .target(name: "Fields", dependencies: ["Geometry", "Support", "ArrayIO"]),
        .target(name: "Sampling", dependencies: ["Geometry", "Spatial", "Fields", "ArrayIO", "MeshIO", "Support"]),
        .target(name: "Extraction", dependencies: ["Geometry", "Spatial", "Fields", "Support"]),
        .target(name: "Metrics", dependencies: ["Geometry", "Spatial", "Sampling", "Support"]),
        .target(name: "Rendering", dependencies: ["Geometry", "CPNG", "Support"]),
        .target(name: "Dataset", dependencies: ["Geometry", "MeshIO", "Support"]),
        .target(name: "Octrees", dependencies: ["Geometry", "Spatial", "Fields", "Sampling", "Extraction", "ArrayIO", "Support"]),

        // MARK: Neural side
        .target(name: "TensorCore", dependencies: ["CBLAS", "Support", "ArrayIO"]),
        .target(name: "NN", dependencies: ["TensorCore", "ArrayIO", "Support"]),
        .target(name: "Generators", dependencies: ["TensorCore", "NN", "Support"]),

        // MARK: Where fields meet tensors (the only target importing both sides)
        .target(name: "Triplanes", dependencies: ["TensorCore", "NN", "Geometry", "Fields", "ArrayIO", "Support"]),

        // MARK: Product
        .target(name: "Pipeline", dependencies: [
            "Geometry", "MeshIO", "ArrayIO", "Spatial", "Fields", "Sampling", "Extraction", "Metrics",
            "Rendering", "Dataset", "TensorCore", "NN", "Octrees", "Triplanes", "Generators", "Support",
        ]),
        .executableTarget(name: "octoplane", dependencies: [
            "Pipeline", "Triplanes", "Generators",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // MARK: Tests (Swift Testing)
        .target(name: "TestSupport", dependencies: ["Geometry"], path: "Tests/TestSupport"),
        .testTarget(name: "GeometryTests", dependencies: ["Geometry", "TestSupport"]),
        .testTarget(name: "MeshIOTests", dependencies: ["MeshIO", "Geometry", "TestSupport"]),
        .testTarget(name: "ArrayIOTests", dependencies: ["ArrayIO", "TestSupport"]),
        .testTarget(name: "SpatialTests", dependencies: ["Spatial", "Geometry", "Fields"]),
        .testTarget(name: "SamplingTests", dependencies: ["Sampling", "Spatial", "Fields", "Geometry", "MeshIO", "ArrayIO", "Pipeline", "Support", "Dataset", "TestSupport"]),
        .testTarget(name: "ExtractionTests", dependencies: ["Extraction", "Fields", "Geometry", "Sampling", "Metrics", "Spatial"]),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics", "Geometry", "Sampling", "Spatial"]),
        .testTarget(name: "RenderingTests", dependencies: ["Rendering", "Geometry"]),
        .testTarget(name: "DatasetTests", dependencies: ["Dataset", "Geometry", "MeshIO", "Metrics"]),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "ArrayIO"], resources: [.copy("Fixtures")]),
        .testTarget(name: "NNTests", dependencies: ["NN", "TensorCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "GeneratorsTests", dependencies: ["Generators", "NN", "TensorCore", "Support"]),
        .testTarget(name: "OctreesTests", dependencies: ["Octrees", "Geometry", "Spatial", "Extraction", "Metrics", "Sampling", "Fields"]),
        .testTarget(name: "TriplanesTests", dependencies: ["Triplanes", "TensorCore", "NN", "Geometry", "Fields"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "Geometry", "MeshIO", "Octrees", "Triplanes", "Generators", "TensorCore", "NN", "Sampling", "ArrayIO", "Support", "TestSupport"]),
    ],
    // Swift 5 language mode: the numerical kernels hand raw buffers to worker threads
    // (`parallelFor`), which Swift 6's strict Sendable checking cannot express without noise.
    swiftLanguageModes: [.v5]
)
