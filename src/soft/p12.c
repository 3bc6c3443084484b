#include "soft/p12.h"
#include "crypto/cert.h"
#include "crypto/ossl.h"
#include "util/der.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <string.h>

/* DER of the OID 1.2.840.113549.1.7.1 (PKCS#7 data). */
static const unsigned char oid_pkcs7_data[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01
};

/* The parts of the outer PFX structure. */
struct pfx {
	const unsigned char *authsafe;   /* encoded AuthenticatedSafe */
	size_t authsafe_len;
	unsigned char *owned;            /* if the OCTET STRING was constructed */
	int has_mac;
	struct kz_der_item mac_alg;      /* AlgorithmIdentifier TLV */
	struct kz_der_item mac_digest, mac_salt;
	unsigned long mac_iter;
};

static enum kz_p12_status read_mac_data(struct kz_der *d, struct pfx *p)
{
	struct kz_der_item mac_data, digest_info, iter;
	struct kz_der m, di;

	if (kz_der_expect(d, KZ_DER_SEQUENCE, &mac_data) < 0)
		return KZ_P12_MALFORMED;
	kz_der_enter(&mac_data, &m);
	if (kz_der_expect(&m, KZ_DER_SEQUENCE, &digest_info) < 0)
		return KZ_P12_MALFORMED;
	kz_der_enter(&digest_info, &di);
	if (kz_der_expect(&di, KZ_DER_SEQUENCE, &p->mac_alg) < 0 ||
	    kz_der_expect(&di, KZ_DER_OCTETSTRING, &p->mac_digest) < 0 ||
	    kz_der_expect(&m, KZ_DER_OCTETSTRING, &p->mac_salt) < 0)
		return KZ_P12_MALFORMED;
	p->mac_iter = 1;
	if (m.p < m.end && (kz_der_expect(&m, KZ_DER_INTEGER, &iter) < 0 ||
			    kz_der_uint(&iter, &p->mac_iter) < 0 ||
			    p->mac_iter == 0 || p->mac_iter > 10000000))
		return KZ_P12_MALFORMED;
	p->has_mac = 1;
	return KZ_P12_OK;
}

static enum kz_p12_status read_pfx(const unsigned char *buf, size_t len, struct pfx *p)
{
	struct kz_der d, seq, ci;
	struct kz_der_item pfx, version, content_info, oid, wrapper, octets;
	unsigned long v;

	memset(p, 0, sizeof *p);
	kz_der_init(&d, buf, len);
	if (kz_der_expect(&d, KZ_DER_SEQUENCE, &pfx) < 0)
		return KZ_P12_NOT_PKCS12;
	kz_der_enter(&pfx, &seq);
	if (kz_der_expect(&seq, KZ_DER_INTEGER, &version) < 0 || kz_der_uint(&version, &v) < 0 ||
	    v != 3 || kz_der_expect(&seq, KZ_DER_SEQUENCE, &content_info) < 0)
		return KZ_P12_NOT_PKCS12;
	kz_der_enter(&content_info, &ci);
	if (kz_der_expect(&ci, KZ_DER_OID, &oid) < 0 || oid.len != sizeof oid_pkcs7_data ||
	    memcmp(oid.content, oid_pkcs7_data, oid.len) != 0)
		return KZ_P12_UNSUPPORTED;   /* public-key integrity mode */
	if (kz_der_expect(&ci, KZ_DER_CONTEXT0, &wrapper) < 0)
		return KZ_P12_MALFORMED;
	kz_der_enter(&wrapper, &ci);
	if (kz_der_next(&ci, &octets) < 0 ||
	    kz_der_octets(&octets, &p->authsafe, &p->authsafe_len, &p->owned) < 0)
		return KZ_P12_MALFORMED;
	if (seq.p < seq.end)
		return read_mac_data(&seq, p);
	return KZ_P12_OK;
}

static void pfx_free(struct pfx *p)
{
	OPENSSL_free(p->owned);
	p->owned = NULL;
}


static EVP_MD *fetch_mac_md(const struct pfx *p)
{
	const unsigned char *q = p->mac_alg.header;
	X509_ALGOR *alg = d2i_X509_ALGOR(NULL, &q, (long)p->mac_alg.total);
	const ASN1_OBJECT *obj = NULL;
	EVP_MD *md = NULL;

	if (alg) {
		X509_ALGOR_get0(&obj, NULL, NULL, alg);
		md = EVP_MD_fetch(kz_ossl_ctx(), OBJ_nid2sn(OBJ_obj2nid(obj)), NULL);
	}
	X509_ALGOR_free(alg);
	return md;
}

/* HMAC over the AuthenticatedSafe with the RFC 7292 appendix B key. */
static enum kz_p12_status check_mac(const struct pfx *p, const char *pw, size_t pwlen)
{
	unsigned char key[EVP_MAX_MD_SIZE], mac[EVP_MAX_MD_SIZE];
	size_t maclen = 0;
	EVP_MD *md = fetch_mac_md(p);
	EVP_MAC *hmac = NULL;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	enum kz_p12_status st = KZ_P12_UNSUPPORTED;
	int mdlen;

