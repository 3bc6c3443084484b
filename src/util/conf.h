/* kzp11.conf: where keys are looked for, logging, the certificate cache. */
#ifndef KZP11_CONF_H
#define KZP11_CONF_H

#include <stddef.h>

struct kz_conf {
	char **key_paths;       /* folders and single container files, in order */
	size_t n_key_paths;
	int key_paths_from_env; /* KZP11_KEYS replaced the configured folders */
	int scan_depth;         /* how deep to descend into key folders */
	int log_level;
	char *log_target;       /* NULL: stderr */
	int cert_cache;         /* keep public certificates after a login */
	char *cache_dir;
	int pcsc;               /* watch smart card readers (PC/SC) */
	char *atr_table;        /* the known devices' ATRs */
};

/*
 * Reads the system file, then the user's file (or only $KZP11_CONF when set),
 * then the KZP11_KEYS and KZP11_DEBUG overrides.  Never fails for a bad file:
 * problems are logged and the defaults stay.  Returns -1 only when out of
 * memory.
 */
int kz_conf_load(struct kz_conf *conf);
/* Parses one file into conf; a missing file is not an error (returns 0). */
int kz_conf_read_file(struct kz_conf *conf, const char *path);
/* Parses configuration text; `origin` names it in log lines. */
int kz_conf_parse(struct kz_conf *conf, const char *text, const char *origin);
void kz_conf_free(struct kz_conf *conf);

/* "~/x" and "$HOME", "$USER" expanded; a new string or NULL. */
char *kz_conf_expand_path(const char *path);

#endif
