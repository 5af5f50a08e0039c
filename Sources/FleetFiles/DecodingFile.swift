import FleetModel
import ProviderAPI

/// One file being decoded: its path relative to the repository, its bytes (to turn offsets
/// into line and column) and every problem found in it so far.
final class DecodingFile {
    let path: String
    let bytes: [UInt8]
    private(set) var diagnostics: [Diagnostic] = []

    init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }

    var hasErrors: Bool { diagnostics.hasErrors }

    func location(offset: Int?, field: String?) -> SourceLocation {
        let position = offset.map { TextPosition(offset: $0, in: bytes) }
        return SourceLocation(file: path, line: position?.line, column: position?.column, fieldPath: field)
    }

    func error(_ summary: String, detail: String?, offset: Int?, field: String?) {
        diagnostics.append(.error(summary, detail: detail, at: location(offset: offset, field: field)))
    }

    func error<T>(_ summary: String, detail: String?, at field: Field<T>) {
        error(summary, detail: detail, offset: field.offset, field: field.path)
    }

    /// Reports the cloud's problem with `field`'s value, if it has one.
    func check<T>(_ field: Field<T>, _ value: CloudField, rules: any CloudRules) {
        guard let problem = rules.problem(with: value) else { return }
        error(problem.summary, detail: problem.detail, at: field)
    }

    /// Parses the whole file; a syntax error becomes a diagnostic and yields nil.
    func parse() -> JSONNode? {
        switch JSONParser.parse(bytes) {
        case .success(let node): return node
        case .failure(let problem):
            error(problem.summary, detail: problem.detail, offset: problem.offset, field: nil)
            return nil
        }
    }
}

/// A decoded value together with where it came from, for diagnostics about it.
struct Field<Value> {
    var value: Value
    var offset: Int
    var path: String

    func map<T>(_ transform: (Value) -> T) -> Field<T> { Field<T>(value: transform(value), offset: offset, path: path) }
}
