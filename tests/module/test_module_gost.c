/*
 * GOST keys and signatures through PKCS#11.
 *
 * With the real NCA material in $KZP11_TESTKEYS (each case says so and
 * skips without it):
 *  - every container in gost-2004/ (GOST 34.310-2004, CryptoPro-A curve,
 *    GOST 34.311-95 hash) and gost-2015/ (GOST 34.10-2015 512-bit, TC26-512-A,
 *    Streebog-512), password Qwerty12: its objects against the certificate
 *    that OpenSSL reads from the container itself, and signatures with every
 *    standard (s_be || r_be) and Kazakh-layout (r_le || s_le) mechanism,
 *    verified by the token's public key and by a session key made from the
 *    certificate; mechanism parameters (hash OIDs), keys of the other size,
 *    digests of the wrong length, length queries and short buffers;
 *  - NCA's own signatures: the GOST certificates in ca/ and in each
 *    container against their issuers, and the GOST signers of the CMS files
 *    and of the time-stamp token in cms/, all through C_Verify with session
 *    keys made by C_CreateObject.
 * Independent references:
 *  - digests of known inputs (kz-pki-facts.md §3);
 *  - gost-engine (`openssl ... -engine gost`: Russian OIDs, signatures
 *    s_be || r_be like PKCS#11, md_gost94 = GOST R 34.11-94 with the
 *    CryptoPro S-box): its keys' signatures verify in the module and the
 *    containers' signatures verify in gost-engine.  Skipped, with a
 *    message, when the engine does not load.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "harness.h"
#include "kzp11/kzp11.h"

#include <dirent.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/x509v3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_SAMPLES 16
#define MAX_CERTS 32
#define MAX_SIG 128          /* r and s of a 512-bit key */
#define MAX_SIGNERS 8

/* ---- small things ---- */

/* A DER-encoded object identifier, tag 06 included. */
struct oid {
	unsigned char der[40];
	size_t len;
};

static struct oid oid_der(const char *dotted)
{
	struct oid o = { .len = 0 };
	ASN1_OBJECT *obj = OBJ_txt2obj(dotted, 1);
	unsigned char *p = o.der;
	int len = obj ? i2d_ASN1_OBJECT(obj, NULL) : -1;

	ck_assert_msg(len > 0 && len <= (int)sizeof o.der, "cannot encode the OID %s", dotted);
	i2d_ASN1_OBJECT(obj, &p);
	ASN1_OBJECT_free(obj);
	o.len = (size_t)len;
	return o;
}

static struct oid oid_of(const ASN1_OBJECT *obj)
{
	char dotted[128];

	ck_assert(OBJ_obj2txt(dotted, sizeof dotted, obj, 1) > 0);
	return oid_der(dotted);
}

static int oid_is(const ASN1_OBJECT *obj, const char *dotted)
{
	char text[128];

	return OBJ_obj2txt(text, sizeof text, obj, 1) > 0 && strcmp(text, dotted) == 0;
}

static void assert_oid_der(const struct oid *got, const void *der, size_t len, const char *what)
{
	ck_assert_msg(got->len == len && memcmp(got->der, der, len) == 0,
		      "%s: not the expected OID", what);
}

static void assert_oid(const struct oid *got, const char *dotted, const char *what)
{
	struct oid want = oid_der(dotted);

	ck_assert_msg(got->len == want.len && memcmp(got->der, want.der, want.len) == 0,
		      "%s: not the OID %s", what, dotted);
}

/* Bytes given in hex, in their own order. */
static size_t from_hex(const char *hex, unsigned char *out, size_t max)
{
	size_t n = strlen(hex) / 2;

	ck_assert_uint_le(n, max);
	for (size_t i = 0; i < n; i++)
		ck_assert(sscanf(hex + 2 * i, "%2hhx", &out[i]) == 1);
	return n;
}

/* out = in with its bytes in reverse order: r_le || s_le <-> s_be || r_be. */
static void reverse(const unsigned char *in, size_t n, unsigned char *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = in[n - 1 - i];
}

static void check_rv(CK_RV got, CK_RV want, const char *what, const char *how)
{
	ck_assert_msg(got == want, "%s: %s returned %s, expected %s", what, how, h_rv_name(got),
		      h_rv_name(want));
}

/* A DN as text, UTF-8 kept, for messages. */
static const char *dn(const X509_NAME *name)
{
	static char buf[512];
	BIO *b = BIO_new(BIO_s_mem());
	int n;

	X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	n = BIO_read(b, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = '\0';
	BIO_free(b);
	return buf;
}

/* ---- the message every test signs ---- */

static unsigned char msg[300];

static void fill_msg(void)
{
	static const char text[] = "Қазақстан Республикасы: a document to sign. ";

	for (size_t i = 0; i < sizeof msg; i++)
		msg[i] = (unsigned char)text[i % (sizeof text - 1)];
}

/* ---- DER, read with OpenSSL's ASN1_get_object ---- */

struct tlv {
	const unsigned char *start;      /* the tag */
	const unsigned char *content;
	long len;                        /* of the content */
	size_t total;                    /* tag, length and content */
	int tag, cls;
};

/* The element at *p (definite lengths only); *p moves past it. */
static int tlv_next(const unsigned char **p, const unsigned char *end, struct tlv *t)
{
	const unsigned char *q = *p;
	int ret;

	if (q >= end)
		return -1;
	ret = ASN1_get_object(&q, &t->len, &t->tag, &t->cls, end - *p);
	if ((ret & 0x80) || ret == (V_ASN1_CONSTRUCTED | 1))
		return -1;
	t->start = *p;
	t->content = q;
	t->total = (size_t)(q - *p) + (size_t)t->len;
	*p = q + t->len;
	return 0;
}

static void tlv_enter(const struct tlv *t, const unsigned char **p, const unsigned char **end)
{
	*p = t->content;
	*end = t->content + t->len;
}

static int tlv_is(const struct tlv *t, int cls, int tag)
{
	return t->cls == cls && t->tag == tag;
}

/* ---- GOST public keys as certificates carry them ---- */

struct gost_pub {
	struct oid alg, curve, hash;     /* hash.len is 0 when the parameters name none */
	unsigned char q[MAX_SIG];        /* X_le || Y_le */
	size_t size;                     /* bytes of one coordinate: 32 or 64 */
};

/* SubjectPublicKeyInfo: algorithm, parameters SEQUENCE { curve OID, [hash OID] },
 * key OCTET STRING X_le || Y_le inside the BIT STRING (RFC 4491). */
static void gost_pub_read(const X509_PUBKEY *spki, struct gost_pub *out, const char *what)
{
	ASN1_OBJECT *alg_obj = NULL;
	X509_ALGOR *alg = NULL;
	const unsigned char *pk = NULL, *p, *end, *k;
	int pk_len = 0, ptype = 0;
	const void *pval = NULL;
	ASN1_OCTET_STRING *key;
	struct tlv t;

	ck_assert(X509_PUBKEY_get0_param(&alg_obj, &pk, &pk_len, &alg, spki));
	out->alg = oid_of(alg_obj);
	X509_ALGOR_get0(NULL, &ptype, &pval, alg);
	ck_assert_msg(ptype == V_ASN1_SEQUENCE && pval, "%s: GOST key without parameters", what);
	p = ASN1_STRING_get0_data(pval);
	end = p + ASN1_STRING_length(pval);
	ck_assert(tlv_next(&p, end, &t) == 0 && tlv_is(&t, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE));
	tlv_enter(&t, &p, &end);
	ck_assert_msg(tlv_next(&p, end, &t) == 0 && tlv_is(&t, V_ASN1_UNIVERSAL, V_ASN1_OBJECT) &&
			      t.total <= sizeof out->curve.der,
		      "%s: no curve OID", what);
	memcpy(out->curve.der, t.start, t.total);
	out->curve.len = t.total;
	out->hash.len = 0;
	if (p < end) {
		ck_assert_msg(tlv_next(&p, end, &t) == 0 &&
				      tlv_is(&t, V_ASN1_UNIVERSAL, V_ASN1_OBJECT) &&
				      t.total <= sizeof out->hash.der,
			      "%s: malformed hash OID", what);
		memcpy(out->hash.der, t.start, t.total);
		out->hash.len = t.total;
	}
	k = pk;
	key = d2i_ASN1_OCTET_STRING(NULL, &k, pk_len);
	ck_assert_msg(key && k == pk + pk_len && (key->length == 64 || key->length == 128),
		      "%s: the public key is not an OCTET STRING of 64 or 128 bytes", what);
	memcpy(out->q, key->data, (size_t)key->length);
	out->size = (size_t)key->length / 2;
	ASN1_OCTET_STRING_free(key);
}

/* C_CreateObject: a session public key with the curve, hash (if any) and point given. */
static CK_RV try_create_key(CK_SESSION_HANDLE s, const struct oid *curve, const struct oid *hash,
			    const unsigned char *q, size_t size, CK_OBJECT_HANDLE *h)
{
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_KEY_TYPE type = size == 64 ? CKK_GOSTR3410_512 : CKK_GOSTR3410;
	CK_BBOOL no = CK_FALSE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof cls },
		{ CKA_KEY_TYPE, &type, sizeof type },
		{ CKA_TOKEN, &no, sizeof no },
		{ CKA_GOSTR3410_PARAMS, (void *)curve->der, curve->len },
		{ CKA_VALUE, (void *)q, 2 * size },
		{ CKA_GOSTR3411_PARAMS, hash ? (void *)hash->der : NULL, hash ? hash->len : 0 },
	};

	return p11->C_CreateObject(s, t, hash && hash->len ? 6 : 5, h);
}

static CK_OBJECT_HANDLE create_key(CK_SESSION_HANDLE s, const struct oid *curve,
				   const struct oid *hash, const unsigned char *q, size_t size)
{
	CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;

	ck_assert_ok(try_create_key(s, curve, hash, q, size, &h));
	return h;
}

static CK_OBJECT_HANDLE session_key(CK_SESSION_HANDLE s, const struct gost_pub *pub)
{
	return create_key(s, &pub->curve, &pub->hash, pub->q, pub->size);
}

/* ---- signing and verifying ---- */

/* Chunk sizes for multi-part calls; the last chunk takes the rest. */
static const CK_ULONG chunks[] = { 1, 7, 0, 50 };
#define N_CHUNKS (sizeof chunks / sizeof *chunks)

typedef CK_RV (*update_fn)(CK_SESSION_HANDLE, CK_BYTE_PTR, CK_ULONG);

static void feed(CK_SESSION_HANDLE s, update_fn update, const unsigned char *data, size_t len)
{
	size_t off = 0;

	for (size_t i = 0; off < len; i++) {
		size_t n = i < N_CHUNKS - 1 ? chunks[i] : len - off;
		if (n > len - off)
			n = len - off;
		ck_assert_ok(update(s, (CK_BYTE_PTR)data + off, n));
		off += n;
	}
}

static CK_MECHANISM mech(CK_MECHANISM_TYPE type, const struct oid *param)
{
	CK_MECHANISM m = { type, NULL, 0 };

	if (param) {
		m.pParameter = (void *)param->der;
		m.ulParameterLen = param->len;
	}
	return m;
}

/* C_VerifyInit, then C_Verify, or C_VerifyUpdate in parts and C_VerifyFinal. */
static CK_RV verify_rv(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key, CK_MECHANISM m,
		       const unsigned char *in, size_t len, const unsigned char *sig, size_t sig_len,
		       int multi)
{
	CK_RV rv = p11->C_VerifyInit(s, &m, key);

	if (rv != CKR_OK)
		return rv;
	if (!multi)
		return p11->C_Verify(s, (CK_BYTE_PTR)in, len, (CK_BYTE_PTR)sig, sig_len);
	feed(s, p11->C_VerifyUpdate, in, len);
	return p11->C_VerifyFinal(s, (CK_BYTE_PTR)sig, sig_len);
}

/* C_SignInit + C_Sign; the signature must have 2 * size bytes. */
static void sign(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key, CK_MECHANISM m,
		 const unsigned char *in, size_t len, unsigned char *sig, size_t size)
{
	CK_ULONG sig_len = MAX_SIG;

	ck_assert_ok(p11->C_SignInit(s, &m, key));
	ck_assert_ok(p11->C_Sign(s, (CK_BYTE_PTR)in, len, sig, &sig_len));
	ck_assert_uint_eq(sig_len, 2 * size);
}

