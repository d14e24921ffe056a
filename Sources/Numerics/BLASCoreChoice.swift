import Foundation

/// OpenBLAS picks its kernels by CPU model when it loads. On a CPU newer than the release knows (Debian 12's
/// 0.3.21 on Intel family 6 model 207, Emerald Rapids) it falls back to its generic `Prescott` (SSE3)
/// kernels: SGEMM measured 5–6× slower there than the AVX-512 kernels that CPU runs
/// (`tlab bench gemm --core Prescott Cooperlake`). tlab then starts itself again with the kernels the CPU's
/// features support, as later OpenBLAS releases choose by features. A user's own `OPENBLAS_CORETYPE` is kept.
public enum BLASCoreChoice {
    /// Set in a process whose `OPENBLAS_CORETYPE` tlab chose: the core OpenBLAS had fallen back to.
    public static let marker = "TLAB_BLAS_FALLBACK"

    /// The kernel family to run instead of `detected`, the one OpenBLAS picked, on a CPU with the feature `flags`
    /// (as `/proc/cpuinfo` names them); nil to keep it (anything but the generic fallback is OpenBLAS's own choice).
    public static func replacement(for detected: String, flags: Set<String>) -> String? {
        guard detected == "Prescott" else { return nil }
        let avx512 = flags.isSuperset(of: ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"])
        if avx512 { return flags.contains("avx512_bf16") ? "Cooperlake" : "SkylakeX" }
        if flags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        return flags.contains("avx") ? "Sandybridge" : nil
    }

    /// The CPU's feature flags: the first `flags` line of `/proc/cpuinfo` (empty where there is none).
    public static func cpuFlags(cpuinfo: String? = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) -> Set<String> {
        guard let line = cpuinfo?.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }

    /// Call first thing at start-up. When `OPENBLAS_CORETYPE` is unset and OpenBLAS fell back to its generic
    /// kernels on a CPU that runs better ones, executes this program again with `OPENBLAS_CORETYPE` naming them
    /// (OpenBLAS reads it only as it loads) and `marker` naming the fallback; child processes inherit both.
    public static func restartIfOpenBLASFellBack() {
        guard getenv("OPENBLAS_CORETYPE") == nil, let core = replacement(for: BLAS.coreName, flags: cpuFlags()) else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        setenv(marker, BLAS.coreName, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // (only on failure) the generic kernels it is, as reported
        unsetenv("OPENBLAS_CORETYPE")
        unsetenv(marker)
    }

    /// The core OpenBLAS had fallen back to, when tlab chose this process's kernels instead; nil otherwise.
    public static var fallback: String? { getenv(marker).map { String(cString: $0) } }
}
