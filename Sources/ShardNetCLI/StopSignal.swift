import Foundation
import Synchronization

/// SIGINT / SIGTERM as a request to stop cleanly: the handler only records the first signal in
/// an atomic; `shardnet train` polls `requested` between runs of steps, saves a checkpoint and
/// exits 128 + signal. A second signal ends the process at once (`_exit`, async-signal-safe):
/// checkpoints are written atomically, so the last good one on disk is never damaged.
public enum StopSignal {
    /// 0, or the number of the first signal received.
    private static let received = Atomic<Int32>(0)

    /// The first stop signal received, if any.
    public static var requested: Int32? {
        let s = received.load(ordering: .acquiring)
        return s == 0 ? nil : s
    }

    /// Installs the handler for SIGINT and SIGTERM (restarting interrupted system calls, so a
    /// save in progress is not disturbed by the first signal) and unblocks both: a parent may
    /// have started this process with them blocked (a blocked signal would stay pending
    /// forever). Call before any thread starts, so every thread inherits the mask.
    public static func install() {
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for signal in [SIGINT, SIGTERM] {
            sigaddset(&unblock, signal)
            var action = sigaction()
            #if os(Linux)
                action.__sigaction_handler.sa_handler = handleStopSignal
                action.sa_flags = Int32(SA_RESTART)
            #else
                action.__sigaction_u.__sa_handler = handleStopSignal
                action.sa_flags = SA_RESTART
            #endif
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, nil)
        }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    /// The handler's whole work: record the first signal; on a second, exit at once.
    fileprivate static func record(_ signal: Int32) {
        let (first, _) = received.compareExchange(expected: 0, desired: signal, ordering: .acquiringAndReleasing)
        if !first { _exit(128 + signal) }
    }

    /// "SIGINT" / "SIGTERM".
    public static func name(_ signal: Int32) -> String { signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)" }
}

private func handleStopSignal(_ signal: Int32) {
    StopSignal.record(signal)
}