/* The module's digest (C_Digest, and again in parts: the same). */
static size_t module_digest(CK_SESSION_HANDLE s, CK_MECHANISM m, const unsigned char *in,
			    size_t len, unsigned char *out)
{
	unsigned char again[64];
	CK_ULONG n = 64, n2 = sizeof again;

	ck_assert_ok(p11->C_DigestInit(s, &m));
	ck_assert_ok(p11->C_Digest(s, (CK_BYTE_PTR)in, len, out, &n));
	ck_assert_ok(p11->C_DigestInit(s, &m));
	feed(s, p11->C_DigestUpdate, in, len);
	ck_assert_ok(p11->C_DigestFinal(s, again, &n2));
	ck_assert_uint_eq(n, n2);
	ck_assert_mem_eq(out, again, n);
	return n;
}

/* The same with the mechanism parameter given as a dotted OID (or NULL). */
static size_t digest_by(CK_SESSION_HANDLE s, CK_MECHANISM_TYPE type, const char *param,
			const unsigned char *in, size_t len, unsigned char *out)
{
	struct oid p;

	if (param)
		p = oid_der(param);
	return module_digest(s, mech(type, param ? &p : NULL), in, len, out);
}

/* ---- the kinds of NCA GOST keys ---- */

struct kind {
	const char *name;
	const char *dir;                 /* folder under $KZP11_TESTKEYS */
	CK_KEY_TYPE key_type;
	size_t size;                     /* bytes of a coordinate, of r and of s */
	const char *curve, *hash;        /* the Kazakh OIDs in the certificates */
	const char *curve_der, *hash_der;  /* the same, as kzp11.h spells them */
	size_t curve_der_len, hash_der_len;
	/* Hash-and-sign and sign-a-digest, standard layout then Kazakh layout. */
	CK_MECHANISM_TYPE std_hash, std_raw, kz_hash, kz_raw;
	CK_MECHANISM_TYPE digest;        /* the module's digest of the key's hash */
	const char *digest_param;        /* its parameter (dotted OID) or NULL */
	/* The same key as gost-engine knows it. */
	const char *ru_key, *ru_curve, *ru_hash;
	const char *engine_md;           /* openssl dgst -<engine_md> */
};

static const struct kind kinds[] = {
	{
		.name = "GOST 34.310-2004", .dir = "gost-2004",
		.key_type = CKK_GOSTR3410, .size = 32,
		.curve = "1.2.398.3.10.1.1.1.1.1", .hash = "1.2.398.3.10.1.3.1.1.0",
		.curve_der = KZP11_OID_GOST34310_2004_PARAMSET_A,
		.curve_der_len = sizeof KZP11_OID_GOST34310_2004_PARAMSET_A - 1,
		.hash_der = KZP11_OID_GOST34311_95_PARAMS,
		.hash_der_len = sizeof KZP11_OID_GOST34311_95_PARAMS - 1,
		.std_hash = CKM_GOSTR3410_WITH_GOSTR3411, .std_raw = CKM_GOSTR3410,
		.kz_hash = CKM_KZ_GOST34310_2004_WITH_GOST34311_95, .kz_raw = CKM_KZ_GOST34310_2004,
		.digest = CKM_GOSTR3411, .digest_param = "1.2.398.3.10.1.3.1.1.0",
		.ru_key = "1.2.643.2.2.19", .ru_curve = "1.2.643.2.2.35.1",
		.ru_hash = "1.2.643.2.2.30.1", .engine_md = "md_gost94",
	},
	{
		.name = "GOST 34.10-2015-512", .dir = "gost-2015",
		.key_type = CKK_GOSTR3410_512, .size = 64,
		.curve = "1.2.398.3.10.1.1.2.2.1", .hash = "1.2.398.3.10.1.3.3",
		.curve_der = KZP11_OID_GOST3410_2015_512_PARAMSET_A,
		.curve_der_len = sizeof KZP11_OID_GOST3410_2015_512_PARAMSET_A - 1,
		.hash_der = KZP11_OID_GOST3411_2015_512,
		.hash_der_len = sizeof KZP11_OID_GOST3411_2015_512 - 1,
		.std_hash = CKM_GOSTR3410_WITH_GOSTR3411_12_512, .std_raw = CKM_GOSTR3410_512,
		.kz_hash = CKM_KZ_GOST3410_2015_512_WITH_GOST3411_2015_512,
		.kz_raw = CKM_KZ_GOST3410_2015_512,
		.digest = CKM_GOSTR3411_12_512, .digest_param = NULL,
		.ru_key = "1.2.643.7.1.1.1.2", .ru_curve = "1.2.643.7.1.2.1.2.1",
		.ru_hash = "1.2.643.7.1.1.2.3", .engine_md = "streebog512",
	},
};
#define N_KINDS ((int)(sizeof kinds / sizeof *kinds))

static int is_raw(const struct kind *k, CK_MECHANISM_TYPE m)
{
	return m == k->std_raw || m == k->kz_raw;
}

static int is_kz(const struct kind *k, CK_MECHANISM_TYPE m)
{
	return m == k->kz_hash || m == k->kz_raw;
}

/* The module's digest of the key's hash: the sign-a-digest input. */
static void kind_digest(CK_SESSION_HANDLE s, const struct kind *k, const unsigned char *in,
			size_t len, unsigned char *out)
{
	ck_assert_uint_eq(digest_by(s, k->digest, k->digest_param, in, len, out), k->size);
}

/* Signature algorithms in Kazakh certificates and CMS (layout r_le || s_le). */
static const struct sig_alg {
	const char *oid;
	CK_MECHANISM_TYPE kz_mech;       /* verifies the signature as it is */
	CK_MECHANISM_TYPE std_mech;      /* verifies it reversed (with the Kazakh key's hash) */
} sig_algs[] = {
	{ "1.2.398.3.10.1.1.1.2", CKM_KZ_GOST34310_2004_WITH_GOST34311_95,
	  CKM_GOSTR3410_WITH_GOSTR3411 },
	{ "1.2.398.3.10.1.1.2.3.2", CKM_KZ_GOST3410_2015_512_WITH_GOST3411_2015_512,
	  CKM_GOSTR3410_WITH_GOSTR3411_12_512 },
};

static const struct sig_alg *sig_alg_of(const ASN1_OBJECT *obj)
{
	for (size_t i = 0; i < sizeof sig_algs / sizeof *sig_algs; i++)
		if (oid_is(obj, sig_algs[i].oid))
			return &sig_algs[i];
	return NULL;
}

/* CMS digest algorithms and the module's digest for each. */
static const struct {
	const char *oid;
	CK_MECHANISM_TYPE mech;
	const char *param;               /* dotted OID, or NULL */
} digest_algs[] = {
	{ "1.2.398.3.10.1.3.1", CKM_GOSTR3411, "1.2.398.3.10.1.3.1.1.0" },
	{ "1.2.398.3.10.1.3.3", CKM_GOSTR3411_12_512, NULL },
};

/* ---- the real NCA material ---- */

static char testkeys[4096];         /* $KZP11_TESTKEYS, once have_testkeys() said yes */

static int have_testkeys(const char *sub)
{
	const char *dir = getenv("KZP11_TESTKEYS");
	char path[4200];

	if (!dir || !*dir)
		return 0;
	snprintf(testkeys, sizeof testkeys, "%s", dir);
	snprintf(path, sizeof path, "%s/%s", dir, sub);
	return access(path, R_OK | X_OK) == 0;
}

static int have_containers(void)
{
	return have_testkeys(kinds[0].dir) && have_testkeys(kinds[1].dir);
}

/* A test's name: its function's without Check's "_fn". */
static const char *test_name(const char *func)
{
	static char name[128];
	size_t n = strlen(func);

	snprintf(name, sizeof name, "%.*s", (int)(n > 3 ? n - 3 : n), func);
	return name;
}

#define SKIP_UNLESS(cond, what) do { \
	if (!(cond)) { \
		printf("%s: %s not found (KZP11_TESTKEYS): skipped\n", test_name(__func__), what); \
		return; \
	} \
} while (0)

static X509 *read_cert_file(const char *path)
{
	unsigned char *buf;
	const unsigned char *p;
	size_t len;
	X509 *x = NULL;
	BIO *b;

	if (h_read_file(path, &buf, &len) < 0)
		return NULL;
	p = buf;
	if (len > 10 && memcmp(buf, "-----BEGIN", 10) == 0) {
		b = BIO_new_mem_buf(buf, (int)len);
		x = PEM_read_bio_X509(b, NULL, NULL, NULL);
		BIO_free(b);
	} else {
		x = d2i_X509(NULL, &p, (long)len);
	}
	free(buf);
	ERR_clear_error();
	return x;
}

/* The certificate bag of a container and its localKeyID (DER into *der). */
static int p12_cert_der(const char *path, unsigned char **der, unsigned char *key_id,
			size_t *key_id_len)
{
	FILE *f = fopen(path, "rb");
	PKCS12 *p12 = f ? d2i_PKCS12_fp(f, NULL) : NULL;
	STACK_OF(PKCS7) *safes = NULL;
	int len = -1;

	if (f)
		fclose(f);
	if (p12 && PKCS12_verify_mac(p12, PIN, (int)PIN_LEN))
		safes = PKCS12_unpack_authsafes(p12);
	for (int i = 0; safes && len < 0 && i < sk_PKCS7_num(safes); i++) {
		PKCS7 *p7 = sk_PKCS7_value(safes, i);
		STACK_OF(PKCS12_SAFEBAG) *bags =
			PKCS7_type_is_data(p7) ? PKCS12_unpack_p7data(p7) :
			PKCS7_type_is_encrypted(p7) ? PKCS12_unpack_p7encdata(p7, PIN, (int)PIN_LEN) :
			NULL;
		for (int k = 0; bags && len < 0 && k < sk_PKCS12_SAFEBAG_num(bags); k++) {
			const PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(bags, k);
			const ASN1_TYPE *id = PKCS12_SAFEBAG_get0_attr(bag, NID_localKeyID);
			X509 *x;
			if (PKCS12_SAFEBAG_get_nid(bag) != NID_certBag || !id ||
			    id->type != V_ASN1_OCTET_STRING || id->value.octet_string->length > 64)
				continue;
			x = PKCS12_SAFEBAG_get1_cert(bag);
			if (!x)
				continue;
			len = i2d_X509(x, der);
			*key_id_len = (size_t)id->value.octet_string->length;
			memcpy(key_id, id->value.octet_string->data, *key_id_len);
			X509_free(x);
		}
		sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
	}
	sk_PKCS7_pop_free(safes, PKCS7_free);
	PKCS12_free(p12);
	ERR_clear_error();
	return len;
}

/* The certificate inside a container, read by OpenSSL alone.  RC2-40 needs
 * the legacy provider: it is loaded into a library context of our own, the
 * default only meanwhile, so the application's default context never gets it. */
static X509 *container_cert(const char *path, unsigned char *key_id, size_t *key_id_len)
{
	OSSL_LIB_CTX *ctx = OSSL_LIB_CTX_new(), *prev;
	OSSL_PROVIDER *def, *legacy;
	unsigned char *der = NULL;
	const unsigned char *p;
	int len;
	X509 *cert;

	ck_assert_ptr_nonnull(ctx);
	def = OSSL_PROVIDER_load(ctx, "default");
	legacy = OSSL_PROVIDER_load(ctx, "legacy");
	ck_assert_msg(def && legacy, "OpenSSL's legacy provider does not load");
	prev = OSSL_LIB_CTX_set0_default(ctx);
	len = p12_cert_der(path, &der, key_id, key_id_len);
	OSSL_LIB_CTX_set0_default(prev);
	OSSL_PROVIDER_unload(legacy);
	OSSL_PROVIDER_unload(def);
	OSSL_LIB_CTX_free(ctx);
	ck_assert_msg(len > 0, "OpenSSL cannot read the certificate in %s", path);
	/* Parsed again here, so nothing refers to the context just freed. */
	p = der;
	cert = d2i_X509(NULL, &p, len);
	OPENSSL_free(der);
	ck_assert_ptr_nonnull(cert);
	return cert;
}

