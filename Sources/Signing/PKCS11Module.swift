import CPKCS11
import Crypto
import Foundation

/// A PKCS#11 failure: which call, and the module's CKR_ code.
public struct PKCS11Error: Error, CustomStringConvertible, Equatable {
    public let operation: String
    public let rv: UInt
    public init(operation: String, rv: UInt) { self.operation = operation; self.rv = rv }
    public var name: String { String(cString: mca_p11_rv_name(rv)) }
    public var description: String { "\(operation) failed: \(name)" }
    public static func check(_ rv: UInt, _ operation: String) throws {
        guard rv == MCA_CKR_OK else { throw PKCS11Error(operation: operation, rv: rv) }
    }
}

public enum PKCS11LoadError: Error, CustomStringConvertible {
    case cannotLoad(String)
    case tokenNotFound(label: String)
    case tokenNotInitialized(label: String)
    case noFreeSlot
    case keyNotFound(id: String)
    public var description: String {
        switch self {
        case .cannotLoad(let r): return r
        case .tokenNotFound(let l): return "no PKCS#11 token labelled \"\(l)\""
        case .tokenNotInitialized(let l): return "the token \"\(l)\" is not initialised (run matter-ca init)"
        case .noFreeSlot: return "the PKCS#11 module has no free slot for a new token"
        case .keyNotFound(let id): return "no private key with CKA_ID \(id) on the token"
        }
    }
}

/// A loaded PKCS#11 module (dlopen), shared by everything in the process: Cryptoki is initialised once.
public final class PKCS11Module: @unchecked Sendable {
    let handle: OpaquePointer
    public let path: String

    /// Debian's SoftHSM2 module: matter-ca's embedded default token.
    public static let softHSM2Path = "/usr/lib/softhsm/libsofthsm2.so"
    /// `--pkcs11-module`, else `MATTER_CA_PKCS11_MODULE`, else SoftHSM2.
    public static func defaultPath(explicit: String? = nil) -> String {
        explicit ?? ProcessInfo.processInfo.environment["MATTER_CA_PKCS11_MODULE"] ?? softHSM2Path
    }

    /// One instance per module path for the whole process: Cryptoki is initialised once, and finalising it while
    /// another user still holds sessions would break them.
    public static func load(path: String) throws -> PKCS11Module {
        try registry.withLock { modules in
            if let m = modules[path] { return m }
            let m = try PKCS11Module(path: path)
            modules[path] = m
            return m
        }
    }

    private static let registry = LockedModules()

