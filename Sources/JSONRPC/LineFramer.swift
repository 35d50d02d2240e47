/// Splits a byte stream into lines, one JSON-RPC message each, without ever buffering more
/// than `maxLineBytes` of a line.
///
/// A pure value type: feed it bytes in any chunking (one at a time in tests) and it yields
/// the same events. `\r\n` is tolerated, blank lines are skipped, and an over-long line is
/// reported once, as soon as it passes the limit, then discarded up to its newline.
public struct LineFramer: Sendable {
    public let maxLineBytes: Int
    private var buffer: [UInt8] = []
    private var discarding = false

    public init(maxLineBytes: Int) { self.maxLineBytes = maxLineBytes }

    /// Feeds bytes; returns the events they complete.
    public mutating func push<C: BidirectionalCollection>(_ bytes: C) -> [FrameEvent] where C.Element == UInt8 {
        var events: [FrameEvent] = []
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
                if let line = takeLine() { events.append(.message(line)) }
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
    public mutating func finish() -> [FrameEvent] {
        defer { buffer.removeAll(); discarding = false }
        if discarding { return [] }
        if let line = takeLine() { return [.message(line)] }
        return []
    }

    /// Appends unless that would pass the limit (counting a trailing `\r`, which is dropped later).
    private mutating func append<C: BidirectionalCollection>(_ chunk: C) -> Bool where C.Element == UInt8 {
        let length = buffer.count + chunk.count
        let counted = (chunk.last ?? buffer.last) == 0x0D ? length - 1 : length
        guard counted <= maxLineBytes else { return false }
        buffer.append(contentsOf: chunk)
        return true
    }

    private mutating func takeLine() -> [UInt8]? {
        var line = buffer
        buffer.removeAll(keepingCapacity: true)
        if line.last == 0x0D { line.removeLast() }
        if line.allSatisfy(\.isBlankInLine) { return nil }
        return line
    }
}
