import HummingbirdTesting
import Testing
@testable import DoorpakApp
@Test func smoke() { #expect(true) }
