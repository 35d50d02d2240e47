import JSONCore

/// The `message` `GET /activities` adds to each team activity
/// (pubmodules/activities/activityMessageUtil.js); `PROJECT_USER_UPDATE` has none.
enum ActivityMessages {
    static func message(for activity: JSON) -> String? {
        let action = activity["actionObj"] ?? [:]
        switch activity["verb"]?.stringValue {
        case ActivityVerb.availabilitySelf?:
            return targetUser(activity) + " changed availability status to " + text(action["newStatus"], or: "unknown")
        case ActivityVerb.availabilitySystem?:
            return targetUser(activity) + " availability status was changed to " + text(action["newStatus"], or: "unknown")
                + " by the system"
        case ActivityVerb.invite?:
            let target = inviteTarget(activity)
            let email = inviteEmail(activity)
            let emailPart = !email.isEmpty && target != email ? " (" + email + ")" : ""
            return actor(activity) + " invited " + target + emailPart + " to take on the role of " + text(action["role"], or: "agent")
        case ActivityVerb.delete?:
            return actor(activity) + " removed " + targetUser(activity) + " from the project"
        default:
            return nil
        }
    }

    /// `value || fallback`, as text.
    private static func text(_ value: JSON?, or fallback: String) -> String {
        guard let value, JS.truthy(value) else { return fallback }
        return JS.string(value)
    }

    /// `firstname + ' ' + lastname`, trimmed, of a user object (missing parts blank).
    private static func fullName(_ user: JSON) -> String {
        (text(user["firstname"], or: "") + " " + text(user["lastname"], or: "")).trimmingJSWhitespace()
    }

    /// `actorLabel`.
    private static func actor(_ activity: JSON) -> String {
        guard let actor = activity["actor"], JS.truthy(actor) else { return "Someone" }
        if actor["type"] == "system" { return "System" }
        return text(actor["name"], or: text(actor["id"], or: "Someone"))
    }

    /// `targetUserLabel`: the target's populated user by name, else its id.
    private static func targetUser(_ activity: JSON) -> String {
        guard let user = activity["target"]?["object"]?["id_user"], JS.truthy(user) else { return "unknown user" }
        let name = fullName(user)
        if !name.isEmpty { return name }
        return text(user["_id"], or: text(user["id"], or: "unknown user"))
    }

    /// `inviteTargetLabel`.
    private static func inviteTarget(_ activity: JSON) -> String {
        guard let target = activity["target"], JS.truthy(target) else { return "unknown user" }
        let fallback = text(activity["actionObj"]?["email"], or: "unknown user")
        if target["type"] == "pendinginvitation" { return text(target["object"]?["email"], or: fallback) }
        guard let user = target["object"]?["id_user"], JS.truthy(user) else { return fallback }
        let name = fullName(user)
        return name.isEmpty ? text(user["email"], or: "unknown user") : name
    }

    /// `inviteEmailLabel`.
    private static func inviteEmail(_ activity: JSON) -> String {
        if let email = activity["actionObj"]?["email"], JS.truthy(email) { return JS.string(email) }
        let target = activity["target"]
        if target?["type"] == "pendinginvitation", let email = target?["object"]?["email"], JS.truthy(email) { return JS.string(email) }
        return text(target?["object"]?["id_user"]?["email"], or: "")
    }
}
