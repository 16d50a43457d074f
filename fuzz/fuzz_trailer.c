/* libFuzzer target: RFC 6081 trailers through sw_trailers_parse. Checks the invariants the
 * client relies on (bounded entry count, valid entries) and that a parsed Alternate Address
 * trailer re-encodes and re-parses to the same entries. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "wire/trailer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_alt(const struct sw_trailers *t)
{
	uint8_t buf[64], *end;
	struct sw_trailers again;

	if (t->n_alt == 0 || t->n_alt > SW_ALT_MAX || t->alt_bad)
		abort();
	for (size_t i = 0; i < t->n_alt; i++)
		if (t->alt[i].port == 0 || t->alt[i].ip >> 24 == 0 || t->alt[i].ip >> 24 == 127 ||
		    t->alt[i].ip >> 24 >= 224)
			abort();
	end = sw_trailer_put_alt(buf, buf + sizeof(buf), t->alt, t->n_alt);
	if (end == NULL || sw_trailers_parse(buf, (size_t)(end - buf), &again) != 0 ||
	    !again.has_alt || again.n_alt != t->n_alt || again.truncated)
		abort();
	for (size_t i = 0; i < t->n_alt; i++)
		if (!sw_endpoint_eq(again.alt[i], t->alt[i]))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_trailers t;
	int r = sw_trailers_parse(data, size, &t);

	if (r != 0 && r != -EPROTO)
		abort();
	if (r == 0 && t.has_alt)
		check_alt(&t);
	if (r == 0 && t.has_nd && t.nd_type != SW_ND_SOLICIT && t.nd_type != SW_ND_ADVERT)
		abort();
	return 0;
}
