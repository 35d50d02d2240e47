/// Frames input as `--framing` asks: lines, LSP frames, or (`auto`) whichever the input starts
/// with. In `auto`, leading blank bytes are skipped and the first non-blank ones decide: LSP
/// when they are `Content-Length:` in any case, lines otherwise. `framing` tells the writer
/// which framing to answer in once it is known.
///
/// A pure value type, like the framers it drives.
public struct MessageFramer: Sendable {
    private enum Inner: Sendable {
        /// `auto` before the decision: the non-blank bytes seen so far (fewer than 15).
        case undecided([UInt8])
        case line(LineFramer)
        case lsp(LSPFramer)
    }

    private var inner: Inner
    private let maxMessageBytes: Int

    public init(mode: FramingMode, maxMessageBytes: Int) {
        self.maxMessageBytes = maxMessageBytes
        switch mode {
        case .auto: inner = .undecided([])
        case .line: inner = .line(LineFramer(maxLineBytes: maxMessageBytes))
        case .lsp: inner = .lsp(LSPFramer(maxBodyBytes: maxMessageBytes))
        }
    }

    /// The input's framing, once known (at once unless the mode is `auto`).
    public var framing: Framing? {
        switch inner {
        case .undecided: nil
        case .line: .line
        case .lsp: .lsp
        }
    }

    /// Feeds bytes; returns the events they complete.
    public mutating func push<C: BidirectionalCollection>(_ bytes: C) -> [FrameEvent] where C.Element == UInt8 {
        guard case .undecided(var seen) = inner else { return forward(bytes) }
        var rest = bytes[...]
        if seen.isEmpty { rest = rest.drop(while: { $0.isBlankInLine || $0 == 0x0A }) }
        let wanted = LSPFramer.contentLengthHeader.count - seen.count
        seen += rest.prefix(wanted)
        rest = rest.dropFirst(wanted)
        guard let framing = Self.decide(seen) else {
            inner = .undecided(seen)
            return []
        }
        inner = framing == .lsp ? .lsp(LSPFramer(maxBodyBytes: maxMessageBytes)) : .line(LineFramer(maxLineBytes: maxMessageBytes))
        return forward(seen) + forward(rest)
    }

    /// End of input.
    public mutating func finish() -> [FrameEvent] {
        switch inner {
        case .undecided(let seen):
            var lines = LineFramer(maxLineBytes: maxMessageBytes)
            return lines.push(seen) + lines.finish()
        case .line(var framer):
            defer { inner = .line(framer) }
            return framer.finish()
        case .lsp(var framer):
            defer { inner = .lsp(framer) }
            return framer.finish()
        }
    }

    private mutating func forward<C: BidirectionalCollection>(_ bytes: C) -> [FrameEvent] where C.Element == UInt8 {
        switch inner {
        case .undecided: preconditionFailure("forward before the framing is decided")
        case .line(var framer):
            inner = .undecided([])  // the framer is moved out, so it is not copied on write
            defer { inner = .line(framer) }
            return framer.push(bytes)
        case .lsp(var framer):
            inner = .undecided([])
            defer { inner = .lsp(framer) }
            return framer.push(bytes)
        }
    }

    /// `nil` while the bytes seen could still grow into `Content-Length:`.
    private static func decide(_ seen: [UInt8]) -> Framing? {
        guard !seen.isEmpty else { return nil }
        let signature = LSPFramer.contentLengthHeader
        guard zip(seen, signature).allSatisfy({ $0.asciiLowercased == $1 }) else { return .line }
        return seen.count == signature.count ? .lsp : nil
    }
}
