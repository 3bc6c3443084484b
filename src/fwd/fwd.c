/*
 * Forwarded slots and sessions.
 *
 * Slot IDs: a registry of (module, vendor slot) -> kzp11 ID that lives as
 * long as the process, so an ID never changes and is never reused, even
 * across C_Finalize/C_Initialize; a vendor slot seen for the first time
 * gets the next number.  Sessions: a handle table of our own (the vendor's
 * handles may use any bit), tagged on the way out.
 *
 * One mutex guards the registry and the session table.  It is never held
 * while a vendor runs: a call copies what it needs (module, vendor handle,
 * entry point) and then calls without any kzp11 lock, so a slow token does
 * not hold up other slots.  Modules live until C_Finalize.
 */
#include "fwd/fwd_internal.h"
#include "core/handles.h"
#include "core/module.h"
#include "util/log.h"

#include <fnmatch.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* A vendor list longer than this is taken for garbage. */
#define MAX_VENDOR_LIST 4096

struct reg_entry {
	char *real;                   /* the module's resolved path */
	CK_SLOT_ID vendor;
	CK_SLOT_ID id;
	const struct kz_fwd_module *mod;   /* while that module is loaded */
};

struct fwd_session {
	const struct kz_fwd_module *mod;
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE vendor;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct reg_entry *reg;          /* process lifetime */
static size_t n_reg;
static CK_ULONG next_id;
static struct kz_fwd_module **mods;    /* this initialisation's modules */
static size_t n_mods;
static struct kz_handles sessions;

CK_SLOT_ID kz_fwd_register(const struct kz_fwd_module *m, CK_SLOT_ID vendor)
{
	struct reg_entry *grown;
	CK_SLOT_ID id = 0;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < n_reg; i++) {
		if (reg[i].vendor == vendor && !strcmp(reg[i].real, m->real)) {
			reg[i].mod = m;
			id = reg[i].id;
			goto out;
		}
	}
	grown = realloc(reg, (n_reg + 1) * sizeof *grown);
	if (!grown)
		goto out;
	reg = grown;
	reg[n_reg].real = strdup(m->real);
	if (!reg[n_reg].real)
		goto out;
	reg[n_reg].vendor = vendor;
	reg[n_reg].id = id = KZ_FWD_TAG | next_id++;
	reg[n_reg].mod = m;
	n_reg++;
	kz_info("%s: vendor slot %lu is slot %#lx", m->name ? m->name : m->path,
		(unsigned long)vendor, (unsigned long)id);
out:
	pthread_mutex_unlock(&lock);
	return id;
}

static struct reg_entry *find_slot(CK_SLOT_ID id)
{
	for (size_t i = 0; i < n_reg; i++)
		if (reg[i].id == id)
			return reg[i].mod ? &reg[i] : NULL;
	return NULL;
}

CK_RV kz_fwd_function(const struct kz_fwd_module *m, size_t offset, void (**fn)(void))
{
	const CK_FUNCTION_LIST_3_0 *list;

	/* Never read the vendor's list past what its version declares. */
	if (offset >= m->raw_size)
		return CKR_FUNCTION_NOT_SUPPORTED;
	memcpy(fn, (const char *)m->raw + offset, sizeof *fn);
	if (!*fn) {
		kz_error("%s: the vendor's function list has a NULL entry (offset %zu)",
			 m->path, offset);
		return CKR_GENERAL_ERROR;
	}
	/* 2.x functions through p11-kit, which tracks sessions; 3.0 ones direct. */
	list = offset < sizeof(CK_FUNCTION_LIST) ? (const CK_FUNCTION_LIST_3_0 *)m->managed : m->raw;
	memcpy(fn, (const char *)list + offset, sizeof *fn);
	return CKR_OK;
}

