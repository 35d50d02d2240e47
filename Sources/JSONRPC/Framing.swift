/// How messages are delimited on the wire (protocol/README.md, "Framing").
public enum Framing: UInt8, Sendable {
    /// One message per line, ending in `\n`.
    case line
    /// LSP-style: `Content-Length: N\r\n`, optional other headers, `\r\n`, then N bytes.
    case lsp

    /// Appends `message` (compact JSON, no terminator) framed for the wire.
    public func append(_ message: [UInt8], to out: inout [UInt8]) {
        switch self {
        case .line:
            out.append(contentsOf: message)
            out.append(0x0A)
        case .lsp:
            out.append(contentsOf: "Content-Length: \(message.count)\r\n\r\n".utf8)
            out.append(contentsOf: message)
        }
    }
}

/// What `--framing` asks for: a fixed framing, or `auto`, which takes the framing of the input
/// (LSP when its first non-blank bytes are `Content-Length:`, else lines).
public enum FramingMode: String, Sendable {
    case auto, line, lsp
}

/// What a framer makes of the bytes it was fed.
public enum FrameEvent: Equatable, Sendable {
    /// A complete message, without its terminator or headers.
    case message([UInt8])
    /// A message passed the size limit; its bytes are being dropped.
    case tooLong
    /// A header block that frames nothing (no or a non-numeric `Content-Length`).
    case malformed(String)
}

extension UInt8 {
    /// Space, tab or carriage return: what a blank line may hold besides its `\n`.
    var isBlankInLine: Bool { self == 0x20 || self == 0x09 || self == 0x0D }
    var asciiLowercased: UInt8 { (0x41...0x5A).contains(self) ? self + 0x20 : self }
}
