import Foundation
import Tracking

/// How a scheduler starts, watches and stops its workers: processes on this machine now, cluster jobs later.
/// Each worker claims runs from the results database under its own `WorkerIdentity`.
public protocol Executor: AnyObject {
    /// Starts one worker running `command` (executable and arguments) with `environment` added to this process's.
    func start(_ command: [String], environment: [String: String]) throws
    /// How many of the workers it started still run.
    var running: Int { get }
    /// The workers it started that have ended since the last call.
    func ended() -> [WorkerIdentity]
    /// Stops the workers it started and waits for them; returns who they were.
    func stopAll() -> [WorkerIdentity]
    /// Stops one worker at once (a run over its time limit).
    func kill(_ worker: WorkerIdentity)
    /// Whether the worker a running run records is still at work.
    func isAlive(_ worker: WorkerIdentity) -> Bool
}
