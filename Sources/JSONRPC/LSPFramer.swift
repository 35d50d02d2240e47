/// Splits a byte stream framed LSP-style (`Content-Length: N\r\n`, optional other headers,
/// `\r\n`, then N bytes of JSON) into messages, never buffering more than `maxBodyBytes` of a
/// body or `maxHeaderBytes` of a header block.
///
/// A pure value type, like `LineFramer`: any chunking yields the same events. Header names are
/// case-insensitive, a header line may end in `\n` alone, and blank lines between frames are
/// skipped. A body longer than the limit is reported `.tooLong` once and its bytes dropped. A
/// header block that frames nothing (a line that is no header; no `Content-Length`, a
/// non-numeric one or a second, different one) is reported `.malformed`, and the framer skips
/// to the next `Content-Length:` it sees, which starts the next frame.
public struct LSPFramer: Sendable {
    public let maxBodyBytes: Int
    /// The longest header block accepted (editors send about 80 bytes).
    public static let maxHeaderBytes = 8192

    private enum State: Sendable {
        case header
        case body(remaining: Int)
        case skippingBody(remaining: Int)
        /// After a malformed block: `matched` bytes of `Content-Length:` seen so far.
        case resynchronizing(matched: Int)
    }

    private static let contentLengthName = Array("content-length".utf8)
    /// What starts a frame: a lost framer looks for it, and `auto` framing recognises LSP by it.
    static let contentLengthHeader = contentLengthName + [UInt8(ascii: ":")]

    private var state = State.header
    /// The header line being read, or the body being collected.
    private var buffer: [UInt8] = []
    private var headerLines = 0
    private var headerBytes = 0
    private var length: Int?

    public init(maxBodyBytes: Int) { self.maxBodyBytes = maxBodyBytes }

    /// Feeds bytes; returns the events they complete.
    public mutating func push<C: Collection>(_ bytes: C) -> [FrameEvent] where C.Element == UInt8 {
        var events: [FrameEvent] = []
        var rest = bytes[...]
        while let byte = rest.first {
            switch state {
            case .header:
                rest = rest.dropFirst()
                if let event = readHeader(byte) { events.append(event) }
            case .body(let remaining):
                let taken = rest.prefix(remaining)
                rest = rest.dropFirst(taken.count)
                buffer.append(contentsOf: taken)
                if taken.count == remaining {
                    events.append(.message(buffer))
                    startHeader()
                } else {
                    state = .body(remaining: remaining - taken.count)
                }
            case .skippingBody(let remaining):
                let skipped = min(remaining, rest.count)
                rest = rest.dropFirst(skipped)
                if skipped == remaining { startHeader() } else { state = .skippingBody(remaining: remaining - skipped) }
            case .resynchronizing(let matched):
                rest = rest.dropFirst()
                resynchronize(byte, matched: matched)
            }
        }
        return events
    }

    /// End of input: a frame cut short is reported, so its sender hears about it.
    public mutating func finish() -> [FrameEvent] {
        defer { startHeader() }
        switch state {
        case .header where headerLines > 0 || buffer.contains(where: { !$0.isBlankInLine }):
            return [.malformed("input ended inside a header block")]
        case .body(let remaining):
            return [.malformed("input ended \(remaining) bytes before the end of a frame's body")]
        default:
            return []
        }
    }

    private mutating func startHeader() {
        state = .header
        buffer.removeAll(keepingCapacity: true)
        headerLines = 0
        headerBytes = 0
        length = nil
    }

    /// One header byte; a finished line is read at once, a blank one ends the block.
    private mutating func readHeader(_ byte: UInt8) -> FrameEvent? {
        headerBytes += 1
        if headerBytes > Self.maxHeaderBytes { return malformed("header block longer than \(Self.maxHeaderBytes) bytes") }
        guard byte == 0x0A else {
            buffer.append(byte)
            return nil
        }
        defer { buffer.removeAll(keepingCapacity: true) }
        if buffer.allSatisfy(\.isBlankInLine) {
            if headerLines == 0 {
                headerBytes = 0  // a blank line between frames
                return nil
            }
            return endOfHeaders()
        }
        headerLines += 1
        return readHeaderLine(buffer)
    }

    private mutating func readHeaderLine(_ line: [UInt8]) -> FrameEvent? {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0, line[..<colon].allSatisfy(Self.isTokenByte) else {
            return malformed("not a header line")
        }
        guard line[..<colon].map(\.asciiLowercased) == Self.contentLengthName else { return nil }  // other headers are allowed
        let digits = line[(colon + 1)...].trimmingBlanks
        guard !digits.isEmpty, digits.allSatisfy({ (0x30...0x39).contains($0) }) else {
            return malformed("Content-Length is not a number")
        }
        // Saturates: Int.max stands for any length too big for Int, longer than any limit.
        let value = digits.reduce(0) { total, digit in
            let (times10, o1) = total.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int(digit - 0x30))
            return o1 || o2 ? Int.max : sum
        }
        if let length, length != value { return malformed("two different Content-Length headers") }
        length = value
        return nil
    }

    private static let tokenSymbols = Array("!#$%&'*+-.^_`|~".utf8)

    /// A byte of an HTTP token (RFC 9110), which a header name is.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        default: tokenSymbols.contains(byte)
        }
    }

    private mutating func endOfHeaders() -> FrameEvent? {
        guard let length else { return malformed("no Content-Length header") }
        buffer.removeAll(keepingCapacity: true)
        if length > maxBodyBytes || length == .max {
            state = .skippingBody(remaining: length)
            return .tooLong
        }
        guard length > 0 else {
            startHeader()
            return .message([])
        }
        state = .body(remaining: length)
        return nil
    }

    private mutating func malformed(_ reason: String) -> FrameEvent {
        startHeader()
        state = .resynchronizing(matched: 0)
        return .malformed(reason)
    }

    /// Looks for `Content-Length:` in any case; once found, reads its value as a new block.
    private mutating func resynchronize(_ byte: UInt8, matched: Int) {
        let pattern = Self.contentLengthHeader
        let byte = byte.asciiLowercased
        var next = byte == pattern[matched] ? matched + 1 : 0
        // Only the pattern's first byte can restart a match: `c` occurs nowhere else in it.
        if next == 0, byte == pattern[0] { next = 1 }
        guard next == pattern.count else {
            state = .resynchronizing(matched: next)
            return
        }
        startHeader()
        buffer = pattern
        headerBytes = pattern.count
    }

}

extension ArraySlice<UInt8> {
    fileprivate var trimmingBlanks: ArraySlice<UInt8> {
        var trimmed = drop(while: \.isBlankInLine)
        while trimmed.last?.isBlankInLine == true { trimmed = trimmed.dropLast() }
        return trimmed
    }
}
