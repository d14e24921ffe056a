import CKernels

/// Process-wide settings for numerical work.
public enum Runtime {
    /// Line-buffers standard output so progress reaches logs and pipes as it is printed.
    public static func lineBufferStandardOutput() { tl_line_buffer_stdout() }

    /// Ties this process's life to its parent's: a worker whose scheduler was killed dies too, so a
    /// restarted scheduler re-queues its run instead of racing an unsupervised worker. False when the
    /// parent is already gone.
    public static func exitWithParent() -> Bool { tl_exit_with_parent() == 0 }

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
