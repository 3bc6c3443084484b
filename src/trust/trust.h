/*
 * The trust token: an optional extra slot publishing the CA certificates of
 * one folder (kzp11.conf: trust_ca_dir) together with NSS trust objects, so
 * NSS-based programs (Firefox, Thunderbird, NSS tools) accept sites and
 * signatures that chain to them without anyone importing a root by hand.
 */
#ifndef KZP11_TRUST_H
#define KZP11_TRUST_H

#include "pkcs11.h"
#include "util/conf.h"

#include <openssl/x509.h>
#include <stddef.h>

/* Adds the trust slot when a folder is configured and safe to use.  Never
 * fails for a bad folder or file (those are logged); only out of memory. */
CK_RV kz_trust_scan(const struct kz_conf *conf);

/* The CA certificates of the folder (trust/folder.c): skips files that are
 * not certificates, certificates that are not CAs and files others may
 * write, each with a log line.  Returns -1 when the folder itself is
 * refused or unreadable, else the number of certificates in *out. */
int kz_trust_load_folder(const char *dir, X509 ***out, size_t *n);

/* 1 when the host application has NSS loaded (trust/host.c). */
int kz_host_is_nss(void);

#endif
