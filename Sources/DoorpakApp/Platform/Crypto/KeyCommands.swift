import Foundation

extension Commands {
    /// `doorpak keys rotate`: adds a new key to the key file, makes it current and re-encrypts
    /// every encrypted column. With keys from `DOORPAK_DATA_KEYS` it cannot write the keys: it
    /// prints the new keyring to deploy first, and `keys reencrypt` then finishes the job.
    public static func rotateKeys(_ config: AppConfig) async throws -> String {
        switch config.keys {
        case .file(let path, _):
            let keyring: Keyring
            if FileManager.default.fileExists(atPath: path) {
                keyring = try KeySource.file(path: path, createIfMissing: false).load().addingKey()
            } else {
                keyring = .generate()
            }
            try KeySource.write(keyring, to: path)
            let outcome = try await reencrypt(config, keyring: keyring)
            return "Key \(keyring.current) is now current in \(path). " + describe(outcome)
        case .environment(let json):
            let next = try Keyring(json: Data(json.utf8)).addingKey()
            return """
                The keys come from DOORPAK_DATA_KEYS, which this command cannot change. Deploy this value to every \
                instance, restart them, then run `doorpak keys reencrypt`:
                \(String(decoding: next.json(), as: UTF8.self))
                """
        case .unconfigured:
            throw KeyringError.missing("set DOORPAK_DATA_KEYS or pass --key-file.")
        }
    }

    /// `doorpak keys reencrypt`: re-encrypts whatever is not yet under the current key (resumes an
    /// interrupted rotation; safe to run any time).
    public static func reencryptKeys(_ config: AppConfig) async throws -> String {
        describe(try await reencrypt(config, keyring: config.keys.load()))
    }

    private static func reencrypt(_ config: AppConfig, keyring: Keyring) async throws -> (rows: KeyRotation.Outcome, files: KeyRotation.Outcome) {
        try await AppDatabase.with(config) { database in
            try await database.migrate()
            let cipher = FieldCipher(keyring: keyring)
            let rows = try await KeyRotation(cipher: cipher, database: database).reencrypt()
            // Attachment files, sealed with the same keys, are re-sealed too.
            return (rows, try await AttachmentStore.resealFiles(cipher: cipher, database: database))
        }
    }

    private static func describe(_ outcome: (rows: KeyRotation.Outcome, files: KeyRotation.Outcome)) -> String {
        let (rows, files) = outcome
        var text = "Re-encrypted \(rows.rewritten) rows" + (rows.failed > 0 ? "; \(rows.failed) rows could not be opened and were left as they are." : ".")
        if files.rewritten > 0 { text += " Re-sealed \(files.rewritten) attachment files." }
        if files.failed > 0 { text += " \(files.failed) attachment files could not be opened and were left as they are." }
        return text
    }
}
