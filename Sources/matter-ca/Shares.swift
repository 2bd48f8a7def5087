import ArgumentParser
import Authority
import Custody
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `--share FILE`, once per custodian present, for commands that may use a PAA key on the root token. Without it,
/// the shares are typed at the terminal (not echoed). Never an environment variable and never argv: a share is
/// a secret like a PIN.
struct CustodyOptions: ParsableArguments {
    @Option(name: .customLong("share"), help: ArgumentHelp("A custodian's share file, once per custodian present (a home with custodians; otherwise typed at the terminal).", valueName: "file"))
    var shareFiles: [String] = []
}

enum ShareInput {
    /// Where the shares come from for this command: the files given, else the terminal, else nowhere (the authority
    /// then refuses precisely when a PAA key is needed).
    static func source(files: [String]) -> ShareSource? {
        if !files.isEmpty { return { _ in try read(files) } }
        guard isatty(STDIN_FILENO) == 1 else { return nil }
        return { custody in try prompt(custody) }
    }

    static func read(_ files: [String]) throws -> [Share] {
        try files.enumerated().map { i, path in
            guard let data = FileManager.default.contents(atPath: path) else { throw CLIExit.unreadable("share file \(path): cannot read") }
            do { return try Share(encoded: String(decoding: data, as: UTF8.self), position: i + 1) } catch {
                throw CLIExit.refused("share file \(path): \(error)")
            }
        }
    }

    /// Asks for the quorum's shares one by one without echo; a mistyped share is named and asked again.
    static func prompt(_ custody: CustodySettings) throws -> [Share] {
        let tty = FileHandle.standardError
        tty.write(Data("The root token needs \(custody.quorum) of the \(custody.custodians.count) custodians' shares (\(custody.custodians.joined(separator: ", "))).\n".utf8))
        var shares: [Share] = []
        while shares.count < custody.quorum {
            let n = shares.count + 1
            guard var typed = Secrets.typedHidden("Custodian share \(n) of \(custody.quorum): ") else {
                throw CLIExit.unreadable("no terminal to read the share from")
            }
            defer { wipe(&typed) }
            if typed.isEmpty { throw CLIExit.refused("no share given; nothing was done") }
            do { shares.append(try Share(encoded: String(decoding: typed, as: UTF8.self), position: n)) } catch {
                tty.write(Data("\(error) Type it again.\n".utf8))
            }
        }
        return shares
    }

    /// `init --custodians N`: the shares leave the process once, one per custodian: into its own file (no two in
    /// one folder, none in the home), or on the terminal one custodian at a time with the screen cleared between.
    static func deliver(_ shares: [Share], ids: [String], files: [String]) throws {
        if !files.isEmpty {
            var written: [String] = []
            do {
                for (share, path) in zip(shares, files) {
                    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
                    guard fd >= 0 else { throw CLIExit.refused("share file \(path): \(String(cString: strerror(errno)))") }
                    written.append(path)
                    let text = Array((share.encoded + "\n").utf8)
                    let ok = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == text.count && fsync(fd) == 0
                    close(fd)
                    guard ok else { throw CLIExit.refused("share file \(path): could not be written") }
                }
            } catch {
                for p in written { unlink(p) }
                throw error
            }
            return
        }
        guard let tty = fopen("/dev/tty", "r+") else { throw CLIExit.unreadable("no terminal to show the shares on; give --share-file once per custodian") }
        defer { fclose(tty) }
        func show(_ s: String) { fputs(s, tty); fflush(tty) }
        func waitEnter() { var line = [CChar](repeating: 0, count: 256); _ = fgets(&line, 256, tty) }
        for (i, (share, id)) in zip(shares, ids).enumerated() {
            show("Custodian \(id) (share \(i + 1) of \(shares.count)): make sure only \(id) can see this screen, then press Enter.\n")
            waitEnter()
            show("\n  \(share.encoded)\n\nWrite it down or store it now: it is shown once and kept nowhere. Press Enter to clear the screen.\n")
            waitEnter()
            show("\u{1B}[2J\u{1B}[3J\u{1B}[H")
        }
    }

    /// The share files of `init`, judged before anything is made.
    static func checkDestinations(_ files: [String], custodians: Int, home: URL) throws {
        guard files.isEmpty || files.count == custodians else {
            throw CLIExit.unreadable("--share-file must be given once per custodian (\(custodians)), or not at all to show each share on the terminal")
        }
        if files.isEmpty, isatty(STDIN_FILENO) != 1 { throw CLIExit.unreadable("no terminal to show the shares on: give --share-file once per custodian") }
        var folders = Set<String>()
        for f in files {
            let url = URL(fileURLWithPath: f).standardizedFileURL
            let folder = url.deletingLastPathComponent().path
            guard !FileManager.default.fileExists(atPath: url.path) else { throw CLIExit.refused("share file \(f) exists already; a share is never written over a file") }
            guard folders.insert(folder).inserted else {
                throw CLIExit.unreadable("two share files in \(folder): each custodian's share goes to a place of its own, never together")
            }
            guard !url.path.hasPrefix(home.path + "/") else { throw CLIExit.unreadable("share file \(f) is inside the authority's home: shares are kept by the custodians, not the authority") }
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else { throw CLIExit.unreadable("share file \(f): folder \(folder) does not exist") }
        }
    }
}
