/*
 * log: the daemon's logging, to stderr (journald when run by systemd) or syslog, with a
 * level. State changes and errors only: never one line per packet. Debug calls cost one
 * comparison when debug is off. Never exits.
 */
#ifndef SW_DAEMON_LOG_H
#define SW_DAEMON_LOG_H

#include <stdbool.h>

/* syslog(3) priorities. */
enum sw_log_level {
	SW_LOG_ERR = 3,
	SW_LOG_WARNING = 4,
	SW_LOG_NOTICE = 5,
	SW_LOG_INFO = 6,
	SW_LOG_DEBUG = 7,
};

extern int sw_log_level_; /* read by the macros only; use sw_log_set_level() */

/* ident: program name, prefix: context (the instance) or NULL. to_syslog with the
 * SyslogFacility (LOG_*), else stderr ("<N>" priority prefixes when stderr is journald). */
void sw_log_open(const char *ident, const char *prefix, bool to_syslog, int facility);
void sw_log_set_level(int level);
void sw_log_close(void);

void sw_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Warning with ": strerror(errno)" appended / with ": strerror(-err)" / without. */
void sw_log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sw_log_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sw_log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define sw_log_info(...) sw_log(SW_LOG_INFO, __VA_ARGS__)
#define sw_log_notice(...) sw_log(SW_LOG_NOTICE, __VA_ARGS__)
#define sw_log_debug(...)                                                                   \
	do {                                                                                \
		if (sw_log_level_ >= SW_LOG_DEBUG)                                          \
			sw_log(SW_LOG_DEBUG, __VA_ARGS__);                                  \
	} while (0)

#endif
