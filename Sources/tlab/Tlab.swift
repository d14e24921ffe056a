import ArgumentParser
import Foundation
import Numerics

@main
struct Tlab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tlab",
        abstract: "TransferLab: rerun NLP transfer-learning comparisons on real data.",
        subcommands: [Demo.self, Encode.self, Validate.self, Plan.self, Run.self, Requeue.self, Status.self, Runs.self, Show.self, Verify.self, Report.self, ExportCommand.self, ImportCommand.self, DataGroup.self, GloVe.self, Bench.self, Info.self, WorkerCommand.self, ClusterTaskCommand.self]
    )

    static func main() {
        BLASCoreChoice.restartIfOpenBLASFellBack()
        Runtime.keepFreedMemory()
        Runtime.reportPeakMemoryAtExit()
        Runtime.lineBufferStandardOutput()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}