struct sample {
	const struct kind *kind;
	char name[256];                  /* file name */
	X509 *cert;                      /* inside the container, read by OpenSSL */
	X509 *cer;                       /* the .cer file beside it, if any */
	unsigned char key_id[64];        /* its localKeyID */
	size_t key_id_len;
};

static struct sample samples[MAX_SAMPLES];
static int n_samples;

/* The certificates in ca/, with their file names. */
struct cert_pool {
	X509 *certs[MAX_CERTS];
	char names[MAX_CERTS][256];
	int n;
};

static struct cert_pool ca;

/* Takes the certificate over. */
static void pool_add(struct cert_pool *pool, X509 *cert, const char *name)
{
	ck_assert_int_lt(pool->n, MAX_CERTS);
	pool->certs[pool->n] = cert;
	snprintf(pool->names[pool->n], sizeof pool->names[0], "%s", name);
	pool->n++;
}

static void pool_free(struct cert_pool *pool)
{
	for (int i = 0; i < pool->n; i++)
		X509_free(pool->certs[i]);
	pool->n = 0;
}

/* Every certificate file in ca/, PEM or DER. */
static void load_ca(void)
{
	char dir[4200], path[4500];
	struct dirent *e;
	DIR *d;

	ca.n = 0;
	if (!have_testkeys("ca"))
		return;
	snprintf(dir, sizeof dir, "%s/ca", testkeys);
	d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL) {
		X509 *x;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		x = read_cert_file(path);
		ck_assert_msg(x != NULL, "%s is not a certificate", path);
		pool_add(&ca, x, e->d_name);
	}
	closedir(d);
}

/* Issuer name = subject and, when both are there, AKI key identifier = SKI. */
static int issued_by(X509 *cert, X509 *issuer)
{
	const ASN1_OCTET_STRING *akid = X509_get0_authority_key_id(cert);
	const ASN1_OCTET_STRING *skid = X509_get0_subject_key_id(issuer);

	if (X509_NAME_cmp(X509_get_issuer_name(cert), X509_get_subject_name(issuer)) != 0)
		return 0;
	return !akid || !skid || ASN1_OCTET_STRING_cmp(akid, skid) == 0;
}

static int find_issuer(X509 *cert, const struct cert_pool *pool)
{
	for (int i = 0; i < pool->n; i++)
		if (issued_by(cert, pool->certs[i]))
			return i;
	return -1;
}

static void load_samples(void)
{
	char dir[4200], path[4500];
	struct dirent *e;
	DIR *d;

	n_samples = 0;
	for (int k = 0; k < N_KINDS; k++) {
		int found = 0;
		snprintf(dir, sizeof dir, "%s/%s", testkeys, kinds[k].dir);
		d = opendir(dir);
		ck_assert_ptr_nonnull(d);
		while ((e = readdir(d)) != NULL) {
			size_t len = strlen(e->d_name);
			struct sample *smp = &samples[n_samples];
			if (len < 5 || strcmp(e->d_name + len - 4, ".p12") != 0)
				continue;
			ck_assert_int_lt(n_samples, MAX_SAMPLES);
			smp->kind = &kinds[k];
			snprintf(smp->name, sizeof smp->name, "%s/%s", kinds[k].dir, e->d_name);
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			smp->cert = container_cert(path, smp->key_id, &smp->key_id_len);
			snprintf(path + strlen(path) - 4, 5, ".cer");
			smp->cer = read_cert_file(path);
			n_samples++;
			found++;
		}
		closedir(d);
		ck_assert_msg(found > 0, "no containers in %s", dir);
	}
}

/* The token serial is the first 8 bytes of the container's key ID in hex. */
static CK_SLOT_ID slot_of(const struct sample *smp)
{
	CK_SLOT_ID slots[MAX_SAMPLES];
	CK_ULONG n = MAX_SAMPLES;
	char want[17];

	h_hex(smp->key_id, 8, want);
	ck_assert_ok(p11->C_GetSlotList(CK_TRUE, slots, &n));
	for (CK_ULONG i = 0; i < n; i++) {
		CK_TOKEN_INFO ti;
		ck_assert_ok(p11->C_GetTokenInfo(slots[i], &ti));
		if (memcmp(ti.serialNumber, want, 16) == 0)
			return slots[i];
	}
	ck_abort_msg("no slot for %s", smp->name);
	return 0;
}

static const struct sample *first_of(const struct kind *k)
{
	for (int i = 0; i < n_samples; i++)
		if (samples[i].kind == k)
			return &samples[i];
	ck_abort_msg("no %s container", k->name);
	return NULL;
}

/* A logged-in session on a container and its keys: the token's own, and a
 * session key made from the certificate. */
struct token {
	const struct sample *smp;
	const struct kind *kind;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE priv, pub, cert_pub;
	struct gost_pub cert_key;        /* the certificate's key, read by OpenSSL */
};

static void open_token(const struct sample *smp, struct token *t)
{
	t->smp = smp;
	t->kind = smp->kind;
	t->s = h_open(slot_of(smp), 0);
	h_login(t->s);
	t->priv = h_find_class(t->s, CKO_PRIVATE_KEY);
	t->pub = h_find_class(t->s, CKO_PUBLIC_KEY);
	gost_pub_read(X509_get_X509_PUBKEY(smp->cert), &t->cert_key, smp->name);
	t->cert_pub = session_key(t->s, &t->cert_key);
}

/* ---- NCA's signatures ---- */

/* A signature in the Kazakh layout over data, by the key of signer's
 * certificate, verifies with the Kazakh mechanism and, reversed, with the
 * standard one; one changed bit of the data or of the signature fails. */
static void assert_nca_signature(CK_SESSION_HANDLE s, X509 *signer, const ASN1_OBJECT *sig_oid,
				 const unsigned char *data, size_t len, const unsigned char *sig,
				 size_t sig_len, const char *what)
{
	const struct sig_alg *alg = sig_alg_of(sig_oid);
	unsigned char std[MAX_SIG], bad[MAX_SIG], *copy;
	struct gost_pub pub;
	CK_OBJECT_HANDLE key;
	const size_t flips[] = { 0, len / 2, len - 1 };

	ck_assert_msg(alg != NULL, "%s: not a Kazakh GOST signature algorithm", what);
	gost_pub_read(X509_get_X509_PUBKEY(signer), &pub, what);
	ck_assert_msg(sig_len == 2 * pub.size, "%s: a signature of %zu bytes for a %zu-bit key",
		      what, sig_len, pub.size * 8);
	key = session_key(s, &pub);
	check_rv(verify_rv(s, key, mech(alg->kz_mech, NULL), data, len, sig, sig_len, 0), CKR_OK,
		 what, "C_Verify (Kazakh layout)");
	check_rv(verify_rv(s, key, mech(alg->kz_mech, NULL), data, len, sig, sig_len, 1), CKR_OK,
		 what, "C_VerifyFinal (Kazakh layout)");
	reverse(sig, sig_len, std);
	check_rv(verify_rv(s, key, mech(alg->std_mech, NULL), data, len, std, sig_len, 0), CKR_OK,
		 what, "C_Verify (standard layout)");

	copy = malloc(len);
	ck_assert_ptr_nonnull(copy);
	for (size_t i = 0; i < sizeof flips / sizeof *flips; i++) {
		memcpy(copy, data, len);
		copy[flips[i]] ^= 0x01;
		check_rv(verify_rv(s, key, mech(alg->kz_mech, NULL), copy, len, sig, sig_len, 0),
			 CKR_SIGNATURE_INVALID, what, "C_Verify with one bit of the data changed");
	}
	free(copy);
	memcpy(bad, sig, sig_len);
	bad[sig_len / 3] ^= 0x10;
	check_rv(verify_rv(s, key, mech(alg->kz_mech, NULL), data, len, bad, sig_len, 0),
		 CKR_SIGNATURE_INVALID, what, "C_Verify with one bit of the signature changed");
	ck_assert_ok(p11->C_DestroyObject(s, key));
}

/* The issuer's signature on a certificate: over the TBSCertificate bytes
 * exactly as they are in the DER. */
static void assert_cert_signed_by(CK_SESSION_HANDLE s, X509 *cert, X509 *issuer,
				  const char *what)
{
	unsigned char *der = NULL;
	const unsigned char *p, *end;
	const ASN1_BIT_STRING *sig;
	const X509_ALGOR *alg;
	const ASN1_OBJECT *alg_oid;
	struct tlv outer, tbs;
	int len = i2d_X509(cert, &der);

	ck_assert_int_gt(len, 0);
	p = der;
	end = der + len;
	ck_assert(tlv_next(&p, end, &outer) == 0);
	tlv_enter(&outer, &p, &end);
	ck_assert(tlv_next(&p, end, &tbs) == 0 && tlv_is(&tbs, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE));
	X509_get0_signature(&sig, &alg, cert);
	X509_ALGOR_get0(&alg_oid, NULL, NULL, alg);
	assert_nca_signature(s, issuer, alg_oid, tbs.start, tbs.total, sig->data,
			     (size_t)sig->length, what);
	OPENSSL_free(der);
}

/* A certificate against its issuer in the pool; 0 (printed) when the
 * issuer is not there. */
static int check_cert_by_pool(CK_SESSION_HANDLE s, X509 *cert, const char *name,
			      const struct cert_pool *pool)
{
	char what[600];
	int i = find_issuer(cert, pool);

	if (i < 0) {
		printf("%s: its issuer (%s) is not among the certificates in ca/: not checked\n",
		       name, dn(X509_get_issuer_name(cert)));
		return 0;
	}
	snprintf(what, sizeof what, "%s signed by %s", name, pool->names[i]);
	assert_cert_signed_by(s, cert, pool->certs[i], what);
	return 1;
}

/* ---- gost-engine through the openssl command ---- */

static char work[4200];   /* this test's folder */

static void make_work_dir(void)
{
	snprintf(work, sizeof work, "%s/gost-XXXXXX", h_tmpdir);
	ck_assert_ptr_nonnull(mkdtemp(work));
}

static void put(const char *name, const void *buf, size_t len)
{
	char path[4500];

	snprintf(path, sizeof path, "%s/%s", work, name);
	ck_assert_int_eq(h_write_file(path, buf, len), 0);
}

static size_t get(const char *name, unsigned char *buf, size_t max)
{
	char path[4500];
	unsigned char *data;
	size_t len;

	snprintf(path, sizeof path, "%s/%s", work, name);
	ck_assert_msg(h_read_file(path, &data, &len) == 0, "cannot read %s", path);
	ck_assert_uint_le(len, max);
	memcpy(buf, data, len);
	free(data);
	return len;
}

static char last_cmd[8192];

/* Runs a command line in the work folder, output in cmd.log; its exit status. */
static int vsh(const char *fmt, va_list ap)
{
	char line[12800];
	int rc;

	vsnprintf(last_cmd, sizeof last_cmd, fmt, ap);
	snprintf(line, sizeof line, "cd '%s' && { %s ; } >cmd.log 2>&1", work, last_cmd);
	rc = system(line);
	return rc != -1 && WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static int sh(const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vsh(fmt, ap);
	va_end(ap);
	return rc;
}

/* The command must succeed; else the test fails showing its output. */
static void sh_ok(const char *fmt, ...)
{
	char path[4500];
	unsigned char *log = NULL;
	size_t len = 0;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vsh(fmt, ap);
	va_end(ap);
	if (rc == 0)
		return;
	snprintf(path, sizeof path, "%s/cmd.log", work);
	if (h_read_file(path, &log, &len) == 0)
		log[len < 1500 ? len : 1500] = '\0';
	ck_abort_msg("`%s` failed (exit %d): %s", last_cmd, rc, log ? (char *)log : "");
}

#define SKIP_UNLESS_ENGINE() do { \
	if (sh("openssl engine -t gost") != 0) { \
		printf("%s: gost-engine not available (`openssl engine -t gost` fails): " \
		       "skipped\n", test_name(__func__)); \
		return; \
	} \
} while (0)

