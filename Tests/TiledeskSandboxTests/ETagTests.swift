import JSONCore
import Testing

@testable import TiledeskSandbox

/// Weak ETags and conditional GETs as Express does them (`res.send`, `req.fresh`).
@Suite struct ETagTests {
    let emulator = makeEmulator()

    @Test func weakTagsHaveExpresssShapeAndFollowTheBytes() throws {
        let tag = ETag.weak(Array("hello".utf8))
        #expect(tag.hasPrefix("W/\"5-"))
        #expect(tag.hasSuffix("\""))
        #expect(tag.count == "W/\"5-".count + 11 + 1)
        #expect(ETag.weak(Array("hello".utf8)) == tag)
        #expect(ETag.weak(Array("hellp".utf8)) != tag)
        #expect(ETag.weak(Array("hello world, a body longer than one word".utf8)) != ETag.weak(Array("hello world, a body longer than one wore".utf8)))
        #expect(ETag.weak([]).hasPrefix("W/\"0-"))
        // Different lengths of zero bytes still differ (the length is mixed in).
        #expect(BodyDigest.of([0]) != BodyDigest.of([0, 0]))
    }

    @Test func everyJSONAnswerCarriesTheTagOfItsBody() throws {
        let answer = emulator.call("GET", "/\(P1)/project_users")
        let etag = try #require(answer.header("etag"))
        #expect(etag == ETag.weak(answer.response.body))
        // res.send tags errors and writes too; passport's plain 401 and the 404 page have none.
        #expect(emulator.call("GET", "/\(P1)/project_users", token: Seed.ninaToken).header("etag") != nil)
        #expect(emulator.call("PUT", "/users", json: ["firstname": "Liv"]).header("etag") != nil)
        #expect(emulator.call("GET", "/users", token: nil).header("etag") == nil)
        #expect(emulator.call("GET", "/\(P1)/nothing", token: nil).header("etag") == nil)
    }

    @Test func aMatchingIfNoneMatchGets304WithNoBody() throws {
        let path = "/\(P1)/pendinginvitations"
        let first = emulator.call("GET", path)
        let etag = try #require(first.header("etag"))
        let again = emulator.call("GET", path, headers: ["If-None-Match": etag])
        #expect(again.status == 304)
        #expect(again.response.body.isEmpty)
        #expect(again.header("content-type") == nil)
        #expect(again.header("etag") == etag)
        // The list changes, so does the tag.
        emulator.call("POST", "/\(P1)/project_users/invite", json: ["email": "new@example.com", "role": "agent"])
        let changed = emulator.call("GET", path, headers: ["If-None-Match": etag])
        #expect(changed.status == 200)
        #expect(changed.array.count == 2)
        #expect(changed.header("etag") != etag)
    }

    @Test func freshnessFollowsTheFreshPackage() throws {
        let path = "/\(P1)/project_users/me"
        let etag = try #require(emulator.call("GET", path).header("etag"))
        let strong = String(etag.dropFirst(2))
        #expect(emulator.call("GET", path, headers: ["If-None-Match": strong]).status == 304)
        #expect(emulator.call("GET", path, headers: ["If-None-Match": "\"other\", \(etag)"]).status == 304)
        #expect(emulator.call("GET", path, headers: ["If-None-Match": "*"]).status == 304)
        #expect(emulator.call("HEAD", path, headers: ["If-None-Match": etag]).status == 304)
        #expect(emulator.call("GET", path, headers: ["If-None-Match": "\"other\""]).status == 200)
        #expect(emulator.call("GET", path, headers: ["If-None-Match": etag, "Cache-Control": "max-age=0, no-cache"]).status == 200)
        #expect(
            emulator.call("GET", path, headers: ["If-None-Match": etag, "If-Modified-Since": "Sun, 01 Feb 2026 00:00:00 GMT"]).status
                == 200)
    }

    @Test func onlySuccessfulGetsBecome304() throws {
        let denied = emulator.call("GET", "/\(P1)/project_users", token: Seed.ninaToken)
        let deniedTag = try #require(denied.header("etag"))
        #expect(emulator.call("GET", "/\(P1)/project_users", token: Seed.ninaToken, headers: ["If-None-Match": deniedTag]).status == 403)

        let put = emulator.call("PUT", "/\(P1)/project_users", json: [:])
        let putTag = try #require(put.header("etag"))
        #expect(emulator.call("PUT", "/\(P1)/project_users", json: [:], headers: ["If-None-Match": putTag]).status == 200)
    }
}
