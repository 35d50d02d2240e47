import Foundation
import JSONCore
import JSONRPC

/// `tiledesk-rpc [flags] call METHOD [NAME=VALUE ...] [--params JSON | --params @FILE]`: one
/// request from the command line, `gh api` style, so shell users never write JSON-RPC by hand.
///
/// Each VALUE is taken as JSON when it parses (`true`, `3`, `["a"]`, `{"k":1}`) and as a string
/// otherwise (`nina@example.com`); `--params` gives the whole params (object or array; `@-` reads
/// stdin), and NAME=VALUE pairs add to or replace members of an object given that way.
struct ShellCall: Equatable {
    var method: String
    var params: JSON?

    static let usage = "tiledesk-rpc [flags] call METHOD [NAME=VALUE ...] [--params JSON|@FILE|@-]"

    /// Reads the words after `call`. Bad usage is an `RPCError` with the code of the request it
    /// would make: -32600 (no method, a misplaced flag), -32700 (`--params` is not JSON) or -32602.
    static func parse(_ arguments: [String], readFile: (String) throws -> [UInt8] = ShellCall.read) throws(RPCError) -> ShellCall {
        var method: String?
        var given: JSON?
        var fields = JSONObject()
        var words = arguments[...]
        while let word = words.popFirst() {
            if word == "--params" || word.hasPrefix("--params=") {
                guard given == nil else { throw .invalidRequest("--params is given twice") }
                let text = word == "--params" ? words.popFirst() : String(word.dropFirst("--params=".count))
                guard let text else { throw .invalidRequest("--params needs a value: JSON, or @FILE to read it from a file") }
                given = try structuredParams(text, readFile: readFile)
            } else if word.hasPrefix("-") {
                throw .invalidRequest("\(word) after `call`: flags go before it (tiledesk-rpc \(word) … call METHOD …)")
            } else if method == nil {
                method = word
            } else {
                guard let equals = word.firstIndex(of: "="), equals != word.startIndex else {
                    throw .invalidParams("\(word) is not NAME=VALUE (usage: \(usage))")
                }
                let name = String(word[..<equals])
                guard fields[name] == nil else { throw .invalidParams("\(name) is given twice", field: name) }
                fields[name] = value(String(word[word.index(after: equals)...]))
            }
        }
        guard let method else { throw .invalidRequest("call needs a METHOD (usage: \(usage))") }
        return ShellCall(method: method, params: try merge(given, fields))
    }

    /// A VALUE as JSON when it parses, else as the string itself.
    static func value(_ text: String) -> JSON {
        (try? JSONParser.parse(text)) ?? .string(text)
    }

    private static func structuredParams(_ text: String, readFile: (String) throws -> [UInt8]) throws(RPCError) -> JSON {
        let bytes: [UInt8]
        if text.hasPrefix("@") {
            let path = String(text.dropFirst())
            do { bytes = try readFile(path) } catch {
                throw .invalidParams("cannot read the params file \(path): \(error.localizedDescription)")
            }
        } else {
            bytes = Array(text.utf8)
        }
        let params: JSON
        do { params = try JSONParser.parse(bytes) } catch { throw .parseError("--params is not JSON: \(error)") }
        switch params {
        case .object, .array: return params
        default: throw .invalidRequest("--params must be a JSON object or array, not \(params.typeName)")
        }
    }

    private static func merge(_ given: JSON?, _ fields: JSONObject) throws(RPCError) -> JSON? {
        guard !fields.isEmpty else { return given }
        switch given {
        case nil: return .object(fields)
        case .object(var object)?:
            for (name, value) in fields { object[name] = value }
            return .object(object)
        default: throw .invalidParams("NAME=VALUE arguments need --params to be an object, not an array")
        }
    }

    /// The bytes of the file at `path`; `-` is stdin.
    static func read(_ path: String) throws -> [UInt8] {
        if path == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
