import Foundation

/// Issue #12: a factory's 100,000-DAC batch with generated keys, end to end as an operator runs it: the release
/// `matter-ca` beside this binary, a fresh home set up through the CLI on the real disk, then `dac batch --count`
/// timed from spawn to exit with the child's peak RSS, beside the peers of `../shared/bench/peers/peers.sh` run
/// in the same bench run (esp-matter-mfg-tool devices/s, django-ca stored certificates/s with a SoftHSM2 key).
enum FactoryBench {
    /// The peers' figures by name ("esp-matter-mfg-tool", "django-ca-hsm-key", ...) and what went wrong, if anything.
    struct Peers {
        var rates: [String: (rate: Double, unit: String)] = [:]
        var problem: String?

        func line(_ name: String) -> String {
            if let r = rates[name] { return String(format: "%@ %.0f %@", name as NSString, r.rate, r.unit as NSString) }
            return "\(name): no figure (\(problem ?? "peers.sh printed none"))"
        }
    }

    static var peersScript: URL {
        SharedLedgerBench.root.deletingLastPathComponent().appendingPathComponent("shared/bench/peers/peers.sh")
    }

    /// Runs peers.sh (its virtualenvs are made under `.build-peers` on the first run: minutes) and reads its
    /// `peer NAME RATE UNIT` lines.
    static func peers() -> Peers {
        var p = Peers()
        let script = peersScript
        guard FileManager.default.fileExists(atPath: script.path) else {
            p.problem = "\(script.path) is absent"
            return p
        }
        let work = SharedLedgerBench.root.appendingPathComponent(".build-peers")
        guard let r = toolRun(["bash", script.path, work.path]) else { p.problem = "peers.sh could not be started"; return p }
        for line in r.output.split(separator: "\n") {
            let f = line.split(separator: " ")
            if f.count == 4, f[0] == "peer", let rate = Double(f[2]) { p.rates[String(f[1])] = (rate, String(f[3])) }
        }
        if r.status != 0 { p.problem = "peers.sh exited with status \(r.status)" + (p.rates.isEmpty ? "" : " after \(p.rates.count) figures") }
        else if p.rates.isEmpty { p.problem = "peers.sh printed no figures" }
        return p
    }

    static func run(count: Int = 100_000) {
        print("Factory end to end (issue #12): matter-ca dac batch --count \(count) --format pem (the files esp-matter-mfg-tool reads), generated keys, a fresh home on the real disk")
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("matter-ca")
        let clock = ContinuousClock()
        let t = clock.now
        let peers = Self.peers()
        let took = clock.now - t
        print("  peers.sh (same run, \(took.components.seconds) s): " +
              ["esp-matter-mfg-tool", "django-ca-hsm-key", "django-ca-soft-key", "openssl-p256-sign"].map(peers.line).joined(separator: "; "))
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            print("  \(binary.path) is missing: build it first (swift build -c release --product matter-ca); factory e2e skipped")
            for id in ["factory-mfg", "factory-djca", "factory-rss"] { Goals.shared.missing(id, "matter-ca binary missing") }
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("matter-ca-factory-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            sync()   // what earlier work left to write back is not written during the timing
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            print(String(format: "  the output disk creates %.0f files/s (5,000 empty files, same folder; ext4 without a journal, as here, skips inodes freed in the last 1-6 minutes, so a disk that just deleted many files is several times slower for a while)",
                         creationRate(in: dir)))
            let measured = try batch(binary: binary, dir: dir, count: count)
            report(measured, count: count, peers: peers)
        } catch {
            print("  factory e2e failed: \(error)")
            for id in ["factory-mfg", "factory-djca", "factory-rss"] { Goals.shared.missing(id, "factory e2e failed") }
        }
    }