	if (!md)
		goto out;
	mdlen = EVP_MD_get_size(md);
	if (!PKCS12_key_gen_utf8_ex(pw, (int)pwlen, (unsigned char *)p->mac_salt.content,
				    (int)p->mac_salt.len, PKCS12_MAC_ID, (int)p->mac_iter, mdlen,
				    key, md, kz_ossl_ctx(), NULL))
		goto out;
	hmac = EVP_MAC_fetch(kz_ossl_ctx(), "HMAC", NULL);
	ctx = hmac ? EVP_MAC_CTX_new(hmac) : NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)EVP_MD_get0_name(md), 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!ctx || !EVP_MAC_init(ctx, key, (size_t)mdlen, params) ||
	    !EVP_MAC_update(ctx, p->authsafe, p->authsafe_len) ||
	    !EVP_MAC_final(ctx, mac, &maclen, sizeof mac))
		goto out;
	st = (maclen == p->mac_digest.len &&
	      CRYPTO_memcmp(mac, p->mac_digest.content, maclen) == 0)
		? KZ_P12_OK : KZ_P12_BAD_PASSWORD;
out:
	OPENSSL_cleanse(key, sizeof key);
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(hmac);
	EVP_MD_free(md);
	ERR_clear_error();
	return st;
}

static STACK_OF(PKCS7) *read_authsafes(const struct pfx *p)
{
	const unsigned char *q = p->authsafe;
	return (STACK_OF(PKCS7) *)ASN1_item_d2i(NULL, &q, (long)p->authsafe_len,
						ASN1_ITEM_rptr(PKCS12_AUTHSAFES));
}

static void free_authsafes(STACK_OF(PKCS7) *safes)
{
	sk_PKCS7_pop_free(safes, PKCS7_free);
}

static void free_bags(STACK_OF(PKCS12_SAFEBAG) *bags)
{
	sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
}

static int is_key_bag(const PKCS12_SAFEBAG *bag)
{
	int nid = PKCS12_SAFEBAG_get_nid(bag);
	return nid == NID_pkcs8ShroudedKeyBag || nid == NID_keyBag;
}

static void copy_key_id(const PKCS12_SAFEBAG *bag, struct kz_p12_info *info)
{
	const ASN1_TYPE *t = PKCS12_SAFEBAG_get0_attr(bag, NID_localKeyID);

	info->key_id_len = 0;
	if (t && t->type == V_ASN1_OCTET_STRING &&
	    t->value.octet_string->length > 0 &&
	    t->value.octet_string->length <= KZ_KEY_ID_MAX) {
		info->key_id_len = (size_t)t->value.octet_string->length;
		memcpy(info->key_id, t->value.octet_string->data, info->key_id_len);
	}
}

enum kz_p12_status kz_p12_probe(const unsigned char *buf, size_t len, struct kz_p12_info *info,
				const char **why)
{
	struct pfx p;
	STACK_OF(PKCS7) *safes;
	enum kz_p12_status st = read_pfx(buf, len, &p);
	int found = 0, encrypted = 0;

	memset(info, 0, sizeof *info);
	*why = "not a PKCS#12 file";
	if (st != KZ_P12_OK) {
		if (st == KZ_P12_MALFORMED)
			*why = "damaged PKCS#12 structure";
		else if (st == KZ_P12_UNSUPPORTED)
			*why = "PKCS#12 with public-key integrity is not supported";
		pfx_free(&p);
		return st;
	}
	safes = read_authsafes(&p);
	pfx_free(&p);
	if (!safes) {
		ERR_clear_error();
		*why = "damaged PKCS#12 contents";
		return KZ_P12_MALFORMED;
	}
	for (int i = 0; !found && i < sk_PKCS7_num(safes); i++) {
		PKCS7 *p7 = sk_PKCS7_value(safes, i);
		STACK_OF(PKCS12_SAFEBAG) *bags;
		if (OBJ_obj2nid(p7->type) != NID_pkcs7_data) {
			encrypted = 1;
			continue;
		}
		bags = PKCS12_unpack_p7data(p7);
		for (int j = 0; bags && !found && j < sk_PKCS12_SAFEBAG_num(bags); j++) {
			PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(bags, j);
			if (is_key_bag(bag)) {
				copy_key_id(bag, info);
				found = 1;
			}
		}
		free_bags(bags);
	}
	free_authsafes(safes);
	ERR_clear_error();
	if (!found && !encrypted) {
		*why = "PKCS#12 file without a private key";
		return KZ_P12_NO_KEY;
	}
	/* A key bag inside an encrypted safe shows no ID before login. */
	*why = NULL;
	return KZ_P12_OK;
}

static STACK_OF(PKCS12_SAFEBAG) *open_safe(PKCS7 *p7, const char *pw, size_t pwlen)
{
	int nid = OBJ_obj2nid(p7->type);

	if (nid == NID_pkcs7_data)
		return PKCS12_unpack_p7data(p7);
	if (nid == NID_pkcs7_encrypted && p7->d.encrypted && p7->d.encrypted->enc_data &&
	    p7->d.encrypted->enc_data->enc_data)
		return PKCS12_item_decrypt_d2i_ex(p7->d.encrypted->enc_data->algorithm,
						  ASN1_ITEM_rptr(PKCS12_SAFEBAGS), pw, (int)pwlen,
						  p7->d.encrypted->enc_data->enc_data, 1,
						  kz_ossl_ctx(), NULL);
	return NULL;
}

