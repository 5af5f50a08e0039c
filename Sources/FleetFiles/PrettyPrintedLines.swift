import Foundation

/// JSON as `JSONEncoder` pretty-prints it, read by its lines: a container closes on the first line that holds only
/// its closing bracket, indented as the line it opened on (strings hold no line breaks; nested lines are indented
/// further). Lets a saved plan's instances and steps be found with `memchr` instead of walking every byte.
enum PrettyPrintedLines {
    /// The offset of the line break starting the first line at or after `from` (and before `end`) that is exactly
    /// `indent` spaces and `closing`. Looks for the bracket, which is much rarer in a plan than a line break.
    static func closingLine(
        _ bytes: UnsafeBufferPointer<UInt8>, from: Int, end: Int, indent: Int, closing: UInt8
    ) -> Int? {
        let base = UnsafeRawPointer(bytes.baseAddress!)
        var next = from
        while next < end, let hit = memchr(base + next, Int32(closing), end - next) {
            let bracket = UnsafeRawPointer(hit) - base
            let lineStart = bracket - indent - 1
            if lineStart >= from, bytes[lineStart] == UInt8(ascii: "\n"),
                bytes[lineStart + 1..<bracket].allSatisfy({ $0 == UInt8(ascii: " ") })
            {
                return lineStart
            }
            next = bracket + 1
        }
        return nil
    }
}
