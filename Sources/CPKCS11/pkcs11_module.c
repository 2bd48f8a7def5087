// The PKCS#11 header comes from Debian's libp11-kit-dev (p11-kit's public-domain pkcs11.h).
#include <p11-kit/pkcs11.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "CPKCS11.h"

struct mca_p11 {
    void *handle;
    CK_FUNCTION_LIST_PTR f;
};

mca_p11 *mca_p11_load(const char *path, char *error, size_t error_len) {
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(error, error_len, "cannot load PKCS#11 module %s: %s", path, dlerror());
        return NULL;
    }
    CK_C_GetFunctionList get = (CK_C_GetFunctionList)dlsym(h, "C_GetFunctionList");
    CK_FUNCTION_LIST_PTR f = NULL;
    if (!get || get(&f) != CKR_OK || !f) {
        snprintf(error, error_len, "%s is not a PKCS#11 module (no C_GetFunctionList)", path);
        dlclose(h);
        return NULL;
    }
    CK_C_INITIALIZE_ARGS args;
    memset(&args, 0, sizeof args);
    args.flags = CKF_OS_LOCKING_OK;
    CK_RV rv = f->C_Initialize(&args);
    if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
        snprintf(error, error_len, "C_Initialize failed: %s", mca_p11_rv_name(rv));
        dlclose(h);
        return NULL;
    }
    mca_p11 *m = calloc(1, sizeof *m);
    m->handle = h;
    m->f = f;
    return m;
}

unsigned long mca_p11_reinitialize(mca_p11 *m) {
    m->f->C_Finalize(NULL);
    CK_C_INITIALIZE_ARGS args;
    memset(&args, 0, sizeof args);
    args.flags = CKF_OS_LOCKING_OK;
    return m->f->C_Initialize(&args);
}

void mca_p11_unload(mca_p11 *m) {
    if (!m) return;
    m->f->C_Finalize(NULL);
    dlclose(m->handle);
    free(m);
}

const char *mca_p11_rv_name(unsigned long rv) {
    switch (rv) {
    case CKR_OK: return "CKR_OK";
    case CKR_HOST_MEMORY: return "CKR_HOST_MEMORY";
    case CKR_SLOT_ID_INVALID: return "CKR_SLOT_ID_INVALID";
    case CKR_GENERAL_ERROR: return "CKR_GENERAL_ERROR";
    case CKR_FUNCTION_FAILED: return "CKR_FUNCTION_FAILED";
    case CKR_ARGUMENTS_BAD: return "CKR_ARGUMENTS_BAD";
    case CKR_ATTRIBUTE_READ_ONLY: return "CKR_ATTRIBUTE_READ_ONLY";
    case CKR_ATTRIBUTE_SENSITIVE: return "CKR_ATTRIBUTE_SENSITIVE";
    case CKR_ATTRIBUTE_TYPE_INVALID: return "CKR_ATTRIBUTE_TYPE_INVALID";
    case CKR_ATTRIBUTE_VALUE_INVALID: return "CKR_ATTRIBUTE_VALUE_INVALID";
    case CKR_DEVICE_ERROR: return "CKR_DEVICE_ERROR";
    case CKR_KEY_HANDLE_INVALID: return "CKR_KEY_HANDLE_INVALID";
    case CKR_MECHANISM_INVALID: return "CKR_MECHANISM_INVALID";
    case CKR_OBJECT_HANDLE_INVALID: return "CKR_OBJECT_HANDLE_INVALID";
    case CKR_OPERATION_ACTIVE: return "CKR_OPERATION_ACTIVE";
    case CKR_PIN_INCORRECT: return "CKR_PIN_INCORRECT";
    case CKR_PIN_INVALID: return "CKR_PIN_INVALID";
    case CKR_PIN_LEN_RANGE: return "CKR_PIN_LEN_RANGE";
    case CKR_PIN_LOCKED: return "CKR_PIN_LOCKED";
    case CKR_SESSION_COUNT: return "CKR_SESSION_COUNT";
    case CKR_SESSION_HANDLE_INVALID: return "CKR_SESSION_HANDLE_INVALID";
    case CKR_SESSION_READ_ONLY: return "CKR_SESSION_READ_ONLY";
    case CKR_TEMPLATE_INCOMPLETE: return "CKR_TEMPLATE_INCOMPLETE";
    case CKR_TEMPLATE_INCONSISTENT: return "CKR_TEMPLATE_INCONSISTENT";
    case CKR_TOKEN_NOT_PRESENT: return "CKR_TOKEN_NOT_PRESENT";
    case CKR_TOKEN_NOT_RECOGNIZED: return "CKR_TOKEN_NOT_RECOGNIZED";
    case CKR_USER_ALREADY_LOGGED_IN: return "CKR_USER_ALREADY_LOGGED_IN";
    case CKR_USER_NOT_LOGGED_IN: return "CKR_USER_NOT_LOGGED_IN";
    case CKR_USER_PIN_NOT_INITIALIZED: return "CKR_USER_PIN_NOT_INITIALIZED";
    case CKR_USER_TYPE_INVALID: return "CKR_USER_TYPE_INVALID";
    case CKR_CRYPTOKI_NOT_INITIALIZED: return "CKR_CRYPTOKI_NOT_INITIALIZED";
    case CKR_CRYPTOKI_ALREADY_INITIALIZED: return "CKR_CRYPTOKI_ALREADY_INITIALIZED";
    case CKR_BUFFER_TOO_SMALL: return "CKR_BUFFER_TOO_SMALL";
    default: return "CKR_(other)";
    }
}

