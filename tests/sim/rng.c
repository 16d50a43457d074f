/* rng: xoshiro256** (Blackman & Vigna's published algorithm) seeded by splitmix64. */
#include <string.h>

#include "engine/io.h"
#include "rng.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void sim_rng_seed(struct sim_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

uint64_t sim_rng_next(struct sim_rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

uint64_t sim_rng_below(struct sim_rng *r, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)sim_rng_next(r) * n) >> 64);
}

int sim_rng_ppm(struct sim_rng *r, uint32_t ppm)
{
	if (ppm == 0)
		return 0;
	return sim_rng_below(r, 1000000u) < ppm;
}

void sim_rng_fill(void *ctx, void *buf, size_t len)
{
	struct sim_rng *r = ctx;
	uint8_t *p = buf;

	while (len > 0) {
		uint64_t v = sim_rng_next(r);
		size_t n = len < sizeof(v) ? len : sizeof(v);

		memcpy(p, &v, n);
		p += n;
		len -= n;
	}
}

void sim_rng_bind(struct sim_rng *r, struct sw_rand *out)
{
	out->fill = sim_rng_fill;
	out->ctx = r;
}
