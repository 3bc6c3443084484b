/*
 * Changing a container's password.  The file is re-encrypted in place: every
 * encrypted part (shrouded key bags, encrypted safes) is decrypted with the
 * old password and encrypted again with the new one under the same
 * algorithm, iteration count and salt/IV lengths but fresh random salts and
 * IVs; the MAC gets a fresh salt and is recomputed.  Since CBC ciphertext of
 * the same plaintext has the same length, every length, tag and BER framing
 * byte stays where it was: NCA's software sees the layout it wrote itself.
 */
#ifndef KZP11_P12_WRITE_H
#define KZP11_P12_WRITE_H

#include "soft/p12.h"

#include <stddef.h>

/*
 * Returns in *out (malloc'd, same length as the input; the caller frees it
 * with OPENSSL_clear_free) the container protected by new_pw.  The old
 * password must already have been checked (kz_p12_open).  KZ_P12_UNSUPPORTED
 * for layouts this cannot rewrite in place; *why says why.
 */
enum kz_p12_status kz_p12_repassword(const unsigned char *in, size_t len,
				     const char *old_pw, size_t old_len,
				     const char *new_pw, size_t new_len,
				     unsigned char **out, const char **why);

#endif
