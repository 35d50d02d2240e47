import Foundation
import JSONCore

/// Whether a project is open now (services/operatingHoursService.js): the project's
/// `activeOperatingHours` and `operatingHours` (a JSON string, day keys `0` = Sunday … `6` =
/// Saturday in the zone `tzname`, both ends of each interval exclusive, to the minute), or one
/// of its `timeSlots` (ISO week days `1` = Monday … `7` = Sunday, start included, end excluded).
/// The server's clock is UTC; zones come from Foundation's `TimeZone`, and a name it does not
/// know counts as UTC (moment-timezone logs an error and keeps UTC).
enum OperatingHours {
    enum Outcome: Equatable {
        case open(Bool)
        /// The service's error `{errorCode, msg}`.
        case failure(code: Int, message: String)
        /// The service never calls back, so the real route never answers.
        case neverAnswers(String)
    }

    /// `projectIsOpenNow`. (Its first rule, "always open" for an expired trial or an inactive
    /// subscription, never applies: the sandbox's projects are on no trial.)
    static func projectIsOpen(_ project: ProjectRecord, nowMillis: Int64) -> Outcome {
        guard project.activeOperatingHours == true else { return .open(true) }
        let stored = project.operatingHours
        if isLooselyEmptyString(stored) { return .failure(code: 1020, message: "Operating hours is empty") }
        guard let stored, JS.truthy(stored) else {
            return .neverAnswers("activeOperatingHours is true but operatingHours is not set, so the service never calls back")
        }
        let hours: JSON
        switch stored {
        case .string(let text):
            guard let parsed = try? JSONParser.parse(Array(text.utf8)) else {
                return .neverAnswers("operatingHours is not valid JSON, and JSON.parse throws outside the service's try")
            }
            hours = parsed
        case .object, .array:
            return .neverAnswers("operatingHours is stored as an object, not a JSON string, and JSON.parse throws outside the service's try")
        default:
            hours = stored  // JSON.parse of a number or `true` gives it back
        }
        if hours.isNull { return .neverAnswers("operatingHours is the JSON text null, and reading its tzname throws") }
        let tzname = hours["tzname"]
        if tzname == nil || tzname == .null || isLooselyEmptyString(tzname) {
            return .failure(code: 2000, message: "Timezone undefined.")
        }
        guard case .string(let zone)? = tzname else {
            return .failure(code: 3000, message: "(name || \"\").toLowerCase is not a function")
        }
        let local = nowMillis + offsetMillis(zone, at: nowMillis)
        let day = Int(((local / 86_400_000 % 7) + 11) % 7)  // 1970-01-01 was a Thursday (4)
        let minute = Int(((local % 86_400_000) + 86_400_000) % 86_400_000 / 60_000)
        guard case .object(let days) = hours, let key = firstKey(in: days, matching: day), let intervals = days[key] else {
            return .open(false)
        }
        guard case .array(let list) = intervals else {
            return .failure(code: 3000, message: "operatingHoursPars[operatingHoursweekDay].forEach is not a function")
        }
        var open = false
        for interval in list {
            if interval.isNull { return .failure(code: 3000, message: "Cannot read properties of null (reading 'start')") }
            if let start = minuteOfDay(interval["start"]), let end = minuteOfDay(interval["end"]), start < minute, minute < end {
                open = true
            }
        }
        return .open(open)
    }

