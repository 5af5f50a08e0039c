import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import FleetModel
import ProviderAPI

/// The production `HTTPTransport`: an ephemeral, cache-free URLSession. Its timeouts are a backstop: `AWSClient`
/// bounds every call itself (`AWSConfig.requestTimeout`).
public enum URLSessionTransport {
    public static func make(timeout: TimeInterval = 30) -> HTTPTransport {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout * 2
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpShouldSetCookies = false
        let session = URLSession(configuration: configuration)
        return { request in try await send(request, over: session) }
    }

    static func send(_ request: HTTPRequest, over session: URLSession) async throws -> HTTPResponse {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        if !request.body.isEmpty { urlRequest.httpBody = request.body }
        do {
            let (data, response) = try await session.data(for: urlRequest)
            guard let http = response as? HTTPURLResponse else {
                throw CloudError(
                    kind: .connection, operation: "", code: "NotHTTP",
                    message: "\(request.url) did not answer over HTTP")
            }
            var headers: [String: String] = [:]
            for (name, value) in http.allHeaderFields { headers["\(name)"] = "\(value)" }
            return HTTPResponse(status: http.statusCode, headers: headers, body: data)
        } catch let error as URLError where error.code == .timedOut {
            // AWSClient words it with the operation and the limit.
            throw CloudError(kind: .connection, operation: "", code: "TimedOut", message: "timed out")
        } catch let error as URLError {
            throw CloudError(
                kind: .connection, operation: "", code: "URLError\(error.code.rawValue)",
                message: "\(request.method) \(request.url.host ?? ""): \(error.localizedDescription)")
        }
    }
}
