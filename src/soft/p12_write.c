#include "soft/p12_write.h"
#include "crypto/ossl.h"
#include "util/der.h"

#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <string.h>

/* Safes inside safes: real files have one level; a bound keeps hostile ones finite. */
#define MAX_NESTING 4
#define MAX_SALT 256

/* The DER contents of the OIDs the walk looks for. */
static const unsigned char oid_data[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01 };
static const unsigned char oid_encrypted_data[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x06 };
static const unsigned char oid_shrouded_key_bag[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x02 };
static const unsigned char oid_safe_contents_bag[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x06 };
/* pkcs-12PbeIds (1.2.840.113549.1.12.1.x) and pkcs-5 (1.2.840.113549.1.5.x). */
static const unsigned char arc_pkcs12_pbe[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01 };
static const unsigned char arc_pkcs5[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05 };
#define PKCS5_PBKDF2 12
#define PKCS5_PBES2 13

struct rewrite {
	const char *old_pw, *new_pw;
	int old_len, new_len;
	enum kz_p12_status st;
	const char *why;
};

static int fail(struct rewrite *rw, enum kz_p12_status st, const char *why)
{
	if (rw->st == KZ_P12_OK) {   /* keep the first, most specific reason */
		rw->st = st;
		rw->why = why;
	}
	return -1;
}

static int oid_is(const struct kz_der_item *it, const unsigned char *oid, size_t n)
{
	return it->tag == KZ_DER_OID && it->len == n && memcmp(it->content, oid, n) == 0;
}

/* The last arc of an OID under a one-byte-longer arc, or -1. */
static int oid_under(const struct kz_der_item *it, const unsigned char *arc, size_t n)
{
	if (it->tag != KZ_DER_OID || it->len != n + 1 || memcmp(it->content, arc, n) != 0)
		return -1;
	return it->content[n];
}

/* The walk only ever runs over buffers it owns. */
static unsigned char *writable(const unsigned char *p)
{
	return (unsigned char *)p;
}

/* Fills a primitive OCTET STRING (a salt or IV) with new random bytes. */
static int fresh(struct rewrite *rw, const struct kz_der_item *it)
{
	if (it->tag != KZ_DER_OCTETSTRING || it->constructed || it->len == 0 ||
	    it->len > MAX_SALT)
		return fail(rw, KZ_P12_UNSUPPORTED, "a salt or IV kzp11 cannot renew");
	if (RAND_bytes_ex(kz_ossl_ctx(), writable(it->content), it->len, 0) != 1)
		return fail(rw, KZ_P12_UNSUPPORTED, "no random numbers available");
	return 0;
}

/*
 * New salts (and IV) for a password-based encryption AlgorithmIdentifier,
 * written over the old ones; algorithm and iteration count stay.
 */
static int renew_params(struct rewrite *rw, const struct kz_der_item *alg)
{
	struct kz_der d, p, k, kp, s;
	struct kz_der_item oid, params, salt, kdf, kdf_oid, kdf_params, scheme, scheme_oid, iv;
	int arc;

	kz_der_enter(alg, &d);
	if (kz_der_expect(&d, KZ_DER_OID, &oid) < 0 ||
	    kz_der_expect(&d, KZ_DER_SEQUENCE, &params) < 0)
		return fail(rw, KZ_P12_MALFORMED, "damaged encryption algorithm");
	kz_der_enter(&params, &p);
	/* PKCS#12 PBE and PKCS#5 PBES1: SEQUENCE { salt, iterations }. */
	arc = oid_under(&oid, arc_pkcs5, sizeof arc_pkcs5);
	if (oid_under(&oid, arc_pkcs12_pbe, sizeof arc_pkcs12_pbe) >= 1 ||
	    arc == 1 || arc == 3 || arc == 4 || arc == 6 || arc == 10 || arc == 11) {
		if (kz_der_expect(&p, KZ_DER_OCTETSTRING, &salt) < 0)
			return fail(rw, KZ_P12_MALFORMED, "damaged encryption parameters");
		return fresh(rw, &salt);
	}
	if (arc != PKCS5_PBES2)
		return fail(rw, KZ_P12_UNSUPPORTED, "an encryption algorithm kzp11 cannot write");
	/* PBES2: { PBKDF2 { salt, iterations, ... }, cipher { IV } }. */
	if (kz_der_expect(&p, KZ_DER_SEQUENCE, &kdf) < 0 ||
	    kz_der_expect(&p, KZ_DER_SEQUENCE, &scheme) < 0)
		return fail(rw, KZ_P12_MALFORMED, "damaged PBES2 parameters");
	kz_der_enter(&kdf, &k);
	kz_der_enter(&scheme, &s);
	if (kz_der_expect(&k, KZ_DER_OID, &kdf_oid) < 0 ||
	    oid_under(&kdf_oid, arc_pkcs5, sizeof arc_pkcs5) != PKCS5_PBKDF2 ||
	    kz_der_expect(&k, KZ_DER_SEQUENCE, &kdf_params) < 0)
		return fail(rw, KZ_P12_UNSUPPORTED, "a PBES2 key derivation other than PBKDF2");
	kz_der_enter(&kdf_params, &kp);
	if (kz_der_expect(&kp, KZ_DER_OCTETSTRING, &salt) < 0 ||
	    kz_der_expect(&s, KZ_DER_OID, &scheme_oid) < 0 ||
	    kz_der_expect(&s, KZ_DER_OCTETSTRING, &iv) < 0)
		return fail(rw, KZ_P12_UNSUPPORTED, "PBES2 parameters kzp11 cannot renew");
	return fresh(rw, &salt) | fresh(rw, &iv);
}

