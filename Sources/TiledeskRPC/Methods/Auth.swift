import JSONCore
import JSONRPC
import TiledeskAPI

/// `auth.signin`: switching the session to another account.
enum AuthMethods: MethodGroup {
    static let name = "auth"
    static let summary = "Sign in: switch this session to another Tiledesk account."

    static let email = RequiredParam<String>("email", .string(format: .email), "The account's email address.")
    static let password = RequiredParam<String>("password", .string(), "The account's password; never logged.")

    static let signIn = MethodSpec(
        "auth.signin",
        summary: "Sign in with email and password; later calls use the new token.",
        description: "Signs in to Tiledesk and switches this bridge session to the returned JWT. Returns {token, user}.",
        params: [email, password], result: .one(.signIn), routes: [.signIn],
        errors: [-32602, 401, 502, 503, 504], idempotent: false, isTool: false,
        examples: [Example("sign in as the demo owner", params: ["email": "owner@example.com", "password": "demo-password"],
                           result: ["user": UserMethods.demoOwner])]
    ) { p, ctx in
        try await ctx.client.signIn(email: try p[email], password: try p[password])
    }

    static let methods = [signIn]
}