    /// `slotIsOpenNow` for `?timeSlot=`.
    static func slotIsOpen(_ project: ProjectRecord, slot: String, nowMillis: Int64) -> Outcome {
        guard let slots = project.timeSlots, JS.truthy(slots) else { return .open(true) }
        guard let timeSlot = slots[slot], JS.truthy(timeSlot) else {
            return .failure(code: 1030, message: "Slot not found with id \(slot)")
        }
        if let active = timeSlot["active"], isLooselyFalse(active) { return .open(true) }
        guard let stored = timeSlot["hours"], JS.truthy(stored) else { return .failure(code: 1020, message: "Operating hours is empty") }
        guard case .string(let text) = stored, case .object(let hours)? = try? JSONParser.parse(Array(text.utf8)),
            case .string(let zone)? = hours["tzname"], !zone.isEmpty
        else {
            return .neverAnswers("the slot's hours are not a JSON object string with a tzname, and the service throws where nothing catches")
        }
        let local = nowMillis + offsetMillis(zone, at: nowMillis)
        let isoDay = Int(((local / 86_400_000 % 7) + 10) % 7) + 1  // Monday 1 … Sunday 7
        guard let slotsToday = hours[String(isoDay)], JS.truthy(slotsToday) else { return .open(false) }
        guard case .array(let list) = slotsToday else {
            return .neverAnswers("the day's slots are not an array, and forEach throws where nothing catches")
        }
        let millisOfDay = ((local % 86_400_000) + 86_400_000) % 86_400_000
        let open = list.contains { interval in
            guard let start = minuteOfDay(interval["start"]), let end = minuteOfDay(interval["end"]) else { return false }
            return Int64(start) * 60_000 <= millisOfDay && millisOfDay < Int64(end) * 60_000
        }
        return .open(open)
    }

    /// The zone's offset from UTC at that instant.
    private static func offsetMillis(_ zone: String, at millis: Int64) -> Int64 {
        let seconds = TimeZone(identifier: zone)?.secondsFromGMT(for: Date(timeIntervalSince1970: Double(millis) / 1000)) ?? 0
        return Int64(seconds) * 1000
    }

    /// The first key of a `for…in` (integer keys ascending, then the others in order) other
    /// than `tzname` that loosely equals the day number.
    private static func firstKey(in days: JSONObject, matching day: Int) -> String? {
        let keys = days.keys.filter { $0 != "tzname" }
        let indexKeys = keys.filter { key in key == "0" || (key.first != "0" && !key.isEmpty && key.allSatisfy { $0.isASCII && $0.isNumber }) }
        let ordered = indexKeys.sorted { (Int($0) ?? 0) < (Int($1) ?? 0) } + keys.filter { !indexKeys.contains($0) }
        return ordered.first { JS.number($0) == Double(day) }
    }

    /// `moment(value, "HH:mm")` in forgiving mode, as minutes after midnight: one or two digits
    /// of hours, then (after a colon, if any) one or two of minutes; `24:00` is the end of the
    /// day; `nil` when it is invalid.
    static func minuteOfDay(_ value: JSON?) -> Int? {
        guard let value else { return nil }
        var rest = Substring(JS.string(value))
        func digits() -> Int? {
            guard let start = rest.firstIndex(where: { $0.isASCII && $0.isNumber }) else { return nil }
            let run = rest[start...].prefix { $0.isASCII && $0.isNumber }.prefix(2)
            rest = rest[run.endIndex...]
            return Int(run)
        }
        guard let hour = digits() else { return nil }
        if let colon = rest.firstIndex(of: ":") { rest = rest[rest.index(after: colon)...] }
        let minute = digits() ?? 0
        guard minute < 60, hour < 24 || (hour == 24 && minute == 0) else { return nil }
        return hour * 60 + minute
    }

    /// JavaScript's `value == ''`: the empty string, `0`, `false`, and arrays that print empty.
    private static func isLooselyEmptyString(_ value: JSON?) -> Bool {
        switch value {
        case .string(let s)?: s.isEmpty
        case .number(let n)?: n.doubleValue == 0
        case .bool(let b)?: !b
        case .array(let items)?: JS.string(.array(items)).isEmpty
        default: false
        }
    }

    /// JavaScript's `value == false`.
    private static func isLooselyFalse(_ value: JSON) -> Bool {
        switch value {
        case .bool(let b): !b
        case .number, .string, .array: JS.number(JS.string(value)) == 0
        default: false
        }
    }
}
