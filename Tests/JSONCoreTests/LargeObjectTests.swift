import Testing
@testable import JSONCore

/// Objects with hundreds of thousands of members are read, built and compared in linear time.
/// The time limit is a hang guard, not a measurement: the quadratic reader took minutes on these
/// inputs, the linear one takes well under a second (`make bench` has the figures). Serialized,
/// so a slow test leaves a thread free for the time limit to fire.
@Suite(.serialized, .timeLimit(.minutes(1))) struct LargeObjectTests {
    static let memberCount = 300_000

    static func objectText(keys: Int, duplicateEvery: Int? = nil) -> String {
        var text = "{"
        for i in 0..<keys {
            if i > 0 { text += "," }
            text += "\"k\(i)\":\(i)"
            if let every = duplicateEvery, i % every == 0 { text += ",\"k\(i)\":\"again\"" }
        }
        return text + "}"
    }

    @Test func aHugeObjectParsesWithEveryMemberInOrder() throws {
        let value = try JSONParser.parse(Self.objectText(keys: Self.memberCount))
        let object = try #require(value.objectValue)
        #expect(object.count == Self.memberCount)
        #expect(object.keys.first == "k0" && object.keys.last == "k\(Self.memberCount - 1)")
        #expect(object.entries[123_456].value == 123_456)
    }

    @Test func duplicatesInAHugeObjectKeepTheFirstPlaceAndTheLastValue() throws {
        let value = try JSONParser.parse(Self.objectText(keys: Self.memberCount, duplicateEvery: 1000))
        let object = try #require(value.objectValue)
        #expect(object.count == Self.memberCount)
        #expect(object.keys[1000] == "k1000")
        #expect(object.entries[1000].value == "again")
        #expect(object.entries[1001].value == 1001)
    }

    @Test func hugeObjectsCompareAndHashIgnoringOrder() throws {
        let pairs = (0..<100_000).map { (key: "k\($0)", value: JSON.number(JSONNumber($0))) }
        let forward = JSONObject(pairs)
        let backward = JSONObject(pairs.reversed())
        #expect(forward == backward)
        #expect(forward.hashValue == backward.hashValue)
        var changed = pairs
        changed[60_000].value = "other"
        #expect(forward != JSONObject(changed))
    }
}
