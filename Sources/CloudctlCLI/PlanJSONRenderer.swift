import Foundation
import FleetModel

/// The `--json` plan and the saved-plan file: one shape, the full `Plan` as pretty JSON with sorted keys
/// (written by `PlanJSONWriter`, read with `JSONDecoder`).
enum PlanJSONRenderer {
    static func render(_ plan: Plan) -> String {
        var text = ""
        PlanJSONWriter.write(plan, to: &text)
        return text
    }

    /// Reads a saved plan, refusing garbled files and format versions this tool does not know.
    static func read(_ url: URL) throws -> Plan {
        let path = url.path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DiagnosticsError([.error("Cannot read plan file \(path)", detail: "Check the path, or save a plan with `cloudctl plan --out FILE`.")])
        }
        struct Header: Decodable { var formatVersion: Int? }
        let header: Header
        do { header = try JSONDecoder().decode(Header.self, from: data) } catch {
            throw DiagnosticsError([.error("\(path) is not a saved plan: it is not valid JSON",
                                           detail: "Save a plan with `cloudctl plan --out FILE` and use that file.")])
        }
        guard let version = header.formatVersion else {
            throw DiagnosticsError([.error("\(path) is not a saved plan: it has no formatVersion",
                                           detail: "Save a plan with `cloudctl plan --out FILE` and use that file.")])
        }
        guard version == Plan.currentFormatVersion else {
            throw DiagnosticsError([.error("\(path) has plan format version \(version); this cloudctl (\(CLI.toolVersion)) reads version \(Plan.currentFormatVersion)",
                                           detail: "Re-create the plan with this cloudctl: `cloudctl plan --out FILE`.")])
        }
        do { return try JSONDecoder().decode(Plan.self, from: data) } catch {
            throw DiagnosticsError([.error("\(path) is not a valid saved plan: \(Self.describe(error))",
                                           detail: "Save a plan with `cloudctl plan --out FILE` and use that file.")])
        }
    }

    private static func describe(_ error: Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, let c)?: "missing \(path(c.codingPath + [key]))"
        case .dataCorrupted(let c)? where !c.debugDescription.isEmpty:
            "bad value at \(path(c.codingPath)): \(c.debugDescription)"
        case .typeMismatch(_, let c)?, .valueNotFound(_, let c)?, .dataCorrupted(let c)?: "bad value at \(path(c.codingPath))"
        default: "\(error)"
        }
    }

    private static func path(_ keys: [CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingPrefix(".").description
    }
}
