/// Splits a byte stream into lines, one JSON-RPC message each, without ever buffering more
/// than `maxLineBytes` of a line.
///
/// A pure value type: feed it bytes in any chunking (one at a time in tests) and it yields
/// the same events. `\r\n` is tolerated, blank lines are skipped, and an over-long line is
/// reported once, as soon as it passes the limit, then discarded up to its newline.
public struct LineFramer: Sendable {
    public enum Event: Equatable, Sendable {
        /// A complete line without its terminator.
        case line([UInt8])
        /// A line passed the limit; its bytes are being dropped.
        case tooLong
    }

    public let maxLineBytes: Int
    private var buffer: [UInt8] = []
    private var discarding = false

    public init(maxLineBytes: Int) { self.maxLineBytes = maxLineBytes }

    /// Feeds bytes; returns the events they complete.
    public mutating func push<C: BidirectionalCollection>(_ bytes: C) -> [Event] where C.Element == UInt8 {
        var events: [Event] = []
        var remaining = bytes[...]
        while !remaining.isEmpty {
            if let newline = remaining.firstIndex(of: 0x0A) {
                let chunk = remaining[..<newline]
                remaining = remaining[remaining.index(after: newline)...]
                if discarding {
                    discarding = false
                    continue
                }
                if !append(chunk) {
                    events.append(.tooLong)
                    buffer.removeAll(keepingCapacity: true)
                    continue
                }
                if let line = takeLine() { events.append(.line(line)) }
            } else {
                if !discarding, !append(remaining) {
                    events.append(.tooLong)
                    buffer.removeAll(keepingCapacity: true)
                    discarding = true
                }
                remaining = remaining[remaining.endIndex...]
            }
        }
        return events
    }

    /// End of input: a last line without a newline is still a line.
    public mutating func finish() -> [Event] {
        defer { buffer.removeAll(); discarding = false }
        if discarding { return [] }
        if let line = takeLine() { return [.line(line)] }
        return []
    }

    /// Appends unless that would pass the limit (counting a trailing `\r`, which is dropped later).
    private mutating func append<C: BidirectionalCollection>(_ chunk: C) -> Bool where C.Element == UInt8 {
        let last = chunk.last ?? buffer.last
        let limit = maxLineBytes + (last == 0x0D ? 1 : 0)
        guard buffer.count + chunk.count <= limit else { return false }
        buffer.append(contentsOf: chunk)
        return true
    }

    private mutating func takeLine() -> [UInt8]? {
        var line = buffer
        buffer.removeAll(keepingCapacity: true)
        if line.last == 0x0D { line.removeLast() }
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return nil }
        return line
    }
}