static int rewrite_safe_contents(struct rewrite *rw, const unsigned char *buf, size_t len,
				 int depth);

/*
 * Decrypts ciphertext `ct` (under AlgorithmIdentifier `alg`) with the old
 * password, renews the parameters and encrypts the same plaintext with the
 * new password over the old ciphertext.  A safe's plaintext is itself
 * rewritten first, for key bags inside encrypted safes.
 */
static int reencrypt(struct rewrite *rw, const struct kz_der_item *alg,
		     const struct kz_der_item *ct, int is_safe, int depth)
{
	X509_ALGOR *a = NULL;
	const unsigned char *q;
	unsigned char *plain = NULL, *enc = NULL;
	int plain_len = 0, enc_len = 0, rc = -1;

	if (ct->constructed || ct->len == 0 || ct->len > INT_MAX)
		return fail(rw, KZ_P12_UNSUPPORTED, "encrypted data in pieces");
	q = alg->header;
	a = d2i_X509_ALGOR(NULL, &q, (long)alg->total);
	if (!a) {
		fail(rw, KZ_P12_MALFORMED, "damaged encryption algorithm");
		goto out;
	}
	if (!PKCS12_pbe_crypt_ex(a, rw->old_pw, rw->old_len, ct->content, (int)ct->len, &plain,
				 &plain_len, 0, kz_ossl_ctx(), NULL)) {
		plain = NULL;
		fail(rw, KZ_P12_BAD_PASSWORD, "cannot decrypt with the old password");
		goto out;
	}
	if (is_safe && rewrite_safe_contents(rw, plain, (size_t)plain_len, depth + 1) < 0)
		goto out;
	X509_ALGOR_free(a);
	a = NULL;
	if (renew_params(rw, alg) < 0)
		goto out;
	q = alg->header;
	a = d2i_X509_ALGOR(NULL, &q, (long)alg->total);
	if (!a || !PKCS12_pbe_crypt_ex(a, rw->new_pw, rw->new_len, plain, plain_len, &enc,
				       &enc_len, 1, kz_ossl_ctx(), NULL)) {
		enc = NULL;
		fail(rw, KZ_P12_UNSUPPORTED, "cannot encrypt with the container's algorithm");
		goto out;
	}
	if ((size_t)enc_len != ct->len) {
		fail(rw, KZ_P12_UNSUPPORTED, "the new ciphertext would change the layout");
		goto out;
	}
	memcpy(writable(ct->content), enc, ct->len);
	rc = 0;
out:
	OPENSSL_clear_free(plain, plain ? (size_t)plain_len : 0);
	OPENSSL_free(enc);
	X509_ALGOR_free(a);
	return rc;
}

