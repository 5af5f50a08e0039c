import Foundation
import XCTest
import FleetModel
@testable import FleetFiles

/// The saved-plan instance decoder reuses steps it has read before: it must decode exactly what the plain decoder
/// does, and refuse an edited step with the same error even when an unedited copy of that step was read just before.
final class InstancePlanDecoderTests: XCTestCase {
    private static let steps = [
        PlanStep(
            action: .create, resource: .network, reason: .provision, after: .placement(.init(region: "us-east-1"))),
        PlanStep(action: .create, resource: .service, reason: .provision, after: .service(.init(replicas: 2))),
        PlanStep(
            action: .create, resource: .dnsRecord, reason: .provision,
            after: .dnsRecord(.init(domain: "a.example.test", zone: "example.test", target: "ingress.example.test"))),
    ]

    private static func instance(_ name: String, steps: [PlanStep] = steps) -> InstancePlan {
        InstancePlan(
            name: name, specFingerprint: String(repeating: "a", count: 64), recordedFingerprint: "none",
            changes: [.provision], steps: steps)
    }

    /// The instance as `cloudctl plan --out` writes it (`JSONEncoder`'s layout).
    private static func text(_ instance: InstancePlan) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(instance), as: UTF8.self)
    }

    /// Decodes `texts` in order with one memoizing decoder; each result is the instance or the error's text.
    private static func decodeInOrder(_ texts: [String]) -> [Result<InstancePlan, StrictDecodingError>] {
        var decoder = InstancePlanDecoder()
        return texts.enumerated().map { index, text in
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBufferPointer { buffer in
                Result { () throws(StrictDecodingError) in
                    try decoder.decode(buffer, range: 0..<buffer.count, path: [PathKey(intValue: index)])
                }
            }
        }
    }

    /// The plain decoder's verdict on one text.
    private static func decodeAlone(_ text: String, index: Int) -> Result<InstancePlan, StrictDecodingError> {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            do {
                return .success(
                    try StrictJSONDecoder.decodePlan(
                        InstancePlan.self, from: buffer, range: 0..<buffer.count, path: [PathKey(intValue: index)]))
            } catch let error as StrictDecodingError {
                return .failure(error)
            } catch {
                XCTFail("unexpected \(error)")
                return .failure(StrictDecodingError(path: "", problem: "\(error)"))
            }
        }
    }

    func testRepeatedStepsDecodeAsThePlainDecoderReadsThem() throws {
        var reordered = Self.steps
        reordered.swapAt(0, 1)
        let instances = [
            Self.instance("a"), Self.instance("b"), Self.instance("c", steps: reordered),
            Self.instance("d", steps: [Self.steps[2]]), Self.instance("e", steps: []), Self.instance("f"),
        ]
        let texts = try instances.map(Self.text)
        for (index, result) in Self.decodeInOrder(texts).enumerated() {
            XCTAssertEqual(try result.get(), instances[index], "instance \(index)")
            XCTAssertEqual(try result.get(), try Self.decodeAlone(texts[index], index: index).get())
        }
    }

    func testAnEditedCopyOfAStepReadBeforeIsRefusedAsThePlainDecoderRefusesIt() throws {
        let original = try Self.text(Self.instance("b"))
        let hash = Self.steps[1].inputsHash
        let cases: [(name: String, edit: (String) -> String, problem: String)] = [
            (
                "hash", { $0.replacingOccurrences(of: hash, with: String(repeating: "0", count: 64)) },
                "does not match the step's attributes"
            ),
            ("reason", { $0.replacingOccurrences(of: "\"2 replicas\"", with: "\"1 replica\"") }, "does not match"),
            (
                "attribute", { $0.replacingOccurrences(of: "\"replicas\" : 2", with: "\"replicas\" : 3") },
                "does not match the step's attributes"
            ),
            (
                "unknown key", { $0.replacingOccurrences(of: "\"replicas\" : 2", with: "\"replicas\" : 2, \"x\" : 1") },
                "unknown key"
            ),
            ("syntax", { $0.replacingOccurrences(of: "\"replicas\" : 2", with: "\"replicas\" 2") }, "expected :"),
            (
                "step error before a later syntax error",
                {
                    $0.replacingOccurrences(of: hash, with: String(repeating: "0", count: 64))
                        .replacingOccurrences(of: "\"wave\" : 0", with: "\"wave\" : 0,")
                },
                "expected a key"
            ),
        ]
        for testCase in cases {
            let edited = testCase.edit(original)
            XCTAssertNotEqual(edited, original, testCase.name)
            // Unedited instances first, so every step of the edited one is known to the decoder.
            let results = Self.decodeInOrder([original, original, edited, original])
            XCTAssertNoThrow(try results[1].get(), testCase.name)
            XCTAssertNoThrow(try results[3].get(), testCase.name)
            XCTAssertThrowsError(try results[2].get(), testCase.name) { error in
                let error = error as? StrictDecodingError
                XCTAssertTrue(
                    error?.problem.contains(testCase.problem) ?? false, "\(testCase.name): \(String(describing: error))"
                )
                XCTAssertEqual(error, Self.decodeAlone(edited, index: 2).failure, testCase.name)
            }
        }
    }
}

private extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
