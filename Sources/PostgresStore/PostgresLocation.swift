import Foundation

/// A PostgreSQL connection URL (`postgres://…` or `postgresql://…`), as given and as it may be shown.
///
/// libpq reads the URL itself, together with its usual environment (`PGPASSWORD`, `PGSSLMODE`, …). The password
/// never leaves this type except to libpq: everything shown uses `redacted`, and libpq's own messages are scrubbed.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    /// The URL as given, password included; only for libpq.
    let url: String
    /// The URL with any password replaced by `***`.
    public let redacted: String
    /// Every spelling of the password in the URL (raw and percent-decoded), to scrub from messages.
    let secrets: [String]

    /// Nil when `text` is not a PostgreSQL URL (it is then a SQLite path).
    public init?(_ text: String) {
        guard let schemeEnd = text.range(of: "://"),
            Self.schemes.contains(text[..<schemeEnd.lowerBound].lowercased())
        else { return nil }
        url = text
        var secrets: [String] = []
        var shown = String(text[..<schemeEnd.upperBound])
        var rest = Substring(text[schemeEnd.upperBound...])
        // The authority ends at the first `/` or `?`; its user info ends at its last `@`.
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            if let colon = userInfo.firstIndex(of: ":") {
                secrets.append(String(userInfo[userInfo.index(after: colon)...]))
                shown += userInfo[..<colon] + ":***"
            } else {
                shown += userInfo
            }
            shown += authority[at...]
        } else {
            shown += authority
        }
        rest = rest[authorityEnd...]
        // A `password=` query parameter is a password too.
        if let query = rest.firstIndex(of: "?") {
            shown += rest[..<query]
            let parameters = rest[rest.index(after: query)...].split(separator: "&", omittingEmptySubsequences: false)
            let redactedParameters = parameters.map { parameter -> String in
                guard parameter.lowercased().hasPrefix("password=") else { return String(parameter) }
                secrets.append(String(parameter.dropFirst("password=".count)))
                return "password=***"
            }
            shown += "?" + redactedParameters.joined(separator: "&")
        } else {
            shown += rest
        }
        self.secrets = (secrets + secrets.compactMap { $0.removingPercentEncoding }).filter { !$0.isEmpty }
        redacted = shown
    }

    static let schemes: Set<String> = ["postgres", "postgresql"]

    /// Whether `text` names a PostgreSQL database rather than a SQLite file.
    public static func isURL(_ text: String) -> Bool { PostgresLocation(text) != nil }

    public var description: String { redacted }

    /// `message` with every spelling of the password replaced by `***` (libpq messages may quote connection options).
    func scrub(_ message: String) -> String {
        secrets.reduce(message) { text, secret in text.replacingOccurrences(of: secret, with: "***") }
    }
}
