/*
 * Asking for a password with a pinentry program (GnuPG's, or any program
 * speaking its Assuan dialect), for tokens with a protected authentication
 * path (`pinentry = PROGRAM` in kzp11.conf).
 */
#ifndef KZP11_PINENTRY_H
#define KZP11_PINENTRY_H

#include <stddef.h>

enum kz_pinentry_status {
	KZ_PINENTRY_OK = 0,
	KZ_PINENTRY_CANCELED,   /* the user closed the dialog */
	KZ_PINENTRY_FAILED,     /* no program, it died, or it spoke nonsense */
};

struct kz_pinentry {
	char *program;          /* absolute path, run without a shell */
	char *title;            /* SETTITLE */
	char *description;      /* SETDESC: which token */
	char *prompt;           /* SETPROMPT */
};

/*
 * Runs the program and asks once.  On success *pin is a NUL-terminated
 * password in locked memory (free it with kz_secmem_free) and *len its
 * length.  Blocks until the user answers; never logs the password.
 */
enum kz_pinentry_status kz_pinentry_ask(const struct kz_pinentry *req, char **pin, size_t *len);
void kz_pinentry_clear(struct kz_pinentry *req);

/* Assuan percent-escaping, exposed for tests: out holds 3 * strlen(in) + 1. */
void kz_pinentry_escape(const char *in, char *out);
/* Decodes %XX in place over n bytes; the new length, or -1 if malformed. */
long kz_pinentry_unescape(char *buf, size_t n);

#endif
