import Foundation
import Testing
import TestSupport
@testable import Authority
import Custody

/// The ceremony as people run it, on a real terminal (tmux): shares shown one custodian at a time at init and typed
/// without echo later, each step confirmed by typing "yes"; a "no" at any point, or a kill, leaves nothing made.
@Suite(.enabled(if: TestHome.softHSMAvailable && TmuxSession.available, TmuxSession.missing)) struct CeremonyTerminalTests {
    static let script = """
        ceremony: Terminal ceremony
        roles: { administrator: alice, witness: carol }
        steps:
          - { make: paa, name: Terminal PAA }
          - { make: pai, name: Terminal PAI, paa: Terminal PAA, vid: FFF1 }
          - { make: crl-signer, name: Terminal CRL signer, ca: Terminal PAA }

        """
    /// The questions of a run of `script`, in order.
    static let questions = ["Administrator alice present?", "Witness carol present?", "Step 1 of 3", "Step 2 of 3", "Step 3 of 3", "Commit the ceremony"]

    func run(_ c: CustodyHome, _ script: String, typedShares: [Int]? = nil) throws -> TmuxSession {
        var env = c.home.environment
        env.removeValue(forKey: "MATTER_CA_SO_PIN")
        let shares = typedShares == nil ? c.shareArguments([0, 1]).map { "'\($0)'" }.joined(separator: " ") : ""
        return try TmuxSession("\(CLI.binary.path) ceremony run '\(script)' \(shares)", environment: env)
    }

    @Test func aNoAtAnyQuestionOrAKillLeavesTheTokenAndTheLedgerAsBefore() throws {
        let c = try CustodyHome(custodians: 3, quorum: 2)
        let script = try CeremonyScriptTests.write(Self.script)
        let before = try c.state()
        for refused in Self.questions.indices {
            let t = try run(c, script)
            for (i, q) in Self.questions.enumerated() where i <= refused {
                try t.waitFor(q)
                try t.type(i == refused ? "no" : "yes")
            }
            #expect(try t.exitStatus() == 1)
            let screen = try t.screen()
            #expect(screen.contains("ceremony aborted"), "\(screen)")
            #expect(try c.state() == before, "after a no at \"\(Self.questions[refused])\"")
        }
        // Killed at step 3 after two keys were made: they stay in the token until the next run, which destroys them
        // (their journal says they were never committed) before it asks anything else.
        let t = try run(c, script)
        for q in Self.questions.prefix(4) { try t.waitFor(q); try t.type("yes") }
        try t.waitFor("Step 3 of 3")
        #expect(try c.tokenObjects().values.reduce(0, +) == 6, "checkpoint, PAA and PAI key pairs")
        let pid = try #require(try t.pid(of: "matter-ca"))
        kill(pid, SIGKILL)
        _ = try t.exitStatus()
        let doctor = try c.home.run(["doctor"])
        #expect(doctor.status == 1 && doctor.stdout.contains("interrupted ceremony run(s) left uncommitted keys"), "\(doctor.output)")
        let next = try run(c, script)
        for q in Self.questions.prefix(2) { try next.waitFor(q); try next.type("yes") }
        try next.waitFor("Step 1 of 3")
        #expect(try next.screen().contains("of an interrupted ceremony (never committed)"))
        try next.type("no")
        #expect(try next.exitStatus() == 1)
        #expect(try c.state() == before)
    }

    @Test func theWholeCeremonyInteractivelyWithSharesShownOnceAndTypedUnseen() throws {
        // init: each custodian sees their share alone, and the screen is wiped (scrollback too) before the next.
        let home = try TestHome(initialise: false)
        var env = home.environment
        let initRun = try TmuxSession("\(CLI.binary.path) init --custodians 3 --quorum 2 --custodian-ids ann,bob,cy", environment: env)
        var shares: [String] = []
        for id in ["ann", "bob", "cy"] {
            try initRun.waitFor("Custodian \(id) (share")
            #expect(!(try initRun.screen(history: true)).contains("mca-share-v1"), "nothing of an earlier share is left to read")
            try initRun.type("")
            let s = try initRun.waitFor("Press Enter to clear the screen")
            let line = try #require(s.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.hasPrefix("mca-share-v1-") })
            shares.append(line)
            try initRun.type("")
        }
        #expect(try initRun.exitStatus() == 0)
        #expect(Set(shares).count == 3)
        #expect(!(try initRun.screen(history: true)).contains("mca-share-v1"))

        // The ceremony: shares typed at the terminal (not echoed), each question answered.
        let script = try CeremonyScriptTests.write(Self.script)
        env.removeValue(forKey: "MATTER_CA_SO_PIN")
        let t = try TmuxSession("\(CLI.binary.path) ceremony run '\(script)'", environment: env)
        for q in Self.questions.prefix(2) { try t.waitFor(q); try t.type("yes") }
        try t.waitFor("Custodian share 1 of 2")
        // One digit of the payload mistyped.
        var mistyped = Array(shares[2])
        mistyped[60] = mistyped[60] == "a" ? "b" : "a"
        try t.type(String(mistyped))
        try t.waitFor("fails its check code")
        try t.type(shares[2])
        try t.waitFor("Custodian share 2 of 2")
        try t.type(shares[0])
        try t.waitFor("opened by custodians ann, cy")
        for q in Self.questions.dropFirst(2).dropLast() { try t.waitFor(q); try t.type("yes") }
        try t.waitFor("Commit the ceremony")
        // While it waits, with the root token open: no share, PIN or rebuilt secret in its environment or argv.
        let pid = try #require(try t.pid(of: "matter-ca"))
        var secret = try SecretSharing.combine([shares[0], shares[1]])
        let pins = RootSecret.pins(from: secret)
        wipe(&secret)
        let secrets = shares + [String(decoding: pins.user, as: UTF8.self), String(decoding: pins.so, as: UTF8.self), home.pin]
        for file in ["environ", "cmdline"] {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/\(file)"))
            #expect(!bytes.isEmpty)
            for s in secrets { #expect(bytes.range(of: Data(s.utf8)) == nil, "/proc/\(pid)/\(file) holds a secret") }
        }
        try t.type("yes")
        #expect(try t.exitStatus() == 0)
        let screen = try t.screen(history: true)
        #expect(screen.contains("committed"))
        for s in secrets { #expect(!screen.contains(s), "the terminal shows a secret") }
        try CeremonyScriptTests.expectNoSecretIn(home.root, secrets)
        let transcript = try #require(screen.split(separator: " ").first { $0.hasSuffix(".json") }.map(String.init))
        let v = try home.run(["ceremony", "verify", transcript])
        #expect(v.status == 0, "\(v.output)")
        let body = try JSONDecoder().decode(CeremonyTranscript.self, from: Data(contentsOf: URL(fileURLWithPath: transcript))).body
        #expect(body.roles.custodians == ["ann", "cy"] && body.steps.allSatisfy { $0.confirmedBy == "alice" })
    }
}
