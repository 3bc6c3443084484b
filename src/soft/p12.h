/*
 * Reading NCA key containers (PKCS#12).  Before login only what the file
 * shows in clear is read: the key bag's localKeyID.  With the password, the
 * MAC is checked first (a wrong password stops there, having decrypted
 * nothing), then the key and certificate are decrypted.  All crypto runs in
 * the module's OpenSSL context.
 */
#ifndef KZP11_P12_H
#define KZP11_P12_H

#include <openssl/x509.h>
#include <stddef.h>

#define KZ_KEY_ID_MAX 64

enum kz_p12_status {
	KZ_P12_OK = 0,
	KZ_P12_NOT_PKCS12,      /* some other file: ignore it quietly */
	KZ_P12_MALFORMED,       /* PKCS#12 but broken */
	KZ_P12_NO_KEY,          /* PKCS#12 without a private key */
	KZ_P12_BAD_PASSWORD,
	KZ_P12_UNSUPPORTED,     /* an algorithm we cannot use */
	KZ_P12_NO_MEMORY,
};

struct kz_p12_info {
	unsigned char key_id[KZ_KEY_ID_MAX];   /* localKeyID of the key bag */
	size_t key_id_len;                      /* 0: the file has none in clear */
};

struct kz_p12_contents {
	PKCS8_PRIV_KEY_INFO *key;   /* decrypted private key */
	X509 *cert;                 /* its certificate (module context), or NULL */
};

enum kz_p12_status kz_p12_probe(const unsigned char *buf, size_t len, struct kz_p12_info *info,
				const char **why);
enum kz_p12_status kz_p12_open(const unsigned char *buf, size_t len, const char *password,
			       size_t password_len, struct kz_p12_contents *out, const char **why);
void kz_p12_contents_free(struct kz_p12_contents *c);

#endif
