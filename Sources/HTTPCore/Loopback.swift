/// Which hosts are this machine's own loopback, where plain http cannot be overheard.
public enum Loopback {
    /// True for an IPv4 literal in 127.0.0.0/8, `::1` (bracketed or not), or exactly `localhost`;
    /// never for a name that merely starts like one (`127.attacker.example`, `localhost.example`).
    public static func isLoopback(_ host: String) -> Bool {
        var h = Substring(host.lowercased())
        if h.hasPrefix("["), h.hasSuffix("]") { h = h.dropFirst().dropLast() }
        if h == "localhost" || h == "::1" || h == "0:0:0:0:0:0:0:1" { return true }
        let octets = h.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return false }
        let values = octets.map { octet -> Int? in
            guard (1...3).contains(octet.count), octet.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return Int(octet)
        }
        guard values.allSatisfy({ $0 != nil && $0! <= 255 }) else { return false }
        return values[0] == 127
    }
}
