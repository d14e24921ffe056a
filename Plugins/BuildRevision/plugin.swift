import Foundation
import PackagePlugin

/// Writes the git revision the package is built from into the `BuildInfo` target before every
/// build (`-dirty` when tracked files other than notebooks differ from it), so a run records the
/// revision of the code that produced it, not of whatever the repository holds when it starts.
@main
struct BuildRevision: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let folder = context.pluginWorkDirectoryURL.appendingPathComponent("generated")
        // The file is replaced only when its text changes, so an unchanged revision recompiles nothing.
        let script = """
        set -u
        mkdir -p "$2"
        rev=$(git -C "$1" rev-parse HEAD 2>/dev/null) || rev=unknown
        if [ "$rev" != unknown ] && [ -n "$(git -C "$1" status --porcelain --untracked-files=no -- ':(top)' ':(top,exclude)notebooks-md' 2>/dev/null)" ]; then
            rev="$rev-dirty"
        fi
        printf 'extension BuildInfo {\\n    /// The git revision this binary was built from.\\n    public static let revision = "%s"\\n}\\n' "$rev" > "$2/Revision.swift.new"
        if cmp -s "$2/Revision.swift.new" "$2/Revision.swift"; then rm -f "$2/Revision.swift.new"; else mv "$2/Revision.swift.new" "$2/Revision.swift"; fi
        """
        return [.prebuildCommand(displayName: "BuildRevision: git revision of the build", executable: URL(fileURLWithPath: "/bin/sh"),
                                 arguments: ["-c", script, "sh", context.package.directoryURL.path, folder.path],
                                 outputFilesDirectory: folder)]
    }
}
