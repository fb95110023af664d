import Foundation
import Testing
@testable import DoorpakApp

/// The NIST SP 800-63B password rules: length, no composition rules, the common-password list,
/// personal words, Unicode and normalisation.
@Suite struct PasswordPolicyTests {
    func check(_ password: String, email: String = "jan.jansen@gemeente.example", name: String = "Jan Jansen") -> String? {
        PasswordPolicy.check(password, email: email, name: name)
    }

    @Test func acceptsLongPassphrasesWithoutCompositionRules() {
        #expect(check("correct horse battery staple") == nil)
        #expect(check("alleen kleine letters hier") == nil)  // no capitals or digits needed
        #expect(check("ÿ ñoño pâté crème brûlée") == nil)
        #expect(check("日本語のパスワードです十二文字") == nil)
        #expect(check(String(repeating: "lang wachtwoord ", count: 16).trimmingCharacters(in: .whitespaces)) == nil)  // 255 characters
    }

    @Test func lengthIsCountedInCharactersAfterNormalisation() {
        #expect(check("") == "required")
        #expect(check("twaalf teken") == nil)  // exactly 12
        #expect(check("elf tekens!") == "password_too_short")
        #expect(check(String(repeating: "x", count: 257)) == "too_long")
        // Full-width letters normalise (NFKC) to ASCII: the same password, and the same length.
        #expect(PasswordPolicy.normalise("ｐａｓｓｗｏｒｄ１２３４") == "password1234")
        #expect(check("ｐａｓｓｗｏｒｄ１２３４") == "password_common")
        #expect(check("twaalf\u{0007}tekens!") == "invalid_characters")
    }

    @Test func refusesCommonPasswordsAndTheirVariants() {
        #expect(PasswordPolicy.commonPasswords.count >= 29_000)
        #expect(check("qazwsxedcrfv") == "password_common")
        #expect(check("wachtwoord1234") == "password_common")
        #expect(check("Welkom!2024!!") == "password_common")
        #expect(check("1234567890123") == "password_common")
        #expect(check("abcdefghijklm") == "password_common")
        #expect(check("aaaaaaaaaaaaaaaa") == "password_common")
        #expect(check("dragondragondragon") == "password_common")
        #expect(check("passwordpassword") == "password_common")
    }

    @Test func refusesTheUsersOwnDetailsAndTheServiceName() {
        #expect(check("jan.jansen@gemeente.example") == "password_personal")
        #expect(check("ik ben jan.jansen hoor") == "password_personal")
        #expect(check("JanJansen heeft een fiets") == "password_personal")
        #expect(check("mijn doorpak wachtwoord") == "password_personal")
    }

    @Test func longPasswordsKeepEveryCharacterBeyondBcryptsLimit() async throws {
        let passwords = Passwords(cost: 4)
        let base = String(repeating: "é", count: 40)  // 80 bytes
        let hash = try await passwords.hash(base + "A")
        #expect(try await passwords.verify(base + "A", hash: hash))
        #expect(try await !passwords.verify(base + "B", hash: hash))
    }
}
