import Foundation
import FleetModel
import ProviderAPI

/// Reads an AWS error answer (any protocol) and classifies it into a `CloudError`.
enum AWSErrorMapper {
    static func error(operation: String, response: HTTPResponse) -> CloudError {
        let (code, message) = codeAndMessage(response)
        return CloudError(
            kind: kind(code: code, status: response.status), operation: operation,
            code: code, message: message, httpStatus: response.status)
    }

    /// Code and message from the `x-amzn-ErrorType` header, a JSON body (`__type`, `message`) or an XML body
    /// (`<Error><Code>` under `Response/Errors` for EC2, `ErrorResponse` for RDS, bare for S3 and Route 53).
    static func codeAndMessage(_ response: HTTPResponse) -> (code: String, message: String) {
        var code = response.header("x-amzn-ErrorType").map(stripType) ?? ""
        var message = ""
        let body = response.body
        if let json = try? JSONValue(parsing: body), json.object != nil {
            if code.isEmpty { code = (json["__type"]?.string ?? json["code"]?.string).map(stripType) ?? "" }
            message = json["message"]?.string ?? json["Message"]?.string ?? ""
        } else if !body.isEmpty, let root = try? XMLTreeParser.parse(body) {
            let error = root.name == "Error" ? root : root.descendants("Error").first
            if code.isEmpty { code = error?.child("Code")?.text ?? "" }
            message = error?.child("Message")?.text ?? ""
        }
        if code.isEmpty { code = "HTTP\(response.status)" }
        if message.isEmpty { message = "HTTP \(response.status) without an error message" }
        return (code, message)
    }

    /// `aws.protocoltests#ThrottlingException:http://…` → `ThrottlingException`.
    static func stripType(_ raw: String) -> String {
        let noURL = raw.split(separator: ":", maxSplits: 1).first.map(String.init) ?? raw
        return noURL.split(separator: "#").last.map(String.init) ?? noURL
    }

    static func kind(code: String, status: Int) -> CloudError.Kind {
        if status == 429 || throttling.contains(code) || code.hasPrefix("RequestThrottled") { return .throttling }
        if auth.contains(code) { return .auth }
        if code.contains("NotFound") || code.hasPrefix("NoSuch") { return .notFound }
        if code.contains("AlreadyExists") || code.contains("AlreadyOwnedByYou") || code.contains("InUse")
            || code.contains("Conflict") || code.hasSuffix("NotEmpty") || conflict.contains(code)
            || (code.hasPrefix("Invalid") && code.contains("State"))
        {
            return .conflict
        }
        if status >= 500 || code.contains("Internal") || code.contains("Unavailable") { return .server }
        switch status {
        case 401, 403: return .auth
        case 404: return .notFound
        case 409: return .conflict
        default: return .validation
        }
    }

    private static let throttling: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded", "TooManyRequestsException",
        "SlowDown", "PriorRequestNotComplete", "RequestThrottled", "ProvisionedThroughputExceededException",
    ]
    private static let auth: Set<String> = [
        "AccessDenied", "AccessDeniedException", "UnrecognizedClientException", "InvalidClientTokenId",
        "SignatureDoesNotMatch", "InvalidSignatureException", "ExpiredToken", "ExpiredTokenException", "AuthFailure",
        "UnauthorizedOperation", "InvalidAccessKeyId", "MissingAuthenticationToken", "IncompleteSignature",
    ]
    private static let conflict: Set<String> = [
        "ResourceExistsException", "DependencyViolation", "IncorrectState", "OperationAbortedException",
        "OperationAborted",
    ]
}
