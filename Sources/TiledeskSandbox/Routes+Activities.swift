import JSONCore

// `GET /:projectid/activities` (pubmodules/activities/routes/activity.js), mounted behind
// passport, validtoken and `hasRole('admin')`. The CSV export is not emulated.

extension SandboxState {
    mutating func activityRoute(_ request: RequestContext, _ scope: ProjectScope, _ rest: ArraySlice<Substring>) -> Reply {
        if case .failure(let error) = authorize(request, project: scope.id, role: .admin) { return error.reply }
        guard request.method == "GET", rest.isEmpty else { return .notFound(request) }
        return listActivities(request, scope)
    }

    /// The project's activities, newest first, `{perPage, count, activities}`, each with its
    /// computed `message`. `limit` (default 40, at most 100; with `chart=true` or `1` at most
    /// 1000, beyond which a `limitWarning` is added), `page` (0-based), `start_date` and
    /// `end_date` (`DD/MM/YYYY`, whole days, in UTC: the sandbox's server time zone; `end_date`
    /// alone is ignored), `agent_id` (the actor or the target's user), `activities` (a comma
    /// list of verbs), `sort` (`createdAt` by default; `updatedAt`, `verb` and `_id` too, any
    /// other field leaves natural order) and `direction` (`parseInt`, default -1). A date that
    /// does not parse, a negative page or a direction other than 1 and -1 fail the query: 500.
    private func listActivities(_ request: RequestContext, _ scope: ProjectScope) -> Reply {
        let query = request.query
        let failed = Reply.msg(500, "Error getting activities.")
        func text(_ name: String) -> String? { query.truthy(name)?.joined(separator: ",") }

        let chart = query.single("chart") == "true" || query.single("chart") == "1"
        let requested = JS.parseInt(text("limit") ?? "")
        let wanted = requested.isFinite && requested > 0 ? requested : 40
        let limit = Int(min(wanted, chart ? 1000 : 100))
        let page = JS.parseInt(text("page") ?? "")
        let skip = page.isNaN ? 0 : page * Double(limit)
        let direction = JS.parseInt(text("direction") ?? "")
        let ascending = direction == 1
        guard skip >= 0, direction.isNaN || direction == 0 || abs(direction) == 1 else { return failed }

        var range: ClosedRange<Int64>?
        if let start = text("start_date") {
            guard let from = ISODate.startOfDay(dayMonthYear: start, nowMillis: request.nowMillis) else { return failed }
            var to = Int64.max
            if let end = text("end_date") {
                guard let day = ISODate.startOfDay(dayMonthYear: end, nowMillis: request.nowMillis) else { return failed }
                to = day + 86_400_000 - 1
            }
            guard from <= to else { return .json(200, Self.activityPage(limit, [], total: 0, chart: chart, wanted: wanted)) }
            range = from...to
        }
        var verbs: [String]?
        if let list = query.truthy("activities") {
            guard list.count == 1 else { return .neverAnswered("`activities` given twice is an array, and `split` throws on it") }
            verbs = list[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        let agent = query.truthy("agent_id")

        var found = activities.inProject(scope.rawID).filter { activity in
            if let range, !range.contains(activity.createdAtMillis) { return false }
            if let verbs, !verbs.contains(activity.verb) { return false }
            if let agent { return agent.count == 1 && Self.involves(activity, agent[0]) }
            return true
        }
        switch text("sort") ?? "createdAt" {
        case "createdAt", "updatedAt": found = stableSorted(found) { ascending ? $0.createdAtMillis < $1.createdAtMillis : $0.createdAtMillis > $1.createdAtMillis }
        case "verb": found = stableSorted(found) { ascending ? Text.bytewiseLess($0.verb, $1.verb) : Text.bytewiseLess($1.verb, $0.verb) }
        case "_id": found = stableSorted(found) { ascending ? $0.id < $1.id : $1.id < $0.id }
        default: break
        }
        let window = skip >= Double(found.count) ? [] : Array(found.dropFirst(Int(skip)).prefix(limit))
        return .json(200, Self.activityPage(limit, window, total: found.count, chart: chart, wanted: wanted))
    }

    /// `{perPage, count, activities}` (plus `chart` and `limitWarning` in chart mode).
    private static func activityPage(_ limit: Int, _ window: [ActivityRecord], total: Int, chart: Bool, wanted: Double) -> JSON {
        var page = JSONObject()
        page.appendUnique("perPage", .number(JSONNumber(limit)))
        page.appendUnique("count", .number(JSONNumber(total)))
        page.appendUnique(
            "activities",
            .array(
                window.map { activity in
                    let json = activity.json()
                    guard let message = ActivityMessages.message(for: json), case .object(var fields) = json else { return json }
                    fields["message"] = .string(message)
                    return .object(fields)
                }))
        if chart {
            page.appendUnique("chart", true)
            if wanted > 1000 {
                page.appendUnique(
                    "limitWarning", "Limit exceeded the maximum allowed value of 1000. Only the first 1000 matching activities are returned.")
            }
        }
        return .object(page)
    }

    /// The `agent_id` filter: `involvedUserIds`, the target's populated user, or the actor.
    private static func involves(_ activity: ActivityRecord, _ user: String) -> Bool {
        activity.involvedUserIds?.contains(user) == true || activity.target["object"]?["id_user"]?["_id"] == .string(user)
            || activity.actor["id"] == .string(user)
    }
}
