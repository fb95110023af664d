import Foundation

/// Whether two typed names may be the same person, for "is it one of these?" when linking. Names of
/// status holders reach us transliterated in many ways (Mohammed, Muhammad, Mohamed; Abdulrahman,
/// Abd al-Rahman; Yohannes, Johannes; Tesfay, Tesfaye), and first and last names are often swapped.
/// Pure functions: no database, no keys. The matcher compares names only; it knows nothing about
/// origin and must never be used as a signal about anyone.
enum NameMatcher {
    /// Scores at or above this are offered as candidates.
    static let threshold = 0.9

    /// A name's phonetic key, token by token: lowercase, diacritics, hyphens and spaces folded
    /// (`PersonName.normalise`), the particles al-/el-/ul- dropped (also inside `abd…`), common
    /// consonant spellings made one (ph/f, kh/h, gh/g, q/k, c/k, dh/d, th/t, j/y, w/v), every vowel
    /// (and y) one class, doubled letters collapsed.
    static func keys(_ name: String) -> [String] {
        var tokens = PersonName.normalise(name).split(separator: " ").map(String.init)
        tokens.removeAll { particles.contains($0) }
        // "Abd al-Rahman", "Abd Rahman": one given name written as two tokens.
        var merged: [String] = []
        for token in tokens {
            if let last = merged.last, ["abd", "abdu", "abdul", "abdel", "abdal"].contains(last) { merged[merged.count - 1] = last + token }
            else { merged.append(token) }
        }
        return merged.map(key).filter { !$0.isEmpty }
    }

    static let particles: Set<String> = ["al", "el", "ul", "il"]

    /// The key of one token.
    static func key(_ token: String) -> String {
        var text = token
        // Abdulrahman, Abdelrahman, Abdalrahman → abdrahman.
        for prefix in ["abdul", "abdel", "abdal", "abdol"] where text.hasPrefix(prefix) && text.count > prefix.count + 1 {
            text = "abd" + text.dropFirst(prefix.count)
        }
        for (from, to) in [("ph", "f"), ("kh", "h"), ("gh", "g"), ("dh", "d"), ("th", "t"), ("ck", "k"), ("q", "k"), ("c", "k"),
                           ("ou", "u"), ("oo", "u"), ("ee", "i"), ("j", "y"), ("w", "v")] {
            text = text.replacingOccurrences(of: from, with: to)
        }
        var out: [Character] = []
        for character in text {
            let mapped: Character = "aeiouy".contains(character) ? "a" : character
            if out.last == mapped { continue }
            out.append(mapped)
        }
        // A final vowel is often written or not (Tesfay/Tesfaye, Haile/Hail): drop it when the token is long enough.
        if out.count > 3, out.last == "a" { out.removeLast() }
        return String(out)
    }

    struct Match: Equatable, Sendable {
        let score: Double
        /// The names match best with first and last names swapped.
        let swapped: Bool
    }

    /// How alike two names are (0…1), token by token: every token of the shorter name must match a
    /// different token of the other (Jaro–Winkler on the keys), in the order typed or in any order
    /// (swapped first and last names); the score is the weakest pair's. A name with a token more
    /// (a middle name) scores a little lower, and only when at least two tokens match. `nil` below
    /// the threshold.
    static func match(_ typed: String, _ stored: String) -> Match? {
        let a = keys(typed), b = keys(stored)
        guard !a.isEmpty, !b.isEmpty, a.count <= 5, b.count <= 5 else { return nil }
        let (short, long) = a.count <= b.count ? (a, b) : (b, a)
        guard short.count == long.count || short.count >= 2 else { return nil }
        let penalty = short.count == long.count ? 1.0 : 0.95
        let inOrder = short.count == long.count ? zip(a, b).map { jaroWinkler($0, $1) }.min() ?? 0 : 0
        var anyOrder = 0.0
        for chosen in arrangements(of: Array(long.indices), taking: short.count) {
            anyOrder = max(anyOrder, zip(short, chosen).map { jaroWinkler($0, long[$1]) }.min() ?? 0)
        }
        let score = max(inOrder, anyOrder) * penalty
        guard score >= threshold else { return nil }
        return Match(score: score, swapped: short.count == long.count && anyOrder > inOrder + 0.0001)
    }

    /// Ordered selections of `count` distinct elements (at most 5 × 4 × 3 × 2 × 1).
    static func arrangements(of items: [Int], taking count: Int) -> [[Int]] {
        guard count > 0 else { return [[]] }
        return items.flatMap { item in arrangements(of: items.filter { $0 != item }, taking: count - 1).map { [item] + $0 } }
    }

    /// Jaro–Winkler similarity (prefix scale 0.1, at most four characters of common prefix).
    static func jaroWinkler(_ s1: String, _ s2: String) -> Double {
        let a = Array(s1), b = Array(s2)
        if a == b { return 1 }
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        let window = max(0, max(a.count, b.count) / 2 - 1)
        var aMatched = [Bool](repeating: false, count: a.count), bMatched = [Bool](repeating: false, count: b.count)
        var matches = 0
        for i in a.indices {
            let low = max(0, i - window), high = min(b.count - 1, i + window)
            guard low <= high else { continue }
            for j in low...high where !bMatched[j] && a[i] == b[j] {
                aMatched[i] = true
                bMatched[j] = true
                matches += 1
                break
            }
        }
        guard matches > 0 else { return 0 }
        var transpositions = 0, k = 0
        for i in a.indices where aMatched[i] {
            while !bMatched[k] { k += 1 }
            if a[i] != b[k] { transpositions += 1 }
            k += 1
        }
        let m = Double(matches)
        let jaro = (m / Double(a.count) + m / Double(b.count) + (m - Double(transpositions / 2)) / m) / 3
        var prefix = 0
        while prefix < min(4, a.count, b.count), a[prefix] == b[prefix] { prefix += 1 }
        return jaro + Double(prefix) * 0.1 * (1 - jaro)
    }

    /// Dates of birth agree when either is missing or both are the same day.
    static func birthDatesAgree(_ typed: String?, _ stored: String?) -> Bool {
        guard let typed, let stored else { return true }
        return typed == stored
    }
}