/* The public key with the Russian OIDs of its kind, as gost-engine reads it:
 * algorithm ru_key, parameters SEQUENCE { ru_curve, ru_hash }, and the same
 * OCTET STRING X_le || Y_le (gost-engine's own layout: RFC 4491). */
static void put_russian_pubkey(const struct kind *k, const unsigned char *q, const char *name)
{
	struct oid curve = oid_der(k->ru_curve), hash = oid_der(k->ru_hash);
	unsigned char params[96], *key_der = NULL, *der = NULL;
	ASN1_OCTET_STRING *point = ASN1_OCTET_STRING_new();
	ASN1_STRING *pstr = ASN1_STRING_new();
	X509_PUBKEY *spki = X509_PUBKEY_new();
	char path[4500];
	int key_len, der_len;
	FILE *f;

	params[0] = V_ASN1_SEQUENCE | V_ASN1_CONSTRUCTED;
	params[1] = (unsigned char)(curve.len + hash.len);
	memcpy(params + 2, curve.der, curve.len);
	memcpy(params + 2 + curve.len, hash.der, hash.len);
	ck_assert(point && pstr && spki && ASN1_OCTET_STRING_set(point, q, (int)(2 * k->size)) &&
		  ASN1_STRING_set(pstr, params, (int)(2 + curve.len + hash.len)));
	key_len = i2d_ASN1_OCTET_STRING(point, &key_der);
	ck_assert(key_len > 0 && X509_PUBKEY_set0_param(spki, OBJ_txt2obj(k->ru_key, 1),
							 V_ASN1_SEQUENCE, pstr, key_der, key_len));
	der_len = i2d_X509_PUBKEY(spki, &der);
	ck_assert_int_gt(der_len, 0);
	snprintf(path, sizeof path, "%s/%s", work, name);
	f = fopen(path, "w");
	ck_assert(f && PEM_write(f, "PUBLIC KEY", "", der, der_len) > 0);
	fclose(f);
	OPENSSL_free(der);
	X509_PUBKEY_free(spki);
	ASN1_OCTET_STRING_free(point);
}

/* A key gost-engine makes, its signature of msg and its digest of msg. */
struct engine_signed {
	struct gost_pub pub;
	unsigned char sig[MAX_SIG];
	size_t sig_len;
	unsigned char digest[64];
	size_t digest_len;
};

static void engine_sign(const char *algorithm, const char *md, struct engine_signed *out)
{
	unsigned char der[512];
	const unsigned char *p = der;
	size_t der_len;
	X509_PUBKEY *spki;

	put("msg", msg, sizeof msg);
	sh_ok("openssl genpkey -engine gost -algorithm %s -pkeyopt paramset:A -out key.pem",
	      algorithm);
	sh_ok("openssl pkey -engine gost -in key.pem -pubout -outform DER -out pub.der");
	sh_ok("openssl dgst -engine gost -%s -sign key.pem -out sig msg", md);
	sh_ok("openssl dgst -engine gost -%s -binary -out digest msg", md);
	der_len = get("pub.der", der, sizeof der);
	spki = d2i_X509_PUBKEY(NULL, &p, (long)der_len);
	ck_assert_ptr_nonnull(spki);
	gost_pub_read(spki, &out->pub, algorithm);
	X509_PUBKEY_free(spki);
	ERR_clear_error();
	out->sig_len = get("sig", out->sig, sizeof out->sig);
	out->digest_len = get("digest", out->digest, sizeof out->digest);
	ck_assert_uint_eq(out->sig_len, 2 * out->pub.size);
	ck_assert_uint_eq(out->digest_len, out->pub.size);
}


static void setup_msg(void)
{
	setup_init();
	fill_msg();
}

static void setup_engine(void)
{
	setup_msg();
	make_work_dir();
}

/* ================= digests of known inputs ================= */

/* kz-pki-facts.md §3. */
static const struct {
	CK_MECHANISM_TYPE mech;
	const char *param;               /* dotted OID, or NULL */
	const char *input;
	const char *digest;
} digest_vectors[] = {
	/* GOST 34.311-95 = 34.11-94 with the test S-box, by its Kazakh OIDs and the Russian one. */
	{ CKM_GOSTR3411, "1.2.398.3.10.1.3.1.1.0", "a",
	  "d42c539e367c66e9c88a801f6649349c21871b4344c6a573f849fdce62f314dd" },
	{ CKM_GOSTR3411, "1.2.398.3.10.1.3.1.1.0", "abc",
	  "f3134348c44fb1b2a277729e2285ebb5cb5e0f29c975bc753b70497c06a4d51d" },
	{ CKM_GOSTR3411, "1.2.398.3.10.1.3.1.1.0", "message digest",
	  "ad4434ecb18f2c99b60cbe59ec3d2469582b65273f48de72db2fde16a4889a4d" },
	{ CKM_GOSTR3411, "1.2.398.3.10.1.3.1", "This is message, length=32 bytes",
	  "b1c466d37519b82e8319819ff32595e047a28cb6f83eff1c6916a815a637fffa" },
	{ CKM_GOSTR3411, "1.2.643.2.2.30.0", "Suppose the original message has length = 50 bytes",
	  "471aba57a60a770d3a76130635c1fbea4ef14de51f78b4ae57dd893b62f55208" },
	{ CKM_GOSTR3411, "1.2.643.2.2.30.0", "The quick brown fox jumps over the lazy dog",
	  "77b7fa410c9ac58a25f49bca7d0468c9296529315eaca76bd1a10f376d1f4294" },
	{ CKM_GOSTR3411, "1.2.643.2.2.30.0", "abc",
	  "f3134348c44fb1b2a277729e2285ebb5cb5e0f29c975bc753b70497c06a4d51d" },
	/* The CryptoPro S-box: PKCS#11's default parameter set, and named. */
	{ CKM_GOSTR3411, NULL, "This is message, length=32 bytes",
	  "2cefc2f7b7bdc514e18ea57fa74ff357e7fa17d652c75f69cb1be7893ede48eb" },
	{ CKM_GOSTR3411, "1.2.643.2.2.30.1", "This is message, length=32 bytes",
	  "2cefc2f7b7bdc514e18ea57fa74ff357e7fa17d652c75f69cb1be7893ede48eb" },
	/* Streebog (RFC 6986 M1, in output order). */
	{ CKM_GOSTR3411_12_512, NULL, "012345678901234567890123456789012345678901234567890123456789012",
	  "1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa"
	  "00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48" },
	{ CKM_GOSTR3411_12_256, NULL, "012345678901234567890123456789012345678901234567890123456789012",
	  "9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500" },
};
#define N_DIGEST_VECTORS ((int)(sizeof digest_vectors / sizeof *digest_vectors))

START_TEST(test_digest_vector)
{
	CK_SESSION_HANDLE s = h_open_fx(FX_AUTH);
	unsigned char want[64], got[64];
	size_t want_len = from_hex(digest_vectors[_i].digest, want, sizeof want), got_len;

	got_len = digest_by(s, digest_vectors[_i].mech, digest_vectors[_i].param,
			    (const unsigned char *)digest_vectors[_i].input,
			    strlen(digest_vectors[_i].input), got);
	ck_assert_uint_eq(got_len, want_len);
	ck_assert_mem_eq(got, want, want_len);
}
END_TEST

/* Length queries and short buffers as for every digest; parameters checked. */
START_TEST(test_digest_lengths_and_parameters)
{
	CK_SESSION_HANDLE s = h_open_fx(FX_AUTH);
	struct oid streebog = oid_der("1.2.643.7.1.1.2.3"), test = oid_der("1.2.643.2.2.30.0");
	const CK_MECHANISM_TYPE mechs[] = { CKM_GOSTR3411, CKM_GOSTR3411_12_256, CKM_GOSTR3411_12_512 };
	const CK_ULONG sizes[] = { 32, 32, 64 };
	unsigned char out[64];
	CK_MECHANISM m;
	CK_ULONG len;

	for (size_t i = 0; i < sizeof mechs / sizeof *mechs; i++) {
		m = mech(mechs[i], NULL);
		ck_assert_ok(p11->C_DigestInit(s, &m));
		len = 0;
		ck_assert_ok(p11->C_Digest(s, msg, sizeof msg, NULL, &len));
		ck_assert_uint_eq(len, sizes[i]);
		len = sizes[i] - 1;
		ck_assert_rv(p11->C_Digest(s, msg, sizeof msg, out, &len), CKR_BUFFER_TOO_SMALL);
		ck_assert_uint_eq(len, sizes[i]);
		ck_assert_ok(p11->C_Digest(s, msg, sizeof msg, out, &len));
		ck_assert_rv(p11->C_Digest(s, msg, sizeof msg, out, &len),
			     CKR_OPERATION_NOT_INITIALIZED);
		ck_assert_ok(p11->C_DigestInit(s, &m));
		feed(s, p11->C_DigestUpdate, msg, sizeof msg);
		len = 1;
		ck_assert_rv(p11->C_DigestFinal(s, out, &len), CKR_BUFFER_TOO_SMALL);
		ck_assert_uint_eq(len, sizes[i]);
		ck_assert_ok(p11->C_DigestFinal(s, out, &len));
	}
	/* CKM_GOSTR3411 takes 34.11-94 parameter sets only; Streebog takes none. */
	m = mech(CKM_GOSTR3411, &streebog);
	ck_assert_rv(p11->C_DigestInit(s, &m), CKR_MECHANISM_PARAM_INVALID);
	m = mech(CKM_GOSTR3411_12_512, &test);
	ck_assert_rv(p11->C_DigestInit(s, &m), CKR_MECHANISM_PARAM_INVALID);
	m = mech(CKM_GOSTR3411_12_256, &streebog);
	ck_assert_rv(p11->C_DigestInit(s, &m), CKR_MECHANISM_PARAM_INVALID);
	m = (CK_MECHANISM){ CKM_GOSTR3411, "\x05\x00", 2 };
	ck_assert_rv(p11->C_DigestInit(s, &m), CKR_MECHANISM_PARAM_INVALID);
	ck_assert_rv(p11->C_DigestFinal(s, out, &len), CKR_OPERATION_NOT_INITIALIZED);
}
END_TEST

/* ================= keys made by gost-engine ================= */

/* gost-engine's signature (s_be || r_be like PKCS#11) verifies with the
 * module: hash-and-sign over the message, sign-a-digest over gost-engine's
 * digest, reversed with the Kazakh-layout mechanisms; a changed bit fails. */
static void assert_engine_signature(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key,
				    const struct engine_signed *e, CK_MECHANISM hash_mech,
				    CK_MECHANISM_TYPE raw, CK_MECHANISM_TYPE kz_raw,
				    CK_MECHANISM_TYPE kz_hash)
{
	unsigned char kz[MAX_SIG], bad[sizeof msg];

	check_rv(verify_rv(s, key, hash_mech, msg, sizeof msg, e->sig, e->sig_len, 0), CKR_OK,
		 "gost-engine's signature", "C_Verify (hash-and-sign)");
	check_rv(verify_rv(s, key, hash_mech, msg, sizeof msg, e->sig, e->sig_len, 1), CKR_OK,
		 "gost-engine's signature", "C_VerifyFinal (hash-and-sign)");
	check_rv(verify_rv(s, key, mech(raw, NULL), e->digest, e->digest_len, e->sig, e->sig_len,
			   0),
		 CKR_OK, "gost-engine's signature", "C_Verify over gost-engine's digest");
	reverse(e->sig, e->sig_len, kz);
	check_rv(verify_rv(s, key, mech(kz_raw, NULL), e->digest, e->digest_len, kz, e->sig_len, 0),
		 CKR_OK, "gost-engine's signature reversed", "C_Verify (Kazakh layout)");
	if (kz_hash)
		check_rv(verify_rv(s, key, mech(kz_hash, NULL), msg, sizeof msg, kz, e->sig_len, 0),
			 CKR_OK, "gost-engine's signature reversed",
			 "C_Verify (Kazakh layout, hash-and-sign)");
	memcpy(bad, msg, sizeof msg);
	bad[100] ^= 0x04;
	check_rv(verify_rv(s, key, hash_mech, bad, sizeof bad, e->sig, e->sig_len, 0),
		 CKR_SIGNATURE_INVALID, "gost-engine's signature", "C_Verify of a changed message");
	check_rv(verify_rv(s, key, hash_mech, msg, sizeof msg, kz, e->sig_len, 0),
		 CKR_SIGNATURE_INVALID, "gost-engine's signature reversed",
		 "C_Verify (standard layout)");
}

