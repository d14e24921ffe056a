import ArgumentParser
import Numerics

extension Tlab {
    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the numerical environment (BLAS core, threads).")

        func run() throws {
            print(BLAS.summary)
            if let override = BLAS.coreTypeOverride {
                print("note: OPENBLAS_CORETYPE=\(override) forces OpenBLAS's \(override) kernels; unset it to let OpenBLAS pick the CPU's own (see ../shared/PERF.md).")
            }
        }
    }
}
