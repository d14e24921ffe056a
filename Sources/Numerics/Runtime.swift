import CKernels
import Foundation

/// Process-wide settings for numerical work.
public enum Runtime {
    /// Line-buffers standard output so progress reaches logs and pipes as it is printed.
    public static func lineBufferStandardOutput() { tl_line_buffer_stdout() }

    /// Ties this process's life to its parent's: a worker whose scheduler was killed dies too, so a
    /// restarted scheduler re-queues its run instead of racing an unsupervised worker. False when the
    /// parent is already gone.
    public static func exitWithParent() -> Bool { tl_exit_with_parent() == 0 }

    /// With `TLAB_PEAK_MEMORY` set, prints `tlab peak memory: N KiB` to standard error at exit: this process image's
    /// own high-water mark (`VmHWM`). A parent's `wait4` rusage cannot give it: a child spawned with `CLONE_VM`
    /// (posix_spawn) has the parent's resident set recorded as its own at `exec`.
    public static func reportPeakMemoryAtExit() {
        guard ProcessInfo.processInfo.environment["TLAB_PEAK_MEMORY"] != nil else { return }
        atexit {
            let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return }
            let kib = line.split(separator: " ").dropFirst().first.map(String.init) ?? "?"
            FileHandle.standardError.write(Data("tlab peak memory: \(kib) KiB\n".utf8))
        }
    }

    /// Keeps freed memory in the heap instead of returning it to the kernel. Training allocates and
    /// frees the same large activation buffers every step; with glibc's defaults each buffer above
    /// 32 MB is a fresh mmap whose pages fault in (and are zeroed) on every step. Call once at start-up.
    public static func keepFreedMemory() {
        #if os(Linux)
        _ = glibcMallopt(-4, 0)              // M_MMAP_MAX = 0: serve large blocks from the heap
        _ = glibcMallopt(-1, Int32.max)      // M_TRIM_THRESHOLD: never give the heap top back
        #endif
    }
}

#if os(Linux)
/// glibc's `int mallopt(int param, int value)` from <malloc.h>, which the Glibc module does not export.
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
