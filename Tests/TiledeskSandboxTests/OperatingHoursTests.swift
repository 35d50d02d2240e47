import JSONCore
import Testing

@testable import TiledeskSandbox

/// `GET /projects/:pid/isopen` (services/operatingHoursService.js), set up through `PUT /projects/:pid`.
@Suite struct OperatingHoursTests {
    /// Rome, Mondays 09:00–13:00 and 14:00–18:00.
    static let romeMondays = #"{"1":[{"start":"09:00","end":"13:00"},{"start":"14:00","end":"18:00"}],"tzname":"Europe/Rome"}"#

    /// A demo project with those hours, at `instant` (UTC).
    func project(at instant: String, hours: JSON = .string(romeMondays)) -> Sandbox {
        let emulator = makeEmulator(at: instant)
        let answer = emulator.call("PUT", "/projects/\(P1)", json: ["activeOperatingHours": true, "operatingHours": hours])
        #expect(answer.status == 200)
        return emulator
    }

    func isOpen(_ emulator: Sandbox, _ query: String = "") -> JSON { emulator.call("GET", "/projects/\(P1)/isopen\(query)", token: nil).json }

    @Test func theSeedIsAlwaysOpen() {
        let emulator = makeEmulator()
        #expect(isOpen(emulator) == ["isopen": true])
        emulator.call("PUT", "/projects/\(P1)", json: ["activeOperatingHours": false, "operatingHours": .string(Self.romeMondays)])
        #expect(isOpen(emulator) == ["isopen": true])
    }

    @Test func projectLookupFailures() {
        let emulator = makeEmulator()
        let unknown = emulator.call("GET", "/projects/65f00000000000000000ffff/isopen", token: nil)
        #expect(unknown.status == 500)
        #expect(
            unknown.json
                == ["success": false, "msg": ["errorCode": 1010, "msg": "project not found for id", "projectId": "65f00000000000000000ffff"]])
        #expect(
            emulator.call("GET", "/projects/nope/isopen", token: nil).json
                == ["success": false, "msg": ["errorCode": 1000, "msg": "Error getting object."]])
    }

    @Test(arguments: [
        ("2026-02-02T08:01:00.000Z", true),  // Monday 09:01 in Rome (UTC+1)
        ("2026-02-02T08:00:00.000Z", false),  // 09:00: both ends are exclusive
        ("2026-02-02T08:00:30.000Z", false),  // 09:00:30 is read as 09:00
        ("2026-02-02T11:59:59.000Z", true),  // 12:59
        ("2026-02-02T12:00:00.000Z", false),  // 13:00
        ("2026-02-02T12:30:00.000Z", false),  // the lunch gap
        ("2026-02-02T13:30:00.000Z", true),  // 14:30
        ("2026-02-01T10:00:00.000Z", false),  // Sunday
        ("2026-07-06T07:30:00.000Z", true),  // Monday 09:30 in summer (UTC+2)
        ("2026-02-02T07:30:00.000Z", false),  // Monday 08:30 in winter
    ])
    func openingFollowsTheZonesClock(instant: String, open: Bool) {
        #expect(isOpen(project(at: instant)) == ["isopen": .bool(open)])
    }

    @Test func theDayIsTheZonesDay() {
        let midnight = #"{"1":[{"start":"00:00","end":"01:00"}],"tzname":"Europe/Rome"}"#
        // Sunday 23:30 UTC is Monday 00:30 in Rome.
        #expect(isOpen(project(at: "2026-02-01T23:30:00.000Z", hours: .string(midnight))) == ["isopen": true])
        let utc = #"{"0":[{"start":"00:00","end":"01:00"}],"tzname":"Mars/Olympus"}"#
        #expect(isOpen(project(at: "2026-02-01T00:30:00.000Z", hours: .string(utc))) == ["isopen": true])
        let allDay = #"{"0":[{"start":"0:00","end":"24:00"}],"tzname":"UTC"}"#
        #expect(isOpen(project(at: "2026-02-01T23:59:00.000Z", hours: .string(allDay))) == ["isopen": true])
    }

    @Test func serviceErrors() {
        func error(_ hours: JSON) -> JSON { project(at: "2026-02-02T09:00:00.000Z", hours: hours).call("GET", "/projects/\(P1)/isopen", token: nil).json }
        #expect(error("") == ["success": false, "msg": ["errorCode": 1020, "msg": "Operating hours is empty"]])
        #expect(error(#"{"1":[]}"#) == ["success": false, "msg": ["errorCode": 2000, "msg": "Timezone undefined."]])
        #expect(error(#"{"1":[],"tzname":""}"#)["msg", "errorCode"] == 2000)
        #expect(error(#"{"1":[],"tzname":5}"#)["msg", "errorCode"] == 3000)
        #expect(
            error(#"{"1":"09:00-18:00","tzname":"UTC"}"#)
                == ["success": false, "msg": ["errorCode": 3000, "msg": "operatingHoursPars[operatingHoursweekDay].forEach is not a function"]])
    }

    @Test func hoursThatMakeTheRealServerHang() {
        let stored: JSON = ["1": [["start": "09:00", "end": "18:00"]], "tzname": "UTC"]
        for hours: JSON in [stored, "{not json"] {
            let answer = project(at: "2026-02-02T09:00:00.000Z", hours: hours).call("GET", "/projects/\(P1)/isopen", token: nil)
            #expect(answer.status == 500)
            #expect(answer.json["never_answered"] == true)
            #expect(answer.json["success"] == false)
        }
        let unset = makeEmulator()
        unset.call("PUT", "/projects/\(P1)", json: ["activeOperatingHours": true])
        #expect(unset.call("GET", "/projects/\(P1)/isopen", token: nil).json["never_answered"] == true)
    }

    @Test func timeSlotsUseISOWeekdaysAndIncludeTheStart() {
        let slot = #"{"1":[{"start":"09:00","end":"13:00"}],"7":[{"start":"10:00","end":"11:00"}],"tzname":"Europe/Rome"}"#
        func emulator(at instant: String, active: Bool = true) -> Sandbox {
            let emulator = makeEmulator(at: instant)
            emulator.call("PUT", "/projects/\(P1)", json: ["timeSlots": ["s1": ["name": "Front desk", "active": .bool(active), "hours": .string(slot)]]])
            return emulator
        }
        #expect(isOpen(emulator(at: "2026-02-02T08:00:00.000Z"), "?timeSlot=s1") == ["isopen": true])
        #expect(isOpen(emulator(at: "2026-02-02T12:00:00.000Z"), "?timeSlot=s1") == ["isopen": false])
        #expect(isOpen(emulator(at: "2026-02-01T09:30:00.000Z"), "?timeSlot=s1") == ["isopen": true])  // Sunday is 7
        #expect(isOpen(emulator(at: "2026-02-03T09:00:00.000Z"), "?timeSlot=s1") == ["isopen": false])
        #expect(isOpen(emulator(at: "2026-02-03T09:00:00.000Z", active: false), "?timeSlot=s1") == ["isopen": true])
        #expect(
            isOpen(emulator(at: "2026-02-02T08:00:00.000Z"), "?timeSlot=nope")
                == ["success": false, "error": ["errorCode": 1030, "msg": "Slot not found with id nope"]])
        // The project's own hours are not consulted for a slot.
        #expect(isOpen(makeEmulator(), "?timeSlot=s1") == ["isopen": true])
    }
}

