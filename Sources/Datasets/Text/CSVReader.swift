import Foundation

/// RFC 4180 CSV/TSV records with the line each record starts on (for error messages).
/// Quoted fields may hold separators, doubled quotes and newlines. A leading UTF-8 BOM is dropped.
public enum CSVReader {
    public struct Record {
        public let line: Int
        public let fields: [String]
    }

    /// Decodes `data` with `encoding` and splits it into records; throws naming `file` and line on
    /// undecodable bytes or an unterminated quote.
    public static func records(_ data: Data, file: String, separator: Character = ",",
                               encoding: String.Encoding = .utf8) throws -> [Record] {
        guard var text = String(data: data, encoding: encoding) else {
            throw DataError.malformed(file: file, line: firstBadLine(data, encoding: encoding),
                                      reason: "bytes that are not valid \(encoding.description); set the spec's `encoding` (e.g. latin-1)")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var records: [Record] = []
        var fields: [String] = [], field = ""
        var inQuotes = false, fieldWasQuoted = false
        var line = 1, recordLine = 1
        var iterator = text.makeIterator()
        var pending: Character? = nil
        func next() -> Character? {
            if let p = pending { pending = nil; return p }
            return iterator.next()
        }
        while let c = next() {
            if inQuotes {
                if c == "\"" {
                    if let n = next() {
                        if n == "\"" { field.append("\"") } else { inQuotes = false; pending = n }
                    } else { inQuotes = false }
                } else {
                    if c == "\n" || c == "\r\n" { line += 1 }
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty && !fieldWasQuoted:
                inQuotes = true; fieldWasQuoted = true
            case separator:
                fields.append(field); field = ""; fieldWasQuoted = false
            case "\n", "\r\n", "\r":
                fields.append(field); field = ""; fieldWasQuoted = false
                if !(fields.count == 1 && fields[0].isEmpty) { records.append(Record(line: recordLine, fields: fields)) }
                fields = []
                line += 1
                recordLine = line
            default:
                field.append(c)
            }
        }
        if inQuotes { throw DataError.malformed(file: file, line: recordLine, reason: "a quoted field is never closed") }
        if !field.isEmpty || !fields.isEmpty || fieldWasQuoted {
            fields.append(field)
            records.append(Record(line: recordLine, fields: fields))
        }
        return records
    }

    /// The first line whose bytes do not decode, for the error message.
    static func firstBadLine(_ data: Data, encoding: String.Encoding) -> Int? {
        var line = 1, start = data.startIndex
        for i in data.indices where data[i] == 0x0A {
            if String(data: data[start..<i], encoding: encoding) == nil { return line }
            line += 1
            start = data.index(after: i)
        }
        return String(data: data[start...], encoding: encoding) == nil ? line : nil
    }
}

extension String.Encoding {
    /// Parses the names a spec may use: utf-8, latin-1 / iso-8859-1, cp1252 / windows-1252, ascii.
    public init?(name: String) {
        switch name.lowercased().replacingOccurrences(of: "_", with: "-") {
        case "utf-8", "utf8": self = .utf8
        case "latin-1", "latin1", "iso-8859-1": self = .isoLatin1
        case "cp1252", "windows-1252": self = .windowsCP1252
        case "ascii", "us-ascii": self = .ascii
        case "utf-16", "utf16": self = .utf16
        default: return nil
        }
    }
}
