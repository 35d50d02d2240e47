/// A family of methods (`team.*`, `group.*`): it registers itself in `MethodRegistry.groups` with
/// its name and summary (OpenRPC `tags`, the clients' `client.<group>` objects) and its specs.
public protocol MethodGroup: Sendable {
    /// The prefix of its methods' names (`team` for `team.list`), and its OpenRPC tag.
    static var name: String { get }
    /// One line on what the group manages.
    static var summary: String { get }
    static var methods: [MethodSpec] { get }
}
