/* log: stderr or syslog, with a level (see log.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "daemon/log.h"

int sw_log_level_ = SW_LOG_INFO;
static bool use_syslog;
static bool journal; /* stderr is journald: "<N>" prefixes instead of names */
static const char *log_ident = "shipwormd";
static const char *log_prefix;

void sw_log_open(const char *ident, const char *prefix, bool to_syslog, int facility)
{
	log_ident = ident ? ident : "shipwormd";
	log_prefix = prefix;
	use_syslog = to_syslog;
	journal = getenv("JOURNAL_STREAM") != NULL;
	if (use_syslog)
		openlog(log_ident, LOG_PID | LOG_NDELAY, facility);
}

void sw_log_set_level(int level)
{
	sw_log_level_ = level;
}

void sw_log_close(void)
{
	if (use_syslog)
		closelog();
	use_syslog = false;
}

static const char *level_name(int level)
{
	switch (level) {
	case SW_LOG_ERR: return "error";
	case SW_LOG_WARNING: return "warning";
	case SW_LOG_NOTICE: return "notice";
	case SW_LOG_INFO: return "info";
	default: return "debug";
	}
}

static void __attribute__((format(printf, 3, 0)))
vlog(int level, const char *suffix, const char *fmt, va_list ap)
{
	char msg[1024];

	if (level > sw_log_level_)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (use_syslog) {
		syslog(level, "%s%s%s%s%s", log_prefix ? log_prefix : "", log_prefix ? ": " : "",
		       msg, suffix ? ": " : "", suffix ? suffix : "");
		return;
	}
	if (journal)
		fprintf(stderr, "<%d>", level);
	else
		fprintf(stderr, "%s: %s: ", log_ident, level_name(level));
	fprintf(stderr, "%s%s%s%s%s\n", log_prefix ? log_prefix : "", log_prefix ? ": " : "",
		msg, suffix ? ": " : "", suffix ? suffix : "");
}

void sw_log(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, NULL, fmt, ap);
	va_end(ap);
}

void sw_log_warn(const char *fmt, ...)
{
	const char *e = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	vlog(SW_LOG_WARNING, e, fmt, ap);
	va_end(ap);
}

void sw_log_errno(int err, const char *fmt, ...)
{
	const char *e = strerror(err < 0 ? -err : err);
	va_list ap;

	va_start(ap, fmt);
	vlog(SW_LOG_ERR, e, fmt, ap);
	va_end(ap);
}

void sw_log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(SW_LOG_WARNING, NULL, fmt, ap);
	va_end(ap);
}
