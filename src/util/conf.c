/*
 * Configuration: `name = value` lines, '#' starts a comment.  Unknown names
 * and bad values are reported with file and line and otherwise ignored, so a
 * typo never stops the browser from loading the module.
 */
#include "util/conf.h"
#include "util/file.h"
#include "util/log.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef KZP11_SYSCONFDIR
#define KZP11_SYSCONFDIR "/etc"
#endif

#define CONF_MAX_SIZE (256 * 1024)

/* Where NCA users keep their key files when nothing is configured. */
static const char *const default_key_paths[] = {
	"~/keys", "~/Keys", "~/.keys", "~/Documents", "~/Downloads", "~/Desktop",
	"/media/$USER", "/run/media/$USER",
};

static const char *home_dir(void)
{
	const char *home = getenv("HOME");
	return home && *home ? home : "/";
}

char *kz_conf_expand_path(const char *path)
{
	char out[4096];
	size_t n = 0;

	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0')) {
		n = (size_t)snprintf(out, sizeof out, "%s", home_dir());
		path++;
	}
	while (*path && n < sizeof out - 1) {
		const char *value = NULL;
		size_t skip = 0;
		if (strncmp(path, "$HOME", 5) == 0) {
			value = home_dir();
			skip = 5;
		} else if (strncmp(path, "$USER", 5) == 0) {
			value = getenv("USER") ? getenv("USER") : getenv("LOGNAME");
			skip = 5;
			if (!value)
				value = "";
		}
		if (value) {
			n += (size_t)snprintf(out + n, sizeof out - n, "%s", value);
			path += skip;
		} else {
			out[n++] = *path++;
		}
	}
	if (n >= sizeof out - 1)
		return NULL;
	out[n] = '\0';
	return strdup(out);
}

static int add_key_path(struct kz_conf *conf, const char *path)
{
	char *expanded = kz_conf_expand_path(path);
	char **grown;

	if (!expanded)
		return -2;   /* too long */
	grown = realloc(conf->key_paths, (conf->n_key_paths + 1) * sizeof *grown);
	if (!grown) {
		free(expanded);
		return -1;
	}
	conf->key_paths = grown;
	conf->key_paths[conf->n_key_paths++] = expanded;
	return 0;
}

static void clear_key_paths(struct kz_conf *conf)
{
	for (size_t i = 0; i < conf->n_key_paths; i++)
		free(conf->key_paths[i]);
	free(conf->key_paths);
	conf->key_paths = NULL;
	conf->n_key_paths = 0;
}

static int parse_bool(const char *v, int *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "1"))
		*out = 1;
	else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "0"))
		*out = 0;
	else
		return -1;
	return 0;
}

static int parse_int(const char *v, int lo, int hi, int *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < lo || n > hi)
		return -1;
	*out = (int)n;
	return 0;
}

static int replace_string(char **slot, const char *value, int expand)
{
	char *copy = expand ? kz_conf_expand_path(value) : strdup(value);
	if (!copy)
		return -2;   /* too long (or out of memory) */
	free(*slot);
	*slot = copy;
	return 0;
}

