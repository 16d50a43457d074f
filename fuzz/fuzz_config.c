/* libFuzzer target: arbitrary text through the configuration push parser, line by line.
 * Invariants: every reported message names the file, a configuration that parses prints
 * back into text that parses again without a message and to the same values. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	unsigned n;
};

static void check_msg(void *ctx, const char *msg)
{
	struct seen *s = ctx;

	if (strncmp(msg, "f.conf:", 7) != 0 || strlen(msg) >= 512)
		abort();
	s->n++;
}

static int parse(const char *text, size_t len, struct sw_config *cfg, struct seen *s)
{
	struct sw_config_parser p;
	char line[SW_CFG_LINE + 8];
	size_t i = 0;

	sw_config_read_init(&p, cfg, "f.conf", check_msg, s);
	while (i < len) {
		size_t n = 0;

		while (i < len && text[i] != '\n') {
			if (n < sizeof(line) - 1)
				line[n++] = text[i] ? text[i] : ' ';
			i++;
		}
		i++;
		line[n] = '\0';
		sw_config_read_line(&p, line);
	}
	return sw_config_read_finish(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[16384];
	struct sw_config a, b;
	struct seen s = {0};
	size_t n;

	if (parse((const char *)data, size, &a, &s) != 0)
		return 0;
	n = sw_config_print(&a, out, sizeof(out));
	if (n >= sizeof(out))
		abort();
	s.n = 0;
	if (parse(out, n, &b, &s) != 0 || s.n != 0)
		abort();
	memset(a.line, 0, sizeof(a.line));
	memset(b.line, 0, sizeof(b.line));
	if (memcmp(&a, &b, sizeof(a)) != 0)
		abort();
	return 0;
}
