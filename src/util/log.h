/* Logging: levels, destination, and the rule that secrets never reach it. */
#ifndef KZP11_LOG_H
#define KZP11_LOG_H

enum kz_log_level {
	KZ_LOG_OFF = 0,
	KZ_LOG_ERROR = 1,   /* default: problems the user should know about */
	KZ_LOG_INFO = 2,    /* what was found and decided */
	KZ_LOG_DEBUG = 3,   /* every PKCS#11 call and its result */
};

void kz_log_set_level(int level);
int kz_log_level(void);
/* path NULL or "stderr": standard error; "syslog": syslog; else a file. */
void kz_log_set_target(const char *path);
void kz_log_close(void);

void kz_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define kz_error(...) kz_log(KZ_LOG_ERROR, __VA_ARGS__)
#define kz_info(...)  kz_log(KZ_LOG_INFO, __VA_ARGS__)
#define kz_debug(...) do { if (kz_log_level() >= KZ_LOG_DEBUG) kz_log(KZ_LOG_DEBUG, __VA_ARGS__); } while (0)

/* The spec name of a return value, e.g. "CKR_PIN_INCORRECT". */
const char *kz_rv_name(unsigned long rv);

#endif
