import ArgumentParser
import Models
import Tracking

/// What `tlab export` writes.
enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
    /// One row per run.
    case csv
    /// Every run with its configuration and result.
    case json
    /// The run archive `tlab import` reads.
    case jsonl
}

extension RunStatus: ExpressibleByArgument {}
extension Doc2VecConfig.Mode: ExpressibleByArgument {}