/* SafeBag { bagId, [0] bagValue, attributes }: attributes are not touched. */
static int rewrite_bag(struct rewrite *rw, const struct kz_der_item *bag, int depth)
{
	struct kz_der d, v, e;
	struct kz_der_item id, value, inner, alg, ct;

	kz_der_enter(bag, &d);
	if (kz_der_expect(&d, KZ_DER_OID, &id) < 0 ||
	    kz_der_expect(&d, KZ_DER_CONTEXT0, &value) < 0)
		return fail(rw, KZ_P12_MALFORMED, "damaged safe bag");
	kz_der_enter(&value, &v);
	if (oid_is(&id, oid_shrouded_key_bag, sizeof oid_shrouded_key_bag)) {
		/* EncryptedPrivateKeyInfo { algorithm, encryptedData } */
		if (kz_der_expect(&v, KZ_DER_SEQUENCE, &inner) < 0)
			return fail(rw, KZ_P12_MALFORMED, "damaged key bag");
		kz_der_enter(&inner, &e);
		if (kz_der_expect(&e, KZ_DER_SEQUENCE, &alg) < 0 ||
		    kz_der_expect(&e, KZ_DER_OCTETSTRING, &ct) < 0)
			return fail(rw, KZ_P12_MALFORMED, "damaged key bag");
		return reencrypt(rw, &alg, &ct, 0, depth);
	}
	if (oid_is(&id, oid_safe_contents_bag, sizeof oid_safe_contents_bag)) {
		if (kz_der_expect(&v, KZ_DER_SEQUENCE, &inner) < 0)
			return fail(rw, KZ_P12_MALFORMED, "damaged nested safe");
		return rewrite_safe_contents(rw, inner.header, inner.total, depth + 1);
	}
	return 0;   /* certificates, CRLs, plain key bags: nothing encrypted */
}

static int rewrite_safe_contents(struct rewrite *rw, const unsigned char *buf, size_t len,
				 int depth)
{
	struct kz_der top, bags;
	struct kz_der_item seq, bag;

	if (depth > MAX_NESTING)
		return fail(rw, KZ_P12_UNSUPPORTED, "safes nested too deeply");
	kz_der_init(&top, buf, len);
	if (kz_der_expect(&top, KZ_DER_SEQUENCE, &seq) < 0)
		return fail(rw, KZ_P12_MALFORMED, "damaged safe contents");
	kz_der_enter(&seq, &bags);
	while (bags.p < bags.end) {
		if (kz_der_expect(&bags, KZ_DER_SEQUENCE, &bag) < 0)
			return fail(rw, KZ_P12_MALFORMED, "damaged safe contents");
		if (rewrite_bag(rw, &bag, depth) < 0)
			return -1;
	}
	return 0;
}

/* EncryptedData { version, EncryptedContentInfo { type, alg, [0] content } } */
static int rewrite_encrypted_safe(struct rewrite *rw, struct kz_der *wrapper)
{
	struct kz_der e, eci, chunks;
	struct kz_der_item enc, version, info, type, alg, content, ct;

	if (kz_der_expect(wrapper, KZ_DER_SEQUENCE, &enc) < 0)
		return fail(rw, KZ_P12_MALFORMED, "damaged encrypted safe");
	kz_der_enter(&enc, &e);
	if (kz_der_expect(&e, KZ_DER_INTEGER, &version) < 0 ||
	    kz_der_expect(&e, KZ_DER_SEQUENCE, &info) < 0)
		return fail(rw, KZ_P12_MALFORMED, "damaged encrypted safe");
	kz_der_enter(&info, &eci);
	if (kz_der_expect(&eci, KZ_DER_OID, &type) < 0 ||
	    kz_der_expect(&eci, KZ_DER_SEQUENCE, &alg) < 0 || kz_der_next(&eci, &content) < 0)
		return fail(rw, KZ_P12_MALFORMED, "damaged encrypted safe");
	if (content.tag == 0x80) {
		ct = content;   /* [0] IMPLICIT OCTET STRING, primitive (OpenSSL) */
	} else if (content.tag == KZ_DER_CONTEXT0) {
		/* constructed [0] holding one OCTET STRING (NCA) */
		kz_der_enter(&content, &chunks);
		if (kz_der_expect(&chunks, KZ_DER_OCTETSTRING, &ct) < 0 || chunks.p < chunks.end)
			return fail(rw, KZ_P12_UNSUPPORTED, "encrypted safe in pieces");
	} else {
		return fail(rw, KZ_P12_MALFORMED, "damaged encrypted safe");
	}
	return reencrypt(rw, &alg, &ct, 1, 1);
}

