/* One NCA key container and what the module knows about it. */
#ifndef KZP11_CONTAINER_H
#define KZP11_CONTAINER_H

#include "pkcs11.h"
#include "crypto/key.h"
#include "soft/p12.h"

#include <openssl/x509.h>

struct kz_slot;
struct kz_conf;

struct kz_container {
	char *path;
	unsigned char id[KZ_KEY_ID_MAX];   /* identity: the file's localKeyID */
	size_t id_len;
	const char *name_hint;   /* "AUTH"/"SIGN"/"GOST" from an NCA file name, or NULL */
	X509 *cert;              /* the public certificate, once known */
	int cert_published;
	unsigned char token_label[32];   /* fixed by kz_soft_name_token */
	int token_label_fixed;
	char *object_label;      /* fixed by kz_soft_name_objects once the certificate is known */
	int object_label_final;
	const struct kz_conf *conf;
};

extern const struct kz_backend kz_soft_backend;

/* Takes in a public certificate for the container if it belongs to it. */
int kz_container_accept_cert(struct kz_container *c, X509 *cert);
void kz_container_free(struct kz_container *c);

/* C_SetPIN: re-encrypts the file with the new password (soft/setpin.c). */
CK_RV kz_soft_set_pin(struct kz_slot *slot, const CK_UTF8CHAR *old_pin, CK_ULONG old_len,
		      const CK_UTF8CHAR *new_pin, CK_ULONG new_len);

/* Objects (soft/objects.c). */
CK_RV kz_soft_publish_profile(struct kz_slot *slot);
CK_RV kz_soft_publish_public(struct kz_slot *slot, struct kz_container *c);
CK_RV kz_soft_publish_private(struct kz_slot *slot, struct kz_container *c,
			      struct kz_key *key);

/* Names (soft/label.c).  The first two compute a label from the container
 * alone; the next two fix the labels the token and its objects keep while
 * the module is loaded, distinct from the other containers' ones. */
void kz_soft_token_label(const struct kz_container *c, unsigned char out[32]);
char *kz_soft_object_label(const struct kz_container *c);
void kz_soft_name_token(struct kz_container *c);
const char *kz_soft_name_objects(struct kz_container *c);
void kz_soft_serial(const struct kz_container *c, unsigned char out[16]);
/* The CKA_ID shared by certificate and keys. */
void kz_soft_object_id(const struct kz_container *c, unsigned char *out, size_t *len);

/* The per-user certificate cache (soft/certcache.c). */
X509 *kz_certcache_load(const struct kz_conf *conf, const struct kz_container *c);
void kz_certcache_store(const struct kz_conf *conf, const struct kz_container *c);

#endif
