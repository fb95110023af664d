import Foundation

/// The rules for a new password, after NIST SP 800-63B § 3.1.1.2: a minimum length, a generous
/// maximum, every Unicode character allowed (spaces too; compared after NFKC normalisation), no
/// composition rules (no "a digit and a capital"), and a refusal of passwords that are easy to guess:
/// on the shipped list of common passwords (`Assets/passwords`), one of those with digits or symbols
/// around it or repeated, a repetition or a run (`aaaa…`, `abcd…`), or the user's own e-mail address,
/// name, or the service's name.
enum PasswordPolicy {
    /// Characters (Unicode scalars, after normalisation).
    static let minimumLength = Passwords.minimumLength
    static let maximumLength = 256

    /// NFKC: the same password typed on another keyboard (full-width digits, ligatures, composed
    /// or decomposed accents) is the same password.
    static func normalise(_ password: String) -> String { password.precomposedStringWithCompatibilityMapping }

    /// The issue code for a new password (`nil` when it is acceptable). Codes: `required`,
    /// `password_too_short`, `too_long`, `invalid_characters`, `password_common`, `password_personal`.
    static func check(_ password: String, email: String?, name: String?) -> String? {
        let password = normalise(password)
        if password.isEmpty { return "required" }
        let length = password.unicodeScalars.count
        if length < minimumLength { return "password_too_short" }
        if length > maximumLength { return "too_long" }
        if password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) { return "invalid_characters" }
        let lower = password.lowercased()
        if isPersonal(lower, email: email, name: name) { return "password_personal" }
        if isCommon(lower) { return "password_common" }
        return nil
    }

    static func isPersonal(_ lower: String, email: String?, name: String?) -> Bool {
        let compact = lower.filter { !$0.isWhitespace }
        var words = ["doorpak"]
        if let email = email?.lowercased(), !email.isEmpty {
            words.append(email)
            if let local = email.split(separator: "@").first, local.count >= 4 { words.append(String(local)) }
        }
        if let name = name?.lowercased() {
            let joined = name.filter { !$0.isWhitespace }
            if joined.count >= 4 { words.append(joined) }
        }
        return words.contains { compact.contains($0) }
    }

    /// On the list, on the list with digits or symbols around it, a repetition, or a run.
    static func isCommon(_ lower: String) -> Bool {
        let list = commonPasswords
        let compact = lower.filter { !$0.isWhitespace }
        if list.contains(lower) || list.contains(compact) { return true }
        let core = String(compact.drop(while: { !$0.isLetter }).reversed().drop(while: { !$0.isLetter }).reversed())
        if core.count >= 3, list.contains(core) { return true }
        if let unit = repeatedUnit(compact), unit.count <= 4 || list.contains(unit) { return true }
        if isRun(compact) { return true }
        return false
    }

    /// The shortest unit that, repeated, makes the text (`abcabcabc` → `abc`), if any.
    static func repeatedUnit(_ text: String) -> String? {
        let chars = Array(text)
        guard chars.count >= 2 else { return nil }
        for size in 1...(chars.count / 2) where chars.count % size == 0 {
            let unit = chars[0..<size]
            if stride(from: size, to: chars.count, by: size).allSatisfy({ chars[$0..<$0 + size] == unit }) { return String(unit) }
        }
        return nil
    }

    /// Every character one up (or one down) from the one before: `abcdefghijkl`, `987654321098`.
    static func isRun(_ text: String) -> Bool {
        let values = text.unicodeScalars.map { Int($0.value) }
        guard values.count >= 3 else { return false }
        let steps = zip(values, values.dropFirst()).map { $1 - $0 }
        let wraps: Set<Int> = [-9, 9]  // 9 → 0 and 0 → 9 in digit runs
        return steps.allSatisfy { $0 == 1 || wraps.contains($0) } || steps.allSatisfy { $0 == -1 || wraps.contains($0) }
    }

    /// The shipped list, read once.
    static let commonPasswords: Set<String> = {
        let url = Views.assets.appendingPathComponent("passwords/common-passwords.txt")
        // A missing list is a broken installation: refuse to run rather than accept every password.
        let text = try! String(contentsOf: url, encoding: .utf8)
        return Set(text.split(whereSeparator: \.isNewline).map(String.init))
    }()
}
