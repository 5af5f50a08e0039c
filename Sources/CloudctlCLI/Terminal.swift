import Foundation

/// Terminal capabilities and ANSI styling; styling is a no-op unless color is enabled.
struct Terminal: Sendable {
    var color: Bool

    static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// Width of the terminal on `fd`, so live lines never wrap (a wrapped line would break the redraw).
    static func columns(_ fd: Int32) -> Int? {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    /// Color only on a terminal and when `NO_COLOR` is unset or empty (https://no-color.org).
    static func colorEnabled(isTerminal: Bool, environment: [String: String]) -> Bool {
        isTerminal && (environment["NO_COLOR"] ?? "").isEmpty
    }

    enum Style: String {
        case bold = "1", dim = "2", red = "31", green = "32", yellow = "33", blue = "34", magenta = "35", cyan = "36"
    }

    func paint(_ text: String, _ style: Style) -> String {
        color ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }

    /// Moves the cursor up `lines` lines and clears from there to the end of the screen.
    static func eraseLines(_ lines: Int) -> String {
        lines > 0 ? "\u{1B}[\(lines)A\r\u{1B}[0J" : ""
    }
}
