/* kzp11.conf: where keys are looked for, logging, the certificate cache. */
#ifndef KZP11_CONF_H
#define KZP11_CONF_H

#include <stddef.h>

/* A vendor PKCS#11 module whose slots are forwarded (module = path). */
struct kz_conf_module {
	char *path;
	char *name;             /* display name (module_name), or NULL */
	char **atrs;            /* module_atr: hex patterns, "??" any byte */
	size_t n_atrs;
	char **labels;          /* module_label: token label patterns (fnmatch) */
	size_t n_labels;
	int from_env;           /* listed in KZP11_MODULES */
};

struct kz_conf {
	char **key_paths;       /* folders and single container files, in order */
	size_t n_key_paths;
	int key_paths_from_env; /* KZP11_KEYS replaced the configured folders */
	int scan_depth;         /* how deep to descend into key folders */
	int log_level;
	char *log_target;       /* NULL: stderr */
	int cert_cache;         /* keep public certificates after a login */
	char *cache_dir;
	char *pinentry;          /* NULL: off; else the program asking for passwords */
	struct kz_conf_module *modules;   /* configured, then KZP11_MODULES */
	size_t n_modules;
	int forward_registered; /* also forward modules p11-kit already loads */
	char *trust_ca_dir;     /* CA certificates for the trust token; NULL: no such token */
	int hide_gost_from_nss; /* no GOST key objects when the host application is NSS-based */
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

/* Module settings (util/conf_modules.c).  kz_conf_module_setting returns 1
 * when it knows the name (setting *bad for a bad value), 0 when it does not,
 * -1 when out of memory. */
int kz_conf_module_setting(struct kz_conf *conf, const char *name, const char *value,
			   int *bad);
int kz_conf_modules_env(struct kz_conf *conf);
void kz_conf_modules_free(struct kz_conf *conf);

/* "~/x" and "$HOME", "$USER" expanded; a new string or NULL. */
char *kz_conf_expand_path(const char *path);

#endif
