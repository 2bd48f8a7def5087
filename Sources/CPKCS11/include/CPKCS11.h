// matter-ca's PKCS#11 shim: loads any PKCS#11 module with dlopen and exposes the few calls matter-ca needs with
// plain C types, so that Swift never sees the Cryptoki structures.
#ifndef MATTER_CA_CPKCS11_H
#define MATTER_CA_CPKCS11_H

#include <stddef.h>

// Return values and constants used by matter-ca (values from PKCS#11 v2.40).
#define MCA_CKR_OK 0x0UL
#define MCA_CKR_ATTRIBUTE_SENSITIVE 0x11UL
#define MCA_CKR_PIN_INCORRECT 0xA0UL
#define MCA_CKR_USER_ALREADY_LOGGED_IN 0x100UL
#define MCA_CKR_CRYPTOKI_ALREADY_INITIALIZED 0x191UL
#define MCA_CKU_SO 0UL
#define MCA_CKU_USER 1UL
#define MCA_CKO_PUBLIC_KEY 2UL
#define MCA_CKO_PRIVATE_KEY 3UL
#define MCA_CKA_LABEL 0x3UL
#define MCA_CKA_VALUE 0x11UL
#define MCA_CKA_ID 0x102UL
#define MCA_CKA_SENSITIVE 0x103UL
#define MCA_CKA_EXTRACTABLE 0x162UL
#define MCA_CKA_ALWAYS_SENSITIVE 0x165UL
#define MCA_CKA_NEVER_EXTRACTABLE 0x164UL
#define MCA_CKA_EC_POINT 0x181UL
#define MCA_CKF_TOKEN_INITIALIZED 0x400UL
#define MCA_CKF_USER_PIN_INITIALIZED 0x8UL

typedef struct mca_p11 mca_p11;

/// dlopen(path) + C_GetFunctionList + C_Initialize (OS locking). NULL on failure, with the reason in `error`.
mca_p11 *mca_p11_load(const char *path, char *error, size_t error_len);
/// C_Finalize + dlclose.
void mca_p11_unload(mca_p11 *m);
/// The CKR_ name of a return value.
const char *mca_p11_rv_name(unsigned long rv);

unsigned long mca_p11_slots(mca_p11 *m, int token_present, unsigned long *slots, unsigned long *count);
/// Token label (32 bytes, space padded, not terminated) and flags.
unsigned long mca_p11_token_info(mca_p11 *m, unsigned long slot, unsigned char label[32], unsigned long *flags);
/* C_Finalize then C_Initialize: SoftHSM2 offers a new free slot only when initialised again. */
unsigned long mca_p11_reinitialize(mca_p11 *m);
/* Manufacturer, model and serial number of the token in `slot` (blank-padded, as CK_TOKEN_INFO has them). */
unsigned long mca_p11_token_identity(mca_p11 *m, unsigned long slot, unsigned char manufacturer[32], unsigned char model[16],
                                     unsigned char serial[16]);
unsigned long mca_p11_init_token(mca_p11 *m, unsigned long slot, const unsigned char *so_pin, unsigned long so_pin_len,
                                 const unsigned char label[32]);
unsigned long mca_p11_open_session(mca_p11 *m, unsigned long slot, int read_write, unsigned long *session);
unsigned long mca_p11_close_session(mca_p11 *m, unsigned long session);
unsigned long mca_p11_login(mca_p11 *m, unsigned long session, unsigned long user_type, const unsigned char *pin,
                            unsigned long pin_len);
unsigned long mca_p11_init_pin(mca_p11 *m, unsigned long session, const unsigned char *pin, unsigned long pin_len);

/// A P-256 key pair on the token: private key CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE, not CKA_EXTRACTABLE, CKA_SIGN.
unsigned long mca_p11_generate_p256(mca_p11 *m, unsigned long session, const unsigned char *id, unsigned long id_len,
                                    const char *label, unsigned long *public_key, unsigned long *private_key);
unsigned long mca_p11_set_id(mca_p11 *m, unsigned long session, unsigned long object, const unsigned char *id,
                             unsigned long id_len);
/// C_GetAttributeValue of one attribute; with buf NULL, *len receives the size.
unsigned long mca_p11_get_attribute(mca_p11 *m, unsigned long session, unsigned long object, unsigned long type,
                                    unsigned char *buf, unsigned long *len);
/// Objects of `object_class` with CKA_ID == id (id NULL: any).
unsigned long mca_p11_find(mca_p11 *m, unsigned long session, unsigned long object_class, const unsigned char *id,
                           unsigned long id_len, unsigned long *objects, unsigned long *count);
unsigned long mca_p11_destroy(mca_p11 *m, unsigned long session, unsigned long object);
/// CKM_ECDSA on a digest: raw r||s.
unsigned long mca_p11_sign_ecdsa(mca_p11 *m, unsigned long session, unsigned long key, const unsigned char *digest,
                                 unsigned long digest_len, unsigned char *signature, unsigned long *signature_len);

#endif