START_TEST(test_engine_2012_512_key)
{
	CK_SESSION_HANDLE s = h_open_fx(FX_AUTH);
	struct engine_signed e;
	unsigned char digest[64];
	CK_OBJECT_HANDLE key;

	SKIP_UNLESS_ENGINE();
	engine_sign("gost2012_512", "streebog512", &e);
	assert_oid(&e.pub.curve, "1.2.643.7.1.2.1.2.1", "gost-engine's TC26-512-A curve");
	key = session_key(s, &e.pub);
	ck_assert_uint_eq(h_attr_ulong(s, key, CKA_KEY_TYPE), CKK_GOSTR3410_512);
	/* The module's Streebog-512 is gost-engine's. */
	ck_assert_uint_eq(module_digest(s, mech(CKM_GOSTR3411_12_512, NULL), msg, sizeof msg,
					digest),
			  64);
	ck_assert_mem_eq(digest, e.digest, 64);
	assert_engine_signature(s, key, &e, mech(CKM_GOSTR3410_WITH_GOSTR3411_12_512, NULL),
				CKM_GOSTR3410_512, CKM_KZ_GOST3410_2015_512,
				CKM_KZ_GOST3410_2015_512_WITH_GOST3411_2015_512);
}
END_TEST

/* GOST R 34.10-2001 with the CryptoPro-A curve (the 2004 keys' curve) and
 * GOST R 34.11-94 with the CryptoPro S-box (not the Kazakh hash). */
START_TEST(test_engine_2001_key)
{
	CK_SESSION_HANDLE s = h_open_fx(FX_AUTH);
	struct oid cryptopro = oid_der("1.2.643.2.2.30.1"), kz = oid_der("1.2.398.3.10.1.3.1.1.0");
	struct engine_signed e;
	unsigned char digest[32], reversed[64];
	CK_OBJECT_HANDLE key, kz_key;

	SKIP_UNLESS_ENGINE();
	engine_sign("gost2001", "md_gost94", &e);
	assert_oid(&e.pub.curve, "1.2.643.2.2.35.1", "gost-engine's CryptoPro-A curve");
	assert_oid(&e.pub.hash, "1.2.643.2.2.30.1", "gost-engine's hash parameters");
	key = session_key(s, &e.pub);
	/* The module's 34.11-94 with the CryptoPro S-box is gost-engine's md_gost94. */
	ck_assert_uint_eq(module_digest(s, mech(CKM_GOSTR3411, NULL), msg, sizeof msg, digest), 32);
	ck_assert_mem_eq(digest, e.digest, 32);
	ck_assert_uint_eq(module_digest(s, mech(CKM_GOSTR3411, &cryptopro), msg, sizeof msg, digest),
			  32);
	ck_assert_mem_eq(digest, e.digest, 32);
	/* The key names the CryptoPro hash; the mechanism parameter may name it too. */
	assert_engine_signature(s, key, &e, mech(CKM_GOSTR3410_WITH_GOSTR3411, NULL),
				CKM_GOSTR3410, CKM_KZ_GOST34310_2004, 0);
	assert_engine_signature(s, key, &e, mech(CKM_GOSTR3410_WITH_GOSTR3411, &cryptopro),
				CKM_GOSTR3410, CKM_KZ_GOST34310_2004, 0);
	/* GOST 34.311-95 (test S-box) is another hash: by parameter, by the key's
	 * CKA_GOSTR3411_PARAMS, or as the Kazakh mechanism, it does not verify. */
	check_rv(verify_rv(s, key, mech(CKM_GOSTR3410_WITH_GOSTR3411, &kz), msg, sizeof msg, e.sig,
			   e.sig_len, 0),
		 CKR_SIGNATURE_INVALID, "gost-engine's signature", "C_Verify with the Kazakh hash");
	kz_key = create_key(s, &e.pub.curve, &kz, e.pub.q, 32);
	check_rv(verify_rv(s, kz_key, mech(CKM_GOSTR3410_WITH_GOSTR3411, NULL), msg, sizeof msg,
			   e.sig, e.sig_len, 0),
		 CKR_SIGNATURE_INVALID, "gost-engine's signature",
		 "C_Verify with a key naming the Kazakh hash");
	reverse(e.sig, 64, reversed);
	check_rv(verify_rv(s, key, mech(CKM_KZ_GOST34310_2004_WITH_GOST34311_95, NULL), msg,
			   sizeof msg, reversed, 64, 0),
		 CKR_SIGNATURE_INVALID, "gost-engine's signature reversed",
		 "C_Verify with the Kazakh hash-and-sign mechanism");
	/* With the hash named in the mechanism, the key's CKA_GOSTR3411_PARAMS do not matter. */
	assert_engine_signature(s, kz_key, &e, mech(CKM_GOSTR3410_WITH_GOSTR3411, &cryptopro),
				CKM_GOSTR3410, CKM_KZ_GOST34310_2004, 0);
}
END_TEST

/* ================= the NCA containers ================= */

static void setup_containers(void)
{
	char keys[8600];

	fill_msg();
	if (!have_containers()) {
		setup_init();
		return;
	}
	snprintf(keys, sizeof keys, "%s/%s:%s/%s", testkeys, kinds[0].dir, testkeys,
		 kinds[1].dir);
	h_env(keys);
	ck_assert_ok(p11->C_Initialize(NULL));
	load_samples();
	load_ca();
	make_work_dir();
}

static void teardown_containers(void)
{
	for (int i = 0; i < n_samples; i++) {
		X509_free(samples[i].cert);
		X509_free(samples[i].cer);
	}
	n_samples = 0;
	pool_free(&ca);
	teardown_fini();
}

static void assert_attr_eq(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type,
			   const unsigned char *want, size_t want_len, const char *what)
{
	CK_ULONG len;
	unsigned char *got = h_attr(s, o, type, &len);

	ck_assert_msg(len == want_len && memcmp(got, want, len) == 0,
		      "%s: attribute 0x%lx is not the certificate's", what, (unsigned long)type);
	free(got);
}

START_TEST(test_container_objects)
{
	const struct kind *k = &kinds[_i];
	int checked = 0;

	SKIP_UNLESS(have_containers(), "the NCA GOST containers");
	ck_assert_uint_eq(h_slot_count(), (CK_ULONG)n_samples);
	for (int i = 0; i < n_samples; i++) {
		const struct sample *smp = &samples[i];
		const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(smp->cert);
		CK_SESSION_HANDLE s;
		CK_OBJECT_HANDLE cert, priv, pub, keys[2];
		CK_ATTRIBUTE value = { CKA_VALUE, NULL, 0 };
		struct gost_pub want;
		X509 *token_cert;

		if (smp->kind != k)
			continue;
		s = h_open(slot_of(smp), 0);
		h_login(s);
		cert = h_find_class(s, CKO_CERTIFICATE);
		priv = keys[0] = h_find_class(s, CKO_PRIVATE_KEY);
		pub = keys[1] = h_find_class(s, CKO_PUBLIC_KEY);

		/* The certificate is the one inside; its key is a Kazakh GOST key. */
		token_cert = h_cert_object(s, cert);
		ck_assert_msg(X509_cmp(token_cert, smp->cert) == 0,
			      "%s: the token's certificate is not the one inside", smp->name);
		ck_assert_msg(!smp->cer || X509_cmp(token_cert, smp->cer) == 0,
			      "%s: the token's certificate is not the .cer beside it", smp->name);
		gost_pub_read(X509_get_X509_PUBKEY(smp->cert), &want, smp->name);
		assert_oid(&want.curve, k->curve, smp->name);
		assert_oid(&want.hash, k->hash, smp->name);
		assert_oid_der(&want.curve, k->curve_der, k->curve_der_len, "kzp11.h");
		assert_oid_der(&want.hash, k->hash_der, k->hash_der_len, "kzp11.h");
		ck_assert_uint_eq(want.size, k->size);

		/* One CKA_ID on all three: the localKeyID, which is the SKI. */
		ck_assert_ptr_nonnull(ski);
		ck_assert_uint_eq((size_t)ski->length, smp->key_id_len);
		ck_assert_mem_eq(ski->data, smp->key_id, smp->key_id_len);
		assert_attr_eq(s, cert, CKA_ID, smp->key_id, smp->key_id_len, smp->name);
		for (int j = 0; j < 2; j++) {
			ck_assert_uint_eq(h_attr_ulong(s, keys[j], CKA_KEY_TYPE), k->key_type);
			assert_attr_eq(s, keys[j], CKA_ID, smp->key_id, smp->key_id_len, smp->name);
			assert_attr_eq(s, keys[j], CKA_GOSTR3410_PARAMS, want.curve.der,
				       want.curve.len, smp->name);
			assert_attr_eq(s, keys[j], CKA_GOSTR3411_PARAMS, want.hash.der,
				       want.hash.len, smp->name);
		}
		assert_attr_eq(s, pub, CKA_VALUE, want.q, 2 * want.size, smp->name);
		ck_assert_uint_eq(h_attr_bool(s, pub, CKA_VERIFY), CK_TRUE);
		ck_assert_uint_eq(h_attr_bool(s, priv, CKA_SIGN), CK_TRUE);
		ck_assert_uint_eq(h_attr_bool(s, priv, CKA_SENSITIVE), CK_TRUE);
		ck_assert_uint_eq(h_attr_bool(s, priv, CKA_EXTRACTABLE), CK_FALSE);
		ck_assert_rv(p11->C_GetAttributeValue(s, priv, &value, 1), CKR_ATTRIBUTE_SENSITIVE);
		ck_assert_uint_eq(value.ulValueLen, CK_UNAVAILABLE_INFORMATION);

		/* NCA's signature on it, read from the token. */
		if (ca.n)
			check_cert_by_pool(s, token_cert, smp->name, &ca);
		else
			printf("%s: ca/ not found: its certificate's signature not checked\n",
			       smp->name);
		X509_free(token_cert);
		checked++;
	}
	ck_assert_int_gt(checked, 0);
}
END_TEST

/* The input a mechanism takes: the message, or the module's digest of it. */
struct signing {
	const struct token *t;
	unsigned char digest[64];
};

static void input_of(const struct signing *sg, CK_MECHANISM_TYPE m, const unsigned char **in,
		     size_t *len)
{
	if (is_raw(sg->t->kind, m)) {
		*in = sg->digest;
		*len = sg->t->kind->size;
	} else {
		*in = msg;
		*len = sizeof msg;
	}
}

static CK_RV sign_step(CK_SESSION_HANDLE s, int multi, const unsigned char *in, size_t len,
		       unsigned char *sig, CK_ULONG *sig_len)
{
	return multi ? p11->C_SignFinal(s, sig, sig_len)
		     : p11->C_Sign(s, (CK_BYTE_PTR)in, len, sig, sig_len);
}

/* Signs single-part or in parts; the length query and a short buffer come
 * first and keep the operation going, as for RSA. */
