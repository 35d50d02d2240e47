/// The product's name and version: `--version`, the OpenRPC `info`, the MCP `serverInfo`, and
/// the User-Agent every upstream request carries.
public enum ProductInfo {
    public static let name = "tiledesk-rpc"
    public static let version = "0.1.0"
    /// Sent with every request, so server logs can tell the bridge's traffic apart.
    public static let userAgent = "\(name)/\(version)"
}
