import Testing
@testable import JSONCore

@Suite struct JSONParserTests {
    @Test("number spellings survive a round trip", arguments: ["1", "1.0", "1e2", "-0", "12345678901234567890123", "1.5E-7", "-12.50"])
    func numberSpelling(_ text: String) throws {
        let value = try JSONParser.parse(text)
        #expect(JSONWriter.string(value) == text)
    }

    @Test func trueIsNotOne() throws {
        #expect(try JSONParser.parse("true") == .bool(true))
        #expect(try JSONParser.parse("true") != JSON.number(JSONNumber(1)))
        #expect(try JSONParser.parse("1") == .number(JSONNumber(1)))
    }

    @Test func numbersCompareByValueExceptBeyondDoublePrecision() throws {
        #expect(try JSONParser.parse("1") == JSONParser.parse("1.0"))
        #expect(try JSONParser.parse("12345678901234567891") != JSONParser.parse("12345678901234567890"))
    }

    @Test("invalid documents are rejected", arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "+1", "nul", "\"\\x\"", "\"a\nb\"", "{\"a\" 1}", "[1] x", "NaN", "\"\\ud800",
    ])
    func rejects(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func rejectsInvalidUTF8InsteadOfRepairingIt() {
        let bytes: [UInt8] = Array("{\"a\":\"".utf8) + [0xC3, 0x28] + Array("\"}".utf8)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
        let overlong: [UInt8] = [0x22, 0xC0, 0xAF, 0x22]
        #expect(throws: JSONParseError.self) { try JSONParser.parse(overlong) }
    }

    @Test func boundsNesting() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        _ = try JSONParser.parse(fine)
    }

    @Test func escapesAndSurrogatePairs() throws {
        let value = try JSONParser.parse(#""a\"b\\c\/d\n\u00e9\ud83d\ude00""#)
        #expect(value == .string("a\"b\\c/d\né😀"))
    }

    @Test func objectsKeepMemberOrderAndLastDuplicateWins() throws {
        let value = try JSONParser.parse(#"{"z":1,"a":2,"z":3}"#)
        #expect(value.objectValue?.keys == ["z", "a"])
        #expect(value["z"] == 3)
    }
}

/// A lone surrogate cannot live in a Swift String: the value gets U+FFFD, and the document says
/// where and how the string was spelt, so a caller that must not merge two such strings can tell.
@Suite struct InexactStringTests {
    @Test func loneSurrogatesAreReportedWithTheirPathAndSpelling() throws {
        let text = #"[{"id":"\ud800","params":{"name":"a\uDBFFb","ok":"\ud83d\ude00"}},"\udc00"]"#
        let document = try JSONParser.parseDocument(Array(text.utf8))
        #expect(document.value.arrayValue?[0]["id"] == "\u{FFFD}")
        #expect(document.inexactStrings == [
            JSONInexactString(path: [.index(0), .key("id")], spelling: #""\ud800""#),
            JSONInexactString(path: [.index(0), .key("params"), .key("name")], spelling: #""a\uDBFFb""#),
            JSONInexactString(path: [.index(1)], spelling: #""\udc00""#),
        ])
        #expect(document.inexactStrings.spelling(at: [.index(0), .key("id")]) == #""\ud800""#)
        #expect(document.inexactStrings.spelling(at: [.index(0), .key("params"), .key("ok")]) == nil)
    }

    @Test func exactDocumentsReportNothing() throws {
        let document = try JSONParser.parseDocument(Array(#"{"a":"\u00e9\ud83d\ude00","\ud800":1}"#.utf8))
        #expect(document.inexactStrings.isEmpty)
        #expect(document.value == (try JSONParser.parse(#"{"a":"é😀","\ud800":1}"#)))
    }
}

@Suite struct JSONWriterTests {
    @Test func compactWithoutEscapingSlashes() {
        let value: JSON = ["url": "https://api.tiledesk.com/v3", "n": nil, "list": [true, 1, "x"]]
        #expect(JSONWriter.string(value) == #"{"url":"https://api.tiledesk.com/v3","n":null,"list":[true,1,"x"]}"#)
    }

    @Test func escapesLineSeparatorsAndControls() {
        let value = JSON.string("a\u{2028}b\u{2029}c\u{0001}d\"e\\f\ng")
        #expect(JSONWriter.string(value) == #""a\u2028b\u2029c\u0001d\"e\\f\ng""#)
    }

    @Test func roundTripsEveryScalarClass() throws {
        let text = #"{"s":"é😀\u2028","a":[1.0,-2e-3,null,false],"o":{}}"#
        #expect(JSONWriter.string(try JSONParser.parse(text)) == text)
    }
}
