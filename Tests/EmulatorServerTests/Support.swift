import EmulatorServer
import Foundation
import HTTPCore
import JSONCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

#if canImport(Glibc)
private let posixClose = Glibc.close
private let posixSend = Glibc.send
private let noSignal = Int32(MSG_NOSIGNAL)
#else
private let posixClose = Darwin.close
private let posixSend = Darwin.send
private let noSignal: Int32 = 0
#endif

/// Answers every request with what it received: `{"method", "path", "headers", "body"}`.
let echoHandler: LoopbackHTTPServer.Handler = { request in
    var object: JSONObject = ["method": .string(request.method), "path": .string(request.path)]
    object["headers"] = .object(
        JSONObject(request.headers.sorted { $0.key < $1.key }.map { (key: $0.key, value: JSON.string($0.value)) }))
    object["body"] = request.body.map { (try? JSONParser.parse($0)) ?? .string(String(decoding: $0, as: UTF8.self)) } ?? .null
    return HTTPResponse(status: 200, headers: ["content-type": "application/json"], body: JSONWriter.bytes(.object(object)))
}

/// Runs `body` against a started server, stopping it afterwards.
func withServer(
    host: String = "127.0.0.1", prefix: String = "", handler: @escaping LoopbackHTTPServer.Handler = echoHandler,
    _ body: (LoopbackHTTPServer) async throws -> Void
) async throws {
    let server = LoopbackHTTPServer(host: host, pathPrefix: prefix, handler: handler)
    try server.start()
    defer { server.stop() }
    try await body(server)
}

/// Runs blocking code on its own OS thread, never on the Swift concurrency pool.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.start()
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

// MARK: - URLSession

struct Fetched: Sendable {
    var status: Int
    /// Names lowercased.
    var headers: [String: String]
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSON? { try? JSONParser.parse(body) }
}

func makeSession(maxConnections: Int = 6) -> URLSession {
    let configuration = URLSessionConfiguration.ephemeral
    configuration.httpMaximumConnectionsPerHost = maxConnections
    configuration.timeoutIntervalForRequest = 30
    return URLSession(configuration: configuration)
}

func fetch(
    _ url: String, method: String = "GET", body: String? = nil, headers: [String: String] = [:], session: URLSession
) async throws -> Fetched {
    var request = URLRequest(url: URL(string: url)!)
    request.httpMethod = method
    if let body { request.httpBody = Data(body.utf8) }
    for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
    let (data, response) = try await session.data(for: request)
    guard let http = response as? HTTPURLResponse else { throw TestFailure("not an HTTP response") }
    var lowered: [String: String] = [:]
    for (name, value) in http.allHeaderFields {
        if let name = name as? String, let value = value as? String { lowered[name.lowercased()] = value }
    }
    return Fetched(status: http.statusCode, headers: lowered, body: Array(data))
}

// MARK: - Raw sockets

/// A blocking HTTP/1.1 client over one TCP connection, for what URLSession hides: connection
/// reuse, dropped connections, half-sent requests.
final class RawClient {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(host: String = "127.0.0.1", port: UInt16) throws {
        // `self.fd` is only set once connected: a throwing initializer that had set every stored
        // property would also run `deinit`, closing the descriptor twice (and so, perhaps, a
        // descriptor another test has just been given).
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw TestFailure("socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            _ = posixClose(fd)
            throw TestFailure("connect failed: \(reason)")
        }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        self.fd = fd
    }

    deinit { _ = posixClose(fd) }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { posixSend(fd, $0.baseAddress, $0.count, noSignal) }
            guard sent > 0 else { throw TestFailure("send failed: \(String(cString: strerror(errno)))") }
            offset += sent
        }
    }

    /// Reads more bytes; false at end of stream.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK { throw TestFailure("read timed out") }
            return false  // reset counts as closed
        }
        if count == 0 { return false }
        buffer.append(contentsOf: chunk[0..<count])
        return true
    }

    /// The next response, or `nil` when the server closed the connection before sending a byte.
    func readResponse(head: Bool = false) throws -> RawResponse? {
        var end: Int?
        while true {
            if let index = findHeadEnd() {
                end = index
                break
            }
            guard try fill() else {
                if buffer.isEmpty { return nil }
                throw TestFailure("connection closed mid-response")
            }
        }
        let headText = String(decoding: buffer[0..<end!], as: UTF8.self)
        buffer.removeFirst(end! + 4)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw TestFailure("bad status line") }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        if status == 100 { return try readResponse(head: head) }
        let length = head ? 0 : Int(headers["content-length"] ?? "0") ?? 0
        while buffer.count < length {
            guard try fill() else { throw TestFailure("connection closed mid-body") }
        }
        let body = Array(buffer[0..<length])
        buffer.removeFirst(length)
        return RawResponse(status: status, headers: headers, body: body)
    }

    /// True when the server closes the connection without sending anything more.
    func closedWithoutResponse() throws -> Bool {
        while buffer.isEmpty {
            guard try fill() else { return true }
        }
        return false
    }

    private func findHeadEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4)
        where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
            return i
        }
        return nil
    }
}

struct RawResponse {
    var status: Int
    var headers: [String: String]
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSON? { try? JSONParser.parse(body) }
}

/// One GET over a fresh connection.
func rawGet(_ path: String, port: UInt16, host: String = "127.0.0.1") throws -> RawResponse {
    let client = try RawClient(host: host, port: port)
    try client.send("GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n")
    guard let response = try client.readResponse() else { throw TestFailure("no response") }
    return response
}

/// One request with a JSON body over a fresh connection.
func rawRequest(_ method: String, _ path: String, body: String, port: UInt16) throws -> RawResponse {
    let client = try RawClient(port: port)
    try client.send(
        "\(method) \(path) HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
            + "Connection: close\r\n\r\n\(body)")
    guard let response = try client.readResponse() else { throw TestFailure("no response") }
    return response
}