/// `PUT /projects/:pid` (routes/project.js) for the settings the sandbox keeps.
@Suite struct ProjectSettingsTests {
    let emulator = makeEmulator()
    let project = "/projects/\(P1)"

    @Test func dottedSettingsKeysMergeAndAreVisible() {
        let answer = emulator.call("PUT", project, token: Seed.adminToken, json: ["settings.max_agent_assigned_chat": 3, "name": "Demo Desk", "widget": ["x": 1]])
        #expect(answer.status == 200)
        #expect(answer.json["settings"] == ["chat_limit_on": true, "max_agent_assigned_chat": 3])
        #expect(answer.json["name"] == "Demo Desk")
        #expect(answer.json["updatedAt"] == .string(testNowISO))
        #expect(answer.json["id"] == .string(P1))
        #expect(emulator.call("GET", "/projects/\(P1)").json["settings", "max_agent_assigned_chat"] == 3)
        let replaced = emulator.call("PUT", project, json: ["settings": ["chat_limit_on": false]])
        #expect(replaced.json["settings"] == ["chat_limit_on": false])
    }

    @Test func failures() {
        #expect(emulator.call("PUT", project, token: Seed.aliceToken, json: ["name": "x"]).json == msgBody("you dont have the required role."))
        #expect(emulator.call("PUT", "/projects/\(P2)", json: ["name": "x"]).json == msgBody("you dont belong to the project."))
        #expect(emulator.call("PUT", "/projects/nope", json: ["name": "x"]).json == ["err": "error"])
        let profile = emulator.call("PUT", project, json: ["profile": ["type": "payment"]])
        #expect(profile.status == 403)
        #expect(profile.json == errorBody("You don't have the permission required to modify the project profile"))
        for body: JSON in [["activeOperatingHours": "maybe"], ["settings": ["a": 1], "settings.chat_limit_on": true], ["name": ["x"]]] {
            #expect(emulator.call("PUT", project, json: body).json == msgBody("Error updating object."))
        }
        #expect(emulator.call("GET", "/projects/\(P1)").json["name"] == "Demo Support")
    }
}

/// `isBusy` from the project's limit (utils/project_userUtil.js).
@Suite struct AvailabilityTests {
    let emulator = makeEmulator()

    @Test func theSeedHasOneAvailableOneBusyAndOneUnavailableAgent() {
        let team = emulator.call("GET", "/\(P1)/project_users").array
        #expect(team.map { $0["isBusy"] } == [false, true, false, false])
        #expect(team.map { $0["user_available"] } == [true, true, true, false])
        #expect(team.map { $0["number_assigned_requests"] } == [0, 1, 0, 0])
        #expect(emulator.call("GET", "/projects/\(P1)").json["settings", "max_agent_assigned_chat"] == 1)
    }

    @Test func theLimitComparesAsJavaScriptDoes() {
        emulator.call("PUT", "/projects/\(P1)", json: ["settings.max_agent_assigned_chat": "1"])
        #expect(emulator.call("GET", "/\(P1)/project_users").array.map { $0["isBusy"] } == [false, true, false, false])
        emulator.call("PUT", "/projects/\(P1)", json: ["settings.max_agent_assigned_chat": "lots"])
        #expect(emulator.call("GET", "/\(P1)/project_users").array.map { $0["isBusy"] } == [false, false, false, false])
        // A larger personal limit wins.
        emulator.call("PUT", "/projects/\(P1)", json: ["settings.max_agent_assigned_chat": 1])
        emulator.call("PUT", "/\(P1)/project_users/\(Seed.adminTeammateID)", json: ["max_assigned_chat": 2])
        #expect(emulator.call("GET", "/\(P1)/project_users/\(Seed.adminTeammateID)").json["isBusy"] == false)
    }
}
