import Foundation
import Synchronization

/// The order in which history rows were written, for rows whose time is kept in whole seconds:
/// report history, case events and placement steps sort by `(at, seq)`. `next()` is the writing
/// process's clock in microseconds, strictly increasing within the process (two rows made in the
/// same microsecond, or after the clock stepped back, still get increasing values), so rows written
/// later sort later, also across tables and across a restart. Rows written before the column existed
/// got 1, 2, 3… in their stored order (`AddHistorySequence`), below every value written since.
enum WriteSequence {
    private static let last = Mutex<Int64>(0)

    static func next(now: Date = Date()) -> Int64 {
        let clock = Int64((now.timeIntervalSince1970 * 1_000_000).rounded(.down))
        return last.withLock { last in
            last = max(last + 1, clock)
            return last
        }
    }
}
