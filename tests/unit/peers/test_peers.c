/* peers: keyed index, LRU eviction policy (SEC-6), lazy expiry, entry size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "engine/peers.h"

static const uint8_t key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

static void addr_of(uint8_t a[16], uint32_t i)
{
	memset(a, 0, 16);
	a[0] = 0x20;
	a[1] = 0x01;
	a[12] = (uint8_t)(i >> 24);
	a[13] = (uint8_t)(i >> 16);
	a[14] = (uint8_t)(i >> 8);
	a[15] = (uint8_t)i;
}

static struct sw_peer *add(struct sw_peers *t, uint32_t i, sw_time now,
			   struct sw_pktq_pool *pool)
{
	uint8_t a[16];

	addr_of(a, i);
	return sw_peers_add(t, a, now, pool);
}

static struct sw_peer *find(struct sw_peers *t, uint32_t i)
{
	uint8_t a[16];

	addr_of(a, i);
	return sw_peers_find(t, a);
}

static void test_peers_entry_size(void **state)
{
	(void)state;
	printf("sizeof(struct sw_peer) = %zu bytes (queue head included: %zu)\n",
	       sizeof(struct sw_peer), sizeof(struct sw_pktq));
	assert_true(sizeof(struct sw_peer) <= 64);
}

static void test_peers_add_find_del(void **state)
{
	struct sw_peers t;
	sw_time now = 5000; /* before 30 s: now - 30 s wraps, ages still work */
	struct sw_peer *p;

	(void)state;
	assert_int_equal(sw_peers_init(&t, 1000, 0, key), 0);
	for (uint32_t i = 0; i < 1000; i++) {
		p = add(&t, i, now, NULL);
		assert_non_null(p);
		p->mapping.port = (uint16_t)i;
	}
	assert_int_equal(t.n, 1000);
	for (uint32_t i = 0; i < 1000; i++) {
		p = find(&t, i);
		assert_non_null(p);
		assert_int_equal(p->mapping.port, (uint16_t)i);
		assert_int_equal(now - p->last_rx, SW_PEER_VALID_MS);
		assert_int_equal(now - p->last_tx, SW_PEER_VALID_MS);
		assert_false(sw_peer_trusted(p));
		assert_false(sw_peer_valid(p, now));
	}
	assert_null(find(&t, 5000));
	for (uint32_t i = 0; i < 1000; i += 2)
		sw_peers_del(&t, find(&t, i), NULL);
	assert_int_equal(t.n, 500);
	for (uint32_t i = 0; i < 1000; i++)
		assert_true((find(&t, i) != NULL) == (i % 2 == 1));
	{
		size_t it = 0, cnt = 0;

		while (sw_peers_next(&t, &it))
			cnt++;
		assert_int_equal(cnt, 500);
	}
	sw_peers_free(&t, NULL);
}

/* SEC-6: a flood of untrusted newcomers only recycles untrusted slots. */
static void test_sec6_flood_keeps_trusted_peers(void **state)
{
	struct sw_peers t;
	struct sw_pktq_pool pool;
	sw_time now = 1000000;
	uint8_t pkt[100] = {0x60};

	(void)state;
	assert_int_equal(sw_peers_init(&t, 64, 0, key), 0);
	assert_int_equal(sw_pktq_pool_init(&pool, 64, 1280), 0);
	for (uint32_t i = 0; i < 32; i++) {
		struct sw_peer *p = add(&t, i, now, &pool);

		assert_non_null(p);
		sw_peers_set_trusted(&t, p, true);
		p->last_rx = now;
	}
	for (uint32_t i = 1000; i < 101000; i++) {
		struct sw_peer *p = add(&t, i, now + (i - 1000) / 10000, &pool);

		assert_non_null(p);
		assert_true(sw_pktq_push(&pool, &p->q, pkt, sizeof(pkt)));
	}
	for (uint32_t i = 0; i < 32; i++) {
		struct sw_peer *p = find(&t, i);

		if (!p)
			fprintf(stderr, "trusted peer %u evicted\n", i);
		assert_non_null(p);
	}
	assert_int_equal(t.n, 64);
	assert_int_equal(pool.nfree, 32); /* victims' queues went back to the pool */
	assert_int_equal(t.stats.evicted, 100000 - 32);
	sw_peers_free(&t, &pool);
	assert_int_equal(pool.nfree, 64);
	sw_pktq_pool_free(&pool);
}