static char *trim(char *s)
{
	char *end;
	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Applies one setting; returns -1 only when out of memory.  The helpers
 * return -2 for a value too long to use, which is reported and ignored. */
static int apply_setting(struct kz_conf *conf, const char *name, const char *value,
			 const char *origin, int line)
{
	int bad = 0, rc = 0;

	if (!strcmp(name, "keys")) {
		if (!*value)
			bad = 1;
		else
			rc = add_key_path(conf, value);
	} else if (!strcmp(name, "scan_depth")) {
		bad = parse_int(value, 0, 8, &conf->scan_depth);
	} else if (!strcmp(name, "debug")) {
		bad = parse_int(value, 0, 3, &conf->log_level);
	} else if (!strcmp(name, "log")) {
		rc = replace_string(&conf->log_target, value, 1);
	} else if (!strcmp(name, "cert_cache")) {
		bad = parse_bool(value, &conf->cert_cache);
	} else if (!strcmp(name, "pinentry")) {
		/* Off by default; an absolute path, run without a shell. */
		if (!*value || !strcmp(value, "no")) {
			free(conf->pinentry);
			conf->pinentry = NULL;
		} else if (value[0] != '/') {
			bad = 1;
		} else {
			rc = replace_string(&conf->pinentry, value, 0);
		}
	} else if (!strcmp(name, "pcsc")) {
		bad = parse_bool(value, &conf->pcsc);
	} else if (!strcmp(name, "atr_table")) {
		if (!*value)
			bad = 1;
		else
			rc = replace_string(&conf->atr_table, value, 1);
	} else if (!strcmp(name, "cache_dir")) {
		if (!*value)
			bad = 1;
		else
			rc = replace_string(&conf->cache_dir, value, 1);
	} else if (!strcmp(name, "trust_ca_dir")) {
		if (!*value)
			bad = 1;
		else
			rc = replace_string(&conf->trust_ca_dir, value, 1);
	} else if (!strcmp(name, "hide_gost_from_nss")) {
		bad = parse_bool(value, &conf->hide_gost_from_nss);
	} else if ((rc = kz_conf_module_setting(conf, name, value, &bad)) != 0) {
		rc = rc < 0 ? -1 : 0;
	} else {
		kz_error("%s:%d: unknown setting '%s' ignored", origin, line, name);
		return 0;
	}
	if (rc == -1)
		return -1;
	if (rc == -2)
		kz_error("%s:%d: value for '%s' is too long, ignored", origin, line, name);
	if (bad)
		kz_error("%s:%d: invalid value '%s' for '%s' ignored", origin, line, value, name);
	return 0;
}

int kz_conf_parse(struct kz_conf *conf, const char *text, const char *origin)
{
	char *copy = strdup(text), *cursor, *line;
	int lineno = 0, rc = 0;

	if (!copy)
		return -1;
	cursor = copy;
	while (rc == 0 && (line = strsep(&cursor, "\n")) != NULL) {
		char *hash = strchr(line, '#'), *eq, *name, *value;
		lineno++;
		if (hash)
			*hash = '\0';
		line = trim(line);
		if (!*line)
			continue;
		eq = strchr(line, '=');
		if (!eq) {
			kz_error("%s:%d: expected 'name = value', line ignored", origin, lineno);
			continue;
		}
		*eq = '\0';
		name = trim(line);
		value = trim(eq + 1);
		rc = apply_setting(conf, name, value, origin, lineno);
	}
	free(copy);
	return rc;
}

int kz_conf_read_file(struct kz_conf *conf, const char *path)
{
	char *text;
	int rc = kz_read_text_file(path, CONF_MAX_SIZE, &text);

	if (rc <= 0) {
		if (rc < 0 && errno == ENOMEM)
			return -1;
		if (rc < 0 && errno == EFBIG)
			kz_error("%s is larger than %d bytes, ignored", path, CONF_MAX_SIZE);
		else if (rc < 0 && errno == EILSEQ)
			kz_error("%s is not a text file, ignored", path);
		else if (rc < 0)
			kz_error("cannot read %s: %s", path, strerror(errno));
		return 0;
	}
	rc = kz_conf_parse(conf, text, path);
	free(text);
	return rc;
}

static int set_defaults(struct kz_conf *conf)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	char buf[4096];

	memset(conf, 0, sizeof *conf);
	conf->scan_depth = 3;
	conf->log_level = KZ_LOG_ERROR;
	conf->cert_cache = 1;
	conf->hide_gost_from_nss = 1;
	if (xdg && xdg[0] == '/')
		snprintf(buf, sizeof buf, "%s/kzp11", xdg);
	else
		snprintf(buf, sizeof buf, "%s/.cache/kzp11", home_dir());
	conf->cache_dir = strdup(buf);
	conf->pcsc = 1;
	conf->atr_table = strdup(KZP11_SYSCONFDIR "/kzp11/atr.conf");
	return conf->cache_dir && conf->atr_table ? 0 : -1;
}

static int read_standard_files(struct kz_conf *conf)
{
	const char *override = getenv("KZP11_CONF");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	char path[4096];

	if (override && *override)
		return kz_conf_read_file(conf, override);
	if (kz_conf_read_file(conf, KZP11_SYSCONFDIR "/kzp11/kzp11.conf") < 0)
		return -1;
	if (xdg && xdg[0] == '/')
		snprintf(path, sizeof path, "%s/kzp11/kzp11.conf", xdg);
	else
		snprintf(path, sizeof path, "%s/.config/kzp11/kzp11.conf", home_dir());
	return kz_conf_read_file(conf, path);
}

/* KZP11_KEYS=dir:dir:file.p12 replaces whatever the files said. */
static int apply_keys_env(struct kz_conf *conf)
{
	const char *env = getenv("KZP11_KEYS");
	char *copy, *cursor, *item;
	int rc = 0;

	if (!env)
		return 0;
	copy = strdup(env);
	if (!copy)
		return -1;
	clear_key_paths(conf);
	conf->key_paths_from_env = 1;
	cursor = copy;
	while (rc != -1 && (item = strsep(&cursor, ":")) != NULL) {
		if (*item)
			rc = add_key_path(conf, item);
		if (rc == -2)
			kz_error("KZP11_KEYS: a path is too long, ignored");
	}
	free(copy);
	return rc == -1 ? -1 : 0;
}

int kz_conf_load(struct kz_conf *conf)
{
	const char *debug = getenv("KZP11_DEBUG");

	if (set_defaults(conf) < 0)
		return -1;
	/* Honour KZP11_DEBUG while reading the files, so their errors show. */
	if (debug && parse_int(debug, 0, 3, &conf->log_level) < 0)
		conf->log_level = KZ_LOG_DEBUG;
	kz_log_set_level(conf->log_level);
	if (read_standard_files(conf) < 0 || apply_keys_env(conf) < 0 ||
	    kz_conf_modules_env(conf) < 0)
		goto oom;
	if (debug && parse_int(debug, 0, 3, &conf->log_level) < 0)
		conf->log_level = KZ_LOG_DEBUG;
	if (conf->n_key_paths == 0 && !conf->key_paths_from_env) {
		for (size_t i = 0; i < sizeof default_key_paths / sizeof *default_key_paths; i++)
			if (add_key_path(conf, default_key_paths[i]) == -1)
				goto oom;
	}
	return 0;
oom:
	kz_conf_free(conf);
	return -1;
}

void kz_conf_free(struct kz_conf *conf)
{
	clear_key_paths(conf);
	free(conf->log_target);
	free(conf->cache_dir);
	free(conf->pinentry);
	kz_conf_modules_free(conf);
	free(conf->trust_ca_dir);
	free(conf->atr_table);
	memset(conf, 0, sizeof *conf);
}
