import XCTest
import TestSupport

/// `XCTAssertThrowsError` for async calls (XCTest's autoclosures cannot await): fails unless `body` throws, then
/// hands the error to `check`.
public func XCTAssertThrowsErrorAsync<T>(
    _ body: () async throws -> T, _ message: String = "",
    file: StaticString = #filePath, line: UInt = #line,
    _ check: (any Error) -> Void = { _ in }
) async {
    do {
        _ = try await body()
        XCTFail("expected an error" + (message.isEmpty ? "" : ": \(message)"), file: file, line: line)
    } catch {
        check(error)
    }
}
