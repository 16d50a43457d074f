/* term: see term.h. */
#include "term.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static bool colour;

void sw_term_init(void)
{
	const char *nc = getenv("NO_COLOR");

	colour = isatty(STDOUT_FILENO) && !(nc && *nc);
}

const char *sw_term_bold(void)
{
	return colour ? "\033[1m" : "";
}

const char *sw_term_green(void)
{
	return colour ? "\033[1;32m" : "";
}

const char *sw_term_yellow(void)
{
	return colour ? "\033[1;33m" : "";
}

const char *sw_term_reset(void)
{
	return colour ? "\033[0m" : "";
}

char *sw_term_duration(uint64_t ms, char *buf, size_t len)
{
	static const struct {
		uint64_t ms;
		const char *unit;
	} u[] = {{86400000, "d"}, {3600000, "h"}, {60000, "m"}, {1000, "s"}};

	if (ms < 1000) {
		snprintf(buf, len, "%llums", (unsigned long long)ms);
		return buf;
	}
	for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
		uint64_t big = ms / u[i].ms, small;

		if (big == 0)
			continue;
		if (i + 1 == sizeof(u) / sizeof(u[0]) ||
		    (small = ms % u[i].ms / u[i + 1].ms) == 0)
			snprintf(buf, len, "%llu%s", (unsigned long long)big, u[i].unit);
		else
			snprintf(buf, len, "%llu%s %llu%s", (unsigned long long)big, u[i].unit,
				 (unsigned long long)small, u[i + 1].unit);
		break;
	}
	return buf;
}

char *sw_term_age(uint64_t ms, char *buf, size_t len)
{
	char d[32];

	if (ms < 1000)
		snprintf(buf, len, "now");
	else
		snprintf(buf, len, "%s ago", sw_term_duration(ms, d, sizeof(d)));
	return buf;
}

char *sw_term_bytes(uint64_t n, char *buf, size_t len)
{
	static const char *unit[] = {"KiB", "MiB", "GiB", "TiB"};
	double v = (double)n;
	size_t i = 0;

	if (n < 1024) {
		snprintf(buf, len, "%llu B", (unsigned long long)n);
		return buf;
	}
	v /= 1024;
	while (v >= 1024 && i + 1 < sizeof(unit) / sizeof(unit[0])) {
		v /= 1024;
		i++;
	}
	snprintf(buf, len, "%.1f %s", v, unit[i]);
	return buf;
}
