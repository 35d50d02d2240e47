import HTTPCore

/// ISO-8601 UTC timestamps with milliseconds (`2026-01-15T09:00:00.000Z`), the way
/// `Date.prototype.toJSON` writes them. Hand-written: this runs on every mutation.
enum ISODate {
    static func format(millis: Int64) -> String {
        let ms = Int(((millis % 1000) + 1000) % 1000)
        let totalSeconds = (millis - Int64(ms)) / 1000
        var days = totalSeconds / 86_400
        var secondsOfDay = totalSeconds % 86_400
        if secondsOfDay < 0 { secondsOfDay += 86_400; days -= 1 }
        let (year, month, day) = CivilDate.date(days: days)
        let hour = Int(secondsOfDay / 3600), minute = Int(secondsOfDay % 3600 / 60), second = Int(secondsOfDay % 60)

        var out = [UInt8](repeating: 0, count: 24)
        func put(_ value: Int, at index: Int, width: Int) {
            var v = value
            for i in stride(from: index + width - 1, through: index, by: -1) {
                out[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            }
        }
        put(Int(year), at: 0, width: 4)
        out[4] = UInt8(ascii: "-")
        put(month, at: 5, width: 2)
        out[7] = UInt8(ascii: "-")
        put(day, at: 8, width: 2)
        out[10] = UInt8(ascii: "T")
        put(hour, at: 11, width: 2)
        out[13] = UInt8(ascii: ":")
        put(minute, at: 14, width: 2)
        out[16] = UInt8(ascii: ":")
        put(second, at: 17, width: 2)
        out[19] = UInt8(ascii: ".")
        put(ms, at: 20, width: 3)
        out[23] = UInt8(ascii: "Z")
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses exactly the format `format` writes; `nil` for anything else.
    static func parse(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count == 24, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
            b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"), b[19] == UInt8(ascii: "."), b[23] == UInt8(ascii: "Z")
        else { return nil }
        func num(_ from: Int, _ width: Int) -> Int? {
            var v = 0
            for i in from..<(from + width) {
                guard b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") else { return nil }
                v = v * 10 + Int(b[i] - UInt8(ascii: "0"))
            }
            return v
        }
        guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2),
            let s = num(17, 2), let ms = num(20, 3)
        else { return nil }
        let days = CivilDate.days(year: Int64(y), month: mo, day: d)
        return ((days * 86_400 + Int64(h * 3600 + mi * 60 + s)) * 1000) + Int64(ms)
    }
}

extension ISODate {
    /// Midnight UTC (milliseconds) of the day `moment(text, "DD/MM/YYYY")` reads, in moment's
    /// forgiving mode: each token is searched for in what is left of the text (`DD` and `MM`
    /// one or two digits, `YYYY` one to four, two digits meaning 1969–2068, each `/` skipping
    /// to the next slash); missing year and month default to `now`'s; `nil` when no digit was
    /// found or the date does not exist.
    static func startOfDay(dayMonthYear text: String, nowMillis: Int64) -> Int64? {
        var rest = Substring(text)
        func digits(_ most: Int) -> Substring? {
            guard let start = rest.firstIndex(where: { $0.isASCII && $0.isNumber }) else { return nil }
            let run = rest[start...].prefix { $0.isASCII && $0.isNumber }.prefix(most)
            rest = rest[run.endIndex...]
            return run
        }
        func slash() {
            if let index = rest.firstIndex(of: "/") { rest = rest[rest.index(after: index)...] }
        }
        guard let dayText = digits(2), let day = Int(dayText) else { return nil }
        slash()
        let monthText = digits(2)
        slash()
        let yearText = monthText == nil ? nil : digits(4)
        let (nowYear, nowMonth, _) = CivilDate.date(days: nowMillis / 86_400_000)
        let month = monthText.flatMap { Int($0) } ?? nowMonth
        var year = yearText.flatMap { Int64($0) } ?? nowYear
        if yearText?.count == 2 { year += year > 68 ? 1900 : 2000 }
        guard (1...12).contains(month), day >= 1, day <= CivilDate.daysIn(month: month, year: year) else { return nil }
        return CivilDate.days(year: year, month: month, day: day) * 86_400_000
    }
}
