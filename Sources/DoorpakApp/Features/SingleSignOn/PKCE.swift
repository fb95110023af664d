import Crypto
import Foundation

/// Proof Key for Code Exchange (RFC 7636) with the S256 method: the sign-in keeps a random
/// verifier, sends only its SHA-256 (the challenge) to the provider, and presents the verifier
/// when it exchanges the code. A code stolen on its way back is useless without the verifier.
enum PKCE {
    /// A fresh verifier: 32 random bytes as 43 URL-safe characters (RFC 7636 asks 43–128).
    static func makeVerifier() -> String { SecureRandom.urlSafeString(bytes: 32) }

    /// `BASE64URL(SHA256(ASCII(verifier)))`, without padding.
    static func challenge(for verifier: String) -> String {
        Base64URL.encode(Data(SHA256.hash(data: Data(verifier.utf8))))
    }

    /// 43–128 characters from the unreserved set `[A-Z a-z 0-9 - . _ ~]`.
    static func isValidVerifier(_ verifier: String) -> Bool {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return (43...128).contains(verifier.count) && verifier.unicodeScalars.allSatisfy(allowed.contains)
    }
}

/// Base64url without padding (RFC 4648 §5), as JOSE and PKCE use it.
enum Base64URL {
    static func encode(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: some StringProtocol) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard base64.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "/") }) else { return nil }
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