static void sign_checked(const struct signing *sg, CK_MECHANISM_TYPE type, int multi,
			 unsigned char *sig)
{
	CK_SESSION_HANDLE s = sg->t->s;
	CK_MECHANISM m = mech(type, NULL);
	CK_ULONG want = 2 * sg->t->kind->size, len = 0;
	const unsigned char *in;
	size_t in_len;

	input_of(sg, type, &in, &in_len);
	ck_assert_ok(p11->C_SignInit(s, &m, sg->t->priv));
	if (multi)
		feed(s, p11->C_SignUpdate, in, in_len);
	ck_assert_ok(sign_step(s, multi, in, in_len, NULL, &len));
	ck_assert_uint_eq(len, want);
	len = want - 1;
	ck_assert_rv(sign_step(s, multi, in, in_len, sig, &len), CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_eq(len, want);
	len = MAX_SIG;
	ck_assert_ok(sign_step(s, multi, in, in_len, sig, &len));
	ck_assert_uint_eq(len, want);
	ck_assert_rv(sign_step(s, multi, in, in_len, sig, &len), CKR_OPERATION_NOT_INITIALIZED);
}

/* A signature made with `made_by` verifies with all four mechanisms of its
 * kind (converted to each one's layout: the Kazakh one is the byte reversal),
 * with the token's key and the certificate's, single-part and in parts; a
 * changed bit of it or of the input fails. */
static void assert_verifies_everywhere(const struct signing *sg, CK_MECHANISM_TYPE made_by,
				       const unsigned char *sig)
{
	const struct kind *k = sg->t->kind;
	const CK_MECHANISM_TYPE all[] = { k->std_hash, k->std_raw, k->kz_hash, k->kz_raw };
	const CK_OBJECT_HANDLE keys[] = { sg->t->pub, sg->t->cert_pub };
	size_t n = 2 * k->size;
	char what[512];

	for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
		unsigned char conv[MAX_SIG], bad_in[sizeof msg];
		const unsigned char *in;
		size_t in_len;

		snprintf(what, sizeof what, "%s: a signature by 0x%lx, checked by 0x%lx",
			 sg->t->smp->name, (unsigned long)made_by, (unsigned long)all[i]);
		if (is_kz(k, all[i]) != is_kz(k, made_by))
			reverse(sig, n, conv);
		else
			memcpy(conv, sig, n);
		input_of(sg, all[i], &in, &in_len);
		for (int key = 0; key < 2; key++)
			for (int multi = 0; multi < 2; multi++)
				check_rv(verify_rv(sg->t->s, keys[key], mech(all[i], NULL), in,
						   in_len, conv, n, multi),
					 CKR_OK, what, key ? "C_Verify (certificate's key)"
							   : "C_Verify (token's key)");
		conv[(i * 17) % n] ^= 0x01;
		check_rv(verify_rv(sg->t->s, keys[i % 2], mech(all[i], NULL), in, in_len, conv, n,
				   (int)i % 2),
			 CKR_SIGNATURE_INVALID, what, "C_Verify of a changed signature");
		conv[(i * 17) % n] ^= 0x01;
		memcpy(bad_in, in, in_len);
		bad_in[in_len - 1 - i] ^= 0x80;
		check_rv(verify_rv(sg->t->s, keys[(i + 1) % 2], mech(all[i], NULL), bad_in, in_len,
				   conv, n, 0),
			 CKR_SIGNATURE_INVALID, what, "C_Verify of changed input");
		check_rv(verify_rv(sg->t->s, keys[0], mech(all[i], NULL), in, in_len, conv, n - 1, 0),
			 CKR_SIGNATURE_LEN_RANGE, what, "C_Verify of a short signature");
	}
}

START_TEST(test_sign_every_mechanism)
{
	const struct kind *k = &kinds[_i];
	const CK_MECHANISM_TYPE all[] = { k->std_hash, k->std_raw, k->kz_hash, k->kz_raw };

	SKIP_UNLESS(have_containers(), "the NCA GOST containers");
	for (int i = 0; i < n_samples; i++) {
		struct token t;
		struct signing sg = { .t = &t };

		if (samples[i].kind != k)
			continue;
		open_token(&samples[i], &t);
		kind_digest(t.s, k, msg, sizeof msg, sg.digest);
		for (size_t m = 0; m < sizeof all / sizeof *all; m++) {
			unsigned char one[MAX_SIG], parts[MAX_SIG];
			sign_checked(&sg, all[m], 0, one);
			sign_checked(&sg, all[m], 1, parts);
			/* A fresh random k for every signature. */
			ck_assert_msg(memcmp(one, parts, 2 * k->size) != 0,
				      "%s: two signatures are the same", samples[i].name);
			assert_verifies_everywhere(&sg, all[m], one);
			assert_verifies_everywhere(&sg, all[m], parts);
		}
	}
}
END_TEST

/* Sign-a-digest takes exactly the key's digest size. */
START_TEST(test_digest_input_length)
{
	const struct kind *k = &kinds[_i];
	const CK_MECHANISM_TYPE raw[] = { k->std_raw, k->kz_raw };
	const size_t wrong[] = { k->size - 1, k->size + 1, 0, k->size == 32 ? 64 : 32 };
	unsigned char in[MAX_SIG] = { 1 }, sig[MAX_SIG];
	struct token t;

	SKIP_UNLESS(have_containers(), "the NCA GOST containers");
	open_token(first_of(k), &t);
	for (size_t m = 0; m < 2; m++) {
		CK_MECHANISM mm = mech(raw[m], NULL);
		sign(t.s, t.priv, mm, in, k->size, sig, k->size);
		for (size_t w = 0; w < sizeof wrong / sizeof *wrong; w++) {
			CK_ULONG len = sizeof sig;
			ck_assert_ok(p11->C_SignInit(t.s, &mm, t.priv));
			ck_assert_rv(p11->C_Sign(t.s, in, wrong[w], sig, &len), CKR_DATA_LEN_RANGE);
			/* That ended the operation. */
			ck_assert_rv(p11->C_Sign(t.s, in, k->size, sig, &len),
				     CKR_OPERATION_NOT_INITIALIZED);
			ck_assert_ok(p11->C_SignInit(t.s, &mm, t.priv));
			feed(t.s, p11->C_SignUpdate, in, wrong[w]);
			len = sizeof sig;
			ck_assert_rv(p11->C_SignFinal(t.s, sig, &len), CKR_DATA_LEN_RANGE);
			check_rv(verify_rv(t.s, t.pub, mm, in, wrong[w], sig, 2 * k->size, 0),
				 CKR_DATA_LEN_RANGE, k->name, "C_Verify of a digest of the wrong size");
			check_rv(verify_rv(t.s, t.pub, mm, in, wrong[w], sig, 2 * k->size, 1),
				 CKR_DATA_LEN_RANGE, k->name,
				 "C_VerifyFinal of a digest of the wrong size");
		}
	}
}
END_TEST

/* A mechanism for one key size refuses the other; GOST and RSA keys do not mix. */
START_TEST(test_mechanism_for_other_key)
{
	struct token t[2];
	CK_OBJECT_HANDLE rsa;
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_KEY_TYPE rsa_type = CKK_RSA;
	BIGNUM *n = NULL, *e = NULL;
	unsigned char mod[512], exp[8], sig[MAX_SIG];
	CK_ULONG len = sizeof sig;
	CK_ATTRIBUTE rsa_t[] = {
		{ CKA_CLASS, &cls, sizeof cls },
		{ CKA_KEY_TYPE, &rsa_type, sizeof rsa_type },
		{ CKA_MODULUS, mod, 0 },
		{ CKA_PUBLIC_EXPONENT, exp, 0 },
	};
	CK_MECHANISM m;

	SKIP_UNLESS(have_containers(), "the NCA GOST containers");
	for (int k = 0; k < N_KINDS; k++)
		open_token(first_of(&kinds[k]), &t[k]);
	for (int k = 0; k < N_KINDS; k++) {
		const struct kind *other = &kinds[1 - k];
		const CK_MECHANISM_TYPE mechs[] = { other->std_hash, other->std_raw, other->kz_hash,
						    other->kz_raw };
		for (size_t i = 0; i < sizeof mechs / sizeof *mechs; i++) {
			m = mech(mechs[i], NULL);
			ck_assert_rv(p11->C_SignInit(t[k].s, &m, t[k].priv), CKR_KEY_TYPE_INCONSISTENT);
			ck_assert_rv(p11->C_VerifyInit(t[k].s, &m, t[k].pub),
				     CKR_KEY_TYPE_INCONSISTENT);
			ck_assert_rv(p11->C_VerifyInit(t[k].s, &m, t[k].cert_pub),
				     CKR_KEY_TYPE_INCONSISTENT);
		}
		/* Neither the RSA mechanisms. */
		m = mech(CKM_SHA256_RSA_PKCS, NULL);
		ck_assert_rv(p11->C_SignInit(t[k].s, &m, t[k].priv), CKR_KEY_TYPE_INCONSISTENT);
		ck_assert_rv(p11->C_VerifyInit(t[k].s, &m, t[k].pub), CKR_KEY_TYPE_INCONSISTENT);
		/* A public key does not sign, a private key does not verify. */
		m = mech(kinds[k].std_hash, NULL);
		ck_assert_rv(p11->C_SignInit(t[k].s, &m, t[k].pub), CKR_KEY_FUNCTION_NOT_PERMITTED);
		ck_assert_rv(p11->C_VerifyInit(t[k].s, &m, t[k].priv), CKR_KEY_FUNCTION_NOT_PERMITTED);
		/* A digest mechanism does not sign. */
		m = mech(kinds[k].digest, NULL);
		ck_assert_rv(p11->C_SignInit(t[k].s, &m, t[k].priv), CKR_MECHANISM_INVALID);
		/* None of that left an operation behind. */
		ck_assert_rv(p11->C_SignFinal(t[k].s, sig, &len), CKR_OPERATION_NOT_INITIALIZED);
		ck_assert_rv(p11->C_VerifyFinal(t[k].s, sig, 64), CKR_OPERATION_NOT_INITIALIZED);
	}
	/* 512-bit keys take no 256-bit Streebog mechanism either. */
	m = mech(CKM_GOSTR3410_WITH_GOSTR3411_12_256, NULL);
	ck_assert_rv(p11->C_SignInit(t[1].s, &m, t[1].priv), CKR_KEY_TYPE_INCONSISTENT);
	m = mech(CKM_KZ_GOST3410_2015_256_WITH_GOST3411_2015_256, NULL);
	ck_assert_rv(p11->C_SignInit(t[1].s, &m, t[1].priv), CKR_KEY_TYPE_INCONSISTENT);
	/* An RSA session key takes no GOST mechanism. */
	ck_assert(EVP_PKEY_get_bn_param(X509_get0_pubkey(fx[FX_SIGN].cert), OSSL_PKEY_PARAM_RSA_N, &n));
	ck_assert(EVP_PKEY_get_bn_param(X509_get0_pubkey(fx[FX_SIGN].cert), OSSL_PKEY_PARAM_RSA_E, &e));
	rsa_t[2].ulValueLen = (CK_ULONG)BN_bn2bin(n, mod);
	rsa_t[3].ulValueLen = (CK_ULONG)BN_bn2bin(e, exp);
	BN_free(n);
	BN_free(e);
	ck_assert_ok(p11->C_CreateObject(t[0].s, rsa_t, 4, &rsa));
	for (int k = 0; k < N_KINDS; k++) {
		m = mech(kinds[k].std_hash, NULL);
		ck_assert_rv(p11->C_VerifyInit(t[0].s, &m, rsa), CKR_KEY_TYPE_INCONSISTENT);
		m = mech(kinds[k].kz_raw, NULL);
		ck_assert_rv(p11->C_VerifyInit(t[0].s, &m, rsa), CKR_KEY_TYPE_INCONSISTENT);
	}
}
END_TEST

/*
 * CKM_GOSTR3410_WITH_GOSTR3411 takes the hash parameters as an optional
 * DER OID.  GOST 34.311-95 by its Kazakh OIDs and by the Russian test
 * parameter set OID is one hash; the CryptoPro parameter set is another.
 */
