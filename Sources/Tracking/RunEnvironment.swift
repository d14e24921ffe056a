/// What a worker records about where a run ran, so it can be rerun.
public struct RunEnvironment: Sendable {
    public var host: String
    public var gitRevision: String
    public var versionsJSON: String
    public var threads: Int
    public var blasCore: String
    /// The cluster job running the worker (`<array job>_<task>`), if one does.
    public var job: String?
    public init(host: String, gitRevision: String, versionsJSON: String, threads: Int, blasCore: String, job: String? = nil) {
        self.host = host; self.gitRevision = gitRevision; self.versionsJSON = versionsJSON; self.threads = threads; self.blasCore = blasCore
        self.job = job
    }
}
