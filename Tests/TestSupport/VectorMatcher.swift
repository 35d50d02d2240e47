import JSONCore

/// The matching rule of protocol/vectors/README.md, shared by every suite that runs vectors.
public enum VectorMatcher {
    /// Whether `expected` matches `actual`: objects by subset (an empty expected object only
    /// matches an empty one), arrays element by element, scalars by JSON equality.
    public static func matches(_ expected: JSON, _ actual: JSON) -> Bool {
        switch (expected, actual) {
        case (.object(let e), .object(let a)):
            if e.isEmpty { return a.isEmpty }
            return e.allSatisfy { key, value in a[key].map { matches(value, $0) } ?? false }
        case (.array(let e), .array(let a)):
            return e.count == a.count && zip(e, a).allSatisfy { matches($0, $1) }
        default:
            return expected == actual
        }
    }

    /// Matches a whole output line: a batch array matches in any order.
    public static func matchesLine(_ expected: JSON, _ actual: JSON) -> Bool {
        if case .array(let e) = expected, case .array(let a) = actual {
            return e.count == a.count && assign(e, a) != nil
        }
        return matches(expected, actual)
    }

    /// Pairs each expected line with a distinct actual line, or nil when impossible.
    public static func assign(_ expected: [JSON], _ actual: [JSON]) -> [Int]? {
        guard expected.count == actual.count else { return nil }
        var used = Array(repeating: false, count: actual.count)
        var pairing: [Int] = []
        func search(_ i: Int) -> Bool {
            if i == expected.count { return true }
            for j in actual.indices where !used[j] && matchesLine(expected[i], actual[j]) {
                used[j] = true
                pairing.append(j)
                if search(i + 1) { return true }
                used[j] = false
                pairing.removeLast()
            }
            return false
        }
        return search(0) ? pairing : nil
    }
}