unsigned long mca_p11_slots(mca_p11 *m, int token_present, unsigned long *slots, unsigned long *count) {
    CK_ULONG n = *count;
    CK_RV rv = m->f->C_GetSlotList(token_present ? CK_TRUE : CK_FALSE, (CK_SLOT_ID_PTR)slots, &n);
    *count = n;
    return rv;
}

unsigned long mca_p11_token_info(mca_p11 *m, unsigned long slot, unsigned char label[32], unsigned long *flags) {
    CK_TOKEN_INFO info;
    CK_RV rv = m->f->C_GetTokenInfo(slot, &info);
    if (rv == CKR_OK) {
        memcpy(label, info.label, 32);
        *flags = info.flags;
    }
    return rv;
}

unsigned long mca_p11_token_identity(mca_p11 *m, unsigned long slot, unsigned char manufacturer[32], unsigned char model[16],
                                     unsigned char serial[16]) {
    CK_TOKEN_INFO info;
    CK_RV rv = m->f->C_GetTokenInfo(slot, &info);
    if (rv == CKR_OK) {
        memcpy(manufacturer, info.manufacturerID, 32);
        memcpy(model, info.model, 16);
        memcpy(serial, info.serialNumber, 16);
    }
    return rv;
}

unsigned long mca_p11_init_token(mca_p11 *m, unsigned long slot, const unsigned char *so_pin, unsigned long so_pin_len,
                                 const unsigned char label[32]) {
    return m->f->C_InitToken(slot, (CK_UTF8CHAR_PTR)so_pin, so_pin_len, (CK_UTF8CHAR_PTR)label);
}

unsigned long mca_p11_open_session(mca_p11 *m, unsigned long slot, int read_write, unsigned long *session) {
    CK_SESSION_HANDLE s = 0;
    CK_RV rv = m->f->C_OpenSession(slot, CKF_SERIAL_SESSION | (read_write ? CKF_RW_SESSION : 0), NULL, NULL, &s);
    *session = s;
    return rv;
}

unsigned long mca_p11_close_session(mca_p11 *m, unsigned long session) { return m->f->C_CloseSession(session); }

unsigned long mca_p11_login(mca_p11 *m, unsigned long session, unsigned long user_type, const unsigned char *pin,
                            unsigned long pin_len) {
    return m->f->C_Login(session, user_type, (CK_UTF8CHAR_PTR)pin, pin_len);
}

unsigned long mca_p11_init_pin(mca_p11 *m, unsigned long session, const unsigned char *pin, unsigned long pin_len) {
    return m->f->C_InitPIN(session, (CK_UTF8CHAR_PTR)pin, pin_len);
}

