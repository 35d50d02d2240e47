#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization

/// Writes protocol lines to one descriptor, each whole, one `write(2)` sequence per message.
///
/// Answers produced on the reading thread (cheap inline methods such as `ping`) are written
/// there at once; answers from the concurrency pool go through a serial queue, so a slow
/// reader of stdout never blocks the pool. When the peer has closed the stream (EPIPE), the
/// process ends quietly with status 0.
public final class LineWriter: Sendable {
    private let fd: Int32
    private let queue = DispatchQueue(label: "tiledesk-rpc.stdout")
    private let lock = Mutex(())
    /// The thread that reads stdin (0 until `run` records it).
    private let readerThread = Atomic<UInt>(0)

    public init(fd: Int32) { self.fd = fd }

    /// Records the calling thread as the reader: its answers skip the queue.
    public func markReaderThread() { readerThread.store(UInt(pthread_self()), ordering: .relaxed) }

    /// Writes `line` (without its newline): at once on the reading thread, else queued.
    public func write(_ line: [UInt8]) {
        if UInt(pthread_self()) == readerThread.load(ordering: .relaxed) {
            writeLine(line)
        } else {
            queue.async { self.writeLine(line) }
        }
    }

    private func writeLine(_ line: [UInt8]) {
        var bytes = line
        bytes.append(0x0A)
        lock.withLock { _ in
            bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        _exit(0)  // stdout closed: nobody is listening any more
                    }
                    offset += n
                }
            }
        }
    }

    /// Blocks until everything queued so far has been written.
    public func drain() { queue.sync {} }
}

/// Runs a server over stdin/stdout until end of input or a termination signal.
public enum StdioLoop {
    /// Moves the real stdout aside and points descriptor 1 at stderr, so a stray `print`
    /// anywhere in the process can never corrupt the protocol stream. Returns the protocol
    /// descriptor.
    public static func protectStdout() -> Int32 {
        let protocolFD = dup(STDOUT_FILENO)
        dup2(STDERR_FILENO, STDOUT_FILENO)
        signal(SIGPIPE, SIG_IGN)
        return protocolFD
    }

    /// Reads stdin on the calling thread (not a pool thread) and never returns.
    ///
    /// End of input: every in-flight request is finished and written, then exit 0.
    /// SIGTERM/SIGINT: reading stops, in-flight requests get `graceSeconds`, whatever is still
    /// running is answered -32800, then exit 0.
    public static func run(server: RPCServer, writer: LineWriter, maxLineBytes: Int, graceSeconds: Double = 2) -> Never {
        let stopping = Atomic<Bool>(false)
        var sources: [DispatchSourceSignal] = []
        for sig in [SIGTERM, SIGINT] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                stopping.store(true, ordering: .sequentiallyConsistent)
                if !server.waitUntilIdle(seconds: graceSeconds) { server.cancelAll() }
                writer.drain()
                _exit(0)
            }
            source.resume()
            sources.append(source)
        }

        writer.markReaderThread()
        var framer = LineFramer(maxLineBytes: maxLineBytes)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        func handle(_ events: [LineFramer.Event]) {
            for event in events where !stopping.load(ordering: .sequentiallyConsistent) {
                switch event {
                case .line(let line): server.receive(line: line)
                case .tooLong: server.receiveOversizeLine(limit: maxLineBytes)
                }
            }
        }
        while !stopping.load(ordering: .sequentiallyConsistent) {
            let n = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            handle(framer.push(chunk[0..<n]))
        }
        handle(framer.finish())
        if stopping.load(ordering: .sequentiallyConsistent) {
            while true { pause() }  // the signal handler finishes and exits
        }
        server.waitUntilIdle()
        writer.drain()
        withExtendedLifetime(sources) {}
        exit(0)
    }
}
