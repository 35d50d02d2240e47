// swift-tools-version: 6.0
import PackageDescription

/// Layers, bottom to top (README "Layout"):
/// - JSONCore: lossless JSON. HTTPCore: HTTP value types and the transport seam.
/// - JSONRPC: framing, dispatch, cancellation, stdio; knows nothing of Tiledesk.
/// - TiledeskAPI: the REST client (endpoints, auth, errors, retries, rate limit, URLSession);
///   knows nothing of JSON-RPC.
/// - TiledeskSandbox: the in-memory Tiledesk server, one more HTTPTransport.
/// - EmulatorServer: the sandbox (or any transport) served over loopback HTTP with injected faults.
/// - TiledeskRPC: the method catalogue, mapping JSON-RPC onto the REST client, and its OpenRPC
///   and MCP faces; knows neither URLSession nor the sandbox.
/// - tiledesk-rpc: configuration, command line and the composition root.
let package = Package(
    name: "tiledesk-rpc",
    products: [
        .executable(name: "tiledesk-rpc", targets: ["tiledesk-rpc"]),
        .executable(name: "tiledesk-emulator", targets: ["tiledesk-emulator"]),
    ],
    targets: [
        .target(name: "JSONCore"),
        .target(name: "HTTPCore"),
        .target(name: "JSONRPC", dependencies: ["JSONCore"]),
        .target(name: "TiledeskAPI", dependencies: ["JSONCore", "HTTPCore"]),
        .target(name: "TiledeskSandbox", dependencies: ["JSONCore", "HTTPCore"]),
        .target(name: "EmulatorServer", dependencies: ["JSONCore", "HTTPCore"]),
        .target(name: "TiledeskRPC", dependencies: ["JSONCore", "HTTPCore", "JSONRPC", "TiledeskAPI"]),
        .executableTarget(name: "tiledesk-rpc", dependencies: ["JSONRPC", "HTTPCore", "TiledeskAPI", "TiledeskSandbox", "TiledeskRPC"]),
        .executableTarget(name: "tiledesk-emulator", dependencies: ["TiledeskSandbox", "EmulatorServer", "HTTPCore", "JSONCore"]),
        .target(name: "TestSupport", dependencies: ["JSONCore"], path: "Tests/TestSupport"),
        .testTarget(name: "JSONCoreTests", dependencies: ["JSONCore"]),
        .testTarget(name: "JSONRPCTests", dependencies: ["JSONRPC", "JSONCore"]),
        .testTarget(name: "TiledeskAPITests", dependencies: ["TiledeskAPI", "HTTPCore", "JSONCore", "TiledeskSandbox", "EmulatorServer"]),
        .testTarget(name: "TiledeskSandboxTests", dependencies: ["TiledeskSandbox", "HTTPCore", "JSONCore"]),
        .testTarget(name: "TiledeskRPCTests", dependencies: ["TestSupport", "TiledeskRPC", "TiledeskAPI", "HTTPCore", "TiledeskSandbox", "JSONRPC", "JSONCore"]),
        .testTarget(name: "EmulatorServerTests", dependencies: ["EmulatorServer", "HTTPCore", "JSONCore"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "JSONCore", "HTTPCore", "TiledeskSandbox", "EmulatorServer", "TiledeskAPI"]),
    ],
    swiftLanguageModes: [.v6]
)
