import CPKCS11
import Foundation

extension PKCS11Signer {
    /// Gives both objects of this key pair the CKA_ID `newID` and returns the signer found under it. The authority
    /// finds a CA key by CKA_ID == the certificate's SKID; a certificate issued elsewhere (a PAI signed by an
    /// external PAA) may carry an SKID other than the one the key was generated with.
    public func changingKeyID(to newID: [UInt8]) throws -> PKCS11Signer {
        guard newID != keyID else { return self }
        try pool.withSession { s in
            let taken = try pool.module.find(session: s, objectClass: MCA_CKO_PRIVATE_KEY, id: newID)
                + pool.module.find(session: s, objectClass: MCA_CKO_PUBLIC_KEY, id: newID)
            guard taken.isEmpty else { throw PKCS11KeyIDError.idTaken(newID.map { String(format: "%02X", $0) }.joined()) }
            let objects = try pool.module.find(session: s, objectClass: MCA_CKO_PRIVATE_KEY, id: keyID)
                + pool.module.find(session: s, objectClass: MCA_CKO_PUBLIC_KEY, id: keyID)
            guard objects.count == 2 else { throw PKCS11LoadError.keyNotFound(id: keyID.map { String(format: "%02X", $0) }.joined()) }
            var changed: [UInt] = []
            do {
                for o in objects {
                    try PKCS11Error.check(mca_p11_set_id(pool.module.handle, s, o, newID, UInt(newID.count)), "C_SetAttributeValue(CKA_ID)")
                    changed.append(o)
                }
            } catch {
                // Never leave the pair split between two IDs.
                for o in changed { _ = mca_p11_set_id(pool.module.handle, s, o, keyID, UInt(keyID.count)) }
                throw error
            }
        }
        return try PKCS11Signer(pool: pool, keyID: newID)
    }
}

public enum PKCS11KeyIDError: Error, CustomStringConvertible, Equatable {
    case idTaken(String)
    public var description: String {
        switch self {
        case .idTaken(let id): return "another key on the token already has CKA_ID \(id)"
        }
    }
}
