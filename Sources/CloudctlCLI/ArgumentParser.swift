import FleetModel

/// One option a command accepts: a flag, or an option that takes a value.
struct OptionSpec: Sendable {
    /// What follows the option's name: nothing, any text, or a whole number within bounds.
    enum Value: Sendable { case flag, string(String), integer(String, ClosedRange<Int>) }

    var name: String
    var short: String?
    var value: Value
    var help: String

    static func flag(_ name: String, short: String? = nil, _ help: String) -> OptionSpec {
        OptionSpec(name: name, short: short, value: .flag, help: help)
    }
    static func string(_ name: String, _ valueName: String, _ help: String) -> OptionSpec {
        OptionSpec(name: name, value: .string(valueName), help: help)
    }
    static func integer(
        _ name: String, _ valueName: String, in bounds: ClosedRange<Int>,
        _ help: String
    ) -> OptionSpec {
        OptionSpec(name: name, value: .integer(valueName, bounds), help: help)
    }

    /// `-h, --help` or `--out FILE`, for help text.
    var signature: String {
        let names = (short.map { "\($0), " } ?? "") + name
        switch value {
        case .flag: return names
        case .string(let v), .integer(let v, _): return "\(names) \(v)"
        }
    }
}

/// What a command accepts: options, how many positional arguments, which flags exclude each other.
struct CommandSpec: Sendable {
    var name: String
    var abstract: String
    /// Positional arguments as shown in usage, e.g. `[NAME…]`.
    var arguments: String = ""
    var positionals: ClosedRange<Int> = 0...0
    var options: [OptionSpec] = []
    var conflicts: [[OptionSpec]] = []
    /// The global options the command uses (`--repo`, `--db`); `--help` is always accepted.
    var globals: [OptionSpec] = [GlobalOptions.Option.repo, GlobalOptions.Option.db]
    /// "0  …" lines for help: each exit code and when.
    var exitCodes: [(Int32, String)] = CLI.ExitCode.basic
    /// The environment variables the command reads, with what for.
    var environment: [(String, String)] = []

    var allOptions: [OptionSpec] { options + globals + [GlobalOptions.Option.help] }

    var usage: String {
        ["cloudctl", name, arguments, "[options]"].filter { !$0.isEmpty }.joined(separator: " ")
    }

    var help: String {
        let width = allOptions.map(\.signature.count).max() ?? 0
        let lines = allOptions.map {
            "  " + $0.signature.padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.help
        }
        var text = "OVERVIEW: \(abstract)\n\nUSAGE: \(usage)\n\nOPTIONS:\n" + lines.joined(separator: "\n")
        text +=
            "\n\nEXIT CODES:\n"
            + exitCodes.map { "  \($0.0)".padding(toLength: 7, withPad: " ", startingAt: 0) + $0.1 }
            .joined(separator: "\n")
        let names = environment.map(\.0.count).max() ?? 0
        text += "\n\nENVIRONMENT:\n"
        text +=
            environment.isEmpty
            ? "  (none)"
            : environment.map { "  " + $0.0.padding(toLength: names + 2, withPad: " ", startingAt: 0) + $0.1 }
                .joined(separator: "\n")
        return text
    }
}

/// The words of one command line, sorted into flags, option values and positionals; options build from it.
struct ParsedArguments: Sendable, Equatable {
    var flags: Set<String> = []
    var values: [String: String] = [:]
    var positionals: [String] = []

    func flag(_ option: OptionSpec) -> Bool { flags.contains(option.name) }
    func value(_ option: OptionSpec) -> String? { values[option.name] }
    /// Integer options were checked against their bounds while parsing.
    func integer(_ option: OptionSpec) -> Int? { values[option.name].flatMap { Int($0) } }
    var help: Bool { flag(GlobalOptions.Option.help) }
}

/// A problem with the command line; printed with the command's usage line.
struct UsageError: Error, Sendable, Equatable {
    var message: String
    /// The command whose usage to show; nil for the top level.
    var command: String?
    var usage: String

    init(_ message: String, command: String?, usage: String) {
        self.message = message
        self.command = command
        self.usage = usage
    }

    init(_ message: String, for spec: CommandSpec) {
        self.init(message, command: spec.name, usage: spec.usage)
    }

