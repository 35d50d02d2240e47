import Foundation
import JSONCore
import Synchronization

/// Diagnostics on stderr, never stdout, with every known secret written as `***`.
public final class DiagnosticLog: Sendable {
    public enum Level: Int, Sendable, Comparable, CaseIterable {
        case error, warn, info, debug
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }

        /// The level named `error`, `warn`, `info` or `debug`.
        public init?(name: String) {
            guard let level = Level.allCases.first(where: { "\($0)" == name }) else { return nil }
            self = level
        }
    }

    public let level: Level
    private let secrets = Mutex<[String]>([])

    public init(level: Level) { self.level = level }

    /// A logger that says nothing (tests, embedding).
    public static let silent = DiagnosticLog(level: .error)

    /// Adds a value that must never be printed (a token, a password).
    public func addSecret(_ secret: String?) {
        guard let secret, secret.count >= 4 else { return }
        secrets.withLock { list in
            if !list.contains(secret) { list.append(secret) }
        }
    }

    /// `text` with every registered secret replaced by `***`.
    public func redact(_ text: String) -> String {
        var out = text
        for secret in secrets.withLock({ $0 }) { out = out.replacingOccurrences(of: secret, with: "***") }
        return out
    }

    /// `value` with every registered secret replaced by `***` in its strings (keys included).
    public func redact(_ value: JSON) -> JSON {
        switch value {
        case .string(let s): return .string(redact(s))
        case .array(let items): return .array(items.map(redact))
        case .object(let object): return .object(JSONObject(object.map { (key: redact($0.key), value: redact($0.value)) }))
        default: return value
        }
    }

    public func warn(_ message: @autoclosure () -> String) { log(.warn, message) }
    public func info(_ message: @autoclosure () -> String) { log(.info, message) }
    public func debug(_ message: @autoclosure () -> String) { log(.debug, message) }

    private func log(_ at: Level, _ message: () -> String) {
        guard at <= level else { return }
        let line = "tiledesk-rpc \(at): \(redact(message()))\n"
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
