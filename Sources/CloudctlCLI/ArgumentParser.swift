/// One option a command accepts: a flag, or an option that takes a value.
struct OptionSpec: Sendable {
    enum Value: Sendable { case flag, string(String), positiveInteger(String) }

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
    static func integer(_ name: String, _ valueName: String, _ help: String) -> OptionSpec {
        OptionSpec(name: name, value: .positiveInteger(valueName), help: help)
    }

    /// `-h, --help` or `--out FILE`, for help text.
    var signature: String {
        let names = (short.map { "\($0), " } ?? "") + name
        switch value {
        case .flag: return names
        case .string(let v), .positiveInteger(let v): return "\(names) \(v)"
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
    var conflicts: [[String]] = []

    /// Options every command accepts.
    static let globalOptions: [OptionSpec] = [
        .string("--repo", "DIR", "Fleet repository (default: the current directory)."),
        .string("--db", "PATH", "State database (default: $CLOUDCTL_DB, else <repo>/.cloudctl/state.db)."),
        .flag("--help", short: "-h", "Show help for this command."),
    ]

    var allOptions: [OptionSpec] { options + Self.globalOptions }

    var usage: String {
        ["cloudctl", name, arguments, "[options]"].filter { !$0.isEmpty }.joined(separator: " ")
    }

    var help: String {
        let width = allOptions.map(\.signature.count).max() ?? 0
        let lines = allOptions.map { "  " + $0.signature.padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.help }
        return "OVERVIEW: \(abstract)\n\nUSAGE: \(usage)\n\nOPTIONS:\n" + lines.joined(separator: "\n")
    }
}

/// The result of parsing one command's arguments.
struct ParsedArguments: Sendable, Equatable {
    var flags: Set<String> = []
    var values: [String: String] = [:]
    var positionals: [String] = []

    func flag(_ name: String) -> Bool { flags.contains(name) }
    func value(_ name: String) -> String? { values[name] }
    /// Integer options were validated while parsing.
    func integer(_ name: String) -> Int? { values[name].flatMap { Int($0) } }
}

/// A problem with the command line; printed with the command's usage line.
struct UsageError: Error, Sendable, Equatable {
    var message: String
    /// The command whose usage to show; nil for the top level.
    var command: String?
    var usage: String
}

/// A deliberately small parser: long options (`--out FILE`, `--out=FILE`), `-h`, positionals, `--` ends options.
enum ArgumentParser {
    static func parse(_ arguments: [String], for spec: CommandSpec) throws(UsageError) -> ParsedArguments {
        func fail(_ message: String) -> UsageError { UsageError(message: message, command: spec.name, usage: spec.usage) }
        var parsed = ParsedArguments()
        var remaining = arguments[...]
        var optionsEnded = false
        while let word = remaining.popFirst() {
            guard !optionsEnded, word.hasPrefix("-"), word != "-" else { parsed.positionals.append(word); continue }
            if word == "--" { optionsEnded = true; continue }
            let (name, inlineValue) = splitInlineValue(word)
            guard let option = spec.allOptions.first(where: { $0.name == name || $0.short == name }) else {
                throw fail("Unknown option '\(name)'")
            }
            switch option.value {
            case .flag:
                if inlineValue != nil { throw fail("Option '\(option.name)' does not take a value") }
                parsed.flags.insert(option.name)
            case .string(let valueName), .positiveInteger(let valueName):
                guard let value = inlineValue ?? remaining.popFirst(), inlineValue != nil || !value.hasPrefix("-") || value == "-" else {
                    throw fail("Missing value for option '\(option.name) \(valueName)'")
                }
                if case .positiveInteger = option.value, (Int(value) ?? 0) < 1 {
                    throw fail("Invalid value '\(value)' for '\(option.name)': expected a positive integer")
                }
                if parsed.values[option.name] != nil { throw fail("Option '\(option.name)' given more than once") }
                parsed.values[option.name] = value
            }
        }
        if parsed.flag("--help") { return parsed }
        for group in spec.conflicts {
            let given = group.filter { parsed.flags.contains($0) || parsed.values[$0] != nil }
            if given.count > 1 {
                throw fail("Options " + given.map { "'\($0)'" }.joined(separator: " and ") + " cannot be used together")
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

    private static func splitInlineValue(_ word: String) -> (String, String?) {
        guard word.hasPrefix("--"), let eq = word.firstIndex(of: "=") else { return (word, nil) }
        return (String(word[..<eq]), String(word[word.index(after: eq)...]))
    }
}