START_TEST(test_hash_parameter_2004)
{
	const struct kind *k = &kinds[0];
	const struct oid same[] = {
		oid_der("1.2.398.3.10.1.3.1.1.0"), oid_der("1.2.398.3.10.1.3.1"),
		oid_der("1.2.643.2.2.30.0"),
	};
	struct oid cryptopro = oid_der("1.2.643.2.2.30.1");
	unsigned char sig[MAX_SIG], kz_digest[32], cp_digest[32];
	struct token t;
	CK_MECHANISM m;

	SKIP_UNLESS(have_containers(), "the NCA GOST containers");
	open_token(first_of(k), &t);
	kind_digest(t.s, k, msg, sizeof msg, kz_digest);
	module_digest(t.s, mech(CKM_GOSTR3411, &cryptopro), msg, sizeof msg, cp_digest);
	ck_assert(memcmp(kz_digest, cp_digest, 32) != 0);

	/* Without a parameter, or naming the key's hash any way: one hash. */
	for (size_t i = 0; i <= sizeof same / sizeof *same; i++) {
		const struct oid *p = i < sizeof same / sizeof *same ? &same[i] : NULL;
		sign(t.s, t.priv, mech(CKM_GOSTR3410_WITH_GOSTR3411, p), msg, sizeof msg, sig, 32);
		for (size_t j = 0; j < sizeof same / sizeof *same; j++)
			check_rv(verify_rv(t.s, t.pub, mech(CKM_GOSTR3410_WITH_GOSTR3411, &same[j]),
					   msg, sizeof msg, sig, 64, 0),
				 CKR_OK, "34.311-95", "C_Verify with another OID of the same hash");
		check_rv(verify_rv(t.s, t.cert_pub, mech(CKM_GOSTR3410_WITH_GOSTR3411, NULL), msg,
				   sizeof msg, sig, 64, 1),
			 CKR_OK, "34.311-95", "C_Verify with the key's hash");
		check_rv(verify_rv(t.s, t.pub, mech(CKM_GOSTR3410, NULL), kz_digest, 32, sig, 64, 0),
			 CKR_OK, "34.311-95", "C_Verify over the module's 34.311-95 digest");
		check_rv(verify_rv(t.s, t.pub, mech(CKM_GOSTR3410_WITH_GOSTR3411, &cryptopro), msg,
				   sizeof msg, sig, 64, 0),
			 CKR_SIGNATURE_INVALID, "34.311-95", "C_Verify with the CryptoPro hash");
	}

	/* The CryptoPro S-box: a different hash, so not the key's default. */
	sign(t.s, t.priv, mech(CKM_GOSTR3410_WITH_GOSTR3411, &cryptopro), msg, sizeof msg, sig, 32);
	check_rv(verify_rv(t.s, t.pub, mech(CKM_GOSTR3410_WITH_GOSTR3411, NULL), msg, sizeof msg,
			   sig, 64, 0),
		 CKR_SIGNATURE_INVALID, "CryptoPro hash", "C_Verify with the key's default hash");
	check_rv(verify_rv(t.s, t.pub, mech(CKM_KZ_GOST34310_2004_WITH_GOST34311_95, NULL), msg,
			   sizeof msg, sig, 64, 0),
		 CKR_SIGNATURE_INVALID, "CryptoPro hash", "C_Verify with the Kazakh mechanism");
	check_rv(verify_rv(t.s, t.cert_pub, mech(CKM_GOSTR3410_WITH_GOSTR3411, &cryptopro), msg,
			   sizeof msg, sig, 64, 1),
		 CKR_OK, "CryptoPro hash", "C_Verify with the CryptoPro parameter");
	check_rv(verify_rv(t.s, t.pub, mech(CKM_GOSTR3410, NULL), cp_digest, 32, sig, 64, 0),
		 CKR_OK, "CryptoPro hash", "C_Verify over the module's CryptoPro digest");

	/* The Kazakh hash-and-sign mechanism has its hash fixed: the same one
	 * may be named, another may not. */
	sign(t.s, t.priv, mech(CKM_KZ_GOST34310_2004_WITH_GOST34311_95, &same[2]), msg, sizeof msg,
	     sig, 32);
	check_rv(verify_rv(t.s, t.pub, mech(CKM_KZ_GOST34310_2004_WITH_GOST34311_95, &same[0]), msg,
			   sizeof msg, sig, 64, 0),
		 CKR_OK, "Kazakh mechanism", "C_Verify naming its hash");
	m = mech(CKM_KZ_GOST34310_2004_WITH_GOST34311_95, &cryptopro);
	ck_assert_rv(p11->C_SignInit(t.s, &m, t.priv), CKR_MECHANISM_PARAM_INVALID);
	ck_assert_rv(p11->C_VerifyInit(t.s, &m, t.pub), CKR_MECHANISM_PARAM_INVALID);

	/* Not a 34.11-94 parameter set: refused. */
	m = (CK_MECHANISM){ CKM_GOSTR3410_WITH_GOSTR3411, "\x05\x00", 2 };
	ck_assert_rv(p11->C_SignInit(t.s, &m, t.priv), CKR_MECHANISM_PARAM_INVALID);
	m = (CK_MECHANISM){ CKM_GOSTR3410_WITH_GOSTR3411, "\x06\x03\x2a\x03\x04", 5 };
	ck_assert_rv(p11->C_VerifyInit(t.s, &m, t.pub), CKR_MECHANISM_PARAM_INVALID);
	/* Sign-a-digest mechanisms take no parameter. */
	m = mech(CKM_GOSTR3410, &same[0]);
	ck_assert_rv(p11->C_SignInit(t.s, &m, t.priv), CKR_MECHANISM_PARAM_INVALID);
	m = mech(CKM_KZ_GOST34310_2004, &same[0]);
	ck_assert_rv(p11->C_VerifyInit(t.s, &m, t.pub), CKR_MECHANISM_PARAM_INVALID);
	/* A parameter length without a parameter. */
	m = (CK_MECHANISM){ CKM_GOSTR3410_WITH_GOSTR3411, NULL, 12 };
	ck_assert_rv(p11->C_SignInit(t.s, &m, t.priv), CKR_MECHANISM_PARAM_INVALID);
}
END_TEST

/* A 256-bit key cannot sign a 512-bit hash: CKM_GOSTR3410_WITH_GOSTR3411
 * naming Streebog-512, by mechanism parameter or by the key's
 * CKA_GOSTR3411_PARAMS, is refused rather than signing half of the digest. */
START_TEST(test_hash_parameter_too_long)
{
	struct oid streebog512[] = { oid_der("1.2.643.7.1.1.2.3"), oid_der("1.2.398.3.10.1.3.3") };
	CK_OBJECT_HANDLE key;
	struct token t;
	CK_MECHANISM m;
	CK_RV rv;

	SKIP_UNLESS(have_containers(), "the NCA GOST containers");
	open_token(first_of(&kinds[0]), &t);
	for (size_t i = 0; i < 2; i++) {
		m = mech(CKM_GOSTR3410_WITH_GOSTR3411, &streebog512[i]);
		ck_assert_rv(p11->C_SignInit(t.s, &m, t.priv), CKR_MECHANISM_PARAM_INVALID);
		ck_assert_rv(p11->C_VerifyInit(t.s, &m, t.pub), CKR_MECHANISM_PARAM_INVALID);
		rv = try_create_key(t.s, &t.cert_key.curve, &streebog512[i], t.cert_key.q, 32, &key);
		if (rv == CKR_OK) {
			m = mech(CKM_GOSTR3410_WITH_GOSTR3411, NULL);
			rv = p11->C_VerifyInit(t.s, &m, key);
			ck_assert_msg(rv != CKR_OK, "a 256-bit key hashing with Streebog-512 verifies");
		} else {
			ck_assert_rv(rv, CKR_ATTRIBUTE_VALUE_INVALID);
		}
	}
}
END_TEST

/* e = the digest as a little-endian number mod q, and 1 if that is 0
 * (GOST R 34.10): a digest and the same plus q, or 0 and 1, are one e. */
START_TEST(test_digest_taken_mod_q)
{
	const struct kind *k = &kinds[_i];
	/* CryptoPro-A's q (kz-pki-facts.md §2), little-endian. */
	static const char q_be[] = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893";
	unsigned char zero[64] = { 0 }, one[64] = { 1 }, two[64] = { 2 }, five[64] = { 5 };
	unsigned char q[64] = { 0 }, q_plus_5[64] = { 0 }, sig[MAX_SIG];
	BIGNUM *bn = NULL;
	struct token t;

	SKIP_UNLESS(have_containers(), "the NCA GOST containers");
	open_token(first_of(k), &t);
	sign(t.s, t.priv, mech(k->std_raw, NULL), zero, k->size, sig, k->size);
	check_rv(verify_rv(t.s, t.pub, mech(k->std_raw, NULL), one, k->size, sig, 2 * k->size, 0),
		 CKR_OK, k->name, "C_Verify of digest 1 with the signature of digest 0");
	check_rv(verify_rv(t.s, t.pub, mech(k->std_raw, NULL), two, k->size, sig, 2 * k->size, 0),
		 CKR_SIGNATURE_INVALID, k->name, "C_Verify of digest 2 with the signature of digest 0");
	if (k->size != 32)
		return;
	ck_assert(BN_hex2bn(&bn, q_be) > 0);
	ck_assert_int_eq(BN_bn2lebinpad(bn, q, 32), 32);
	ck_assert(BN_add_word(bn, 5));
	ck_assert_int_eq(BN_bn2lebinpad(bn, q_plus_5, 32), 32);
	BN_free(bn);
	check_rv(verify_rv(t.s, t.pub, mech(k->std_raw, NULL), q, 32, sig, 64, 0), CKR_OK, k->name,
		 "C_Verify of digest q with the signature of digest 0");
	sign(t.s, t.priv, mech(k->std_raw, NULL), five, 32, sig, 32);
	check_rv(verify_rv(t.s, t.pub, mech(k->std_raw, NULL), q_plus_5, 32, sig, 64, 0), CKR_OK,
		 k->name, "C_Verify of digest q + 5 with the signature of digest 5");
}
END_TEST

/* The Streebog-512 mechanisms have their hash fixed: naming it (Russian or
 * Kazakh OID) is accepted, naming another is not. */
START_TEST(test_hash_parameter_2015)
{
	const struct kind *k = &kinds[1];
	struct oid ru = oid_der("1.2.643.7.1.1.2.3"), kz = oid_der("1.2.398.3.10.1.3.3");
	const struct oid others[] = {
		oid_der("1.2.643.7.1.1.2.2"), oid_der("1.2.398.3.10.1.3.2"),
		oid_der("1.2.398.3.10.1.3.1.1.0"), oid_der("1.2.643.2.2.30.1"),
	};
	const CK_MECHANISM_TYPE hash_mechs[] = { k->std_hash, k->kz_hash };
	unsigned char sig[MAX_SIG];
	struct token t;
	CK_MECHANISM m;

	SKIP_UNLESS(have_containers(), "the NCA GOST containers");
	open_token(first_of(k), &t);
	for (size_t i = 0; i < 2; i++) {
		sign(t.s, t.priv, mech(hash_mechs[i], &ru), msg, sizeof msg, sig, 64);
		check_rv(verify_rv(t.s, t.pub, mech(hash_mechs[i], &kz), msg, sizeof msg, sig, 128,
				   0),
			 CKR_OK, k->name, "C_Verify naming Streebog-512 by its Kazakh OID");
		check_rv(verify_rv(t.s, t.cert_pub, mech(hash_mechs[i], NULL), msg, sizeof msg, sig,
				   128, 1),
			 CKR_OK, k->name, "C_Verify without a parameter");
		for (size_t j = 0; j < sizeof others / sizeof *others; j++) {
			m = mech(hash_mechs[i], &others[j]);
			ck_assert_rv(p11->C_SignInit(t.s, &m, t.priv), CKR_MECHANISM_PARAM_INVALID);
			ck_assert_rv(p11->C_VerifyInit(t.s, &m, t.pub), CKR_MECHANISM_PARAM_INVALID);
		}
	}
	m = mech(CKM_GOSTR3410_512, &ru);
	ck_assert_rv(p11->C_SignInit(t.s, &m, t.priv), CKR_MECHANISM_PARAM_INVALID);
	m = mech(CKM_KZ_GOST3410_2015_512, &kz);
	ck_assert_rv(p11->C_VerifyInit(t.s, &m, t.pub), CKR_MECHANISM_PARAM_INVALID);
}
END_TEST

/* The containers' signatures verify in gost-engine, given the key with
 * Russian OIDs, when signed with gost-engine's hash named by its Russian OID
 * as the mechanism parameter: for the 2004 keys that is md_gost94 (GOST R
 * 34.11-94, CryptoPro S-box), not their own 34.311-95 (test S-box). */