/* AuthenticatedSafe: SEQUENCE OF ContentInfo { type, [0] content }. */
static int rewrite_authsafe(struct rewrite *rw, const unsigned char *buf, size_t len)
{
	struct kz_der top, list, ci, wrapper;
	struct kz_der_item seq, info, type, content, octets;

	kz_der_init(&top, buf, len);
	if (kz_der_expect(&top, KZ_DER_SEQUENCE, &seq) < 0)
		return fail(rw, KZ_P12_MALFORMED, "damaged PKCS#12 contents");
	kz_der_enter(&seq, &list);
	while (list.p < list.end) {
		if (kz_der_expect(&list, KZ_DER_SEQUENCE, &info) < 0)
			return fail(rw, KZ_P12_MALFORMED, "damaged PKCS#12 contents");
		kz_der_enter(&info, &ci);
		if (kz_der_expect(&ci, KZ_DER_OID, &type) < 0 ||
		    kz_der_expect(&ci, KZ_DER_CONTEXT0, &content) < 0)
			return fail(rw, KZ_P12_MALFORMED, "damaged PKCS#12 contents");
		kz_der_enter(&content, &wrapper);
		if (oid_is(&type, oid_data, sizeof oid_data)) {
			if (kz_der_next(&wrapper, &octets) < 0 || octets.tag != KZ_DER_OCTETSTRING)
				return fail(rw, KZ_P12_MALFORMED, "damaged safe");
			if (octets.constructed)
				return fail(rw, KZ_P12_UNSUPPORTED, "a safe in pieces");
			if (rewrite_safe_contents(rw, octets.content, octets.len, 1) < 0)
				return -1;
		} else if (oid_is(&type, oid_encrypted_data, sizeof oid_encrypted_data)) {
			if (rewrite_encrypted_safe(rw, &wrapper) < 0)
				return -1;
		} else {
			return fail(rw, KZ_P12_UNSUPPORTED, "a safe type kzp11 cannot rewrite");
		}
	}
	return 0;
}

/* MacData { DigestInfo { alg, digest }, salt, iterations }: new salt, new MAC. */
static int rewrite_mac(struct rewrite *rw, const struct kz_der_item *mac_data,
		       const unsigned char *authsafe, size_t authsafe_len)
{
	struct kz_der m, di;
	struct kz_der_item digest_info, alg, digest, salt, iter_item;
	unsigned long iter = 1;
	unsigned char key[EVP_MAX_MD_SIZE], mac[EVP_MAX_MD_SIZE];
	const ASN1_OBJECT *obj = NULL;
	const unsigned char *q;
	X509_ALGOR *a = NULL;
	EVP_MD *md = NULL;
	size_t mac_len = 0;
	int md_len, rc = -1;

	kz_der_enter(mac_data, &m);
	if (kz_der_expect(&m, KZ_DER_SEQUENCE, &digest_info) < 0)
		return fail(rw, KZ_P12_MALFORMED, "damaged MAC");
	kz_der_enter(&digest_info, &di);
	if (kz_der_expect(&di, KZ_DER_SEQUENCE, &alg) < 0 ||
	    kz_der_expect(&di, KZ_DER_OCTETSTRING, &digest) < 0 ||
	    kz_der_expect(&m, KZ_DER_OCTETSTRING, &salt) < 0 ||
	    (m.p < m.end && (kz_der_expect(&m, KZ_DER_INTEGER, &iter_item) < 0 ||
			     kz_der_uint(&iter_item, &iter) < 0)) ||
	    iter == 0 || iter > 10000000 || digest.constructed || salt.len > INT_MAX)
		return fail(rw, KZ_P12_MALFORMED, "damaged MAC");
	q = alg.header;
	a = d2i_X509_ALGOR(NULL, &q, (long)alg.total);
	if (a) {
		X509_ALGOR_get0(&obj, NULL, NULL, a);
		md = EVP_MD_fetch(kz_ossl_ctx(), OBJ_nid2sn(OBJ_obj2nid(obj)), NULL);
	}
	md_len = md ? EVP_MD_get_size(md) : 0;
	if (md_len <= 0 || (size_t)md_len != digest.len) {
		fail(rw, KZ_P12_UNSUPPORTED, "a MAC algorithm kzp11 cannot write");
		goto out;
	}
	if (fresh(rw, &salt) < 0)
		goto out;
	if (!PKCS12_key_gen_utf8_ex(rw->new_pw, rw->new_len, writable(salt.content),
				    (int)salt.len, PKCS12_MAC_ID, (int)iter, md_len, key, md,
				    kz_ossl_ctx(), NULL) ||
	    !EVP_Q_mac(kz_ossl_ctx(), "HMAC", NULL, EVP_MD_get0_name(md), NULL, key,
		       (size_t)md_len, authsafe, authsafe_len, mac, sizeof mac, &mac_len) ||
	    mac_len != digest.len) {
		fail(rw, KZ_P12_UNSUPPORTED, "cannot compute the MAC");
		goto out;
	}
	memcpy(writable(digest.content), mac, mac_len);
	rc = 0;
out:
	OPENSSL_cleanse(key, sizeof key);
	EVP_MD_free(md);
	X509_ALGOR_free(a);
	return rc;
}

