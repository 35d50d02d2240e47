#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization

/// Serves one session over stdin and stdout until the end of input or a termination signal.
///
/// One thread (the caller's) does all the waiting: it reads stdin with `poll`, stops reading
/// while the writer or the waiting queue is full, and runs the shutdown. Signal handlers,
/// the writer and the dispatcher only wake it.
public enum StdioLoop {
    public struct Options: Sendable {
        public var framing: FramingMode
        /// The longest message accepted (a line, or a frame's body).
        public var maxMessageBytes: Int
        /// How long running requests may go on after SIGTERM or SIGINT.
        public var graceSeconds: Double

        public init(framing: FramingMode = .auto, maxMessageBytes: Int, graceSeconds: Double = 2) {
            self.framing = framing
            self.maxMessageBytes = maxMessageBytes
            self.graceSeconds = graceSeconds
        }
    }

    /// Moves the real stdout aside and points descriptor 1 at stderr, so a stray `print`
    /// anywhere in the process can never corrupt the protocol stream. Returns the protocol
    /// descriptor.
    public static func protectStdout() -> Int32 {
        let protocolFD = dup(STDOUT_FILENO)
        dup2(STDERR_FILENO, STDOUT_FILENO)
        signal(SIGPIPE, SIG_IGN)
        return protocolFD
    }

    /// Serves `methods` on stdin and `protocolFD`, on the calling thread (not a pool thread),
    /// and never returns.
    ///
    /// End of input: every accepted request is finished and written, then exit 0. SIGTERM or
    /// SIGINT: reading stops, requests not started are answered -32800, running ones get the
    /// grace period, whatever still runs is answered -32800, and once those answers are out
    /// exit 0. A client that reads too slowly for that gets a second more, then the answer
    /// being written is finished and the rest dropped; one that reads nothing for a second
    /// more still, finds the process gone.
    public static func run(methods: MethodTable, protocolFD: Int32, options: Options) -> Never {
        let wakeup = Wakeup()
        let stopping = Atomic<Bool>(false)
        let writer = MessageWriter(fd: protocolFD, framing: options.framing == .lsp ? .lsp : .line, onProgress: wakeup.poke)
        let server = RPCServer(methods: methods, output: writer.write, onRoom: wakeup.poke)
        let signalSources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                stopping.store(true, ordering: .sequentiallyConsistent)
                wakeup.poke()
            }
            source.resume()
            return source
        }
        func stopRequested() -> Bool { stopping.load(ordering: .sequentiallyConsistent) }

        var session = Session(server: server, writer: writer, framer: MessageFramer(mode: options.framing, maxMessageBytes: options.maxMessageBytes), maxMessageBytes: options.maxMessageBytes)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var inputEnded = false
        // One message at a time, each only while there is room: a chunk of small requests can
        // ask for far bigger answers (rpc.discover), and they must not all be queued at once.
        while !stopRequested() {
            let hasRoom = writer.hasRoom && server.hasRoom
            if hasRoom, session.deliverNext() { continue }
            if inputEnded, !session.hasPending { break }
            guard wakeup.wait(orReadable: hasRoom && !inputEnded ? STDIN_FILENO : nil) else { continue }
            switch Descriptor.standardInput.readSome(into: &chunk) {
            case .bytes(let count): session.frame(chunk[..<count])
            case .nothingYet: continue
            case .endOfInput:
                session.frameEnd()
                inputEnded = true
            case .failed(let reason):
                report("cannot read stdin (\(reason)): taking it as the end of input")
                session.frameEnd()
                inputEnded = true
            }
        }
        if !stopRequested() {
            server.whenIdle(wakeup.poke)
            while !stopRequested(), !(server.isIdle && writer.isDrained) { _ = wakeup.wait() }
            if !stopRequested() { exit(0) }
        }

        server.beginShutdown()
        let graceEnds = ContinuousClock.now + .seconds(options.graceSeconds)
        server.whenIdle(wakeup.poke)
        if !wait(until: graceEnds, for: { server.isIdle }, wakeup: wakeup) { server.cancelAll() }
        if !wait(until: max(graceEnds, .now) + .seconds(1), for: { writer.isDrained }, wakeup: wakeup) {
            writer.abandonQueued()  // finish the answer being written, drop the rest
            let finished = wait(until: .now + .seconds(1), for: { writer.isDrained }, wakeup: wakeup)
            report("stdout is not being read: exiting with answers unwritten" + (finished ? "" : ", one of them cut short"))
        }
        withExtendedLifetime(signalSources) {}
        exit(0)
    }

    /// Waits for `condition` until `deadline`; returns whether it came true.
    private static func wait(until deadline: ContinuousClock.Instant, for condition: () -> Bool, wakeup: Wakeup) -> Bool {
        while !condition() {
            let left = deadline - .now
            guard left > .zero else { return false }
            _ = wakeup.wait(timeout: left)
        }
        return true
    }

    /// A problem of the transport itself, on stderr, whatever the log level.
    static func report(_ message: String) {
        let program = CommandLine.arguments.first.map { String($0.split(separator: "/").last ?? "") } ?? ""
        try? Descriptor.standardError.writeAll(Array("\(program): \(message)\n".utf8))
    }

    /// The reading side of a session: frames input, and hands the server one message at a time.
    private struct Session {
        let server: RPCServer
        let writer: MessageWriter
        var framer: MessageFramer
        let maxMessageBytes: Int
        var framingAdopted = false
        /// Framed from the last chunk read, not yet delivered from `next` on.
        var pending: [FrameEvent] = []
        var next = 0

        var hasPending: Bool { next < pending.count }

        /// Frames a chunk; call only once the previous one is delivered.
        mutating func frame(_ bytes: ArraySlice<UInt8>) { take(framer.push(bytes)) }

        /// The end of input: whatever the framer still holds.
        mutating func frameEnd() { take(framer.finish()) }

        private mutating func take(_ events: [FrameEvent]) {
            if !framingAdopted, let framing = framer.framing {
                writer.adopt(framing)
                framingAdopted = true
            }
            pending = events
            next = 0
        }

        /// Hands over the next message; false when there is none.
        mutating func deliverNext() -> Bool {
            guard hasPending else { return false }
            let event = pending[next]
            next += 1
            switch event {
            case .message(let bytes): server.receive(message: bytes)
            case .tooLong: server.rejectOversize(limit: maxMessageBytes)
            case .malformed(let reason): server.rejectMalformedFrame(reason)
            }
            return true
        }
    }
}
