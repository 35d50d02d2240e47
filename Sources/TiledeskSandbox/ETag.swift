/// Express's conditional GET: the weak `ETag` its `res.send` puts on every body it sends, and
/// the `req.fresh` test that turns a matching `If-None-Match` into a 304 with no body.
enum ETag {
    /// The shape of the `etag` package's weak tags, `W/"<byte length in hex>-<base64 digest>"`,
    /// with `BodyDigest` (11 base64 characters) where Express has 27 of SHA-1.
    static func weak(_ body: [UInt8]) -> String {
        let digest = BodyDigest.of(body)
        let bytes = (0..<8).map { UInt8(truncatingIfNeeded: digest >> UInt64(56 - 8 * $0)) }
        return "W/\"" + String(body.count, radix: 16) + "-" + Base64.encode(bytes).prefix(11) + "\""
    }

    /// Express's `req.fresh` for a 2xx answer to a GET or HEAD carrying `etag` (the `fresh`
    /// package): an `If-None-Match` that lists this tag (weakly compared) or is `*`, no
    /// `Cache-Control: no-cache`, and no `If-Modified-Since` (a JSON answer has no
    /// `Last-Modified`, so that header always makes the answer stale).
    static func isFresh(etag: String, ifNoneMatch: String?, ifModifiedSince: String?, cacheControl: String?) -> Bool {
        guard let ifNoneMatch, !ifNoneMatch.isEmpty, ifModifiedSince?.isEmpty ?? true else { return false }
        if let cacheControl, hasNoCache(cacheControl) { return false }
        if ifNoneMatch == "*" { return true }
        return tokens(ifNoneMatch).contains { $0 == etag || "W/" + $0 == etag || $0 == "W/" + etag }
    }

    /// `parseTokenList`: the list split on commas and spaces.
    private static func tokens(_ list: String) -> [Substring] {
        list.split(whereSeparator: { $0 == "," || $0 == " " })
    }

    /// `/(?:^|,)\s*?no-cache\s*?(?:,|$)/`.
    private static func hasNoCache(_ cacheControl: String) -> Bool {
        cacheControl.split(separator: ",", omittingEmptySubsequences: false).contains {
            $0.trimmingASCII(" \t\r\n\u{0B}\u{0C}") == "no-cache"
        }
    }
}

/// A 64-bit digest of a body, 8 bytes at a time (MurmurHash3's mixing and finalizer): equal
/// for equal bytes and, in practice, different for any change. Express uses SHA-1, which costs
/// more here than the rest of a sandbox request; a tag only has to be compared, never read.
enum BodyDigest {
    static func of(_ bytes: [UInt8]) -> UInt64 {
        let c1: UInt64 = 0x87C3_7B91_1142_53D5
        let c2: UInt64 = 0x4CF5_AD43_2745_937F
        func mixed(_ word: UInt64) -> UInt64 {
            let k = word &* c1
            return (k << 31 | k >> 33) &* c2
        }
        var h = UInt64(bytes.count)
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset &+ 8 <= raw.count {
                h ^= mixed(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                h = (h << 27 | h >> 37) &* 5 &+ 0x52DC_E729
                offset &+= 8
            }
            var last: UInt64 = 0
            for i in offset..<raw.count { last |= UInt64(raw[i]) << UInt64(8 &* (i &- offset)) }
            h ^= mixed(last)
        }
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h = h &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }
}
