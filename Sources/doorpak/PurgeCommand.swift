import ArgumentParser
import DoorpakApp
import Foundation

/// `doorpak purge [--dry-run]`: the retention purge by hand (the server also runs it daily).
struct PurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Destroy what has passed its retention period and write destruction records (--dry-run: only count)."
    )
    @OptionGroup var database: DatabaseOptions
    @Flag(help: "Count what would be destroyed; change nothing.") var dryRun = false

    func run() async throws {
        for line in try await Commands.purge(database.config(), dryRun: dryRun) { print(line) }
    }
}
