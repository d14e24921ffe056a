import Foundation
import PackagePlugin

/// Writes the git revision the package is built from into the `BuildInfo` target (`-dirty` when
/// tracked files other than the notebooks and result archives differ from it), so a run records the revision of the code that
/// produced it, not of whatever the repository holds when it starts. A build command whose inputs are
/// git's HEAD log and index and every source file of the package: a commit, a checkout or an edit
/// makes the next build write it again. (A prebuild command runs only when SwiftPM re-plans the build,
/// which a commit alone does not cause: such a binary claimed the revision before the commit.)
@main
struct BuildRevision: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("generated/Revision.swift")
        let git = ["HEAD", "logs/HEAD", "index"].map { root.appendingPathComponent(".git/\($0)") }
            .filter { FileManager.default.fileExists(atPath: $0.path) }
        let sources = context.package.targets.compactMap { $0.sourceModule }.flatMap { $0.sourceFiles.map(\.url) }
        let script = """
        set -u
        mkdir -p "$(dirname "$2")"
        rev=$(git -C "$1" rev-parse HEAD 2>/dev/null) || rev=unknown
        if [ "$rev" != unknown ] && [ -n "$(git -C "$1" status --porcelain --untracked-files=no -- ':(top)' ':(top,exclude)notebooks-md' ':(top,exclude)results' 2>/dev/null)" ]; then
            rev="$rev-dirty"
        fi
        printf 'extension BuildInfo {\\n    /// The git revision this binary was built from.\\n    public static let revision = "%s"\\n}\\n' "$rev" > "$2"
        """
        return [.buildCommand(displayName: "BuildRevision: git revision of the build", executable: URL(fileURLWithPath: "/bin/sh"),
                              arguments: ["-c", script, "sh", root.path, output.path],
                              inputFiles: git + sources + [root.appendingPathComponent("Package.swift")], outputFiles: [output])]
    }
}
