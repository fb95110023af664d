import Foundation
import Hummingbird

/// The sign-in security actions on an administrator's user page: reset the password to a one-time
/// password, reset two-factor authentication, and unlock a locked account. Every action is audited;
/// none of them reveals a secret the user set.
struct AccountAdminRoutes {
    let users: UserStore
    let passwordStore: PasswordStore
    let twoFactor: TwoFactorStore
    let lockouts: AccountLockouts
    let audit: AuditStore
    let pages: AdminPages

    func add(to group: RouterGroup<AppRequestContext>) {
        group.post("/users/:id/reset-password", use: resetPassword)
        group.post("/users/:id/reset-two-factor", use: resetTwoFactor)
        group.post("/users/:id/unlock", use: unlock)
    }

    /// The actions for one user's page, and a line about their sign-in state.
    func actions(for user: User, locale: LocaleTexts) async throws -> (actions: [AdminPages.Action], state: String) {
        let base = "/admin/users/\(user.id!.uuidString)"
        var actions: [AdminPages.Action] = [
            .init(id: "reset-password", label: locale.text("accountadmin.reset_password"), action: base + "/reset-password",
                  hint: locale.text("accountadmin.reset_password_hint")),
        ]
        var state: [String] = []
        let status = try await twoFactor.status(of: user.id!)
        if status.enabled {
            state.append(locale.text("accountadmin.two_factor_on"))
            actions.append(.init(id: "reset-two-factor", label: locale.text("accountadmin.reset_two_factor"), action: base + "/reset-two-factor",
                                 hint: locale.text("accountadmin.reset_two_factor_hint")))
        } else {
            state.append(locale.text("accountadmin.two_factor_off"))
        }
        if user.passwordMustChange == true { state.append(locale.text("accountadmin.must_change")) }
        if try await lockouts.lockedFor(email: user.email) != nil {
            state.append(locale.text("accountadmin.locked"))
            actions.append(.init(id: "unlock", label: locale.text("accountadmin.unlock"), action: base + "/unlock"))
        }
        return (actions, state.joined(separator: " "))
    }

    func resetPassword(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let principal = try context.principal()
        let id = try AdminPages.id(context)
        guard id != principal.userID else { throw AppError.conflict("Change your own password on your account page.") }
        let user = try await users.find(id)
        let oneTime = try await passwordStore.reset(userID: id, by: principal)
        let locale = pages.views.locales[context.language]
        return try pages.views.page("accounts/one-time-password", title: locale.text("accountadmin.reset_title"), request: request,
                                    context: context, data: ["name": user.name, "password": oneTime, "back": "/admin/users/\(id.uuidString)"])
    }

    func resetTwoFactor(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try AdminPages.id(context)
        try await twoFactor.remove(userID: id, by: context.principal(), action: .twoFactorReset)
        return .redirect(to: "/admin/users/\(id.uuidString)?saved=1")
    }

    func unlock(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let id = try AdminPages.id(context)
        let user = try await users.find(id)
        try await lockouts.reset(email: user.email)
        try await audit.record(.accountUnlocked, "user", id.uuidString, by: principal)
        return .redirect(to: "/admin/users/\(id.uuidString)?saved=1")
    }
}
