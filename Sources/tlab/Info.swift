import ArgumentParser
import BuildInfo
import Numerics

extension Tlab {
    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the build's git revision and the numerical environment (BLAS core, threads).")

        func run() throws {
            print("tlab built from git revision \(BuildInfo.revision)")
            print(BLAS.summary)
            if let override = BLAS.coreTypeOverride {
                print("note: OPENBLAS_CORETYPE=\(override) forces OpenBLAS's \(override) kernels; unset it to let OpenBLAS pick the CPU's own (docs/benchmarks.md).")
            }
        }
    }
}