    /// "Unknown option '--paralelism'. Did you mean '--parallelism'?" (the hint only when one is close).
    static func unknown(
        _ kind: String, _ word: String, among candidates: [String], command: String?,
        usage: String
    ) -> UsageError {
        let hint = Spelling.closest(to: word, in: candidates).map { ". Did you mean '\($0)'?" } ?? ""
        return UsageError("Unknown \(kind) '\(word)'" + hint, command: command, usage: usage)
    }
}

/// A deliberately small parser: long options (`--out FILE`, `--out=FILE`), `-h`, positionals, `--` ends options.
enum ArgumentParser {
    static func parse(_ arguments: [String], for spec: CommandSpec) throws(UsageError) -> ParsedArguments {
        func fail(_ message: String) -> UsageError { UsageError(message, for: spec) }
        var parsed = ParsedArguments()
        var remaining = arguments[...]
        var optionsEnded = false
        while let word = remaining.popFirst() {
            guard !optionsEnded, word.hasPrefix("-"), word != "-" else {
                parsed.positionals.append(word)
                continue
            }
            if word == "--" {
                optionsEnded = true
                continue
            }
            let (name, inlineValue) = splitInlineValue(word)
            guard let option = spec.allOptions.first(where: { $0.name == name || $0.short == name }) else {
                throw UsageError.unknown(
                    "option", name, among: spec.allOptions.map(\.name), command: spec.name,
                    usage: spec.usage)
            }
            switch option.value {
            case .flag:
                if inlineValue != nil { throw fail("Option '\(option.name)' does not take a value") }
                parsed.flags.insert(option.name)
            case .string(let valueName), .integer(let valueName, _):
                // A following word that looks like an option is a forgotten value, except `-` and negative numbers,
                // which are values (and a negative count gets its own clear error below).
                let next = remaining.first.flatMap { word in
                    word.hasPrefix("-") && word != "-" && !isNegativeNumber(word) ? nil : word
                }
                guard let value = inlineValue ?? next else {
                    throw fail("Missing value for option '\(option.name) \(valueName)'")
                }
                if inlineValue == nil { remaining.removeFirst() }
                if case .integer(_, let bounds) = option.value {
                    _ = try wholeNumber(value, for: option.name, in: bounds, spec: spec)
                }
                if parsed.values[option.name] != nil { throw fail("Option '\(option.name)' given more than once") }
                parsed.values[option.name] = value
            }
        }
        if parsed.help { return parsed }
        for group in spec.conflicts {
            let given = group.filter { parsed.flag($0) || parsed.value($0) != nil }
            if given.count > 1 {
                let names = given.map { "'\($0.name)'" }.joined(separator: " and ")
                throw fail("Options \(names) cannot be used together")
            }
        }
        if parsed.positionals.count > spec.positionals.upperBound {
            throw fail("Unexpected argument '\(parsed.positionals[spec.positionals.upperBound])'")
        }
        if parsed.positionals.count < spec.positionals.lowerBound {
            throw fail("Missing argument \(spec.arguments)")
        }
        return parsed
    }

    /// `text` as a whole number within `bounds`; the error quotes what was given.
    static func wholeNumber(
        _ text: String, for name: String, in bounds: ClosedRange<Int>,
        spec: CommandSpec
    ) throws(UsageError) -> Int {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw UsageError("\(name) must be a positive whole number, got '\(text)'", for: spec)
        }
        // Digits too many for an Int are out of bounds too, not "not a number".
        guard let number = Int(text), bounds.contains(number) else {
            let range = "between \(bounds.lowerBound) and \(bounds.upperBound)"
            throw UsageError("\(name) must be \(range), got \(text)", for: spec)
        }
        return number
    }

    /// `-3`, `-1.5`, `-3h`: a value someone meant, never an option (no option name starts with a digit).
    static func isNegativeNumber(_ word: String) -> Bool {
        word.hasPrefix("-") && word.dropFirst().first?.isNumber == true
    }

    private static func splitInlineValue(_ word: String) -> (String, String?) {
        guard word.hasPrefix("--"), let eq = word.firstIndex(of: "=") else { return (word, nil) }
        return (String(word[..<eq]), String(word[word.index(after: eq)...]))
    }
}
