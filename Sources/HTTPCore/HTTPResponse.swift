/// One HTTP response: status, headers (names lowercased) and the whole body.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    /// Header names lowercased (`retry-after`, `content-type`, `www-authenticate`).
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { _, b in b })
        self.body = body
    }
}
