/* swbench-peers: memory per peer and lookups per second of the relay's peer table with
 * N peers (default 1,000,000), single-threaded and with two threads reading at once
 * (sw_peers_find takes no lock). Prints "key value" lines. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/peers.h"

struct job {
	struct sw_peers *t;
	size_t n, found;
	double secs;
	unsigned long lookups;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void addr_of(uint8_t a[16], uint64_t i)
{
	uint64_t x = i * 0x9e3779b97f4a7c15ull;

	memset(a, 0, 16);
	a[0] = 0x20;
	a[1] = 0x01;
	for (int k = 0; k < 8; k++)
		a[8 + k] = (uint8_t)(x >> (8 * k));
	a[4] = (uint8_t)(i >> 24);
	a[5] = (uint8_t)(i >> 16);
	a[6] = (uint8_t)(i >> 8);
	a[7] = (uint8_t)i;
}

static void *lookups(void *arg)
{
	struct job *j = arg;
	uint8_t a[16];
	uint64_t x = 88172645463325252ull;
	double t0 = now_s();

	while (now_s() - t0 < j->secs) {
		for (int k = 0; k < 4096; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			addr_of(a, x % j->n);
			j->found += sw_peers_find(j->t, a) != NULL;
		}
		j->lookups += 4096;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	uint8_t key[16] = {7}, a[16];
	struct sw_peers t;
	struct job j[2];
	pthread_t th[2];
	size_t bytes;
	double t0;

	if (sw_peers_init(&t, n, 0, key) != 0)
		return 1;
	t0 = now_s();
	for (size_t i = 0; i < n; i++) {
		struct sw_peer *p;

		addr_of(a, i);
		p = sw_peers_add(&t, a, 1000000, NULL);
		if (!p)
			return 1;
		sw_peers_set_trusted(&t, p, true);
		p->last_rx = sw_stamp_of(1000000);
	}
	printf("peers %zu\n", n);
	printf("insert_per_s %.0f\n", (double)n / (now_s() - t0));
	bytes = t.max * t.slot_size + t.max * 2 * sizeof(uint32_t) + t.nbuckets * sizeof(uint32_t);
	printf("entry_bytes %zu\n", sizeof(struct sw_peer));
	printf("bytes_per_peer %.1f\n", (double)bytes / (double)n);
	for (int k = 0; k < 2; k++)
		j[k] = (struct job){&t, n, 0, 1.0, 0};
	lookups(&j[0]);
	printf("lookups_per_s_1thread %.0f\n", (double)j[0].lookups / j[0].secs);
	if (j[0].found != j[0].lookups)
		return 1;
	for (int k = 0; k < 2; k++) {
		j[k] = (struct job){&t, n, 0, 1.0, 0};
		pthread_create(&th[k], NULL, lookups, &j[k]);
	}
	for (int k = 0; k < 2; k++)
		pthread_join(th[k], NULL);
	printf("lookups_per_s_2threads %.0f\n", (double)(j[0].lookups + j[1].lookups) / 1.0);
	sw_peers_free(&t, NULL);
	return 0;
}
