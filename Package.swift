// swift-tools-version:6.0
//
// GRUKit — a literate Swift reproduction of Kanai, Fujiwara & Iwamura,
// "Preventing Gradient Explosions in Gated Recurrent Units" (NeurIPS 2017).
//
// Targets:
//   CLAPACK      system module: cblas.h + lapacke.h, found through pkg-config (OpenBLAS by default)
//   CZlib        system module: zlib (MAT-file compressed elements)
//   CGnuplotIostream  C++ shim: a C API over gnuplot-iostream (libgnuplot-iostream-dev), under Figures
//   GRUKit       the numerical core: linear algebra, random numbers, stability (the projection),
//                dynamics, the GRU engine, data readers, safetensors, the training loop; no
//                command-line parsing, no terminal, no figures
//   GRUKitPresentation   what a reader sees: figures (gnuplot), console tables, reports, progress bars
//   GRUKitChapterSupport what every chapter shares: option groups (swift-argument-parser), output
//                folders, recorded values, seed sweeps and their summaries, Slurm job arrays
//   GRUKitChapters       what each chapter computes, one namespace per chapter (tables, data files,
//                figure layout, orchestration), tested in process; main.swift keeps prose and calls
//   gru          command-line tool: inspect / project / vjp / fixed-points on safetensors files,
//                music-text (a Nottingham split as text)
//   gru-bench    benchmark executable (never part of the tests)
//   CFMAPeak     C: the peak FLOP rate of the machine's cores (FMA loops), for gru-bench
//   grukit-book  weaves the chapters into the Markdown book (`make book`); owns the weaving code
//   doc-coverage lists undocumented public symbols of GRUKit (`make docs`)
//   chNN-slug    one executable per folder `Chapters/NN-slug/` (listed below)
import PackageDescription

/// The chapters, in order: the folder `Chapters/NN-slug` (with its `main.swift`) becomes the executable
/// `chNN-slug`. Listed rather than discovered, as swift-argument-parser lists its examples, so that
/// SwiftPM's manifest cache stays valid; a test fails when a chapter folder is missing here.
let chapterFolders = [
    "01-dynamics",
    "02-fixed-points",
    "03-explosion",
    "04-projection",
    "05-penn-treebank",
    "06-nottingham",
    "07-cost",
    "08-trained-dynamics",
]

let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let realModule: Target.Dependency = .product(name: "RealModule", package: "swift-numerics")

/// The pkg-config package that provides CBLAS (and, with OpenBLAS on macOS, LAPACKE): `openblas`
/// (Debian's libopenblas-dev, Homebrew's openblas), or the package GRUKIT_BLAS names. Debian's OpenBLAS
/// has no LAPACKE of its own: there the core also links liblapacke (liblapacke-dev), which calls
/// the LAPACK that the BLAS package provides. `make test-blas` builds against Debian's reference
/// BLAS and LAPACK this way.
let blasPackage = Context.environment["GRUKIT_BLAS"] ?? "openblas"

let chapterTargets: [Target] = chapterFolders.map { folder in
    .executableTarget(name: "ch" + folder,
                      dependencies: ["GRUKit", "GRUKitPresentation", "GRUKitChapterSupport", "GRUKitChapters", argumentParser],
                      path: "Chapters/" + folder)
}

let package = Package(
    name: "GRUKit",
    // macOS 15: the core's atomics (Synchronization). Expected to build there, not tested.
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "GRUKit", targets: ["GRUKit"]),
        .library(name: "GRUKitPresentation", targets: ["GRUKitPresentation"]),
        .executable(name: "gru", targets: ["gru"]),
        .executable(name: "gru-bench", targets: ["gru-bench"]),
        .executable(name: "grukit-book", targets: ["grukit-book"]),
    ] + chapterFolders.map { .executable(name: "ch" + $0, targets: ["ch" + $0]) },
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // RealModule: the elementary functions (exp, tanh, log, …) of Float and Double on any platform.
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        // API reference only (`make docs`); adds no code to any target.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        .systemLibrary(name: "CLAPACK", path: "Sources/CLAPACK", pkgConfig: blasPackage,
                       providers: [.apt(["libopenblas-dev", "liblapacke-dev"]), .brew(["openblas"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // gnuplot-iostream is header-only; its file-descriptor stream and temporary files live in Boost.
        .target(name: "CGnuplotIostream", path: "Sources/CGnuplotIostream",
                linkerSettings: [.linkedLibrary("boost_iostreams"), .linkedLibrary("boost_system"),
                                 .linkedLibrary("boost_filesystem")]),
        // The core depends on nothing but BLAS/LAPACK, zlib and RealModule: no swift-argument-parser, no gnuplot.
        .target(name: "GRUKit", dependencies: ["CLAPACK", "CZlib", realModule], path: "Sources/GRUKit",
                linkerSettings: [.linkedLibrary("lapacke", .when(platforms: [.linux]))]),
        .target(name: "GRUKitPresentation", dependencies: ["GRUKit", "CGnuplotIostream"], path: "Sources/GRUKitPresentation"),
        .target(name: "GRUKitChapterSupport", dependencies: ["GRUKit", "GRUKitPresentation", argumentParser],
                path: "Sources/GRUKitChapterSupport"),
        .target(name: "GRUKitChapters", dependencies: ["GRUKit", "GRUKitPresentation", "GRUKitChapterSupport", argumentParser],
                path: "Sources/GRUKitChapters"),
        .executableTarget(name: "gru", dependencies: ["GRUKit", argumentParser], path: "Sources/gru"),
        // The machine's peak arithmetic rate for gru-bench: vector FMA loops (AVX2, AVX-512) chosen at run time,
        // which Swift, built for one target CPU, cannot emit side by side.
        .target(name: "CFMAPeak", path: "Benchmarks/CFMAPeak"),
        .executableTarget(name: "gru-bench", dependencies: ["GRUKit", "CFMAPeak", argumentParser],
                          path: "Benchmarks/gru-bench"),
        .executableTarget(name: "grukit-book", dependencies: ["GRUKit", "GRUKitChapterSupport"], path: "Sources/book"),
        .executableTarget(name: "doc-coverage", path: "Sources/doc-coverage"),
        .testTarget(name: "GRUKitTests",
                    dependencies: ["GRUKit", "GRUKitPresentation", "GRUKitChapterSupport", "GRUKitChapters", "gru", "grukit-book", realModule],
                    path: "Tests/GRUKitTests", exclude: ["Fixtures"]),
    ] + chapterTargets,
    swiftLanguageModes: [.v6]
)
