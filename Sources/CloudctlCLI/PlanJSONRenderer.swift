import Foundation
import FleetModel

/// The `--json` plan and the saved-plan file: one shape, the full `Plan` as pretty JSON with sorted keys
/// (written by `PlanJSONWriter`, read by `SavedPlanReader`).
enum PlanJSONRenderer {
    static func render(_ plan: Plan) -> String {
        var text = ""
        PlanJSONWriter.write(plan, to: &text)
        return text
    }

    /// Reads a whole saved plan, refusing garbled or edited files and format versions this tool does not know.
    static func read(_ url: URL) throws -> Plan { try SavedPlanReader(url).plan() }
}
