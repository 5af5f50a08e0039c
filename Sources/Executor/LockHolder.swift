import Foundation

/// Who holds an instance lock: `user@host pid N`, unique per process, so a lock left by a
/// killed process on this machine can be recognised and taken over without waiting for its lease.
public enum LockHolder {
    /// The holder string for this process.
    public static func current() -> String {
        let environment = ProcessInfo.processInfo.environment
        let user = environment["USER"] ?? environment["LOGNAME"] ?? NSUserName()
        return "\(user)@\(ProcessInfo.processInfo.hostName) pid \(ProcessInfo.processInfo.processIdentifier)"
    }

    /// True when `holder` names a process on this host that no longer exists (killed mid-apply).
    /// Holders on other hosts are never judged: their lease has to run out, or `cloudctl unlock`.
    public static func isAbandoned(_ holder: String) -> Bool {
        guard let at = holder.firstIndex(of: "@"), let pidRange = holder.range(of: " pid ", options: .backwards),
            let pid = Int32(holder[pidRange.upperBound...]), pid > 0
        else { return false }
        let host = holder[holder.index(after: at)..<pidRange.lowerBound]
        guard host == ProcessInfo.processInfo.hostName else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}
