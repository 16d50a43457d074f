#include "wire/csum.h"

uint32_t sw_csum_partial(const uint8_t *buf, size_t len, uint32_t sum)
{
	uint64_t s = sum;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(buf[i] << 8 | buf[i + 1]);
	if (i < len)
		s += (uint32_t)buf[i] << 8;
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

uint16_t sw_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t sw_csum_ip6(const uint8_t src[16], const uint8_t dst[16], uint8_t nh,
		     const uint8_t *msg, size_t len)
{
	uint32_t sum = sw_csum_partial(src, 16, 0);

	sum = sw_csum_partial(dst, 16, sum);
	sum = sw_csum_partial(msg, len, sum);
	/* upper-layer length (32 bits) and next header; fold first so nothing overflows */
	sum = (sum & 0xffff) + (sum >> 16);
	sum += (uint32_t)((uint64_t)len >> 16) & 0xffff;
	sum += (uint32_t)len & 0xffff;
	sum += nh;
	return sw_csum_fold(sum);
}
