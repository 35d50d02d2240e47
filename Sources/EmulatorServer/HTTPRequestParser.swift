import HTTPCore
/// One header line of a request, name as sent.
struct HeaderField: Sendable, Equatable {
    var name: String
    var value: String
}

/// How a request's body is delimited.
enum BodyFraming: Sendable, Equatable {
    case none
    case length(Int)
    case chunked
}

/// The request line and headers of one request.
struct RequestHead: Sendable, Equatable {
    var method: String
    /// The request target as sent (`/api/users?x=1`).
    var target: String
    /// 1 for HTTP/1.1, 0 for HTTP/1.0.
    var minorVersion: Int
    var headers: [HeaderField]
    /// Whether the connection stays open after the response (HTTP/1.1 unless `Connection: close`,
    /// HTTP/1.0 only with `Connection: keep-alive`).
    var keepAlive: Bool
    /// `Expect: 100-continue` was sent: the client waits for an interim response before the body.
    var expectContinue: Bool
    var framing: BodyFraming

    /// The headers as a dictionary, names as sent; a repeated header's values joined with `, `.
    var headerDictionary: [String: String] {
        var result: [String: String] = [:]
        result.reserveCapacity(headers.count)
        for field in headers {
            if let existing = result[field.name] {
                result[field.name] = existing + ", " + field.value
            } else {
                result[field.name] = field.value
            }
        }
        return result
    }
}

/// A complete request: head and decoded body (chunked bodies de-chunked).
struct ParsedRequest: Sendable, Equatable {
    var head: RequestHead
    var body: [UInt8]
}

/// Why a request cannot be read. The server answers `status` and closes the connection.
struct HTTPParseError: Error, Sendable, Equatable {
    var status: Int
    var message: String
}

/// An incremental HTTP/1.x request parser: a value type fed bytes as they arrive, yielding
/// requests in order (pipelined requests included). It scans bytes; no regexes, no Foundation.
struct HTTPRequestParser: Sendable {
    static let defaultMaxHeadBytes = 64 * 1024
    static let defaultMaxBodyBytes = 256 * 1024 * 1024

    enum Event: Sendable, Equatable {
        /// The head asked for `100 Continue` and the body has not arrived yet.
        case expectContinue
        case request(ParsedRequest)
    }

    private enum Phase: Sendable {
        case head
        case fixedBody(Int)
        case chunkSize
        case chunkData(Int)
        case chunkDataEnd
        case trailers
    }

    let maxHeadBytes: Int
    let maxBodyBytes: Int

    private var buffer: [UInt8] = []
    /// First byte not consumed yet.
    private var position = 0
    /// Where the search for the end of the head resumes.
    private var scanFrom = 0
    private var phase: Phase = .head
    private var head: RequestHead?
    private var body: [UInt8] = []
    private var failure: HTTPParseError?

    init(maxHeadBytes: Int = defaultMaxHeadBytes, maxBodyBytes: Int = defaultMaxBodyBytes) {
        self.maxHeadBytes = maxHeadBytes
        self.maxBodyBytes = maxBodyBytes
    }

    /// True when no partial request is buffered.
    var isIdle: Bool {
        if case .head = phase { return position == buffer.count }
        return false
    }

    mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: bytes)
    }

    mutating func feed(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// The next event the buffered bytes complete, or `nil` when more bytes are needed.
    /// After an error every later call throws the same error.
    mutating func next() throws(HTTPParseError) -> Event? {
        if let failure { throw failure }
        do {
            return try step()
        } catch {
            failure = error
            throw error
        }
    }

    private mutating func step() throws(HTTPParseError) -> Event? {
        while true {
            switch phase {
            case .head:
                // A TLS client speaking to this plain-HTTP port: refuse at once, as a plain
                // server does, so the client's handshake fails fast.
                if position < buffer.count, buffer[position] == 0x16 {
                    throw HTTPParseError(status: 400, message: "a TLS handshake on a plain HTTP port")
                }
                guard let parsed = try parseHead() else { return nil }
                head = parsed
                body = []
                switch parsed.framing {
                case .none:
                    return .request(finish())
                case .length(let count):
                    guard count <= maxBodyBytes else { throw HTTPParseError(status: 413, message: "request body too large") }
                    if count == 0 { return .request(finish()) }
                    phase = .fixedBody(count)
                case .chunked:
                    phase = .chunkSize
                }
                if parsed.expectContinue, parsed.minorVersion >= 1, position == buffer.count {
                    return .expectContinue
                }
            case .fixedBody(let count):
                guard buffer.count - position >= count else { return nil }
                body = Array(buffer[position..<position + count])
                position += count
                return .request(finish())
            case .chunkSize:
                guard let (line, next) = try readLine(limit: 1024) else { return nil }
                position = next
                let size = try parseChunkSize(line)
                if size == 0 {
                    phase = .trailers
                } else {
                    guard size <= maxBodyBytes - body.count else {
                        throw HTTPParseError(status: 413, message: "request body too large")
                    }
                    body.reserveCapacity(body.count + size)
                    phase = .chunkData(size)
                }
            case .chunkData(let remaining):
                let available = buffer.count - position
                guard available > 0 else { return nil }
                let take = min(available, remaining)
                body.append(contentsOf: buffer[position..<position + take])
                position += take
                phase = take == remaining ? .chunkDataEnd : .chunkData(remaining - take)
            case .chunkDataEnd:
                guard position < buffer.count else { return nil }
                if buffer[position] == lf {
                    position += 1
                } else if buffer[position] == cr {
                    guard position + 1 < buffer.count else { return nil }
                    guard buffer[position + 1] == lf else { throw HTTPParseError(status: 400, message: "bad chunk") }
                    position += 2
                } else {
                    throw HTTPParseError(status: 400, message: "bad chunk")
                }
                phase = .chunkSize
            case .trailers:
                guard let (line, next) = try readLine(limit: maxHeadBytes) else { return nil }
                position = next
                if line.isEmpty { return .request(finish()) }
            }
        }
    }

    /// Hands out the request just read and compacts the buffer.
    private mutating func finish() -> ParsedRequest {
        let request = ParsedRequest(head: head!, body: body)
        head = nil
        body = []
        phase = .head
        if position == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 20)
            position = 0
        } else if position >= 1 << 15 {
            buffer.removeFirst(position)
            position = 0
        }
        scanFrom = position
        return request
    }

    /// One line from `position` without its `\r\n` or `\n`, and the index after it.
    private func readLine(limit: Int) throws(HTTPParseError) -> (ArraySlice<UInt8>, Int)? {
        var index = position
        while index < buffer.count, buffer[index] != lf { index += 1 }
        guard index < buffer.count else {
            if buffer.count - position > limit { throw HTTPParseError(status: 400, message: "line too long") }
            return nil
        }
        var end = index
        if end > position, buffer[end - 1] == cr { end -= 1 }
        return (buffer[position..<end], index + 1)
    }

    private func parseChunkSize(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> Int {
        var size = 0
        var digits = 0
        for byte in line {
            guard let digit = hexValue(byte) else {
                if byte == UInt8(ascii: ";") || byte == sp || byte == tab { break }
                throw HTTPParseError(status: 400, message: "bad chunk size")
            }
            guard digits < 15 else { throw HTTPParseError(status: 413, message: "request body too large") }
            size = size << 4 | Int(digit)
            digits += 1
        }
        guard digits > 0 else { throw HTTPParseError(status: 400, message: "bad chunk size") }
        return size
    }

    /// Parses the head once its empty line has arrived.
    private mutating func parseHead() throws(HTTPParseError) -> RequestHead? {
        // Empty lines before a request line are ignored (RFC 9112 §2.2).
        while position < buffer.count, buffer[position] == cr || buffer[position] == lf { position += 1 }
        if position == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            position = 0
            scanFrom = 0
            return nil
        }
        var index = max(scanFrom, position)
        var end = -1
        while index < buffer.count {
            if buffer[index] == lf, index > position {
                let previous = buffer[index - 1]
                if previous == lf || (previous == cr && index - 2 >= position && buffer[index - 2] == lf) {
                    end = index
                    break
                }
            }
            index += 1
        }
        guard end >= 0 else {
            scanFrom = buffer.count
            if buffer.count - position > maxHeadBytes {
                throw HTTPParseError(status: 431, message: "request header fields too large")
            }
            return nil
        }
        guard end - position <= maxHeadBytes else {
            throw HTTPParseError(status: 431, message: "request header fields too large")
        }
        let start = position
        position = end + 1
        scanFrom = position
        return try buffer.withUnsafeBufferPointer { bytes throws(HTTPParseError) in
            try Self.decodeHead(UnsafeBufferPointer(rebasing: bytes[start..<end]))
        }
    }

    private static func decodeHead(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> RequestHead {
        var lines: [Range<Int>] = []
        var lineStart = 0
        for i in 0..<bytes.count where bytes[i] == lf {
            var lineEnd = i
            if lineEnd > lineStart, bytes[lineEnd - 1] == cr { lineEnd -= 1 }
            lines.append(lineStart..<lineEnd)
            lineStart = i + 1
        }
        if lineStart < bytes.count {
            var lineEnd = bytes.count
            if bytes[lineEnd - 1] == cr { lineEnd -= 1 }
            lines.append(lineStart..<lineEnd)
        }
        guard let requestLine = lines.first else { throw HTTPParseError(status: 400, message: "empty request") }

        // METHOD SP request-target SP HTTP-version
        let line = UnsafeBufferPointer(rebasing: bytes[requestLine])
        guard let firstSpace = line.firstIndex(of: sp), firstSpace > 0 else {
            throw HTTPParseError(status: 400, message: "bad request line")
        }
        guard let secondSpace = line[(firstSpace + 1)...].firstIndex(of: sp), secondSpace > firstSpace + 1 else {
            throw HTTPParseError(status: 400, message: "bad request line")
        }
        let methodBytes = UnsafeBufferPointer(rebasing: line[0..<firstSpace])
        guard methodBytes.allSatisfy(isTokenByte) else { throw HTTPParseError(status: 400, message: "bad method") }
        let targetBytes = UnsafeBufferPointer(rebasing: line[(firstSpace + 1)..<secondSpace])
        guard targetBytes.allSatisfy({ $0 > sp && $0 < 0x7F }) else {
            throw HTTPParseError(status: 400, message: "bad request target")
        }
        let version = UnsafeBufferPointer(rebasing: line[(secondSpace + 1)...])
        guard version.count == 8, version.starts(with: "HTTP/".utf8), version[6] == UInt8(ascii: "."),
            let major = digitValue(version[5]), let minor = digitValue(version[7])
        else { throw HTTPParseError(status: 400, message: "bad HTTP version") }
        guard major == 1 else { throw HTTPParseError(status: 505, message: "HTTP version not supported") }

        var head = RequestHead(
            method: String(decoding: methodBytes, as: UTF8.self),
            target: String(decoding: targetBytes, as: UTF8.self),
            minorVersion: minor,
            headers: [],
            keepAlive: minor >= 1,
            expectContinue: false,
            framing: .none)
        head.headers.reserveCapacity(lines.count - 1)
        var contentLength: Int?
        var chunked = false
        var sawTransferEncoding = false
        var connectionClose = false
        var connectionKeepAlive = false

        for range in lines.dropFirst() {
            let field = UnsafeBufferPointer(rebasing: bytes[range])
            if field.isEmpty { continue }
            guard field[0] != sp, field[0] != tab else { throw HTTPParseError(status: 400, message: "obsolete header folding") }
            guard let colon = field.firstIndex(of: UInt8(ascii: ":")), colon > 0 else {
                throw HTTPParseError(status: 400, message: "bad header line")
            }
            let nameBytes = UnsafeBufferPointer(rebasing: field[0..<colon])
            guard nameBytes.allSatisfy(isTokenByte) else { throw HTTPParseError(status: 400, message: "bad header name") }
            var valueStart = colon + 1
            var valueEnd = field.count
            while valueStart < valueEnd, field[valueStart] == sp || field[valueStart] == tab { valueStart += 1 }
            while valueEnd > valueStart, field[valueEnd - 1] == sp || field[valueEnd - 1] == tab { valueEnd -= 1 }
            let valueBytes = UnsafeBufferPointer(rebasing: field[valueStart..<valueEnd])
            let name = String(decoding: nameBytes, as: UTF8.self)
            let value = String(decoding: valueBytes, as: UTF8.self)
            head.headers.append(HeaderField(name: name, value: value))

            if equalsIgnoringCase(nameBytes, "content-length") {
                guard !valueBytes.isEmpty, valueBytes.count <= 15, valueBytes.allSatisfy({ digitValue($0) != nil }) else {
                    throw HTTPParseError(status: 400, message: "bad Content-Length")
                }
                let length = Int(value)!
                if let contentLength, contentLength != length {
                    throw HTTPParseError(status: 400, message: "conflicting Content-Length")
                }
                contentLength = length
            } else if equalsIgnoringCase(nameBytes, "transfer-encoding") {
                sawTransferEncoding = true
                let codings = tokens(valueBytes)
                chunked = codings.last == "chunked"
                if codings.contains(where: { $0 != "chunked" && $0 != "identity" }) || !chunked {
                    throw HTTPParseError(status: 501, message: "unsupported Transfer-Encoding")
                }
            } else if equalsIgnoringCase(nameBytes, "connection") {
                for token in tokens(valueBytes) {
                    if token == "close" { connectionClose = true }
                    if token == "keep-alive" { connectionKeepAlive = true }
                }
            } else if equalsIgnoringCase(nameBytes, "expect") {
                if tokens(valueBytes).contains("100-continue") { head.expectContinue = true }
            }
        }
        if sawTransferEncoding {
            head.framing = .chunked
            // A message with both is suspect (request smuggling): read it, then close.
            if contentLength != nil { connectionClose = true }
        } else if let contentLength {
            head.framing = .length(contentLength)
        }
        if connectionClose {
            head.keepAlive = false
        } else if minor == 0 {
            head.keepAlive = connectionKeepAlive
        }
        return head
    }
}

// MARK: - Byte helpers

let cr = UInt8(ascii: "\r")
let lf = UInt8(ascii: "\n")
let sp = UInt8(ascii: " ")
let tab = UInt8(ascii: "\t")

@inline(__always)
func digitValue(_ byte: UInt8) -> Int? {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
}

@inline(__always)
func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}

/// RFC 9110 `tchar`.
@inline(__always)
func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
        true
    case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
        UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
        UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
        true
    default:
        false
    }
}

/// Compares ASCII bytes with a lowercase literal, ignoring the bytes' case.
func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercase: StaticString) -> Bool {
    guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
    let literal = lowercase.utf8Start
    for i in 0..<bytes.count {
        var byte = bytes[i]
        if byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "Z") { byte |= 0x20 }
        if byte != literal[i] { return false }
    }
    return true
}

/// The comma-separated tokens of a header value, trimmed and lowercased.
func tokens(_ bytes: UnsafeBufferPointer<UInt8>) -> [String] {
    String(decoding: bytes, as: UTF8.self).lowercased()
        .split(separator: ",")
        .map { $0.trimmingCharacters(in: " \t") }
        .filter { !$0.isEmpty }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var slice = self[...]
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
