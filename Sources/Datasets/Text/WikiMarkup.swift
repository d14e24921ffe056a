import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Plain text from MediaWiki dumps: the articles of an XML export with their markup removed, in the
/// spirit of gensim's `filter_wiki` (templates, tables, references, files, categories, HTML and
/// formatting go; link labels and prose stay).
public enum WikiMarkup {
    /// (title, wikitext) of every main-namespace, non-redirect page of an XML dump.
    public static func articles(xml: Data) throws -> [(title: String, text: String)] {
        let delegate = PageCollector()
        let parser = XMLParser(data: xml)
        parser.delegate = delegate
        guard parser.parse() else {
            throw DataError.malformed(file: "wiki XML", line: parser.lineNumber, reason: parser.parserError.map { "\($0)" } ?? "XML parse error")
        }
        return delegate.pages
    }

    /// The prose of one article's wikitext.
    public static func strip(_ wikitext: String) -> String {
        var text = removeNested(wikitext, open: "{{", close: "}}")
        text = removeNested(text, open: "{|", close: "|}")
        text = replace(text, #"<ref[^>/]*/>"#, "")
        text = replace(text, #"(?s)<ref[^>]*>.*?</ref>"#, "")
        text = replace(text, #"(?s)<!--.*?-->"#, "")
        text = replace(text, #"(?s)<(math|gallery|timeline|syntaxhighlight|source|pre)[^>]*>.*?</\1>"#, "")
        text = replace(text, #"<[^>]+>"#, "")
        text = removeFileLinks(text)
        text = replace(text, #"\[\[(?:[^\[\]|]*\|)?([^\[\]]*)\]\]"#, "$1")          // [[target|label]] → label
        text = replace(text, #"\[(?:https?|ftp)://[^\s\]]+\s*([^\]]*)\]"#, "$1")    // [url label] → label
        text = replace(text, #"'{2,}"#, "")
        text = replace(text, #"(?m)^=+\s*(.*?)\s*=+\s*$"#, "$1")
        text = replace(text, #"(?m)^[*#:;]+\s*"#, "")
        text = replace(text, #"&nbsp;|&ndash;|&mdash;"#, " ")
        text = text.replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
        return text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Removes balanced `open … close` spans (templates nest).
    static func removeNested(_ text: String, open: String, close: String) -> String {
        let o = Array(open.utf8), c = Array(close.utf8), bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var depth = 0, i = 0
        while i < bytes.count {
            if i + 1 < bytes.count, bytes[i] == o[0], bytes[i + 1] == o[1] { depth += 1; i += 2; continue }
            if depth > 0, i + 1 < bytes.count, bytes[i] == c[0], bytes[i + 1] == c[1] { depth -= 1; i += 2; continue }
            if depth == 0 { out.append(bytes[i]) }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Removes [[File:…]], [[Image:…]] and [[Category:…]] links, whose captions may hold nested links.
    static func removeFileLinks(_ text: String) -> String {
        var result = text
        for prefix in ["[[File:", "[[Image:", "[[Category:", "[[file:", "[[image:"] {
            while let start = result.range(of: prefix) {
                var depth = 0
                var index = start.lowerBound
                var end = result.endIndex
                while index < result.endIndex {
                    if result[index...].hasPrefix("[[") { depth += 1; index = result.index(index, offsetBy: 2); continue }
                    if result[index...].hasPrefix("]]") {
                        depth -= 1
                        index = result.index(index, offsetBy: 2)
                        if depth == 0 { end = index; break }
                        continue
                    }
                    index = result.index(after: index)
                }
                result.removeSubrange(start.lowerBound..<end)
            }
        }
        return result
    }

    static func replace(_ text: String, _ pattern: String, _ template: String) -> String {
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
    }

    private final class PageCollector: NSObject, XMLParserDelegate {
        var pages: [(title: String, text: String)] = []
        var element = "", title = "", namespace = "", text = "", redirect = false
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            element = name
            if name == "page" { title = ""; namespace = ""; text = ""; redirect = false }
            if name == "redirect" { redirect = true }
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) {
            switch element {
            case "title": title += string
            case "ns": namespace += string
            case "text": text += string
            default: break
            }
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "page", namespace.trimmingCharacters(in: .whitespacesAndNewlines) == "0", !redirect {
                pages.append((title, text))
            }
            element = ""
        }
    }
}