    private init(path: String) throws {
        var error = [CChar](repeating: 0, count: 512)
        guard let h = mca_p11_load(path, &error, error.count) else {
            throw PKCS11LoadError.cannotLoad(String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        handle = h
        self.path = path
    }

    deinit { mca_p11_unload(handle) }

    public struct Slot { public let id: UInt; public let label: String; public let initialized: Bool }

    public func slots() throws -> [Slot] {
        var ids = [UInt](repeating: 0, count: 64)
        var count = UInt(ids.count)
        try PKCS11Error.check(mca_p11_slots(handle, 1, &ids, &count), "C_GetSlotList")
        return try ids.prefix(Int(count)).map { id in
            var label = [UInt8](repeating: 0, count: 32)
            var flags: UInt = 0
            try PKCS11Error.check(mca_p11_token_info(handle, id, &label, &flags), "C_GetTokenInfo")
            let text = String(decoding: label, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            return Slot(id: id, label: text, initialized: flags & MCA_CKF_TOKEN_INITIALIZED != 0)
        }
    }

    /// Finalises and initialises Cryptoki again, so that a module that creates its free slot at initialisation
    /// (SoftHSM2) offers another one. Every session of the process is closed by it: only `init` calls it, before
    /// any pool is open.
    public func rescanSlots() throws {
        try PKCS11Error.check(mca_p11_reinitialize(handle), "C_Initialize")
    }

    /// What identifies a token to an auditor: manufacturer, model and serial number (CK_TOKEN_INFO).
    public struct TokenIdentity: Sendable, Codable, Equatable { public let label, manufacturer, model, serial: String }

    public func identity(label: String) throws -> TokenIdentity {
        var manufacturer = [UInt8](repeating: 0, count: 32), model = [UInt8](repeating: 0, count: 16), serial = [UInt8](repeating: 0, count: 16)
        try PKCS11Error.check(mca_p11_token_identity(handle, try slot(label: label), &manufacturer, &model, &serial), "C_GetTokenInfo")
        let text = { (b: [UInt8]) in String(decoding: b, as: UTF8.self).trimmingCharacters(in: .whitespaces.union(.controlCharacters)) }
        return TokenIdentity(label: label, manufacturer: text(manufacturer), model: text(model), serial: text(serial))
    }

    public func slot(label: String) throws -> UInt {
        guard let s = try slots().first(where: { $0.initialized && $0.label == label }) else { throw PKCS11LoadError.tokenNotFound(label: label) }
        return s.id
    }

    /// Initialises a token in the first free slot (C_InitToken with the SO PIN, then C_InitPIN for the user PIN).
    public func initializeToken(label: String, soPIN: [UInt8], userPIN: [UInt8]) throws -> UInt {
        guard let free = try slots().first(where: { !$0.initialized }) else { throw PKCS11LoadError.noFreeSlot }
        var padded = [UInt8](repeating: 0x20, count: 32)
        for (i, b) in label.utf8.prefix(32).enumerated() { padded[i] = b }
        try PKCS11Error.check(mca_p11_init_token(handle, free.id, soPIN, UInt(soPIN.count), padded), "C_InitToken")
        let slot = try self.slot(label: label)
        let s = try openSession(slot: slot, readWrite: true)
        defer { _ = mca_p11_close_session(handle, s) }
        try PKCS11Error.check(mca_p11_login(handle, s, MCA_CKU_SO, soPIN, UInt(soPIN.count)), "C_Login(SO)")
        try PKCS11Error.check(mca_p11_init_pin(handle, s, userPIN, UInt(userPIN.count)), "C_InitPIN")
        return slot
    }

    func openSession(slot: UInt, readWrite: Bool) throws -> UInt {
        var s: UInt = 0
        try PKCS11Error.check(mca_p11_open_session(handle, slot, readWrite ? 1 : 0, &s), "C_OpenSession")
        return s
    }

    func closeSession(_ s: UInt) { _ = mca_p11_close_session(handle, s) }

    func login(session: UInt, pin: [UInt8]) throws {
        let rv = mca_p11_login(handle, session, MCA_CKU_USER, pin, UInt(pin.count))
        guard rv == MCA_CKR_OK || rv == MCA_CKR_USER_ALREADY_LOGGED_IN else { throw PKCS11Error(operation: "C_Login", rv: rv) }
    }

    func attribute(session: UInt, object: UInt, type: UInt) throws -> [UInt8] {
        var len: UInt = 0
        try PKCS11Error.check(mca_p11_get_attribute(handle, session, object, type, nil, &len), "C_GetAttributeValue")
        var buf = [UInt8](repeating: 0, count: Int(len))
        try PKCS11Error.check(mca_p11_get_attribute(handle, session, object, type, &buf, &len), "C_GetAttributeValue")
        return Array(buf.prefix(Int(len)))
    }

    func find(session: UInt, objectClass: UInt, id: [UInt8]?) throws -> [UInt] {
        var objects = [UInt](repeating: 0, count: 16)
        var count = UInt(objects.count)
        let rv = id.map { i in mca_p11_find(handle, session, objectClass, i, UInt(i.count), &objects, &count) }
            ?? mca_p11_find(handle, session, objectClass, nil, 0, &objects, &count)
        try PKCS11Error.check(rv, "C_FindObjects")
        return Array(objects.prefix(Int(count)))
    }
}

final class LockedModules: @unchecked Sendable {
    private let lock = NSLock()
    private var modules: [String: PKCS11Module] = [:]
    func withLock<T>(_ body: (inout [String: PKCS11Module]) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&modules)
    }
}
