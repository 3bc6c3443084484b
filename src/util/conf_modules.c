/*
 * Vendor modules in kzp11.conf:
 *
 *   module = /usr/lib/libeTPkcs11.so     starts an entry
 *   module_name = eToken                 display name of its slots
 *   module_atr = 3B D5 18 00 81 31 ??    card it serves (repeatable)
 *   module_label = NCA*                  token labels it shows (repeatable)
 *   forward_registered = no              also forward p11-kit's own modules
 *
 * The module_* lines belong to the last `module` line above them.
 * KZP11_MODULES=/a.so:/b.so adds entries for one run.
 */
#include "util/conf.h"
#include "util/log.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int push_string(char ***v, size_t *n, const char *value, int expand)
{
	char *copy = expand ? kz_conf_expand_path(value) : strdup(value);
	char **grown;

	if (!copy)
		return expand ? 1 : -1;   /* too long: a bad value */
	grown = realloc(*v, (*n + 1) * sizeof *grown);
	if (!grown) {
		free(copy);
		return -1;
	}
	*v = grown;
	(*v)[(*n)++] = copy;
	return 0;
}

static int add_module(struct kz_conf *conf, const char *path, int from_env)
{
	struct kz_conf_module *grown, *m;
	char *expanded = kz_conf_expand_path(path);

	if (!expanded)
		return 1;
	grown = realloc(conf->modules, (conf->n_modules + 1) * sizeof *grown);
	if (!grown) {
		free(expanded);
		return -1;
	}
	conf->modules = grown;
	m = &conf->modules[conf->n_modules++];
	memset(m, 0, sizeof *m);
	m->path = expanded;
	m->from_env = from_env;
	return 0;
}

/* An ATR pattern is pairs of hex digits or "??", spaces and colons ignored. */
static int valid_atr(const char *v)
{
	size_t digits = 0;

	for (; *v; v++) {
		if (*v == ' ' || *v == ':')
			continue;
		if (!isxdigit((unsigned char)*v) && *v != '?')
			return 0;
		digits++;
	}
	return digits > 0 && digits % 2 == 0 && digits <= 2 * 33;
}

int kz_conf_module_setting(struct kz_conf *conf, const char *name, const char *value,
			   int *bad)
{
	struct kz_conf_module *last = conf->n_modules ? &conf->modules[conf->n_modules - 1] : NULL;
	int rc = 0;

	if (!strcmp(name, "module")) {
		rc = *value ? add_module(conf, value, 0) : 1;
	} else if (!strcmp(name, "module_name")) {
		if (!last || last->from_env || !*value) {
			rc = 1;
		} else {
			char *copy = strdup(value);
			if (!copy)
				return -1;
			free(last->name);
			last->name = copy;
		}
	} else if (!strcmp(name, "module_atr")) {
		rc = !last || last->from_env || !valid_atr(value) ? 1 :
			push_string(&last->atrs, &last->n_atrs, value, 0);
	} else if (!strcmp(name, "module_label")) {
		rc = !last || last->from_env || !*value ? 1 :
			push_string(&last->labels, &last->n_labels, value, 0);
	} else if (!strcmp(name, "forward_registered")) {
		if (!strcmp(value, "yes") || !strcmp(value, "true") || !strcmp(value, "on") ||
		    !strcmp(value, "1"))
			conf->forward_registered = 1;
		else if (!strcmp(value, "no") || !strcmp(value, "false") ||
			 !strcmp(value, "off") || !strcmp(value, "0"))
			conf->forward_registered = 0;
		else
			rc = 1;
	} else {
		return 0;
	}
	if (rc < 0)
		return -1;
	if (rc > 0)
		*bad = 1;
	return 1;
}

/* KZP11_MODULES=/a.so:/b.so forwards these too (in addition to the files). */
int kz_conf_modules_env(struct kz_conf *conf)
{
	const char *env = getenv("KZP11_MODULES");
	char *copy, *cursor, *item;
	int rc = 0;

	if (!env || !*env)
		return 0;
	copy = strdup(env);
	if (!copy)
		return -1;
	cursor = copy;
	while (rc != -1 && (item = strsep(&cursor, ":")) != NULL) {
		if (!*item)
			continue;
		rc = add_module(conf, item, 1);
		if (rc == 1)
			kz_error("KZP11_MODULES: a path is too long, ignored");
	}
	free(copy);
	return rc == -1 ? -1 : 0;
}

static void free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void kz_conf_modules_free(struct kz_conf *conf)
{
	for (size_t i = 0; i < conf->n_modules; i++) {
		struct kz_conf_module *m = &conf->modules[i];
		free(m->path);
		free(m->name);
		free_strings(m->atrs, m->n_atrs);
		free_strings(m->labels, m->n_labels);
	}
	free(conf->modules);
	conf->modules = NULL;
	conf->n_modules = 0;
}
