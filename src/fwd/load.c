/*
 * Loading one vendor module.  p11-kit loads and initialises it in managed
 * mode, which keeps count of C_Initialize/C_Finalize when the application
 * or p11-kit-proxy loads the same module too, and knows about fork.  The
 * 2.x calls go through p11-kit's list.  The vendor's own list is looked up
 * as well, to see which entries it really has (a NULL entry would crash
 * inside p11-kit) and to reach its 3.0 functions, which p11-kit's list
 * does not carry.
 */
#include "fwd/fwd_internal.h"
#include "util/log.h"

#include <dlfcn.h>
#include <p11-kit/p11-kit.h>
#include <stdlib.h>
#include <string.h>

static char **copy_strings(char *const *v, size_t n)
{
	char **out = calloc(n ? n : 1, sizeof *out);

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		out[i] = strdup(v[i]);
		if (!out[i]) {
			while (i--)
				free(out[i]);
			free(out);
			return NULL;
		}
	}
	return out;
}

static void free_strings(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

/* The vendor's 3.0 interface when it has one, else its 2.x list. */
static void find_raw_list(struct kz_fwd_module *m)
{
	CK_C_GetInterface get_interface;
	CK_C_GetFunctionList get_list;
	CK_FUNCTION_LIST_PTR list = NULL;
	CK_INTERFACE_PTR iface = NULL;
	CK_VERSION v30 = { 3, 0 };

	m->dl = dlopen(m->real, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
	if (!m->dl)
		m->dl = dlopen(m->real, RTLD_NOW | RTLD_LOCAL);
	if (!m->dl)
		return;
	*(void **)&get_interface = dlsym(m->dl, "C_GetInterface");
	if (get_interface &&
	    get_interface((CK_UTF8CHAR_PTR)"PKCS 11", &v30, &iface, 0) == CKR_OK && iface &&
	    iface->pFunctionList &&
	    ((const CK_VERSION *)iface->pFunctionList)->major >= 3) {
		m->raw = iface->pFunctionList;
		m->raw_size = sizeof(CK_FUNCTION_LIST_3_0);
		return;
	}
	*(void **)&get_list = dlsym(m->dl, "C_GetFunctionList");
	if (get_list && get_list(&list) == CKR_OK && list) {
		m->raw = (const CK_FUNCTION_LIST_3_0 *)list;
		m->raw_size = sizeof(CK_FUNCTION_LIST);
	}
}

struct kz_fwd_module *kz_fwd_module_open(const struct kz_conf_module *cm)
{
	struct kz_fwd_module *m = calloc(1, sizeof *m);
	const char *label = cm->name ? cm->name : cm->path;

	if (!m)
		return NULL;
	m->path = strdup(cm->path);
	m->name = cm->name ? strdup(cm->name) : NULL;
	m->labels = copy_strings(cm->labels, cm->n_labels);
	m->n_labels = cm->n_labels;
	m->atrs = copy_strings(cm->atrs, cm->n_atrs);
	m->n_atrs = cm->n_atrs;
	if (!m->path || (cm->name && !m->name) || !m->labels || !m->atrs) {
		kz_error("%s: out of memory", label);
		goto fail;
	}
	m->managed = p11_kit_module_load(m->path, 0);
	if (!m->managed) {
		const char *why = p11_kit_message();
		kz_error("%s: cannot load: %s, skipped", label, why ? why : "unknown error");
		goto fail;
	}
	/* Where p11-kit found it (a bare name is looked for in its module
	 * folder): the module's identity, and what dlopen is given. */
	{
		char *file = p11_kit_module_get_filename(m->managed);
		m->real = file ? realpath(file, NULL) : NULL;
		if (!m->real && file)
			m->real = strdup(file);
		free(file);
	}
	if (!m->real) {
		kz_error("%s: out of memory", label);
		goto fail;
	}
	find_raw_list(m);
	if (!m->raw) {
		kz_error("%s: no function list found, skipped", label);
		goto fail;
	}
	if (!m->raw->C_Initialize || !m->raw->C_Finalize || !m->raw->C_GetSlotList) {
		kz_error("%s: its function list lacks C_Initialize, C_Finalize or C_GetSlotList, skipped",
			 label);
		goto fail;
	}
	return m;
fail:
	kz_fwd_module_drop(m);
	return NULL;
}

int kz_fwd_module_start(struct kz_fwd_module *m)
{
	CK_RV rv = p11_kit_module_initialize(m->managed);

	if (rv != CKR_OK) {
		kz_error("%s: C_Initialize = %s, skipped", m->name ? m->name : m->path,
			 kz_rv_name(rv));
		return -1;
	}
	m->started = 1;
	kz_info("%s: forwarding (PKCS#11 %u.%u)", m->name ? m->name : m->path,
		m->raw->version.major, m->raw->version.minor);
	return 0;
}

void kz_fwd_module_drop(struct kz_fwd_module *m)
{
	kz_fwd_module_close(m, 0);
}

void kz_fwd_module_close(struct kz_fwd_module *m, int stale)
{
	if (!m)
		return;
	if (m->managed && m->started) {
		/* In a forked child p11-kit's managed C_Finalize sees that the
		 * parent initialised the module and does not call the vendor. */
		CK_RV rv = p11_kit_module_finalize(m->managed);
		if (rv != CKR_OK && !stale)
			kz_error("%s: C_Finalize = %s", m->path, kz_rv_name(rv));
	}
	if (m->managed)
		p11_kit_module_release(m->managed);
	if (m->dl)
		dlclose(m->dl);
	free_strings(m->labels, m->n_labels);
	free_strings(m->atrs, m->n_atrs);
	free(m->path);
	free(m->real);
	free(m->name);
	free(m);
}

int kz_fwd_registered(const char *real)
{
	CK_FUNCTION_LIST **mods = p11_kit_modules_load(NULL, P11_KIT_MODULE_UNMANAGED);
	int found = 0;

	if (!mods)
		return 0;
	for (size_t i = 0; mods[i] && !found; i++) {
		char *file = p11_kit_module_get_filename(mods[i]);
		char *resolved = file ? realpath(file, NULL) : NULL;
		found = resolved ? strcmp(resolved, real) == 0 : file && strcmp(file, real) == 0;
		free(resolved);
		free(file);
	}
	p11_kit_modules_release(mods);
	return found;
}
