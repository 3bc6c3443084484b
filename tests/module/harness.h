/*
 * Shared by the module test suites: the loaded module, the containers made
 * at start-up, the environment each test runs in, and small helpers for
 * the PKCS#11 calls every suite repeats.
 *
 * Each test initialises the module itself (checked fixtures), so a test
 * never depends on what another one left behind.
 */
#ifndef KZP11_TEST_HARNESS_H
#define KZP11_TEST_HARNESS_H

#include "pkcs11.h"

#include <check.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>

/* NSS's vendor object classes: searches for them must find nothing. */
#define CKO_NSS_CRL               0xCE534351UL
#define CKO_NSS_TRUST             0xCE534353UL
#define CKO_NSS_BUILTIN_ROOT_LIST 0xCE534354UL

#define PIN "Qwerty12"
#define PIN_LEN ((CK_ULONG)(sizeof PIN - 1))
#define WRONG_PIN "Qwerty13"
#define WRONG_PIN_LEN ((CK_ULONG)(sizeof WRONG_PIN - 1))

/* The containers every test sees (KZP11_KEYS), in no particular slot order. */
enum fx_id { FX_AUTH, FX_SIGN, FX_MODERN, FX_COUNT };

struct fixture {
	const char *role;                 /* "AUTH", "SIGN", "modern" */
	char path[4096];                  /* the file the module scans */
	X509 *cert;                       /* its certificate, from the generator */
	unsigned char key_id[64];         /* the file's localKeyID */
	size_t key_id_len;
	unsigned char ski[64];            /* the certificate's subject key identifier */
	size_t ski_len;
};

extern struct fixture fx[FX_COUNT];
extern char h_tmpdir[1024];           /* everything the run creates lives here */
extern CK_FUNCTION_LIST_PTR p11;      /* from C_GetFunctionList */
extern CK_FUNCTION_LIST_3_0 *p11_3;   /* from C_GetInterface("PKCS 11") */
extern CK_C_GetInterface h_get_interface;
extern CK_C_GetInterfaceList h_get_interface_list;

/* Start-up: 0, 77 when there is nothing to test, 1 on errors (printed). */
int h_load_module(void);
int h_make_fixtures(void);
void h_cleanup(void);

/* Sets the environment (keys, empty config, HOME, a new empty cache). */
void h_env(const char *keys);
void h_env_default(void);
const char *h_cache_dir(void);

/* Checked fixtures. */
void setup_env(void);        /* environment only, module not initialised */
void setup_init(void);       /* environment and C_Initialize(NULL) */
void teardown_fini(void);    /* C_Finalize whatever the state */

/* ---- assertions ---- */

const char *h_rv_name(CK_RV rv);

#define ck_assert_rv(call, expected) do { \
	CK_RV rv_got_ = (call); \
	CK_RV rv_want_ = (expected); \
	ck_assert_msg(rv_got_ == rv_want_, "%s returned %s, expected %s", #call, \
		      h_rv_name(rv_got_), h_rv_name(rv_want_)); \
} while (0)

#define ck_assert_ok(call) ck_assert_rv(call, CKR_OK)

/* ---- slots, sessions, objects ---- */

CK_ULONG h_slot_count(void);
/* The slot showing fixture `id` (by token serial); fails the test if none. */
CK_SLOT_ID h_slot(enum fx_id id);
CK_SESSION_HANDLE h_open(CK_SLOT_ID slot, CK_FLAGS flags);
CK_SESSION_HANDLE h_open_fx(enum fx_id id);
void h_login(CK_SESSION_HANDLE s);
CK_STATE h_state(CK_SESSION_HANDLE s);

/* All objects matching the template (at most max are stored). */
CK_ULONG h_find(CK_SESSION_HANDLE s, CK_ATTRIBUTE *templ, CK_ULONG n,
		CK_OBJECT_HANDLE *out, CK_ULONG max);
CK_ULONG h_count_class(CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls);
/* The one object of this class; fails the test unless exactly one. */
CK_OBJECT_HANDLE h_find_class(CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls);

/* An attribute value (malloc'd, free it); fails the test on any error. */
unsigned char *h_attr(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type,
		      CK_ULONG *len);
CK_ULONG h_attr_ulong(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type);
CK_BBOOL h_attr_bool(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type);

/* The certificate object's CKA_VALUE parsed by OpenSSL. */
X509 *h_cert_object(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE cert);

/* ---- the same without assertions: for forked children and threads ---- */

int h_try_slot(enum fx_id id, CK_SLOT_ID *out);
/* The one object of this class, or CK_INVALID_HANDLE. */
CK_OBJECT_HANDLE h_try_find_class(CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls);
/* Fills a mechanism (with PSS parameters matching its hash; raw PSS: SHA-256). */
void h_mechanism(CK_MECHANISM_TYPE type, CK_RSA_PKCS_PSS_PARAMS *pss, CK_MECHANISM *out);
/* What the mechanism signs for a message: the message itself for
 * hash-and-sign mechanisms, a SHA-256 DigestInfo for CKM_RSA_PKCS, the
 * SHA-256 hash for CKM_RSA_PKCS_PSS, the message for CKM_RSA_X_509. */
void h_mech_input(CK_MECHANISM_TYPE mech, const unsigned char *msg, size_t len,
		  unsigned char *out, CK_ULONG *out_len);
/* C_SignInit + C_Sign. */
CK_RV h_try_sign(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key, CK_MECHANISM_TYPE mech,
		 const unsigned char *in, CK_ULONG in_len, unsigned char *sig, CK_ULONG *sig_len);

/* ---- files ---- */

int h_read_file(const char *path, unsigned char **buf, size_t *len);
int h_write_file(const char *path, const void *buf, size_t len);
/* Hex of bytes into out (2n+1 bytes). */
void h_hex(const unsigned char *in, size_t n, char *out);

/* ---- signatures checked by OpenSSL alone ---- */

/* Verifies sig over msg with the mechanism's algorithm and the certificate's
 * public key; for the raw mechanisms msg is the mechanism's input. */
int h_ossl_verify(X509 *cert, CK_MECHANISM_TYPE mech, const unsigned char *msg, size_t msg_len,
		  const unsigned char *sig, size_t sig_len);
/* CKM_RSA_PKCS_PSS over a raw hash, MGF1 and salt length from the same hash. */
int h_ossl_verify_pss_hash(X509 *cert, const EVP_MD *md, const unsigned char *hash,
			   size_t hash_len, const unsigned char *sig, size_t sig_len);
/* The digest mechanism inside a hash-and-sign mechanism (0 for raw ones). */
CK_MECHANISM_TYPE h_hash_of(CK_MECHANISM_TYPE mech);
const EVP_MD *h_md(CK_MECHANISM_TYPE hash_mech);
CK_RSA_PKCS_MGF_TYPE h_mgf_of(CK_MECHANISM_TYPE hash_mech);
/* 1 for CKM_RSA_PKCS_PSS and the hash-and-sign PSS mechanisms. */
int h_is_pss(CK_MECHANISM_TYPE mech);

/* Suites. */
Suite *suite_init(void);
Suite *suite_slots(void);
Suite *suite_objects(void);
Suite *suite_crypto(void);
Suite *suite_threads(void);
Suite *suite_nca(void);
Suite *suite_create_object(void);
Suite *suite_gost(void);

#endif
