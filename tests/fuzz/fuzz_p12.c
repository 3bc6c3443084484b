/*
 * Fuzz target: NCA key containers.  The input is a whole container file.
 * It goes through what a scan and a login do with it: kz_p12_probe (the
 * clear part), kz_p12_open with the password the seed containers use
 * (MAC, decryption of the bags, certificate bags), then the decrypted key
 * and certificate are read the way the token objects are made from them:
 * the private key (RSA or GOST), the certificate's public key, whether
 * they match, the certificate's key ID, names and purpose, and the labels
 * and serial a container with them gets.
 *
 * Seeds (see tests/fuzz/README.md) are kzp11-mkcontainer output in both
 * formats, the same without the MAC and without encryption, so that
 * mutations reach the bag and key parsers instead of stopping at the MAC.
 */
#include "fuzz.h"
#include "crypto/cert.h"
#include "crypto/key.h"
#include "crypto/ossl.h"
#include "soft/container.h"
#include "soft/p12.h"
#include "util/log.h"

#include <openssl/crypto.h>
#include <stdlib.h>

#define PASSWORD "Qwerty12"

int kz_fuzz_init(void)
{
	kz_log_set_level(KZ_LOG_DEBUG);
	kz_log_set_target("/dev/null");
	return kz_ossl_init() == 0 ? 0 : 1;
}

static void read_cert(X509 *cert, const struct kz_key *priv)
{
	const char *why = NULL;
	struct kz_key *pub = kz_key_from_cert(cert, &why);
	unsigned char id[64];
	size_t id_len = 0;

	if (pub) {
		if (priv)
			kz_key_matches_cert(priv, cert);
		kz_key_size_bytes(pub);
		kz_key_unref(pub);
	}
	kz_cert_key_id(cert, id, sizeof id, &id_len);
	free(kz_cert_common_name(cert));
	free(kz_cert_subject_serial(cert));
	kz_cert_purpose(cert);
}

/* What the token shows for a container holding this certificate. */
static void read_labels(X509 *cert, const struct kz_p12_info *info)
{
	struct kz_container c;
	unsigned char label[32], serial[16], obj_id[KZ_KEY_ID_MAX + 32];
	size_t obj_id_len = sizeof obj_id;

	memset(&c, 0, sizeof c);
	c.path = (char *)"/keys/AUTH_RSA256_fuzz.p12";
	c.name_hint = "AUTH";
	memcpy(c.id, info->key_id, info->key_id_len);
	c.id_len = info->key_id_len;
	/* As a login publishes it: the container takes the file's certificate. */
	c.cert = cert;
	kz_soft_token_label(&c, label);
	free(kz_soft_object_label(&c));
	kz_soft_serial(&c, serial);
	kz_soft_object_id(&c, obj_id, &obj_id_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kz_p12_info info;
	struct kz_p12_contents out;
	const char *why = NULL;
	struct kz_key *key = NULL;

	if (kz_p12_probe(data, size, &info, &why) != KZ_P12_OK)
		return 0;
	if (kz_p12_open(data, size, PASSWORD, sizeof PASSWORD - 1, &out, &why) != KZ_P12_OK) {
		read_labels(NULL, &info);
		return 0;
	}
	key = kz_key_from_pkcs8(out.key, &why);
	if (out.cert)
		read_cert(out.cert, key);
	read_labels(out.cert, &info);
	if (key)
		kz_key_unref(key);
	kz_p12_contents_free(&out);
	return 0;
}
