/// What a worker records about where a run ran, so it can be rerun.
public struct RunEnvironment: Sendable {
    public var host: String
    public var gitRevision: String
    public var versionsJSON: String
    public var threads: Int
    public var blasCore: String
    public init(host: String, gitRevision: String, versionsJSON: String, threads: Int, blasCore: String) {
        self.host = host; self.gitRevision = gitRevision; self.versionsJSON = versionsJSON; self.threads = threads; self.blasCore = blasCore
    }
}
