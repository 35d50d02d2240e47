import JSONCore
import JSONRPC
import TiledeskAPI

/// `auth.signin`, `user.get`, `user.update`, `project.list`.
enum UserMethods {
    static let ownerUser: JSON = ["_id": "65f0000000000000000000a1", "id": "65f0000000000000000000a1", "email": "owner@example.com"]

    static let signIn = MethodSpec(
        "auth.signin",
        summary: "Sign in with email and password; later calls use the new token.",
        description: "Signs in to Tiledesk (POST /auth/signin) and switches this bridge session to the returned JWT. Returns {token, user}.",
        params: [
            Param("email", .string(format: .email), required: true, "The account's email address."),
            Param("password", .string(), required: true, "The account's password; never logged."),
        ],
        result: ("signin", ["type": "object", "properties": ["token": ["type": "string"], "user": ResultSchemas.user], "required": ["token", "user"]]),
        errors: [-32602, 401, 502, 503, 504], idempotent: false, isTool: false,
        examples: [Example(name: "sign in as the demo owner", params: ["email": "owner@example.com", "password": "demo-password"],
                           result: ["user": ownerUser])]
    ) { params, context in
        try await context.client.signIn(email: params.string("email")!, password: params.string("password")!)
    }

    static let get = MethodSpec(
        "user.get",
        summary: "The signed-in user.",
        description: "Returns the signed-in Tiledesk user (GET /users): id, email, first and last name. Read-only; use it to check who the bridge acts as.",
        params: [],
        result: ("user", ResultSchemas.user),
        errors: [401, 403, 404, 429, 502, 503, 504],
        examples: [Example(name: "the demo owner", params: [:], result: ownerUser)]
    ) { _, context in
        try await context.client.currentUser()
    }

    static let profileFields = ["firstname", "lastname", "attributes", "description", "public_email", "public_website", "phone"]

    static let update = MethodSpec(
        "user.update",
        summary: "Update the signed-in user's profile.",
        description: "Changes the signed-in user's profile (PUT /users/): any of firstname, lastname, attributes (replaces the whole object), description, public_email, public_website, phone; at least one. Returns the updated user.",
        params: [
            Param("firstname", .string(maxLength: 200), "First name."),
            Param("lastname", .string(maxLength: 200), "Last name."),
            Param("attributes", .freeObject, "Custom attributes; replaces the whole object."),
            Param("description", .string(maxLength: 5000), "A short public description."),
            Param("public_email", .string(format: .email), "Public contact email."),
            Param("public_website", .string(maxLength: 2000), "Public website URL."),
            Param("phone", .string(maxLength: 100), "Phone number."),
        ],
        result: ("user", ResultSchemas.orDryRun(ResultSchemas.user)),
        errors: [-32602, 401, 403, 429, 502, 503, 504], effect: .write,
        examples: [Example(name: "rename the demo owner", params: ["firstname": "Liv"],
                           result: ["_id": "65f0000000000000000000a1", "firstname": "Liv", "lastname": "Owner"])]
    ) { params, context in
        var body = JSONObject()
        params.copy(profileFields, into: &body)
        guard !body.isEmpty else {
            throw RPCError.invalidParams("give at least one of \(profileFields.joined(separator: ", "))", field: "params")
        }
        if params.dryRun { return dryRun(context.client.describe(method: "PUT", path: "/users/", body: .object(body))) }
        return try await context.client.updateCurrentUser(body)
    }

    static let projects = MethodSpec(
        "project.list",
        summary: "The caller's projects.",
        description: "Lists the projects the caller is an active team member of (GET /projects), each membership with its project populated. Use it to find a project_id.",
        params: [],
        result: ("memberships", ["type": "array", "items": ResultSchemas.membership]),
        errors: [401, 403, 429, 502, 503, 504],
        examples: [Example(name: "the demo owner's projects", params: [:],
                           result: [["role": "owner", "id_project": ["_id": "65f000000000000000000001", "name": "Demo Support"]]])]
    ) { _, context in
        try await context.client.projects()
    }

    static let all = [signIn, get, update, projects]
}

/// The result of a dry run: the request that would have been sent.
func dryRun(_ request: JSON) -> JSON { ["dry_run": true, "request": request] }
