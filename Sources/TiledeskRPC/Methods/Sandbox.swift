import JSONCore
import JSONRPC
import TiledeskAPI

/// `sandbox.*`: controls of the embedded sandbox, to try offline what only other people can do
/// on a real server (an invited person signing up). Served only with `--sandbox`: against a real
/// Tiledesk they are -32601, so no script can create accounts by mistake.
enum SandboxMethods: MethodGroup {
    static let name = "sandbox"
    static let summary = "Sandbox-only controls: act as someone else would (only with --sandbox)."

    static let email = RequiredParam<String>("email", .string(format: .email), "The new account's email address.")
    static let password = OptionalParam<String>("password", .string(minLength: 1, maxLength: 200), "Its password (default demo-password).")
    static let firstname = OptionalParam<String>("firstname", .string(minLength: 1, maxLength: 200), "First name (default New).")
    static let lastname = OptionalParam<String>("lastname", .string(minLength: 1, maxLength: 200), "Last name (default Person).")

    static let signUp = MethodSpec(
        "sandbox.signup",
        summary: "Sandbox only: a person signs up, turning their pending invitations into memberships.",
        description: "Only with --sandbox (elsewhere -32601). Creates an account as the person would on Tiledesk's sign-up page; the server then turns every pending invitation of that email into a membership with the invitation's role, and removes the invitation. Returns the new user.",
        params: [email, password, firstname, lastname], result: .one(.user), routes: [.signUp],
        errors: [-32601, -32602, 403], idempotent: false, isTool: false,
        examples: [Example("the invited person signs up", params: ["email": "pending@example.com"], result: ["email": "pending@example.com"])]
    ) { p, ctx in
        guard ctx.isSandbox else { throw RPCError.methodNotFound("sandbox.signup (served only with --sandbox)") }
        return try await ctx.client.send(.signUp([
            "email": .string(try p[email]), "password": .string(p[password] ?? "demo-password"),
            "firstname": .string(p[firstname] ?? "New"), "lastname": .string(p[lastname] ?? "Person"),
        ]))
    }

    static let methods = [signUp]
}
