import Foundation

/// Converters of the reference and technical texts Debian ships, for language-model pretraining: a dictionary, WordNet's
/// glosses, Perl's manual and the Linux kernel's documentation, each as plain-prose documents.
extension Converter {
    /// GCIDE's dictd text (gzip): one document per paragraph of its entries, without the database header, pronunciations
    /// (`\…\`) and source notes (`[WordNet 1.5]`).
    func gcide() throws -> Counts {
        // The dictd `.dz` is gzip-readable.
        let text = try Shell.run(["gzip", "-dc", member().path])
        let body = text.range(of: "Begin file 1 of").map { String(text[$0.lowerBound...]) } ?? text
        var lines: [String] = []
        for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
            let cleaned = Self.strip(String(line), between: "\\", and: "\\")
            lines.append(Self.strip(cleaned, between: "[", and: "]"))
        }
        return try documents(Converter.paragraphs(lines).filter { !$0.hasPrefix("Begin file") && $0.contains(" ") })
    }

    /// WordNet's data files: one document per synset's gloss (the text after `| `).
    func wordnetGlosses() throws -> Counts {
        var glosses: [String] = []
        for index in entry.members.indices {
            for line in try NormalizedFormat.lines(member(index)) where !line.hasPrefix("  ") {
                guard let bar = line.range(of: " | ") else { continue }
                let gloss = line[bar.upperBound...].trimmingCharacters(in: .whitespaces)
                if !gloss.isEmpty { glosses.append(gloss) }
            }
        }
        return try documents(glosses)
    }

    /// Perl's POD pages: one document per page, commands (`=head1 NAME` → `NAME`) and formatting codes (`C<…>` → `…`)
    /// turned to text, verbatim (indented) code left out.
    func perlPod() throws -> Counts {
        let files = try FileManager.default.contentsOfDirectory(atPath: member().path).filter { $0.hasSuffix(".pod") }.sorted()
        return try documents(files.map { file in
            let text = String(decoding: (try? Data(contentsOf: member().appendingPathComponent(file))) ?? Data(), as: UTF8.self)
            var kept: [String] = []
            for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
                if line.hasPrefix(" ") || line.hasPrefix("\t") { continue }
                if line.hasPrefix("=") {
                    let words = line.split(separator: " ", maxSplits: 1)
                    if words.count == 2, ["=head1", "=head2", "=head3", "=head4", "=item"].contains(String(words[0])) { kept.append(String(words[1])) }
                    continue
                }
                kept.append(line)
            }
            return Converter.paragraphs(kept).map(Self.podText).joined(separator: "\n")  // (codes may span lines)
        }.filter { !$0.isEmpty })
    }

    /// The kernel's `Documentation/**/*.{rst,txt}.gz` but translations and device-tree bindings: one document per
    /// file, directives (`.. `), under- and overlines and indented blocks left out.
    func linuxDocs() throws -> Counts {
        let root = member()
        guard FileManager.default.fileExists(atPath: root.path) else {
            throw DataError.malformed(file: root.path, line: nil, reason: "missing kernel documentation")
        }
        // Decompressed with gzip in a scratch copy (the extracted package is the cache's).
        let fm = FileManager.default, scratch = output.appendingPathComponent(".documentation")
        try? fm.removeItem(at: scratch)
        try fm.copyItem(at: root, to: scratch)
        defer { try? fm.removeItem(at: scratch) }
        for skipped in ["translations", "devicetree"] { try? fm.removeItem(at: scratch.appendingPathComponent(skipped)) }
        for link in (fm.enumerator(atPath: scratch.path)?.compactMap { $0 as? String } ?? [])
        where (try? fm.destinationOfSymbolicLink(atPath: scratch.appendingPathComponent(link).path)) != nil {
            try fm.removeItem(at: scratch.appendingPathComponent(link))  // another name of a file read under its own
        }
        _ = try Shell.run(["gzip", "-d", "-r", "-f", scratch.path])
        let files = (fm.enumerator(atPath: scratch.path)?.compactMap { $0 as? String } ?? [])
            .filter { $0.hasSuffix(".rst") || $0.hasSuffix(".txt") }.sorted()
        return try documents(try files.map { file in
            let text = String(decoding: try Data(contentsOf: scratch.appendingPathComponent(file)), as: UTF8.self)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { line in
                !(line.hasPrefix(" ") || line.hasPrefix("\t") || line.hasPrefix(".. ")
                  || (!line.isEmpty && line.allSatisfy { "=-~^*#+`'\".:_".contains($0) }))
            }
            return Converter.paragraphs(lines).joined(separator: "\n")
        }.filter { !$0.isEmpty })
    }

    /// `text` without the spans from `open` to the next `close` (both included).
    static func strip(_ text: String, between open: Character, and close: Character) -> String {
        var out = "", inside = false
        for ch in text {
            if inside { if ch == close { inside = false }; continue }
            if ch == open { inside = true; continue }
            out.append(ch)
        }
        return out
    }

    /// POD formatting codes (`B<…>`, nested `B<I<…>>`, `C<< … >>`, `L<text|target>`, `E<gt>`) replaced by their text;
    /// an unclosed one is left as it is.
    static func podText(_ line: String) -> String {
        let escapes = ["lt": "<", "gt": ">", "verbar": "|", "sol": "/"]
        func plain(_ code: Character, _ inner: String) -> String {
            switch code {
            case "E": escapes[inner] ?? ""
            case "L": inner.firstIndex(of: "|").map { String(inner[..<$0]) } ?? inner
            case "Z", "X": ""
            default: inner
            }
        }
        var text = line
        // `C<< … >>`: several brackets and a space inside each end, closed by as many.
        var from = text.startIndex
        while let start = text.range(of: #"[A-Z]<{2,} "#, options: .regularExpression, range: from..<text.endIndex) {
            let closing = " " + String(repeating: ">", count: text[start].count - 2)
            guard let end = text.range(of: closing, range: start.upperBound..<text.endIndex) else { from = start.upperBound; continue }
            let inner = String(text[start.upperBound..<end.lowerBound]).trimmingCharacters(in: .whitespaces)
            let offset = text.distance(from: text.startIndex, to: start.lowerBound)
            let replacement = plain(text[start].first!, inner)
            text.replaceSubrange(start.lowerBound..<end.upperBound, with: replacement)
            from = text.index(text.startIndex, offsetBy: offset + replacement.count, limitedBy: text.endIndex) ?? text.endIndex
        }
        // Single brackets, innermost first, so that nested codes close where they should.
        while let code = text.range(of: #"[A-Z]<[^<>]*>"#, options: .regularExpression) {
            let inner = String(text[text.index(code.lowerBound, offsetBy: 2)..<text.index(before: code.upperBound)])
            text.replaceSubrange(code, with: plain(text[code.lowerBound], inner))
        }
        return text
    }
}
