import JSONCore
import JSONRPC

/// One named parameter of a method: its schema (validation, OpenRPC and the MCP input schema all
/// come from it), whether it is required, and what it means.
public struct Param: Sendable {
    public let name: String
    public let schema: ParamSchema
    public let required: Bool
    public let description: String

    public init(_ name: String, _ schema: ParamSchema, required: Bool = false, _ description: String) {
        self.name = name
        self.schema = schema
        self.required = required
        self.description = description
    }
}

/// A declared parameter, as a method spec lists it.
public protocol ParamDeclaration: Sendable {
    var param: Param { get }
}

extension Param: ParamDeclaration {
    public var param: Param { self }
}

/// A value a handler reads out of validated params.
public protocol ParamValue: Sendable {
    init?(param json: JSON)
}

extension String: ParamValue { public init?(param json: JSON) { guard let s = json.stringValue else { return nil }; self = s } }
extension Bool: ParamValue { public init?(param json: JSON) { guard let b = json.boolValue else { return nil }; self = b } }
extension JSON: ParamValue { public init?(param json: JSON) { self = json } }
extension Int: ParamValue {
    /// Integral spellings (`3`, `3.0`, `3e0`) count, as the schema validation allows them.
    public init?(param json: JSON) {
        guard let d = json.numberValue?.doubleValue, let i = Int(exactly: d) else { return nil }
        self = i
    }
}
extension Array: ParamValue where Element: ParamValue {
    public init?(param json: JSON) {
        guard let items = json.arrayValue else { return nil }
        var out: [Element] = []
        for item in items {
            guard let value = Element(param: item) else { return nil }
            out.append(value)
        }
        self = out
    }
}

/// An optional parameter and the typed key a handler reads it with: `params[key]` is `Value?`.
public struct OptionalParam<Value: ParamValue>: ParamDeclaration {
    public let param: Param
    public init(_ name: String, _ schema: ParamSchema, _ description: String) {
        param = Param(name, schema, required: false, description)
    }
}

/// A required parameter and the typed key a handler reads it with: `try params[key]` is `Value`.
public struct RequiredParam<Value: ParamValue>: ParamDeclaration {
    public let param: Param
    public init(_ name: String, _ schema: ParamSchema, _ description: String) {
        param = Param(name, schema, required: true, description)
    }
}

/// Params checked against their method's declarations, read through typed keys.
public struct Params: Sendable {
    public let object: JSONObject
    init(_ object: JSONObject) { self.object = object }

    /// An optional param, `nil` when absent.
    public subscript<Value>(key: OptionalParam<Value>) -> Value? {
        object[key.param.name].flatMap(Value.init(param:))
    }

    /// A required param. Validation has made sure it is there; reading one the method does not
    /// declare is a bug in the bridge, reported as an internal error rather than a crash.
    public subscript<Value>(key: RequiredParam<Value>) -> Value {
        get throws(RPCError) {
            guard let value = object[key.param.name].flatMap(Value.init(param:)) else {
                throw .internalError("\(key.param.name) was read but not declared required")
            }
            return value
        }
    }

    /// Whether the call is a dry run (`dry_run: true`).
    public var dryRun: Bool { object["dry_run"] == .bool(true) }

    /// Copies the named params that are present into `body`, under the same names.
    public func copy(_ keys: [any ParamDeclaration], into body: inout JSONObject) {
        for key in keys { if let value = object[key.param.name] { body[key.param.name] = value } }
    }
}
