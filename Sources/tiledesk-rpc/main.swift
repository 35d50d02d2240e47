import Foundation
import JSONRPC
import TiledeskAPI
import TiledeskRPC

// The thin executable: parse configuration, protect stdout, serve stdin until it ends.

let protocolFD = StdioLoop.protectStdout()

let configuration: Configuration
var shellCommand: (ShellCommand, arguments: [String])?
do {
    switch try Configuration.parse(arguments: Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment) {
    case .printHelp:
        FileHandle(fileDescriptor: protocolFD).write(Data((Configuration.help + "\n").utf8))
        exit(0)
    case .printVersion:
        FileHandle(fileDescriptor: protocolFD).write(Data("tiledesk-rpc \(ProductInfo.version)\n".utf8))
        exit(0)
    case .serve(let parsed):
        configuration = parsed
    case .shell(let command, let parsed, let arguments):
        configuration = parsed
        shellCommand = (command, arguments)
    }
} catch {
    FileHandle.standardError.write(Data("tiledesk-rpc: \(error.message)\n".utf8))
    exit(2)
}

let log = DiagnosticLog(level: configuration.logLevel)
log.addSecret(configuration.token)
log.addSecret(configuration.password)
if configuration.allowInsecureHTTP, !configuration.sandbox, configuration.apiURL.lowercased().hasPrefix("http://") {
    log.warn("--allow-insecure-http: credentials travel unencrypted to \(configuration.apiURL)")
}
if configuration.sandbox { log.info("sandbox mode: serving the embedded Tiledesk emulator, no network") }
#if os(Linux)
if !configuration.sandbox, URLComponents(string: configuration.apiURL)?.host?.contains(":") == true {
    log.warn("--api-url names an IPv6 address, which FoundationNetworking on Linux cannot send to: every call will fail; use a host name (localhost for ::1)")
}
#endif
if let (command, arguments) = shellCommand {
    exit(command.run(arguments: arguments, configuration: configuration, log: log, output: protocolFD))
}

StdioLoop.run(
    methods: Composition.methodTable(configuration: configuration, log: log), protocolFD: protocolFD,
    options: .init(framing: configuration.framing, maxMessageBytes: configuration.maxLineBytes))