/* PFX { version, authSafe ContentInfo { data, [0] OCTET STRING }, MacData } */
static int rewrite_pfx(struct rewrite *rw, const unsigned char *buf, size_t len)
{
	struct kz_der d, seq, ci, wrapper;
	struct kz_der_item pfx, version, info, type, content, octets, mac_data;
	unsigned long v;

	kz_der_init(&d, buf, len);
	if (kz_der_expect(&d, KZ_DER_SEQUENCE, &pfx) < 0)
		return fail(rw, KZ_P12_NOT_PKCS12, "not a PKCS#12 file");
	kz_der_enter(&pfx, &seq);
	if (kz_der_expect(&seq, KZ_DER_INTEGER, &version) < 0 || kz_der_uint(&version, &v) < 0 ||
	    v != 3 || kz_der_expect(&seq, KZ_DER_SEQUENCE, &info) < 0)
		return fail(rw, KZ_P12_NOT_PKCS12, "not a PKCS#12 file");
	kz_der_enter(&info, &ci);
	if (kz_der_expect(&ci, KZ_DER_OID, &type) < 0 || !oid_is(&type, oid_data, sizeof oid_data))
		return fail(rw, KZ_P12_UNSUPPORTED, "PKCS#12 with public-key integrity");
	if (kz_der_expect(&ci, KZ_DER_CONTEXT0, &content) < 0)
		return fail(rw, KZ_P12_MALFORMED, "damaged PKCS#12 structure");
	kz_der_enter(&content, &wrapper);
	if (kz_der_next(&wrapper, &octets) < 0 || octets.tag != KZ_DER_OCTETSTRING)
		return fail(rw, KZ_P12_MALFORMED, "damaged PKCS#12 structure");
	if (octets.constructed)
		return fail(rw, KZ_P12_UNSUPPORTED, "PKCS#12 contents in pieces");
	if (rewrite_authsafe(rw, octets.content, octets.len) < 0)
		return -1;
	if (seq.p >= seq.end)
		return 0;   /* no MAC: the encryption alone carries the password */
	if (kz_der_expect(&seq, KZ_DER_SEQUENCE, &mac_data) < 0)
		return fail(rw, KZ_P12_MALFORMED, "damaged MAC");
	return rewrite_mac(rw, &mac_data, octets.content, octets.len);
}

enum kz_p12_status kz_p12_repassword(const unsigned char *in, size_t len,
				     const char *old_pw, size_t old_len,
				     const char *new_pw, size_t new_len,
				     unsigned char **out, const char **why)
{
	struct rewrite rw = { .old_pw = old_pw, .new_pw = new_pw, .st = KZ_P12_OK };
	unsigned char *buf;

	*out = NULL;
	*why = NULL;
	if (old_len > INT_MAX || new_len > INT_MAX || len == 0) {
		*why = "password or file too long";
		return KZ_P12_UNSUPPORTED;
	}
	rw.old_len = (int)old_len;
	rw.new_len = (int)new_len;
	buf = OPENSSL_malloc(len);
	if (!buf)
		return KZ_P12_NO_MEMORY;
	memcpy(buf, in, len);
	if (rewrite_pfx(&rw, buf, len) < 0) {
		OPENSSL_clear_free(buf, len);
		ERR_clear_error();
		*why = rw.why;
		return rw.st;
	}
	ERR_clear_error();
	*out = buf;
	return KZ_P12_OK;
}
