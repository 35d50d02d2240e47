import JSONCore
import JSONRPC
import TiledeskAPI

/// `user.*`: the signed-in user's own account.
enum UserMethods: MethodGroup {
    static let name = "user"
    static let summary = "The signed-in user's account: who the bridge acts as, and their profile."

    static let demoOwner: JSON = ["_id": "65f0000000000000000000a1", "id": "65f0000000000000000000a1", "email": "owner@example.com"]

    static let get = MethodSpec(
        "user.get",
        summary: "The signed-in user.",
        description: "Returns the signed-in Tiledesk user: id, email, first and last name. Read-only; use it to check who the bridge acts as.",
        params: [], result: .one(.user), routes: [.currentUser],
        errors: [401, 403, 404, 429, 502, 503, 504],
        examples: [Example("the demo owner", params: [:], result: demoOwner)]
    ) { _, ctx in
        try await ctx.client.send(.currentUser)
    }

    static let profileFields: [OptionalParam<JSON>] = [
        OptionalParam("firstname", .string(maxLength: 200), "First name."),
        OptionalParam("lastname", .string(maxLength: 200), "Last name."),
        OptionalParam("attributes", .freeObject, "Custom attributes; replaces the whole object."),
        OptionalParam("description", .string(maxLength: 5000), "A short public description."),
        OptionalParam("public_email", .string(format: .email), "Public contact email."),
        OptionalParam("public_website", .string(maxLength: 2000), "Public website URL."),
        OptionalParam("phone", .string(maxLength: 100), "Phone number."),
    ]

    static let update = MethodSpec(
        "user.update",
        summary: "Update the signed-in user's profile.",
        description: "Changes the signed-in user's profile: any of firstname, lastname, attributes (replaces the whole object), description, public_email, public_website, phone; at least one. Returns the updated user.",
        params: profileFields, result: .one(.user), routes: [.updateCurrentUser],
        errors: [-32602, 401, 403, 429, 502, 503, 504], effect: .write,
        examples: [Example("rename the demo owner", params: ["firstname": "Liv"],
                           result: ["_id": "65f0000000000000000000a1", "firstname": "Liv", "lastname": "Owner"])]
    ) { p, ctx in
        var body = JSONObject()
        p.copy(profileFields, into: &body)
        guard !body.isEmpty else {
            throw RPCError.invalidParams("give at least one of \(profileFields.map(\.param.name).joined(separator: ", "))", field: "params")
        }
        return try await ctx.perform(.updateCurrentUser(body), dryRun: p.dryRun)
    }

    static let methods = [get, update]
}

/// `project.*`: the caller's projects.
enum ProjectMethods: MethodGroup {
    static let name = "project"
    static let summary = "The caller's projects: where to find a project_id."

    static let list = MethodSpec(
        "project.list",
        summary: "The caller's projects.",
        description: "Lists the projects the caller is an active team member of, each membership with its project populated. Use it to find a project_id.",
        params: [], result: .list(.membership), routes: [.projects],
        errors: [401, 403, 429, 502, 503, 504],
        examples: [Example("the demo owner's projects", params: [:],
                           result: [["role": "owner", "id_project": ["_id": "65f000000000000000000001", "name": "Demo Support"]]])]
    ) { _, ctx in
        try await ctx.client.send(.projects)
    }

    static let methods = [list]
}
