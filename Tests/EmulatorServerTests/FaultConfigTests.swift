import JSONCore
import Testing

@testable import EmulatorServer

@Suite struct FaultConfigTests {
    @Test func decodesAndEncodesTheControlEndpointFormat() throws {
        let text = """
            {"rules": [
              {"match": {"method": "GET", "path_prefix": "/users"}, "times": 2,
               "action": {"status": 503, "body": {"error": "down"}, "headers": {"Retry-After": "1"}}},
              {"action": {"delay": 0.5}},
              {"match": {"path": "/x"}, "action": {"redirect": "http://127.0.0.2:1/x", "status": 307}},
              {"action": {"body_bytes": 1000}}
            ],
             "rate_limit": {"rps": 50, "burst": 10, "retry_after": false}}
            """
        let config = try FaultConfig(json: JSONParser.parse(text))
        #expect(config.rules.count == 4)
        #expect(config.rules[0].match == FaultMatch(method: "GET", pathPrefix: "/users"))
        #expect(config.rules[0].times == 2)
        #expect(config.rules[0].action == .status(503, body: ["error": "down"], headers: ["Retry-After": "1"]))
        #expect(config.rules[1].action == .delay(0.5))
        #expect(config.rules[1].times == nil)
        #expect(config.rules[2].action == .redirect(to: "http://127.0.0.2:1/x", status: 307))
        #expect(config.rules[3].action == .hugeBody(bytes: 1000))
        #expect(config.rateLimit == RateLimit(rps: 50, burst: 10, retryAfter: false))
        #expect(try FaultConfig(json: config.json) == config)
    }

    @Test func rateLimitDefaults() throws {
        let limit = try RateLimit(json: JSONParser.parse(#"{"rps": 2.5}"#))
        #expect(limit == RateLimit(rps: 2.5, burst: 3, retryAfter: true))
    }

    @Test func mistakesAreRefusedWithTheirPlace() throws {
        func message(_ text: String) -> String? {
            do {
                _ = try FaultConfig(json: JSONParser.parse(text))
                return nil
            } catch let error as FaultConfigError {
                return error.message
            } catch {
                return "\(error)"
            }
        }
        #expect(message(#"{"rules": [{"action": {"dealy": 1}}]}"#) == #"rules[0].action: unknown member "dealy""#)
        #expect(message(#"{"rules": [{"action": {"status": 42}}]}"#)?.hasPrefix("rules[0].action.status") == true)
        #expect(message(#"{"rules": [{"times": -1, "action": {}}]}"#)?.hasPrefix("rules[0].times") == true)
        #expect(message(#"{"rules": [{}]}"#) == "rules[0].action: missing")
        #expect(message(#"{"rules": [{"action": {"drop": true, "html": true}}]}"#)?.contains("exclude") == true)
        #expect(message(#"{"rate_limit": {"rps": 0}}"#)?.hasPrefix("rate_limit.rps") == true)
        #expect(message(#"{"rule": []}"#) == #"faults: unknown member "rule""#)
        #expect(message(#"{"rules": [], "rate_limit": null}"#) == nil)
    }

    @Test func rulesAreTriedInOrderAndUsedUp() {
        let injector = FaultInjector()
        injector.set(rules: [
            FaultRule(match: FaultMatch(method: "post"), times: 1, action: .status(500)),
            FaultRule(match: FaultMatch(pathPrefix: "/users"), times: 2, action: .delay(0.25)),
            FaultRule(match: FaultMatch(path: "/users"), action: FaultAction(headers: ["X-Extra": "1"])),
        ])
        let first = injector.plan(method: "POST", path: "/users")
        guard case .respond(let response)? = first.outcome else {
            Issue.record("expected a response")
            return
        }
        #expect(response.status == 500)
        #expect(first.delay == 0)

        let second = injector.plan(method: "POST", path: "/users?x=1")
        #expect(second.outcome == nil)
        #expect(second.delay == 0.25)
        #expect(second.extraHeaders == ["X-Extra": "1"])

        let third = injector.plan(method: "GET", path: "/users/1")
        #expect(third.delay == 0.25)
        #expect(third.extraHeaders.isEmpty)

        let fourth = injector.plan(method: "GET", path: "/users")
        #expect(fourth.delay == 0)
        #expect(fourth.extraHeaders == ["X-Extra": "1"])
        #expect(injector.config.rules.map(\.times) == [0, 0, nil])
    }
}
