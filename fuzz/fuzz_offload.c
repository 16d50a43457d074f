/* fuzz_offload: a virtio-net header and a packet as the tunnel might hand them over: counted,
 * split a few segments at a time, checksummed, and every segment joined back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sys/offload.h"

#define SLOT 2048
#define NSLOT 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t pkt[SW_OFFLOAD_MAX + 64];
static uint8_t slots[NSLOT * SLOT];
static uint8_t gbuf[SW_OFFLOAD_MAX];

static void join(struct sw_gro *g, const uint8_t *p, size_t len)
{
	struct sw_vnet h;

	if (sw_gro_add(g, p, len))
		return;
	sw_gro_finish(g, &h);
	g->len = 0;
	sw_gro_add(g, p, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_gro g = {.buf = gbuf, .no_udp = size & 1};
	struct sw_vnet h, out;
	uint16_t lens[NSLOT];
	size_t len;
	int n, done = 0;

	if (size < SW_VNET_HLEN || size - SW_VNET_HLEN > sizeof(pkt))
		return 0;
	sw_vnet_decode(data, &h);
	len = size - SW_VNET_HLEN;
	memcpy(pkt, data + SW_VNET_HLEN, len);
	n = sw_offload_count(&h, pkt, len, SLOT);
	if (n <= 0)
		return 0;
	if (h.gso_type == SW_VNET_GSO_NONE) {
		if (sw_offload_csum(&h, pkt, len) == 0)
			join(&g, pkt, len);
		return 0;
	}
	while (done < n) {
		int k = sw_offload_split(&h, pkt, len, (size_t)done, NSLOT, slots, SLOT, lens);

		if (k <= 0 || k > NSLOT)
			abort(); /* counted, so it must split */
		for (int i = 0; i < k; i++) {
			if (lens[i] > SLOT)
				abort();
			join(&g, slots + (size_t)i * SLOT, lens[i]);
		}
		done += k;
	}
	sw_gro_finish(&g, &out);
	return 0;
}