START_TEST(test_engine_verifies_containers)
{
	const struct kind *k = &kinds[_i];
	struct oid ru_hash = oid_der(k->ru_hash);
	int rc;

	SKIP_UNLESS(have_containers(), "the NCA GOST containers");
	SKIP_UNLESS_ENGINE();
	put("msg", msg, sizeof msg);
	msg[7] ^= 0x01;
	put("changed", msg, sizeof msg);
	msg[7] ^= 0x01;
	for (int i = 0; i < n_samples; i++) {
		unsigned char sig[MAX_SIG], kz[MAX_SIG];
		struct token t;

		if (samples[i].kind != k)
			continue;
		open_token(&samples[i], &t);
		put_russian_pubkey(k, t.cert_key.q, "pub.pem");
		sign(t.s, t.priv, mech(k->std_hash, &ru_hash), msg, sizeof msg, sig, k->size);
		put("sig", sig, 2 * k->size);
		sh_ok("openssl dgst -engine gost -%s -verify pub.pem -signature sig msg",
		      k->engine_md);
		ck_assert_msg(sh("openssl dgst -engine gost -%s -verify pub.pem -signature sig changed",
				 k->engine_md) == 1,
			      "%s: gost-engine accepts the signature for a changed message",
			      samples[i].name);
		/* The key's own hash, Kazakh layout reversed: Streebog-512 is
		 * gost-engine's streebog512, but 34.311-95 is not md_gost94. */
		sign(t.s, t.priv, mech(k->kz_hash, NULL), msg, sizeof msg, kz, k->size);
		reverse(kz, 2 * k->size, sig);
		put("sig", sig, 2 * k->size);
		rc = sh("openssl dgst -engine gost -%s -verify pub.pem -signature sig msg",
			k->engine_md);
		ck_assert_msg(rc == (k->size == 64 ? 0 : 1),
			      "%s: gost-engine -%s -verify of the 0x%lx signature, reversed: exit %d",
			      samples[i].name, k->engine_md, (unsigned long)k->kz_hash, rc);
	}
}
END_TEST

/* ================= NCA's own signatures ================= */

static void setup_nca_signatures(void)
{
	setup_init();
	load_ca();
}

static void teardown_nca_signatures(void)
{
	pool_free(&ca);
	teardown_fini();
}

/* Every GOST certificate in ca/ against its issuer, also in ca/. */
START_TEST(test_ca_certificates)
{
	CK_SESSION_HANDLE s = h_open_fx(FX_AUTH);
	int gost = 0, checked = 0;

	SKIP_UNLESS(ca.n > 0, "ca/");
	for (int i = 0; i < ca.n; i++) {
		const X509_ALGOR *alg;
		const ASN1_OBJECT *oid;

		X509_get0_signature(NULL, &alg, ca.certs[i]);
		X509_ALGOR_get0(&oid, NULL, NULL, alg);
		if (!sig_alg_of(oid))
			continue;   /* RSA */
		gost++;
		checked += check_cert_by_pool(s, ca.certs[i], ca.names[i], &ca);
	}
	/* The 2022 test root and its CA, the production root and its CA. */
	ck_assert_int_ge(gost, 5);
	ck_assert_int_ge(checked, 4);
}
END_TEST

/* Where a SignedData's SignerInfos keep their signed attributes
 * ([0] IMPLICIT SET OF Attribute) and signature, in order. */
struct signer_der {
	struct tlv attrs, sig;
};

static int cms_signers_der(const unsigned char *der, size_t len, struct signer_der *out, int max)
{
	const unsigned char *p = der, *end = der + len, *q, *qend;
	struct tlv t, si;
	int n = 0;

	/* ContentInfo { contentType, [0] EXPLICIT SignedData } */
	if (tlv_next(&p, end, &t) < 0)
		return -1;
	tlv_enter(&t, &p, &end);
	if (tlv_next(&p, end, &t) < 0 || tlv_next(&p, end, &t) < 0 ||
	    !tlv_is(&t, V_ASN1_CONTEXT_SPECIFIC, 0))
		return -1;
	tlv_enter(&t, &p, &end);
	if (tlv_next(&p, end, &t) < 0)
		return -1;
	tlv_enter(&t, &p, &end);
	/* version, digestAlgorithms, encapContentInfo, [0] certificates, [1] crls */
	for (int i = 0; i < 3; i++)
		if (tlv_next(&p, end, &t) < 0)
			return -1;
	do {
		if (tlv_next(&p, end, &t) < 0)
			return -1;
	} while (t.cls == V_ASN1_CONTEXT_SPECIFIC);
	if (!tlv_is(&t, V_ASN1_UNIVERSAL, V_ASN1_SET))
		return -1;
	tlv_enter(&t, &p, &end);
	while (p < end && n < max) {
		/* SignerInfo { version, sid, digestAlgorithm, [0] signedAttrs,
		 *              signatureAlgorithm, signature, ... } */
		if (tlv_next(&p, end, &si) < 0)
			return -1;
		tlv_enter(&si, &q, &qend);
		for (int i = 0; i < 3; i++)
			if (tlv_next(&q, qend, &t) < 0)
				return -1;
		if (tlv_next(&q, qend, &out[n].attrs) < 0 ||
		    !tlv_is(&out[n].attrs, V_ASN1_CONTEXT_SPECIFIC, 0) ||
		    tlv_next(&q, qend, &t) < 0 || tlv_next(&q, qend, &out[n].sig) < 0)
			return -1;
		n++;
	}
	return n;
}

static X509 *signer_cert(CMS_SignerInfo *si, STACK_OF(X509) *certs, const struct cert_pool *pool,
			 const char **from)
{
	for (int i = 0; i < sk_X509_num(certs); i++)
		if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(certs, i)) == 0) {
			*from = "the CMS";
			return sk_X509_value(certs, i);
		}
	for (int i = 0; i < pool->n; i++)
		if (CMS_SignerInfo_cert_cmp(si, pool->certs[i]) == 0) {
			*from = pool->names[i];
			return pool->certs[i];
		}
	return NULL;
}

/* messageDigest = the module's digest of the content, when the content is there. */
static void assert_message_digest(CK_SESSION_HANDLE s, CMS_ContentInfo *cms, CMS_SignerInfo *si,
				  const char *what)
{
	ASN1_OCTET_STRING **content = CMS_get0_content(cms);
	const ASN1_OCTET_STRING *md = CMS_signed_get0_data_by_OBJ(
		si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING);
	X509_ALGOR *dig_alg;
	const ASN1_OBJECT *dig_oid;
	unsigned char digest[64];
	size_t i, n;

	if (!content || !*content)
		return;   /* detached */
	ck_assert_msg(md != NULL, "%s: no messageDigest", what);
	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig_alg, NULL);
	X509_ALGOR_get0(&dig_oid, NULL, NULL, dig_alg);
	for (i = 0; i < sizeof digest_algs / sizeof *digest_algs; i++)
		if (oid_is(dig_oid, digest_algs[i].oid))
			break;
	ck_assert_msg(i < sizeof digest_algs / sizeof *digest_algs,
		      "%s: unexpected digest algorithm", what);
	n = digest_by(s, digest_algs[i].mech, digest_algs[i].param, ASN1_STRING_get0_data(*content),
		      (size_t)ASN1_STRING_length(*content), digest);
	ck_assert_msg(n == (size_t)md->length && memcmp(digest, md->data, n) == 0,
		      "%s: messageDigest is not the module's digest of the content", what);
}

static const char *const cms_files[] = {
	"SIGNED_CMS.p7s", "SIGNED_DETACHED_CMS.p7s", "tsp_token.bin",
};

/* Each GOST signer of a CMS file: its signature over the DER of its signed
 * attributes (tag SET OF, RFC 5652 §5.4), by its certificate's key; and
 * that certificate's own signature by its issuer. */
START_TEST(test_cms_signers)
{
	CK_SESSION_HANDLE s = h_open_fx(FX_AUTH);
	struct signer_der der[MAX_SIGNERS];
	char path[4400], what[700];
	unsigned char *buf;
	const unsigned char *p;
	size_t len;
	CMS_ContentInfo *cms;
	STACK_OF(CMS_SignerInfo) *signers;
	STACK_OF(X509) *certs;
	int n_der, gost = 0;

	SKIP_UNLESS(have_testkeys("cms"), "cms/");
	snprintf(path, sizeof path, "%s/cms/%s", testkeys, cms_files[_i]);
	ck_assert_msg(h_read_file(path, &buf, &len) == 0, "cannot read %s", path);
	p = buf;
	cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
	ck_assert_msg(cms != NULL, "%s: OpenSSL cannot read it", cms_files[_i]);
	signers = CMS_get0_SignerInfos(cms);
	certs = CMS_get1_certs(cms);
	n_der = cms_signers_der(buf, len, der, MAX_SIGNERS);
	ck_assert_int_eq(n_der, sk_CMS_SignerInfo_num(signers));

	for (int i = 0; i < n_der; i++) {
		CMS_SignerInfo *si = sk_CMS_SignerInfo_value(signers, i);
		ASN1_OCTET_STRING *sig = CMS_SignerInfo_get0_signature(si);
		X509_ALGOR *sig_alg;
		const ASN1_OBJECT *sig_oid;
		unsigned char *attrs;
		const char *from = NULL;
		X509 *cert;

		CMS_SignerInfo_get0_algs(si, NULL, NULL, NULL, &sig_alg);
		X509_ALGOR_get0(&sig_oid, NULL, NULL, sig_alg);
		if (!sig_alg_of(sig_oid))
			continue;   /* the RSA signer */
		gost++;
		snprintf(what, sizeof what, "%s, signer %d", cms_files[_i], i + 1);
		/* Found in the DER where OpenSSL sees it. */
		ck_assert_int_eq(der[i].sig.len, sig->length);
		ck_assert_mem_eq(der[i].sig.content, sig->data, (size_t)sig->length);
		cert = signer_cert(si, certs, &ca, &from);
		if (!cert) {
			printf("%s: the signer's certificate is neither in the CMS nor in ca/: "
			       "skipped\n", what);
			continue;
		}
		attrs = malloc(der[i].attrs.total);
		ck_assert_ptr_nonnull(attrs);
		memcpy(attrs, der[i].attrs.start, der[i].attrs.total);
		attrs[0] = V_ASN1_SET | V_ASN1_CONSTRUCTED;
		assert_nca_signature(s, cert, sig_oid, attrs, der[i].attrs.total, sig->data,
				     (size_t)sig->length, what);
		free(attrs);
		assert_message_digest(s, cms, si, what);
		snprintf(what, sizeof what, "%s, signer %d's certificate (from %s)", cms_files[_i],
			 i + 1, from);
		check_cert_by_pool(s, cert, what, &ca);
	}
	ck_assert_msg(gost > 0, "%s: no GOST signer", cms_files[_i]);
	sk_X509_pop_free(certs, X509_free);
	CMS_ContentInfo_free(cms);
	free(buf);
}
END_TEST

Suite *suite_gost(void)
{
	Suite *s = suite_create("gost");
	TCase *tc;

	tc = tcase_create("digests");
	tcase_add_checked_fixture(tc, setup_msg, teardown_fini);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_digest_vector, 0, N_DIGEST_VECTORS);
	tcase_add_test(tc, test_digest_lengths_and_parameters);
	suite_add_tcase(s, tc);

	tc = tcase_create("gost-engine keys");
	tcase_add_checked_fixture(tc, setup_engine, teardown_fini);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_engine_2012_512_key);
	tcase_add_test(tc, test_engine_2001_key);
	suite_add_tcase(s, tc);

	tc = tcase_create("nca gost containers");
	tcase_add_checked_fixture(tc, setup_containers, teardown_containers);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_container_objects, 0, N_KINDS);
	tcase_add_loop_test(tc, test_sign_every_mechanism, 0, N_KINDS);
	tcase_add_loop_test(tc, test_digest_input_length, 0, N_KINDS);
	tcase_add_test(tc, test_mechanism_for_other_key);
	tcase_add_test(tc, test_hash_parameter_2004);
	tcase_add_test(tc, test_hash_parameter_too_long);
	tcase_add_loop_test(tc, test_digest_taken_mod_q, 0, N_KINDS);
	tcase_add_test(tc, test_hash_parameter_2015);
	tcase_add_loop_test(tc, test_engine_verifies_containers, 0, N_KINDS);
	suite_add_tcase(s, tc);

	tc = tcase_create("nca gost signatures");
	tcase_add_checked_fixture(tc, setup_nca_signatures, teardown_nca_signatures);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_ca_certificates);
	tcase_add_loop_test(tc, test_cms_signers, 0, (int)(sizeof cms_files / sizeof *cms_files));
	suite_add_tcase(s, tc);
	return s;
}
