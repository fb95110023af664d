import Foundation
import Hummingbird

/// The two-factor pages both the sign-in step (enrolment required by policy) and "Mijn account"
/// show: the enrolment page with the QR code and the secret as text, and the recovery codes.
struct TwoFactorPages {
    let views: Views
    let store: TwoFactorStore

    static let issuer = "Doorpak"

    func enrolment(_ request: Request, context: AppRequestContext, user: User, action: String, issues: [FieldIssue]) async throws -> HTML {
        let locale = views.locales[context.language]
        let secret = try await store.enrolmentSecret(for: user.id!)
        let totp = TOTP(secret: secret)
        // A very long e-mail address would not fit the QR code: the issuer alone then names the account.
        let qr: QRCode
        do { qr = try QRCode(text: totp.uri(issuer: Self.issuer, account: user.email)) } catch {
            qr = try QRCode(text: totp.uri(issuer: Self.issuer, account: ""))
        }
        var errors: [String: String] = [:]
        for issue in issues where errors[issue.name] == nil {
            errors[issue.name] = issue.code == "code_wrong" ? locale.text("signin.code_wrong") : locale.text("field_errors.\(issue.code)")
        }
        var data: [String: Any] = [
            "qr": qr.svg(label: locale.text("twofactor.qr_label")),
            "secret": Base32.grouped(Base32.encode(secret)),
            "account": user.email,
            "issuer": Self.issuer,
            "action": action,
            "errors": errors,
        ]
        // During a sign-in the user can only go on, or stop and start again.
        if action.hasPrefix("/login") { data["signingIn"] = true }
        if !errors.isEmpty {
            data["hasSummary"] = true
            data["summary"] = errors.map { ["field": $0.key, "label": locale.text("twofactor.code"), "message": $0.value] }
        }
        return try views.page("accounts/two-factor-setup", title: locale.text("twofactor.setup_title"), request: request, context: context,
                              data: data, status: issues.isEmpty ? .ok : .unprocessableContent)
    }

    func recoveryCodes(_ request: Request, context: AppRequestContext, codes: [String], continueTo: String) throws -> HTML {
        let locale = views.locales[context.language]
        return try views.page("accounts/recovery-codes", title: locale.text("twofactor.codes_title"), request: request, context: context,
                              data: ["codes": codes, "continue": continueTo])
    }
}

/// The fields of a password form (change on the account page, new password after a reset).
enum PasswordForm {
    static func errors(_ issues: [FieldIssue], _ locale: LocaleTexts) -> [String: String] {
        var map: [String: String] = [:]
        for issue in issues where map[issue.name] == nil {
            map[issue.name] = locale.text("password.errors.\(issue.code)", ["min": "\(PasswordPolicy.minimumLength)",
                                                                             "max": "\(PasswordPolicy.maximumLength)"])
        }
        return map
    }

    static func data(errors: [String: String], locale: LocaleTexts, current: Bool) -> [String: Any] {
        var data: [String: Any] = [
            "errors": errors,
            "min": PasswordPolicy.minimumLength,
            "max": PasswordPolicy.maximumLength,
            "hint": locale.text("password.hint", ["min": "\(PasswordPolicy.minimumLength)"]),
        ]
        if current { data["askCurrent"] = true }
        let order = ["current_password", "new_password", "repeat_password"]
        let summary = order.compactMap { name in errors[name].map { ["field": name, "label": locale.text("password.\(name)"), "message": $0] } }
        if !summary.isEmpty { data["summary"] = summary; data["hasSummary"] = true }
        return data
    }
}
