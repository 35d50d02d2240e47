import JSONCore

// The account: sign-in, sign-up, the signed-in user and their projects.

extension Route {
    public static let signIn = Route("POST", "/auth/signin")
    public static let signUp = Route("POST", "/auth/signup")
    public static let currentUser = Route("GET", "/users")
    public static let updateCurrentUser = Route("PUT", "/users/")
    public static let projects = Route("GET", "/projects")
    public static let projectIsOpen = Route("GET", "/projects/{pid}/isopen")
}

extension Endpoint {
    /// Signs in with email and password; answers `{success, token, user}`.
    public static func signIn(email: String, password: String) -> Endpoint {
        Endpoint(.signIn, body: ["email": .string(email), "password": .string(password)], authenticated: false)
    }

    /// Creates an account; the server turns the email's pending invitations into memberships.
    public static func signUp(_ fields: JSONObject) -> Endpoint {
        Endpoint(.signUp, body: .object(fields), unwrap: .member("user"), authenticated: false)
    }

    /// The signed-in user.
    public static let currentUser = Endpoint(.currentUser)

    /// Updates the signed-in user's profile fields; answers the updated user.
    public static func updateCurrentUser(_ fields: JSONObject) -> Endpoint {
        Endpoint(.updateCurrentUser, body: .object(fields), unwrap: .member("updatedUser"))
    }

    /// The caller's active memberships, each with its project populated.
    public static let projects = Endpoint(.projects)

    /// Whether the project is inside its operating hours now: `{"isopen": bool}`.
    public static func projectIsOpen(_ projectID: String) -> Endpoint { Endpoint(.projectIsOpen, [projectID]) }
}
