@testable import Authority
import Foundation
import Ledger
import Testing
import TestSupport

/// How matter-ca writes what it delivers: never through a planted link, never wider than asked, quoted as CSV
/// readers expect, and never silent about plaintext keys left behind.
@Suite struct OutputFileTests {
    @Test func aPlantedSymlinkIsNeverFollowed() throws {
        let dir = try CLI.tempDirectory("symlink")
        let victim = dir.appendingPathComponent("victim")
        try Data("precious".utf8).write(to: victim)
        let key = dir.appendingPathComponent("dac-key-01.pem")
        try FileManager.default.createSymbolicLink(atPath: key.path, withDestinationPath: victim.path)
        try FileOutput.write(Data("secret".utf8), to: key, mode: 0o600)
        #expect(try String(contentsOf: victim, encoding: .utf8) == "precious")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: key.path)) == nil, "the link itself was replaced")
        #expect(try String(contentsOf: key, encoding: .utf8) == "secret")
    }

    @Test func aLeftoverPartialDoesNotLendItsMode() throws {
        let dir = try CLI.tempDirectory("partial")
        let key = dir.appendingPathComponent("dac-key-02.pem")
        FileManager.default.createFile(atPath: key.path + ".partial", contents: Data("old".utf8), attributes: [.posixPermissions: 0o644])
        let old = umask(0)
        defer { umask(old) }
        try FileOutput.write(Data("secret".utf8), to: key, mode: 0o600)
        #expect((try FileManager.default.attributesOfItem(atPath: key.path)[.posixPermissions] as? Int) == 0o600)
        #expect(try String(contentsOf: key.deletingLastPathComponent().appendingPathComponent("dac-key-02.pem.partial"), encoding: .utf8) == "old",
                "a partial file of another writer is neither reused nor followed")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".partial-") }.isEmpty)
    }

    /// A batch's partial files are made in `.partial` (0700) beside the output and renamed out of it: the final
    /// name gets the whole file with its mode, the folder is left empty and then removed; a planted link in its
    /// place is refused, never followed.
    @Test func partialFilesLiveInAFolderOfTheirOwn() throws {
        let dir = try CLI.tempDirectory("partials")
        let partials = try FileOutput.partialDirectory(in: dir.path)
        #expect(partials == dir.path + "/.partial")
        #expect((try FileManager.default.attributesOfItem(atPath: partials)[.posixPermissions] as? Int) == 0o700)
        let old = umask(0)
        defer { umask(old) }
        try FileOutput.write(Data("secret".utf8), toPath: dir.path + "/dac-key-03.pem", mode: 0o600, partials: partials)
        #expect(try String(contentsOfFile: dir.path + "/dac-key-03.pem", encoding: .utf8) == "secret")
        #expect((try FileManager.default.attributesOfItem(atPath: dir.path + "/dac-key-03.pem")[.posixPermissions] as? Int) == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: partials).isEmpty)
        // A dead writer's leftover goes; a live writer's (pid 1 always runs) stays, and so does the folder.
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        try dead.run(); dead.waitUntilExit()
        FileManager.default.createFile(atPath: partials + "/dac-04.pem.\(dead.processIdentifier)-1", contents: Data("torn".utf8))
        FileManager.default.createFile(atPath: partials + "/dac-05.pem.1-1", contents: Data("in flight".utf8))
        FileOutput.removePartials(in: dir.path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: partials) == ["dac-05.pem.1-1"])
        try FileManager.default.removeItem(atPath: partials + "/dac-05.pem.1-1")
        FileOutput.removePartials(in: dir.path)
        #expect(!FileManager.default.fileExists(atPath: partials))

        let victim = try CLI.tempDirectory("partials-victim")
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/.partial", withDestinationPath: victim.path)
        #expect(throws: (any Error).self) { try FileOutput.partialDirectory(in: dir.path) }
        do { _ = try FileOutput.partialDirectory(in: dir.path) } catch {
            #expect("\(error)" == "\(dir.path)/.partial is not a directory of this user: remove it")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: victim.path).isEmpty)
    }

    /// manifest.json is built item by item (a whole-document encoding held every item's fields at once): it must be
    /// the document JSONEncoder makes of the whole, byte for byte, odd characters, absent keys and no items included.
    @Test(arguments: [0, 1, 3]) func theStreamedManifestIsTheEncodersDocument(count: Int) throws {
        let batch = BatchRecord(id: "B-\u{1}\"/x", idempotencyKey: "order \"7\" é\n", vid: 0xFFF1, pid: 0x8000, paiSKID: "AB12", kind: "csr", count: count,
                                requestSHA256: "", status: "completed", createdAt: Date(), completedAt: nil)
        let items = (0..<count).map { i in
            ManifestItem(index: i, serial: "0\(i)A", vid: "FFF1", pid: "8000", skid: "CD\(i)", sha256: "ef", csrFile: i == 1 ? nil : i == 2 ? "lot 7/dévice.csr" : "dev,\"ice\"\t\(i).csr",
                         certificate: "dac-0\(i)A.pem", key: i == 2 ? nil : "dac-key-0\(i)A.pem")
        }
        struct Manifest: Encodable { let batch, idempotencyKey, pai: String; let count: Int; let items: [ManifestItem] }
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        let whole = try enc.encode(Manifest(batch: batch.id, idempotencyKey: batch.idempotencyKey, pai: batch.paiSKID, count: count, items: items))
        let streamed = Data(try BatchManifest.json(items, batch: batch))
        #expect(streamed == whole, "\(String(decoding: streamed, as: UTF8.self))\n---\n\(String(decoding: whole, as: UTF8.self))")
    }

    @Test func manifestFieldsAreQuotedAsRFC4180Says() {
        #expect(BatchManifest.csvField("device-1.csr") == "device-1.csr")
        #expect(BatchManifest.csvField("dev,ice.csr") == "\"dev,ice.csr\"")
        #expect(BatchManifest.csvField("a\"b") == "\"a\"\"b\"")
        #expect(BatchManifest.csvField("line\nbreak") == "\"line\nbreak\"")
    }

    @Test(.enabled(if: Mounts.available, Mounts.unavailable)) func aStagingFolderThatCannotBeRemovedIsReported() throws {
        let disk = try Mounts.tmpfs(size: "64k")
        defer { Mounts.unmount(disk) }
        let staging = disk.appendingPathComponent(".staging-B")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        try Data("-----BEGIN PRIVATE KEY-----".utf8).write(to: staging.appendingPathComponent("item-0.pem"))
        #expect(try CLI.exec("mount", ["-o", "remount,ro", disk.path]).status == 0)
        let message = BatchOutput.removeStaging(staging)
        #expect(message == "\(staging.path) (plaintext factory keys) could not be removed: Read-only file system; remove it by hand", "\(message ?? "nil")")
    }
}
