/// Levenshtein distance (insertions, deletions and substitutions of one character each cost 1), for the
/// did-you-mean suggestions of spec and dataset errors.
public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var previous = Array(0...b.count), current = previous
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

/// The candidate nearest `word` by `editDistance` (the first of equals), if it is within `maxDistance` of it;
/// `ignoringCase` measures the lowercased words and returns the candidate as given.
public func closest(to word: String, among candidates: [String], maxDistance: Int, ignoringCase: Bool = false) -> String? {
    let fold = { (s: String) in ignoringCase ? s.lowercased() : s }
    let scored = candidates.map { ($0, editDistance(fold($0), fold(word))) }.min { $0.1 < $1.1 }
    guard let (candidate, distance) = scored, distance <= maxDistance else { return nil }
    return candidate
}
