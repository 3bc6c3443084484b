/*
 * The module log.  It runs inside other programs (browsers, servers), so it
 * writes only our own prefixed lines, to standard error by default, and
 * never anything secret: callers log names, paths and CKR codes, not PINs
 * or key bytes.
 */
#include "util/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

static int log_level = KZ_LOG_ERROR;
static FILE *log_file;          /* NULL: stderr */
static int log_to_syslog;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void kz_log_set_level(int level)
{
	if (level < KZ_LOG_OFF)
		level = KZ_LOG_OFF;
	if (level > KZ_LOG_DEBUG)
		level = KZ_LOG_DEBUG;
	log_level = level;
}

int kz_log_level(void)
{
	return log_level;
}

void kz_log_close(void)
{
	pthread_mutex_lock(&log_lock);
	if (log_file)
		fclose(log_file);
	log_file = NULL;
	log_to_syslog = 0;
	pthread_mutex_unlock(&log_lock);
}

void kz_log_set_target(const char *path)
{
	kz_log_close();
	if (!path || !*path || strcmp(path, "stderr") == 0)
		return;
	pthread_mutex_lock(&log_lock);
	if (strcmp(path, "syslog") == 0) {
		log_to_syslog = 1;
	} else {
		log_file = fopen(path, "ae");
		if (!log_file)
			fprintf(stderr, "kzp11: cannot open log file %s, logging to stderr\n", path);
	}
	pthread_mutex_unlock(&log_lock);
}

void kz_log(int level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (level > log_level || level <= KZ_LOG_OFF)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);

	pthread_mutex_lock(&log_lock);
	if (log_to_syslog) {
		syslog(level == KZ_LOG_ERROR ? LOG_WARNING : LOG_DEBUG, "kzp11: %s", line);
	} else {
		FILE *out = log_file ? log_file : stderr;
		fprintf(out, "kzp11[%ld]: %s\n", (long)getpid(), line);
		fflush(out);
	}
	pthread_mutex_unlock(&log_lock);
}
