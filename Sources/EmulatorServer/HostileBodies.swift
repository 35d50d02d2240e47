/// Answers a broken or hostile upstream sends, which a client must survive: bodies that never end,
/// a gzip bomb, and framing no HTTP parser can accept.
public enum HostileBody: String, Sendable, Equatable, CaseIterable {
    /// A chunked body that never ends.
    case endless = "endless"
    /// `Content-Encoding: gzip` whose tiny compressed stream inflates to zeros without end (about 159:1).
    case gzipBomb = "gzip-bomb"
    /// `Transfer-Encoding: chunked` with a chunk size that is not hexadecimal.
    case badChunked = "bad-chunked"
    /// Two `Content-Length` headers that disagree.
    case conflictingLength = "conflicting-length"
}

/// Writes hostile answers straight to a socket; each ends the connection.
struct HostileWriter {
    let kind: HostileBody
    let status: Int
    /// Keeps writing while this says the server runs.
    let isRunning: () -> Bool

    /// Writes the answer (forever, for the endless kinds, until the peer goes away).
    func write(to fd: Int32) {
        switch kind {
        case .endless:
            guard send(fd, head(["content-type: application/json", "transfer-encoding: chunked"])) else { return }
            CannedBodies.filler.withUnsafeBytes { filler in
                let chunk = Array("\(String(filler.count, radix: 16))\r\n".utf8)
                while isRunning(), send(fd, chunk), Socket.sendAll(fd, filler), send(fd, Array("\r\n".utf8)) {}
            }
        case .gzipBomb:
            let headers = ["content-type: application/json", "content-encoding: gzip", "transfer-encoding: chunked"]
            guard send(fd, head(headers)), send(fd, chunked(GzipBomb.start)) else { return }
            let piece = chunked(Array(repeating: GzipBomb.unit, count: 4096).flatMap { $0 })
            while isRunning(), send(fd, piece) {}
        case .badChunked:
            _ = send(fd, head(["content-type: application/json", "transfer-encoding: chunked"]) + Array("zz\r\n{}\r\n0\r\n\r\n".utf8))
        case .conflictingLength:
            _ = send(fd, head(["content-type: application/json", "content-length: 2", "content-length: 40"]) + Array("{}".utf8))
        }
    }

    private func head(_ lines: [String]) -> [UInt8] {
        Array(("HTTP/1.1 \(status) \(CannedBodies.reason(status))\r\n" + lines.map { $0 + "\r\n" }.joined() + "connection: close\r\n\r\n").utf8)
    }

    private func chunked(_ bytes: [UInt8]) -> [UInt8] {
        Array("\(String(bytes.count, radix: 16))\r\n".utf8) + bytes + Array("\r\n".utf8)
    }

    private func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool { Socket.sendAll(fd, bytes) }
}

/// A gzip stream that never ends: a member header, then one fixed-Huffman deflate block that never
/// closes, made of a literal zero and back-references of 258 bytes at distance 1 (13 bits each).
enum GzipBomb {
    /// The gzip header and the first 24 bits of deflate: block header (3), literal 0 (8), one copy (13).
    static let start: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xFF] + bits { writer in
        writer.put(0, count: 1)  // BFINAL: not the last block
        writer.put(1, count: 2)  // BTYPE 01: fixed Huffman codes
        writer.putHuffman(0b0011_0000, count: 8)  // literal 0
        writer.putCopy()
    }

    /// Eight copies, 104 bits: 13 whole bytes inflating to 2,064 zeros, repeatable forever.
    static let unit: [UInt8] = bits { writer in
        for _ in 0..<8 { writer.putCopy() }
    }

    private static func bits(_ body: (inout BitWriter) -> Void) -> [UInt8] {
        var writer = BitWriter()
        body(&writer)
        return writer.bytes
    }

    /// Deflate's bit order: values least significant bit first, Huffman codes most significant first.
    struct BitWriter {
        var bytes: [UInt8] = []
        private var used = 0

        mutating func put(_ value: Int, count: Int) {
            for bit in 0..<count { append((value >> bit) & 1) }
        }

        mutating func putHuffman(_ code: Int, count: Int) {
            for bit in (0..<count).reversed() { append((code >> bit) & 1) }
        }

        /// Length 258 (code 285, 8 bits: 11000101) at distance 1 (distance code 0, 5 bits).
        mutating func putCopy() {
            putHuffman(0b1100_0101, count: 8)
            putHuffman(0, count: 5)
        }

        private mutating func append(_ bit: Int) {
            if used % 8 == 0 { bytes.append(0) }
            bytes[bytes.count - 1] |= UInt8(bit) << UInt8(used % 8)
            used += 1
        }
    }
}