    /// A fresh home through the CLI (init, paa create, pai issue, vendor import), then the timed batch.
    static func batch(binary: URL, dir: URL, count: Int) throws -> Spawned {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var env = ProcessInfo.processInfo.environment
        // Nothing of the bench's own token or of another section's home reaches the child.
        for k in env.keys where k == "SOFTHSM2_CONF" || k.hasPrefix("MATTER_CA_") { env[k] = nil }
        env["MATTER_CA_HOME"] = dir.appendingPathComponent("home").path
        env["MATTER_CA_PIN"] = "factory-" + UUID().uuidString.prefix(12)
        env["MATTER_CA_SO_PIN"] = "factory-so-" + UUID().uuidString.prefix(12)
        func cli(_ args: [String]) throws -> Spawned {
            let r = try Spawned.run(binary.path, args, environment: env, dir: dir)
            guard r.status == 0 else {
                throw BenchFailure(description: "matter-ca \(args.prefix(2).joined(separator: " ")) exited \(r.status): \(r.errorTail)")
            }
            return r
        }
        func skid(_ r: Spawned) throws -> String {
            guard let o = try? JSONSerialization.jsonObject(with: Data(r.output.utf8)) as? [String: Any], let s = o["skid"] as? String else {
                throw BenchFailure(description: "no skid in \(r.output.prefix(200))")
            }
            return s
        }
        let setupStart = ContinuousClock.now
        _ = try cli(["init"])
        let paa = try skid(try cli(["paa", "create", "--cn", "Factory Bench PAA", "--json"]))
        let pai = try skid(try cli(["pai", "issue", "--paa", paa, "--vid", "FFF1", "--cn", "FFF1 Factory PAI", "--json"]))
        let vendors = dir.appendingPathComponent("vendors")
        try FileManager.default.createDirectory(at: vendors, withIntermediateDirectories: true)
        try "vid: FFF1\nname: Factory Bench\nproducts: [\"8000\"]\npais: [\"\(pai)\"]\n"
            .write(to: vendors.appendingPathComponent("fff1.yaml"), atomically: true, encoding: .utf8)
        _ = try cli(["vendor", "import", vendors.path])
        let setup = ContinuousClock.now - setupStart
        print(String(format: "  setup through the CLI (init, paa create, pai issue, vendor import): %.1f s", Double(setup.components.seconds) + Double(setup.components.attoseconds) / 1e18))
        let out = dir.appendingPathComponent("batch-1")
        let r = try cli(["dac", "batch", "--vendor", "FFF1", "--pid", "8000", "--pai", pai, "--count", String(count), "--out", out.path, "--format", "pem", "--json"])
        guard let o = try? JSONSerialization.jsonObject(with: Data(r.output.utf8)) as? [String: Any], o["count"] as? Int == count else {
            throw BenchFailure(description: "dac batch did not report \(count) DACs: \(r.output.prefix(200))")
        }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: out.path).count) ?? 0
        print("  output: \(files) files in \(out.path) (on \(fileSystem(of: out)))")
        return r
    }

    /// Files created per second in a fresh folder under `dir` (kept until the factory folder is removed: deleting
    /// them now would slow the batch's own file creation, see above).
    static func creationRate(in dir: URL, files: Int = 5000) -> Double {
        let probe = dir.appendingPathComponent("probe").path
        mkdir(probe, 0o700)
        let t = ContinuousClock.now
        for i in 0..<files {
            let fd = open(probe + "/\(i)", O_WRONLY | O_CREAT | O_EXCL, 0o600)
            if fd >= 0 { close(fd) }
        }
        let d = ContinuousClock.now - t
        return Double(files) / (Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
    }

    /// The file system type of the mount holding `url` (ext4, tmpfs, ...): the longest mount point of
    /// /proc/self/mounts that is a prefix of its path.
    static func fileSystem(of url: URL) -> String {
        guard let mounts = try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8) else { return "unknown file system" }
        let path = url.resolvingSymlinksInPath().path
        var best: (point: String, type: String)?
        for line in mounts.split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count >= 3 else { continue }
            let point = String(f[1])
            if path == point || path.hasPrefix(point == "/" ? "/" : point + "/"), point.count > (best?.point.count ?? -1) { best = (point, String(f[2])) }
        }
        return best.map { "\($0.type) at \($0.point)" } ?? "unknown file system"
    }

    static func report(_ r: Spawned, count: Int, peers: Peers) {
        let rate = Double(count) / r.seconds
        let rss = Double(r.maxRSSKiB) / 1024
        let note = count == 100_000 ? "" : "\(count) DACs, not 100,000"
        print(String(format: "  matter-ca dac batch, %d generated keys: %8.0f devices/s  (%.1f s spawn to exit; CPU %.1f s user, %.1f s system)  peak RSS %.1f MiB (goal <= 256)",
                     count, rate, r.seconds, r.userSeconds, r.systemSeconds, rss))
        Goals.shared.value("factory-rss", rss, note: note)
        for (id, name, goal, title) in [("factory-mfg", "esp-matter-mfg-tool", 100.0, "esp-matter-mfg-tool"),
                                        ("factory-djca", "django-ca-hsm-key", 25.0, "django-ca, SoftHSM2 key")] {
            if let peer = peers.rates[name] {
                print(String(format: "  ratio to %@ (%.0f %@): %.0fx (goal >= %.0fx)", title as NSString, peer.rate, peer.unit as NSString, rate / peer.rate, goal))
                Goals.shared.ratio(id, rate, over: peer.rate, baselineLabel: name, note: note)
            } else {
                print("  ratio to \(title): not available (\(peers.problem ?? "no \(name) figure from peers.sh")); matter-ca's own figures above")
                Goals.shared.missing(id, "\(name): \(peers.problem ?? "no figure")", figure: rate)
            }
        }
    }
}
