/* rand: getrandom(2) for the engines (see rand.h). */
#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>

#include "sys/rand.h"

const struct sw_rand sw_sysrand = {sw_sysrand_fill, NULL};

void sw_sysrand_fill(void *ctx, void *buf, size_t len)
{
	unsigned char *p = buf;

	(void)ctx;
	while (len > 0) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			abort();
		}
		p += n;
		len -= (size_t)n;
	}
}
