// swift-tools-version: 6.0
import PackageDescription

/// Layers, bottom to top (see README "Layout"):
/// JSONCore (lossless JSON) -> JSONRPC (framing, dispatch; knows nothing of Tiledesk)
/// TiledeskAPI (REST client; knows nothing of JSON-RPC) -> TiledeskSandbox (in-memory server),
/// EmulatorServer (serves a transport over loopback HTTP with injected faults, for tests and benchmarks)
/// TiledeskRPCMethods (maps one onto the other) -> tiledesk-rpc (thin executable).
let package = Package(
    name: "tiledesk-rpc",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tiledesk-rpc", targets: ["tiledesk-rpc"]),
        .executable(name: "tiledesk-emulator", targets: ["tiledesk-emulator"]),
    ],
    targets: [
        .target(name: "JSONCore"),
        .target(name: "JSONRPC", dependencies: ["JSONCore"]),
        .target(name: "TiledeskAPI", dependencies: ["JSONCore"]),
        .target(name: "TiledeskSandbox", dependencies: ["JSONCore", "TiledeskAPI"]),
        .target(name: "EmulatorServer", dependencies: ["JSONCore", "TiledeskAPI"]),
        .target(name: "TiledeskRPCMethods", dependencies: ["JSONCore", "JSONRPC", "TiledeskAPI", "TiledeskSandbox"]),
        .executableTarget(name: "tiledesk-rpc", dependencies: ["JSONRPC", "TiledeskAPI", "TiledeskSandbox", "TiledeskRPCMethods"]),
        .executableTarget(name: "tiledesk-emulator", dependencies: ["TiledeskSandbox", "EmulatorServer", "TiledeskAPI", "JSONCore"]),
        .target(name: "TestSupport", dependencies: ["JSONCore"], path: "Tests/TestSupport"),
        .testTarget(name: "JSONCoreTests", dependencies: ["JSONCore"]),
        .testTarget(name: "JSONRPCTests", dependencies: ["JSONRPC", "JSONCore"]),
        .testTarget(name: "TiledeskAPITests", dependencies: ["TiledeskAPI", "JSONCore", "TiledeskSandbox"]),
        .testTarget(name: "TiledeskSandboxTests", dependencies: ["TiledeskSandbox", "TiledeskAPI", "JSONCore"]),
        .testTarget(name: "TiledeskRPCMethodsTests", dependencies: ["TestSupport", "TiledeskRPCMethods", "TiledeskAPI", "TiledeskSandbox", "JSONRPC", "JSONCore"]),
        .testTarget(name: "EmulatorServerTests", dependencies: ["EmulatorServer", "TiledeskAPI", "JSONCore"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "JSONCore", "TiledeskSandbox", "EmulatorServer", "TiledeskAPI"]),
    ],
    swiftLanguageModes: [.v6]
)