CK_RV kz_fwd_slot_call(CK_SLOT_ID id, size_t offset, struct kz_fwd_call *c)
{
	struct reg_entry *e;

	if (!kz_module_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	pthread_mutex_lock(&lock);
	e = find_slot(id);
	if (e) {
		c->mod = e->mod;
		c->vendor = e->vendor;
		c->slot = e->id;
	}
	pthread_mutex_unlock(&lock);
	if (!e)
		return CKR_SLOT_ID_INVALID;
	return kz_fwd_function(c->mod, offset, &c->fn);
}

CK_RV kz_fwd_session_call(CK_SESSION_HANDLE h, size_t offset, struct kz_fwd_call *c)
{
	struct fwd_session *s;

	if (!kz_module_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	pthread_mutex_lock(&lock);
	s = kz_handles_get(&sessions, h & ~KZ_FWD_TAG);
	if (s) {
		c->mod = s->mod;
		c->vendor = s->vendor;
		c->slot = s->slot;
	}
	pthread_mutex_unlock(&lock);
	if (!s)
		return CKR_SESSION_HANDLE_INVALID;
	return kz_fwd_function(c->mod, offset, &c->fn);
}

CK_RV kz_fwd_session_add(const struct kz_fwd_call *slot, CK_SESSION_HANDLE vendor,
			 CK_SESSION_HANDLE *out)
{
	struct fwd_session *s = malloc(sizeof *s);
	CK_ULONG h = 0;

	if (!s)
		return CKR_HOST_MEMORY;
	s->mod = slot->mod;
	s->slot = slot->slot;
	s->vendor = vendor;
	pthread_mutex_lock(&lock);
	h = kz_handles_add(&sessions, s);
	pthread_mutex_unlock(&lock);
	if (!h || kz_fwd_tagged(h)) {
		free(s);
		return CKR_HOST_MEMORY;
	}
	*out = KZ_FWD_TAG | h;
	return CKR_OK;
}

void kz_fwd_session_forget(CK_SESSION_HANDLE h)
{
	pthread_mutex_lock(&lock);
	free(kz_handles_remove(&sessions, h & ~KZ_FWD_TAG));
	pthread_mutex_unlock(&lock);
}

void kz_fwd_session_forget_slot(CK_SLOT_ID slot)
{
	size_t i = 0;

	pthread_mutex_lock(&lock);
	while (i < sessions.n) {
		struct fwd_session *s = sessions.v[i].ptr;
		if (s->slot == slot)
			free(kz_handles_remove(&sessions, sessions.v[i].handle));
		else
			i++;
	}
	pthread_mutex_unlock(&lock);
}

CK_RV kz_fwd_check_out(const char *fn, CK_RV rv, void *out, CK_ULONG given, const CK_ULONG *len)
{
	if (rv == CKR_OK && out && len && *len > given) {
		kz_error("%s: the vendor returned %lu bytes in a buffer of %lu", fn,
			 (unsigned long)*len, (unsigned long)given);
		memset(out, 0, given);
		return CKR_DEVICE_ERROR;
	}
	return rv;
}

static CK_RV list_call(const struct kz_fwd_module *m, int kind, CK_ULONG arg, CK_ULONG *buf,
		       CK_ULONG *n)
{
	if (kind == 0)
		return m->managed->C_GetSlotList((CK_BBOOL)arg, buf, n);
	return m->managed->C_GetMechanismList(arg, buf, n);
}

CK_RV kz_fwd_vendor_list(const struct kz_fwd_module *m, int kind, CK_ULONG arg,
			 CK_ULONG **out, CK_ULONG *n)
{
	const char *what = kind == 0 ? "C_GetSlotList" : "C_GetMechanismList";
	void (*fn)(void);
	CK_RV rv = kz_fwd_function(m, kind == 0 ? offsetof(CK_FUNCTION_LIST, C_GetSlotList) :
				   offsetof(CK_FUNCTION_LIST, C_GetMechanismList), &fn);

	if (rv != CKR_OK)
		return rv;
	/* The list may grow between the two calls (a token arrives); a few
	 * tries, then the vendor is taken to be inconsistent. */
	for (int attempt = 0; attempt < 3; attempt++) {
		CK_ULONG count = 0, got;
		CK_ULONG *buf;

		rv = list_call(m, kind, arg, NULL, &count);
		if (rv != CKR_OK)
			return rv;
		if (count > MAX_VENDOR_LIST) {
			kz_error("%s: %s says %lu entries", m->path, what, (unsigned long)count);
			return CKR_DEVICE_ERROR;
		}
		/* Spare room after what the vendor is told it may use. */
		buf = calloc(count + 16, sizeof *buf);
		if (!buf)
			return CKR_HOST_MEMORY;
		got = count;
		rv = count ? list_call(m, kind, arg, buf, &got) : CKR_OK;
		if (rv == CKR_BUFFER_TOO_SMALL) {
			free(buf);
			continue;
		}
		if (rv == CKR_OK && got > count) {
			kz_error("%s: %s wrote %lu entries into a buffer of %lu", m->path, what,
				 (unsigned long)got, (unsigned long)count);
			rv = CKR_DEVICE_ERROR;
		}
		if (rv != CKR_OK) {
			free(buf);
			return rv;
		}
		*out = buf;
		*n = got;
		return CKR_OK;
	}
	kz_error("%s: %s keeps changing its count", m->path, what);
	return CKR_DEVICE_ERROR;
}

/* A token label (32 bytes, blank padded) against the module's patterns. */
static int label_allowed(const struct kz_fwd_module *m, CK_SLOT_ID vendor)
{
	CK_TOKEN_INFO info;
	char label[sizeof info.label + 1];
	size_t n = sizeof info.label;

	if (!m->n_labels)
		return 1;
	if (m->managed->C_GetTokenInfo(vendor, &info) != CKR_OK)
		return 0;
	memcpy(label, info.label, n);
	while (n > 0 && label[n - 1] == ' ')
		n--;
	label[n] = '\0';
	for (size_t i = 0; i < m->n_labels; i++)
		if (fnmatch(m->labels[i], label, 0) == 0)
			return 1;
	return 0;
}

CK_RV kz_fwd_slot_list(CK_BBOOL present, CK_SLOT_ID **out, CK_ULONG *n)
{
	CK_SLOT_ID *ids = NULL;
	CK_ULONG count = 0;
	struct kz_fwd_module **list;
	size_t n_list;

	pthread_mutex_lock(&lock);
	list = mods;
	n_list = n_mods;
	pthread_mutex_unlock(&lock);
	for (size_t i = 0; i < n_list; i++) {
		const struct kz_fwd_module *m = list[i];
		CK_ULONG *vendor = NULL, n_vendor = 0;
		CK_SLOT_ID *grown;
		/* Label patterns need the token: only present tokens qualify. */
		CK_RV rv = kz_fwd_vendor_list(m, 0, present || m->n_labels, &vendor, &n_vendor);

		if (rv != CKR_OK) {
			kz_error("%s: C_GetSlotList = %s, its slots are not listed", m->path,
				 kz_rv_name(rv));
			continue;
		}
		grown = realloc(ids, (count + n_vendor + 1) * sizeof *ids);
		if (!grown) {
			free(vendor);
			free(ids);
			return CKR_HOST_MEMORY;
		}
		ids = grown;
		for (CK_ULONG k = 0; k < n_vendor; k++) {
			CK_SLOT_ID id = kz_fwd_register(m, vendor[k]);
			if (!id) {
				free(vendor);
				free(ids);
				return CKR_HOST_MEMORY;
			}
			if (label_allowed(m, vendor[k]))
				ids[count++] = id;
		}
		free(vendor);
	}
	*out = ids;
	*n = count;
	return CKR_OK;
}

size_t kz_fwd_poll_events(CK_SLOT_ID *ids, size_t max)
{
	struct kz_fwd_module **list;
	size_t n_list, written = 0;

	if (!kz_module_ready())
		return 0;
	pthread_mutex_lock(&lock);
	list = mods;
	n_list = n_mods;
	pthread_mutex_unlock(&lock);
	for (size_t i = 0; i < n_list && written < max; i++) {
		const struct kz_fwd_module *m = list[i];
		void (*fn)(void);

		if (kz_fwd_function(m, offsetof(CK_FUNCTION_LIST, C_WaitForSlotEvent), &fn) != CKR_OK)
			continue;
		/* Bounded: a vendor that never says CKR_NO_EVENT cannot keep us. */
		for (int k = 0; k < 64 && written < max; k++) {
			CK_SLOT_ID vendor = 0, id;
			if (m->managed->C_WaitForSlotEvent(CKF_DONT_BLOCK, &vendor, NULL) != CKR_OK)
				break;
			id = kz_fwd_register(m, vendor);
			if (id)
				ids[written++] = id;
		}
	}
	return written;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* "3B 88 ?? 4B": every byte given, "??" matches any. */
static int atr_matches(const char *pattern, const unsigned char *atr, size_t len)
{
	size_t i = 0;

	for (const char *p = pattern; *p; ) {
		if (*p == ' ' || *p == ':') {
			p++;
			continue;
		}
		if (!p[1] || i >= len)
			return 0;
		if (!(p[0] == '?' && p[1] == '?')) {
			int hi = hexval(p[0]), lo = hexval(p[1]);
			if (hi < 0 || lo < 0 || atr[i] != (unsigned char)(hi << 4 | lo))
				return 0;
		}
		i++;
		p += 2;
	}
	return i == len;
}

int kz_fwd_serves_atr(const unsigned char *atr, size_t len)
{
	int found = 0;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < n_mods && !found; i++)
		for (size_t k = 0; k < mods[i]->n_atrs && !found; k++)
			found = atr_matches(mods[i]->atrs[k], atr, len);
	pthread_mutex_unlock(&lock);
	return found;
}

size_t kz_fwd_count(void)
{
	size_t n;

	pthread_mutex_lock(&lock);
	n = n_mods;
	pthread_mutex_unlock(&lock);
	return n;
}

CK_RV kz_fwd_load(const struct kz_conf *conf)
{
	struct kz_fwd_module **list;
	size_t n = 0;

	if (!conf->n_modules)
		return CKR_OK;
	list = calloc(conf->n_modules, sizeof *list);
	if (!list)
		return CKR_HOST_MEMORY;
	for (size_t i = 0; i < conf->n_modules; i++) {
		const struct kz_conf_module *cm = &conf->modules[i];
		struct kz_fwd_module *m = kz_fwd_module_open(cm);
		int twice = 0;

		if (!m)
			continue;
		for (size_t k = 0; k < n; k++)
			twice |= !strcmp(list[k]->real, m->real);
		if (twice) {
			kz_info("%s: listed twice, forwarded once", cm->path);
			kz_fwd_module_drop(m);
		} else if (!cm->from_env && !conf->forward_registered &&
			   kz_fwd_registered(m->real)) {
			/* p11-kit-proxy users would see its tokens twice. */
			kz_info("%s: registered with p11-kit, not forwarded "
				"(forward_registered = yes to override)", cm->path);
			kz_fwd_module_drop(m);
		} else if (kz_fwd_module_start(m) < 0) {
			kz_fwd_module_drop(m);
		} else {
			list[n++] = m;
		}
	}
	pthread_mutex_lock(&lock);
	mods = list;
	n_mods = n;
	pthread_mutex_unlock(&lock);
	/* Number the slots present now in the vendors' own order. */
	for (size_t i = 0; i < n; i++) {
		CK_ULONG *vendor = NULL, n_vendor = 0;
		if (kz_fwd_vendor_list(list[i], 0, CK_FALSE, &vendor, &n_vendor) == CKR_OK)
			for (CK_ULONG k = 0; k < n_vendor; k++)
				if (!kz_fwd_register(list[i], vendor[k])) {
					free(vendor);
					return CKR_HOST_MEMORY;
				}
		free(vendor);
	}
	return CKR_OK;
}

void kz_fwd_unload(int stale)
{
	struct kz_fwd_module **list;
	size_t n;

	if (stale) {
		/* Another thread of the parent may have held the mutex at fork. */
		pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;
		memcpy(&lock, &fresh, sizeof lock);
	}
	pthread_mutex_lock(&lock);
	list = mods;
	n = n_mods;
	mods = NULL;
	n_mods = 0;
	for (size_t i = 0; i < n_reg; i++)
		reg[i].mod = NULL;
	for (size_t i = 0; i < sessions.n; i++)
		free(sessions.v[i].ptr);
	kz_handles_clear(&sessions);
	pthread_mutex_unlock(&lock);
	for (size_t i = 0; i < n; i++)
		kz_fwd_module_close(list[i], stale);
	free(list);
}
