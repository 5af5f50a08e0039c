import Foundation

/// Where a command writes and reads: stdout, stderr and stdin, swappable so tests capture everything.
public struct Console: Sendable {
    public var writeOut: @Sendable (String) -> Void
    public var writeErr: @Sendable (String) -> Void
    public var readLine: @Sendable () -> String?
    public var stdoutIsTerminal: Bool
    public var stdinIsTerminal: Bool

    public init(
        writeOut: @escaping @Sendable (String) -> Void, writeErr: @escaping @Sendable (String) -> Void,
        readLine: @escaping @Sendable () -> String? = { nil }, stdoutIsTerminal: Bool = false,
        stdinIsTerminal: Bool = false
    ) {
        self.writeOut = writeOut
        self.writeErr = writeErr
        self.readLine = readLine
        self.stdoutIsTerminal = stdoutIsTerminal
        self.stdinIsTerminal = stdinIsTerminal
    }

    /// The process's real standard streams.
    public static var standard: Console {
        Console(
            writeOut: FileDescriptorWriter(STDOUT_FILENO).write, writeErr: FileDescriptorWriter(STDERR_FILENO).write,
            readLine: { Swift.readLine(strippingNewline: true) },
            stdoutIsTerminal: Terminal.isTerminal(STDOUT_FILENO), stdinIsTerminal: Terminal.isTerminal(STDIN_FILENO))
    }

    /// The same console with stdout sent to stderr: for what people read while stdout carries JSON.
    var humanOutputOnStderr: Console {
        Console(writeOut: writeErr, writeErr: writeErr, readLine: readLine, stdinIsTerminal: stdinIsTerminal)
    }

    /// Writes `text` plus a newline to stdout.
    func out(_ text: String = "") { writeOut(text + "\n") }
    /// Writes `text` plus a newline to stderr.
    func err(_ text: String) { writeErr(text + "\n") }
}