static void test_peers_full_of_active_trusted_refuses(void **state)
{
	struct sw_peers t;
	sw_time now = 100000;

	(void)state;
	assert_int_equal(sw_peers_init(&t, 16, 0, key), 0);
	for (uint32_t i = 0; i < 16; i++) {
		struct sw_peer *p = add(&t, i, now, NULL);

		sw_peers_set_trusted(&t, p, true);
		p->last_rx = now;
	}
	assert_null(add(&t, 99, now + 1000, NULL));
	assert_int_equal(t.stats.full, 1);
	/* peer 3 goes quiet: after 30 s without reception it may be replaced */
	for (uint32_t i = 0; i < 16; i++)
		if (i != 3)
			find(&t, i)->last_rx = now + 29000;
	find(&t, 3)->last_tx = now + 29000; /* sending to it does not keep it */
	assert_null(add(&t, 99, now + 29999, NULL));
	assert_non_null(add(&t, 99, now + 30000, NULL));
	assert_null(find(&t, 3));
	assert_int_equal(t.stats.full, 2);
	sw_peers_free(&t, NULL);
}

static void test_peers_lru_untrusted_first(void **state)
{
	struct sw_peers t;
	sw_time now = 100000;

	(void)state;
	assert_int_equal(sw_peers_init(&t, 4, 0, key), 0);
	for (uint32_t i = 0; i < 4; i++)
		add(&t, i, now + i, NULL);
	sw_peers_touch(&t, find(&t, 0)); /* 0 becomes most recent: 1 is the LRU */
	add(&t, 10, now + 10, NULL);
	assert_null(find(&t, 1));
	assert_non_null(find(&t, 0));
	/* trusted entry 2 (flag set behind the table's back) is not the next victim */
	find(&t, 2)->flags |= SW_PEER_TRUSTED;
	find(&t, 2)->last_rx = now + 10;
	add(&t, 11, now + 11, NULL);
	assert_non_null(find(&t, 2));
	assert_null(find(&t, 3));
	sw_peers_free(&t, NULL);
}

static void test_peers_lazy_expiry(void **state)
{
	struct sw_peers t;
	struct sw_pktq_pool pool;
	uint8_t a[16], pkt[40] = {0x60};
	sw_time now = 100000;
	struct sw_peer *p;

	(void)state;
	assert_int_equal(sw_peers_init(&t, 8, 16, key), 0);
	assert_int_equal(sw_pktq_pool_init(&pool, 4, 1280), 0);
	addr_of(a, 7);
	p = sw_peers_add(&t, a, now, &pool);
	memset(sw_peer_ext(p), 0xab, 16);
	p->last_tx = now;
	assert_true(sw_pktq_push(&pool, &p->q, pkt, sizeof(pkt)));
	assert_ptr_equal(sw_peers_lookup(&t, a, now + t.lifetime, &pool), p);
	assert_int_equal(((uint8_t *)sw_peer_ext(p))[15], 0xab);
	assert_null(sw_peers_lookup(&t, a, now + t.lifetime + 1, &pool));
	assert_int_equal(t.stats.expired, 1);
	assert_int_equal(t.n, 0);
	assert_int_equal(pool.nfree, 4);
	sw_peers_free(&t, &pool);
	sw_pktq_pool_free(&pool);
}

static void test_peers_oldest_per_class(void **state)
{
	struct sw_peers t;
	sw_time now = 100000;

	(void)state;
	assert_int_equal(sw_peers_init(&t, 8, 0, key), 0);
	for (uint32_t i = 0; i < 6; i++)
		add(&t, i, now, NULL);
	sw_peers_set_trusted(&t, find(&t, 4), true);
	sw_peers_set_trusted(&t, find(&t, 1), true);
	assert_ptr_equal(sw_peers_oldest(&t, true), find(&t, 4));
	assert_ptr_equal(sw_peers_oldest(&t, false), find(&t, 0));
	sw_peers_touch(&t, find(&t, 0));
	assert_ptr_equal(sw_peers_oldest(&t, false), find(&t, 2));
	sw_peers_set_trusted(&t, find(&t, 4), false);
	assert_ptr_equal(sw_peers_oldest(&t, true), find(&t, 1));
	sw_peers_free(&t, NULL);
}

static void test_peers_init_bounds(void **state)
{
	struct sw_peers t;

	(void)state;
	assert_int_equal(sw_peers_init(&t, 0, 0, key), -22);
	assert_int_equal(sw_peers_init(&t, 1, 0, key), 0);
	assert_non_null(add(&t, 1, 0, NULL));
	assert_non_null(add(&t, 2, 0, NULL)); /* evicts the untrusted 1 */
	assert_null(find(&t, 1));
	sw_peers_free(&t, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peers_entry_size),
		cmocka_unit_test(test_peers_add_find_del),
		cmocka_unit_test(test_sec6_flood_keeps_trusted_peers),
		cmocka_unit_test(test_peers_full_of_active_trusted_refuses),
		cmocka_unit_test(test_peers_lru_untrusted_first),
		cmocka_unit_test(test_peers_lazy_expiry),
		cmocka_unit_test(test_peers_oldest_per_class),
		cmocka_unit_test(test_peers_init_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
