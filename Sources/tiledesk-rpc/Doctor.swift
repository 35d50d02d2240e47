import JSONCore
import JSONRPC

/// `tiledesk-rpc doctor`: one line each for the API, whether it answers, the signed-in user, the
/// default project and the caller's role in it, each check made with the methods the pipe serves.
/// A check that fails says why, and the ones that depend on it are not made.
struct Doctor {
    enum Status: String {
        case ok = "ok"
        case failed = "FAIL"
        /// Not checked, because an earlier check failed.
        case skipped = "--"
    }

    struct Line: Equatable {
        var status: Status
        var name: String
        var text: String

        var formatted: String {
            status.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)
                + name.padding(toLength: 9, withPad: " ", startingAt: 0) + text
        }
    }

    /// What the `api` line shows: the API URL, or that the sandbox serves.
    let api: String
    let defaultProjectID: String?
    let caller: InProcessClient

    /// Upstream failures that mean the API did not answer as Tiledesk does (README "Errors").
    private static let unanswered: Set<Int> = [502, 503, 504]

    func run() -> [Line] {
        var lines = [Line(status: .ok, name: "api", text: api)]
        let user = caller.callBlocking("user.get")
        lines += userLines(user)
        guard case .success = user else {
            return lines + [skipped("project", "no signed-in user"), skipped("role", "no signed-in user")]
        }
        let project = projectLine()
        lines.append(project)
        guard project.status == .ok, let defaultProjectID else { return lines + [skipped("role", "no project")] }
        switch caller.callBlocking("team.me", params: ["project_id": .string(defaultProjectID)]) {
        case .success(let teammate):
            let status = teammate["status"]?.stringValue.map { $0 == "active" ? "" : " (\($0))" } ?? ""
            lines.append(Line(status: .ok, name: "role", text: (teammate["role"]?.stringValue ?? "none") + status))
        case .failure(let error):
            lines.append(Line(status: .failed, name: "role", text: Self.describe(error)))
        }
        return lines
    }

    /// The `answers` and `user` lines, both from `user.get`.
    private func userLines(_ result: Result<JSON, RPCError>) -> [Line] {
        switch result {
        case .success(let user):
            let name = [user["firstname"]?.stringValue, user["lastname"]?.stringValue].compactMap { $0 }.joined(separator: " ")
            let id = user["id"]?.stringValue ?? user["_id"]?.stringValue ?? "no id"
            return [Line(status: .ok, name: "answers", text: "yes"),
                    Line(status: .ok, name: "user", text: "\(user["email"]?.stringValue ?? "no email") (\(name), \(id))")]
        case .failure(let error) where Self.unanswered.contains(error.code):
            return [Line(status: .failed, name: "answers", text: "no: " + Self.describe(error)), skipped("user", "the API does not answer")]
        case .failure(let error):
            let answers = error.data?["http_status"]?.intValue.map { Line(status: .ok, name: "answers", text: "yes (HTTP \($0))") }
            return [answers ?? skipped("answers", "no request was sent"), Line(status: .failed, name: "user", text: Self.describe(error))]
        }
    }

    /// The `project` line: the default project, found among the caller's memberships.
    private func projectLine() -> Line {
        let memberships: [JSON]
        switch caller.callBlocking("project.list") {
        case .success(let list): memberships = list.arrayValue ?? []
        case .failure(let error): return Line(status: .failed, name: "project", text: Self.describe(error))
        }
        let projects = memberships.compactMap(\.["id_project"])
        guard let defaultProjectID else {
            return Line(status: .failed, name: "project", text: "none configured: set TILEDESK_PROJECT_ID or --project-id\(Self.listing(projects))")
        }
        guard let project = projects.first(where: { Self.id(of: $0) == defaultProjectID }) else {
            return Line(status: .failed, name: "project", text: "\(defaultProjectID): you are not a member of it\(Self.listing(projects))")
        }
        return Line(status: .ok, name: "project", text: "\(defaultProjectID) (\(project["name"]?.stringValue ?? "no name"))")
    }

    private func skipped(_ name: String, _ reason: String) -> Line {
        Line(status: .skipped, name: name, text: "not checked: \(reason)")
    }

    /// A project's id, whether the membership holds it populated or as a bare id.
    private static func id(of project: JSON) -> String? {
        project.stringValue ?? project["id"]?.stringValue ?? project["_id"]?.stringValue
    }

    /// "; yours: ID (NAME), …" (the first five), or "; you belong to no project".
    private static func listing(_ projects: [JSON]) -> String {
        guard !projects.isEmpty else { return "; you belong to no project" }
        let named = projects.prefix(5).map { project in
            (id(of: project) ?? "?") + (project["name"]?.stringValue.map { " (\($0))" } ?? "")
        }
        return "; yours: " + named.joined(separator: ", ") + (projects.count > 5 ? ", …" : "")
    }

    /// "CODE MESSAGE", with the bridge's hint when it gave one.
    private static func describe(_ error: RPCError) -> String {
        "\(error.code) \(error.message)" + (error.data?["hint"]?.stringValue.map { " (\($0))" } ?? "")
    }
}