unsigned long mca_p11_generate_p256(mca_p11 *m, unsigned long session, const unsigned char *id, unsigned long id_len,
                                    const char *label, unsigned long *public_key, unsigned long *private_key) {
    static CK_BYTE p256[] = {0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    CK_MECHANISM mech = {CKM_EC_KEY_PAIR_GEN, NULL, 0};
    // A CA key signs and does nothing else: no decrypt, unwrap or derive (some modules default them to true).
    CK_ATTRIBUTE pub[] = {
        // The public half is a public object, so that verification (audit checkpoints) needs no PIN.
        {CKA_TOKEN, &yes, sizeof yes}, {CKA_PRIVATE, &no, sizeof no}, {CKA_VERIFY, &yes, sizeof yes}, {CKA_ENCRYPT, &no, sizeof no}, {CKA_WRAP, &no, sizeof no},
        {CKA_EC_PARAMS, p256, sizeof p256},
        {CKA_LABEL, (void *)label, strlen(label)}, {CKA_ID, (void *)id, id_len},
    };
    CK_ATTRIBUTE priv[] = {
        {CKA_TOKEN, &yes, sizeof yes}, {CKA_PRIVATE, &yes, sizeof yes}, {CKA_SENSITIVE, &yes, sizeof yes},
        {CKA_EXTRACTABLE, &no, sizeof no}, {CKA_SIGN, &yes, sizeof yes}, {CKA_DECRYPT, &no, sizeof no},
        {CKA_UNWRAP, &no, sizeof no}, {CKA_DERIVE, &no, sizeof no}, {CKA_LABEL, (void *)label, strlen(label)},
        {CKA_ID, (void *)id, id_len},
    };
    CK_OBJECT_HANDLE hpub = 0, hpriv = 0;
    CK_RV rv = m->f->C_GenerateKeyPair(session, &mech, pub, sizeof pub / sizeof pub[0], priv, sizeof priv / sizeof priv[0],
                                       &hpub, &hpriv);
    *public_key = hpub;
    *private_key = hpriv;
    return rv;
}

unsigned long mca_p11_set_id(mca_p11 *m, unsigned long session, unsigned long object, const unsigned char *id,
                             unsigned long id_len) {
    CK_ATTRIBUTE a = {CKA_ID, (void *)id, id_len};
    return m->f->C_SetAttributeValue(session, object, &a, 1);
}

unsigned long mca_p11_get_attribute(mca_p11 *m, unsigned long session, unsigned long object, unsigned long type,
                                    unsigned char *buf, unsigned long *len) {
    CK_ATTRIBUTE a = {type, buf, *len};
    CK_RV rv = m->f->C_GetAttributeValue(session, object, &a, 1);
    *len = a.ulValueLen;
    return rv;
}

unsigned long mca_p11_find(mca_p11 *m, unsigned long session, unsigned long object_class, const unsigned char *id,
                           unsigned long id_len, unsigned long *objects, unsigned long *count) {
    CK_OBJECT_CLASS cls = object_class;
    CK_ATTRIBUTE tmpl[2] = {{CKA_CLASS, &cls, sizeof cls}, {CKA_ID, (void *)id, id_len}};
    CK_RV rv = m->f->C_FindObjectsInit(session, tmpl, id ? 2 : 1);
    if (rv != CKR_OK) return rv;
    CK_ULONG n = 0;
    rv = m->f->C_FindObjects(session, (CK_OBJECT_HANDLE_PTR)objects, *count, &n);
    m->f->C_FindObjectsFinal(session);
    *count = n;
    return rv;
}

unsigned long mca_p11_destroy(mca_p11 *m, unsigned long session, unsigned long object) {
    return m->f->C_DestroyObject(session, object);
}

unsigned long mca_p11_sign_ecdsa(mca_p11 *m, unsigned long session, unsigned long key, const unsigned char *digest,
                                 unsigned long digest_len, unsigned char *signature, unsigned long *signature_len) {
    CK_MECHANISM mech = {CKM_ECDSA, NULL, 0};
    CK_RV rv = m->f->C_SignInit(session, &mech, key);
    if (rv != CKR_OK) return rv;
    CK_ULONG n = *signature_len;
    rv = m->f->C_Sign(session, (CK_BYTE_PTR)digest, digest_len, signature, &n);
    *signature_len = n;
    return rv;
}