/* Decrypts the key bag; keeps the first key and its localKeyID. */
static enum kz_p12_status take_key(PKCS12_SAFEBAG *bag, const char *pw, size_t pwlen,
				   struct kz_p12_contents *out, struct kz_p12_info *id)
{
	if (out->key)
		return KZ_P12_OK;
	if (PKCS12_SAFEBAG_get_nid(bag) == NID_keyBag)
		out->key = ASN1_item_dup(ASN1_ITEM_rptr(PKCS8_PRIV_KEY_INFO),
					 (void *)PKCS12_SAFEBAG_get0_p8inf(bag));
	else
		out->key = PKCS12_decrypt_skey_ex(bag, pw, (int)pwlen, kz_ossl_ctx(), NULL);
	if (!out->key)
		return KZ_P12_BAD_PASSWORD;
	copy_key_id(bag, id);
	return KZ_P12_OK;
}

/* The certificates of a container, with their localKeyIDs. */
#define MAX_CERTS 8
struct cert_list {
	X509 *cert[MAX_CERTS];
	struct kz_p12_info id[MAX_CERTS];
	int n;
};

static void take_cert(PKCS12_SAFEBAG *bag, struct cert_list *certs)
{
	if (PKCS12_SAFEBAG_get_nid(bag) != NID_certBag ||
	    PKCS12_SAFEBAG_get_bag_nid(bag) != NID_x509Certificate || certs->n == MAX_CERTS)
		return;
	certs->cert[certs->n] = PKCS12_SAFEBAG_get1_cert(bag);
	if (certs->cert[certs->n]) {
		copy_key_id(bag, &certs->id[certs->n]);
		certs->n++;
	}
}

/* The certificate carrying the key's localKeyID, else the first one. */
static X509 *pick_cert(const struct cert_list *certs, const struct kz_p12_info *key_id)
{
	for (int i = 0; key_id->key_id_len && i < certs->n; i++)
		if (certs->id[i].key_id_len == key_id->key_id_len &&
		    memcmp(certs->id[i].key_id, key_id->key_id, key_id->key_id_len) == 0)
			return certs->cert[i];
	return certs->n ? certs->cert[0] : NULL;
}

enum kz_p12_status kz_p12_open(const unsigned char *buf, size_t len, const char *pw,
			       size_t pwlen, struct kz_p12_contents *out, const char **why)
{
	struct pfx p;
	STACK_OF(PKCS7) *safes = NULL;
	struct cert_list certs;
	struct kz_p12_info key_id;
	X509 *cert;
	enum kz_p12_status st = read_pfx(buf, len, &p);

	memset(out, 0, sizeof *out);
	memset(&certs, 0, sizeof certs);
	memset(&key_id, 0, sizeof key_id);
	*why = "damaged PKCS#12 structure";
	if (st != KZ_P12_OK)
		goto out;
	if (p.has_mac) {
		st = check_mac(&p, pw, pwlen);
		*why = st == KZ_P12_BAD_PASSWORD ? "wrong password"
						 : "unsupported PKCS#12 integrity algorithm";
		if (st != KZ_P12_OK)
			goto out;
	}
	safes = read_authsafes(&p);
	st = KZ_P12_MALFORMED;
	*why = "damaged PKCS#12 contents";
	if (!safes)
		goto out;
	for (int i = 0; i < sk_PKCS7_num(safes); i++) {
		STACK_OF(PKCS12_SAFEBAG) *bags = open_safe(sk_PKCS7_value(safes, i), pw, pwlen);
		for (int j = 0; bags && j < sk_PKCS12_SAFEBAG_num(bags); j++) {
			PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(bags, j);
			if (is_key_bag(bag) && take_key(bag, pw, pwlen, out, &key_id) != KZ_P12_OK) {
				free_bags(bags);
				st = KZ_P12_BAD_PASSWORD;
				*why = p.has_mac ? "private key cannot be decrypted"
						 : "wrong password";
				goto out;
			}
			take_cert(bag, &certs);
		}
		free_bags(bags);
	}
	if (!out->key) {
		st = KZ_P12_NO_KEY;
		*why = "no private key inside";
		goto out;
	}
	cert = pick_cert(&certs, &key_id);
	out->cert = cert ? kz_cert_rebind(cert) : NULL;
	st = KZ_P12_OK;
	*why = NULL;
out:
	for (int i = 0; i < certs.n; i++)
		X509_free(certs.cert[i]);
	free_authsafes(safes);
	pfx_free(&p);
	ERR_clear_error();
	if (st != KZ_P12_OK)
		kz_p12_contents_free(out);
	return st;
}

void kz_p12_contents_free(struct kz_p12_contents *c)
{
	PKCS8_PRIV_KEY_INFO_free(c->key);   /* clears the key bytes */
	X509_free(c->cert);
	c->key = NULL;
	c->cert = NULL;
}
