import Foundation
import Numerics

/// Runs a benchmark once per (BLAS core setting, thread count) in a fresh child process: OpenBLAS
/// reads `OPENBLAS_CORETYPE` and picks its kernels once, at library load, so each setting needs
/// its own process. The child is this same executable with `--in-process`.
public enum VariantLauncher {
    /// `inherited` = the caller's `OPENBLAS_CORETYPE` as set; `auto` = unset (OpenBLAS detects the CPU);
    /// any other value is exported as `OPENBLAS_CORETYPE`.
    public static func coreSettings(_ requested: [String]) -> [String?] {
        var settings: [String?] = []
        for name in requested {
            // (the shell's: unset where tlab chose this process's kernels, `BLASCoreChoice`)
            let value: String? = name == "inherited" ? BLAS.coreTypeOverride
                : name == "auto" ? nil : name
            if !settings.contains(where: { $0 == value }) { settings.append(value) }
        }
        return settings
    }

    /// Runs `arguments` (after the executable) with each setting and thread count, streaming output.
    /// Returns false if any child failed.
    public static func run(arguments: [String], cores: [String?], threads: [Int]) throws -> Bool {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var allSucceeded = true
        for core in cores {
            for count in threads {
                var environment = ProcessInfo.processInfo.environment
                environment["OPENBLAS_CORETYPE"] = core
                environment[BLASCoreChoice.marker] = nil  // (unset: the child chooses again; set: the caller's choice)
                environment["OPENBLAS_NUM_THREADS"] = String(count)
                environment["OMP_NUM_THREADS"] = String(count)
                let process = Process()
                process.executableURL = executable
                process.arguments = arguments + ["--in-process", "--threads", String(count)]
                process.environment = environment
                try process.run()
                process.waitUntilExit()
                allSucceeded = allSucceeded && process.terminationStatus == 0
            }
        }
        return allSucceeded
    }
}
