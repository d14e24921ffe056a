import ArgumentParser
import Benchmarks
import Foundation
import Numerics

extension Tlab.Bench {
    /// The transformer benchmarks of issue 38 with their peer run in the same invocation: ratios only between
    /// figures measured here, now; the SGEMM rate of this run gives each workload's bound.
    struct BertBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bert",
            abstract: "Sequences/s of BERT MLM training (PERF.md `bert`), MiniLM-L6 fine-tuning and inference, beside PyTorch run now.")
        @Option(name: .long, parsing: .upToNextOption, help: "OpenBLAS thread counts to run.") var threads: [Int] = [1]
        @Option(name: .long, parsing: .upToNextOption, help: "Workloads: bert, minilm_ft, minilm_infer.")
        var tasks: [String] = BertBenchmark.Workload.allCases.map(\.rawValue)
        @Option(help: "Timed steps per run (PyTorch's script uses 20).") var steps = 20
        @Option(help: "A Python with torch 2.15 (../shared/peers/setup_env.sh); its torch_bench.py runs in this invocation.") var peer: String?
        @Option(help: "The peer script.") var peerScript = "../shared/peers/torch_bench.py"
        @Flag(name: .long, help: .hidden) var inProcess = false
        @Flag(name: .long, help: .hidden) var gemm = false

        func run() throws {
            let workloads = try tasks.map { name in
                guard let w = BertBenchmark.Workload(rawValue: name) else { throw ValidationError("unknown workload '\(name)' (bert, minilm_ft, minilm_infer)") }
                return w
            }
            if inProcess { return try measure(workloads.first!) }
            print("# CPU: \(Self.cpuModel()); OpenBLAS core \(BLAS.coreName) (\(BLAS.coreSetting)); each figure below from its own process at the threads it names")
            var rows: [(task: String, threads: Int, ours: Double, flops: Double, sgemm: Double, memory: Double, torch: Double?)] = []
            for count in threads {
                let gemm = try child(["--tasks", "bert", "--gemm"], threads: count)
                let sgemm = Self.value(gemm, "gflops") ?? .nan
                var torch: [String: Double] = [:]
                if let peer {
                    let output = try Self.capture([peer, peerScript, "--tasks"] + workloads.map(\.rawValue) + ["--threads", String(count)], environment: [:])
                    for line in output.split(separator: "\n") where line.hasPrefix("torch task=") {
                        if let task = Self.field(String(line), "task"), let median = Self.value(String(line), "median") { torch[task] = median }
                    }
                }
                for w in workloads {
                    let line = try child(["--tasks", w.rawValue], threads: count)
                    rows.append((w.rawValue, count, Self.value(line, "median") ?? .nan, Self.value(line, "gflop_per_sequence") ?? .nan, sgemm,
                                 Self.value(line, "peak_mib") ?? .nan, torch[w.rawValue]))
                }
            }
            print("\ntask          threads  ours seq/s  PyTorch seq/s (same run)  ratio  SGEMM bound seq/s  ours/bound  peak MiB")
            for r in rows {
                let bound = r.sgemm / r.flops
                let peerText = r.torch.map { String(format: "%13.1f", $0) } ?? "  (no --peer)"
                let ratio = r.torch.map { String(format: "%5.2f×", r.ours / $0) } ?? "     –"
                print(r.task.padding(toLength: 13, withPad: " ", startingAt: 0) + String(format: " %7d  %10.1f  %@             %@  %17.1f  %9.0f%%  %8.0f", r.threads, r.ours,
                             peerText as NSString, ratio as NSString, bound, 100 * r.ours / bound, r.memory))
            }
            print("(bound = this run's SGEMM 1024³ GFLOP/s ÷ matrix-product FLOPs per sequence; training counts 3× the forward pass)")
        }

        private func measure(_ w: BertBenchmark.Workload) throws {
            BLAS.threads = threads.first ?? 1
            if gemm {
                let r = GemmBenchmark.run(GemmBenchmark.cases.first { $0.name == "square1024" }!)
                print(String(format: "ours task=gemm threads=%d gflops=%.1f", BLAS.threads, r.raw.median))
                return
            }
            let r = try BertBenchmark.run(w, steps: steps)
            print(String(format: "ours task=%@ threads=%d core=%@ params=%d sequences/s median=%.2f min=%.2f max=%.2f gflop_per_sequence=%.3f peak_mib=%.0f",
                         w.rawValue as NSString, BLAS.threads, BLAS.coreName as NSString, r.parameters, r.sequencesPerSecond.median,
                         r.sequencesPerSecond.min, r.sequencesPerSecond.max, r.flopsPerSequence / 1e9, BertBenchmark.peakMemoryMiB()))
        }

        /// One measurement in a fresh process (OpenBLAS reads its thread count at load), echoed and returned.
        private func child(_ arguments: [String], threads count: Int) throws -> String {
            let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
            let output = try Self.capture([executable, "bench", "bert", "--in-process", "--threads", String(count), "--steps", String(steps)] + arguments,
                                          environment: ["OPENBLAS_NUM_THREADS": String(count), "OMP_NUM_THREADS": String(count)])
            return output.split(separator: "\n").last { $0.hasPrefix("ours ") }.map(String.init) ?? ""
        }

        private static func capture(_ command: [String], environment: [String: String]) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: command[0].contains("/") ? command[0] : "/usr/bin/env")
            process.arguments = command[0].contains("/") ? Array(command.dropFirst()) : command
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let text = String(decoding: data, as: UTF8.self)
            print(text, terminator: "")
            guard process.terminationStatus == 0 else { throw ValidationError("`\(command.joined(separator: " "))` failed (status \(process.terminationStatus))") }
            return text
        }

        /// `key=VALUE` (a number) in a line.
        static func value(_ line: String, _ key: String) -> Double? { field(line, key).flatMap(Double.init) }
        static func field(_ line: String, _ key: String) -> String? {
            line.split(separator: " ").first { $0.hasPrefix("\(key)=") }.map { String($0.dropFirst(key.count + 1)) }
        }

        static func cpuModel() -> String {
            let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
            return info.split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":").last?
                .trimmingCharacters(in: .whitespaces) ?? "unknown"
        }
    }
}
