#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JSONCore
import JSONRPC
import TiledeskAPI
import TiledeskRPC

/// The shell face: `call` (one method, result as pretty JSON) and `doctor` (is the configuration
/// usable?). The flags before the command configure it exactly as they configure the pipe, and
/// both run on the pipe's own method table, in process.
enum ShellCommand: String, Sendable {
    case call, doctor

    /// Runs the command; returns the process's exit status. Results go to `output` (the protocol
    /// descriptor), errors to stderr as one line `error CODE: MESSAGE`.
    func run(arguments: [String], configuration: Configuration, log: DiagnosticLog, output: Int32) -> Int32 {
        let context = Composition.context(configuration: configuration, log: log)
        let caller = InProcessClient(methods: MethodRegistry.methodTable(context: context))
        switch self {
        case .call:
            let request: ShellCall
            do { request = try ShellCall.parse(arguments) } catch { return Self.fail(error) }
            switch caller.callBlocking(request.method, params: request.params) {
            case .success(let result):
                Self.write(PrettyJSON.string(result) + "\n", to: output)
                return 0
            case .failure(let error):
                return Self.fail(error)
            }
        case .doctor:
            guard arguments.isEmpty else { return Self.fail(.invalidRequest("doctor takes no arguments; flags go before it")) }
            let api = configuration.sandbox ? "sandbox (the embedded emulator, no network)" : configuration.apiURL
            let lines = Doctor(api: api, defaultProjectID: context.defaultProjectID, caller: caller).run()
            Self.write(lines.map { $0.formatted + "\n" }.joined(), to: output)
            return lines.contains { $0.status == .failed } ? 1 : 0
        }
    }

    /// Exit status 2 for what the caller got wrong in the request itself (as for a bad flag),
    /// 1 for every other failure.
    static func exitStatus(for error: RPCError) -> Int32 {
        let usage = [RPCError.parseErrorCode, RPCError.invalidRequestCode, RPCError.methodNotFoundCode, RPCError.invalidParamsCode]
        return usage.contains(error.code) ? 2 : 1
    }

    private static func fail(_ error: RPCError) -> Int32 {
        let message = error.message.split(whereSeparator: \.isNewline).joined(separator: " ")
        write("error \(error.code): \(message)\n", to: STDERR_FILENO)
        return exitStatus(for: error)
    }

    private static func write(_ text: String, to fd: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return }  // a closed pipe: nobody reads any more
            bytes = bytes.dropFirst(written)
        }
    }
}
