/* siphash: SipHash-2-4 written from the paper's description (c = 2, d = 4). */
#include "engine/siphash.h"

static inline uint64_t rotl(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64u - b));
}

static inline uint64_t load_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8u * i);
	return v;
}

struct sip_state {
	uint64_t v0, v1, v2, v3;
};

static inline void sip_round(struct sip_state *s)
{
	s->v0 += s->v1;
	s->v1 = rotl(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = rotl(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = rotl(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = rotl(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = rotl(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = rotl(s->v2, 32);
}

static inline void sip_compress(struct sip_state *s, uint64_t m)
{
	s->v3 ^= m;
	sip_round(s);
	sip_round(s);
	s->v0 ^= m;
}

struct sw_sipkey sw_siphash_key(const uint8_t key[16])
{
	struct sw_sipkey k = {load_le64(key), load_le64(key + 8)};

	return k;
}

uint64_t sw_siphash(struct sw_sipkey k, const void *data, size_t len)
{
	const uint8_t *p = data;
	struct sip_state s = {
		k.k0 ^ 0x736f6d6570736575ull, k.k1 ^ 0x646f72616e646f6dull,
		k.k0 ^ 0x6c7967656e657261ull, k.k1 ^ 0x7465646279746573ull,
	};
	size_t words = len / 8, rest = len % 8;
	uint64_t last = (uint64_t)(len & 0xff) << 56;

	for (size_t i = 0; i < words; i++, p += 8)
		sip_compress(&s, load_le64(p));
	for (size_t i = 0; i < rest; i++)
		last |= (uint64_t)p[i] << (8u * i);
	sip_compress(&s, last);
	s.v2 ^= 0xff;
	for (unsigned i = 0; i < 4; i++)
		sip_round(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}
