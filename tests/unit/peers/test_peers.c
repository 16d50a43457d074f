/* peers: keyed index, LRU eviction policy (SEC-6), lazy expiry, entry size, 32-bit stamps
 * and the wraparound guarantee. Time-based tests run at several base times, below and
 * above 2^32 ms and across the 2^32 wrap of the stamps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "engine/peers.h"

static const uint8_t key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

#define W32 ((sw_time)1 << 32)
/* base times: small; the stamp wraps during the test; far above 2^32 */
static const sw_time bases[] = {100000, W32 - 10000, 5 * W32, 9 * W32 - 45000};
#define FOR_BASES(fn)                                                                       \
	for (size_t b_ = 0; b_ < sizeof(bases) / sizeof(bases[0]); b_++) {                 \
		print_message("  base now = %llu\n", (unsigned long long)bases[b_]);       \
		fn(bases[b_]);                                                              \
	}

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
	assert_int_equal(sizeof(struct sw_peer), 52);
}

/* Without role bytes slots are packed at 52 bytes; role bytes start 8-byte aligned. */
static void test_peers_slot_layout(void **state)
{
	struct sw_peers t;
	struct sw_peer *p, *q;

	(void)state;
	assert_int_equal(sw_peers_init(&t, 8, 0, key), 0);
	assert_int_equal(t.slot_size, 52);
	sw_peers_free(&t, NULL);
	assert_int_equal(sw_peers_init(&t, 8, 20, key), 0);
	assert_int_equal(t.slot_size, 80);
	p = add(&t, 1, 0, NULL);
	q = add(&t, 2, 0, NULL);
	assert_int_equal((uintptr_t)sw_peer_ext(p) % 8, 0);
	assert_int_equal((uintptr_t)sw_peer_ext(q) % 8, 0);
	assert_int_equal((uint8_t *)sw_peer_ext(p) - (uint8_t *)p, SW_PEER_EXT_OFF);
	memset(sw_peer_ext(p), 0xcd, 20);
	assert_int_equal(q->addr[15], 2); /* the neighbour is untouched */
	sw_peers_free(&t, NULL);
}

static void add_find_del(sw_time now)
{
	struct sw_peers t;
	struct sw_peer *p;

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
		assert_int_equal(sw_stamp_age(now, p->last_rx), SW_PEER_VALID_MS);
		assert_int_equal(sw_stamp_age(now, p->last_tx), SW_PEER_VALID_MS);
		assert_int_equal(sw_stamp_age(now, p->bubble_window), 0);
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

static void test_peers_add_find_del(void **state)
{
	(void)state;
	add_find_del(5000); /* before 30 s: now - 30 s wraps, ages still work */
	FOR_BASES(add_find_del)
}

/* SEC-6: a flood of untrusted newcomers only recycles untrusted slots. */
static void sec6_flood_keeps_trusted_peers_at(sw_time now)
{
	struct sw_peers t;
	struct sw_pktq_pool pool;
	uint8_t pkt[100] = {0x60};

	assert_int_equal(sw_peers_init(&t, 64, 0, key), 0);
	assert_int_equal(sw_pktq_pool_init(&pool, 64, 1280), 0);
	for (uint32_t i = 0; i < 32; i++) {
		struct sw_peer *p = add(&t, i, now, &pool);

		assert_non_null(p);
		sw_peers_set_trusted(&t, p, true);
		p->last_rx = sw_stamp_of(now);
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

static void test_sec6_flood_keeps_trusted_peers(void **state)
{
	(void)state;
	FOR_BASES(sec6_flood_keeps_trusted_peers_at)
}

static void peers_full_of_active_trusted_refuses_at(sw_time now)
{
	struct sw_peers t;

	assert_int_equal(sw_peers_init(&t, 16, 0, key), 0);
	for (uint32_t i = 0; i < 16; i++) {
		struct sw_peer *p = add(&t, i, now, NULL);

		sw_peers_set_trusted(&t, p, true);
		p->last_rx = sw_stamp_of(now);
	}
	assert_null(add(&t, 99, now + 1000, NULL));
	assert_int_equal(t.stats.full, 1);
	/* peer 3 goes quiet: after 30 s without reception it may be replaced */
	for (uint32_t i = 0; i < 16; i++)
		if (i != 3)
			find(&t, i)->last_rx = sw_stamp_of(now + 29000);
	find(&t, 3)->last_tx = sw_stamp_of(now + 29000); /* sending to it does not keep it */
	assert_null(add(&t, 99, now + 29999, NULL));
	assert_non_null(add(&t, 99, now + 30000, NULL));
	assert_null(find(&t, 3));
	assert_int_equal(t.stats.full, 2);
	sw_peers_free(&t, NULL);
}

static void test_peers_full_of_active_trusted_refuses(void **state)
{
	(void)state;
	FOR_BASES(peers_full_of_active_trusted_refuses_at)
}

static void peers_lru_untrusted_first_at(sw_time now)
{
	struct sw_peers t;

	assert_int_equal(sw_peers_init(&t, 4, 0, key), 0);
	for (uint32_t i = 0; i < 4; i++)
		add(&t, i, now + i, NULL);
	sw_peers_touch(&t, find(&t, 0)); /* 0 becomes most recent: 1 is the LRU */
	add(&t, 10, now + 10, NULL);
	assert_null(find(&t, 1));
	assert_non_null(find(&t, 0));
	/* trusted entry 2 (flag set behind the table's back) is not the next victim */
	find(&t, 2)->flags |= SW_PEER_TRUSTED;
	find(&t, 2)->last_rx = sw_stamp_of(now + 10);
	add(&t, 11, now + 11, NULL);
	assert_non_null(find(&t, 2));
	assert_null(find(&t, 3));
	sw_peers_free(&t, NULL);
}

static void test_peers_lru_untrusted_first(void **state)
{
	(void)state;
	FOR_BASES(peers_lru_untrusted_first_at)
}

static void peers_lazy_expiry_at(sw_time now)
{
	struct sw_peers t;
	struct sw_pktq_pool pool;
	uint8_t a[16], pkt[40] = {0x60};
	struct sw_peer *p;

	assert_int_equal(sw_peers_init(&t, 8, 16, key), 0);
	assert_int_equal(sw_pktq_pool_init(&pool, 4, 1280), 0);
	addr_of(a, 7);
	p = sw_peers_add(&t, a, now, &pool);
	memset(sw_peer_ext(p), 0xab, 16);
	p->last_tx = sw_stamp_of(now);
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

static void test_peers_lazy_expiry(void **state)
{
	(void)state;
	FOR_BASES(peers_lazy_expiry_at)
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

/* The helpers: ages and deadlines by 32-bit arithmetic, right across the 2^32 wrap. */
static void test_peers_stamp_helpers(void **state)
{
	static const struct {
		sw_time then, now;
		uint32_t after; /* for sw_stamp_due */
	} v[] = {
		{1000, 1500, 2000},
		{W32 - 100, W32 + 100, 2000},       /* the stamp wraps between the two */
		{W32 - 1, W32, 1},                  /* due exactly now */
		{7 * W32 - 30000, 7 * W32 + 5, 60000},
		{3 * W32 + 5, 3 * W32 + 5 + 0xfffffffeu, 2000}, /* 49.7 days: still exact */
		{0, 50000, 30000},                  /* already past: due now */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		sw_stamp s = sw_stamp_of(v[i].then);
		uint64_t age = v[i].now - v[i].then;
		sw_time due = age < v[i].after ? v[i].then + v[i].after : v[i].now;

		print_message("  case %zu: then %llu now %llu\n", i,
			      (unsigned long long)v[i].then, (unsigned long long)v[i].now);
		assert_int_equal(sw_stamp_age(v[i].now, s), age);
		assert_int_equal(sw_stamp_due(v[i].now, s, v[i].after), due);
	}
}

/* sw_peers_stamp_time gives back the full time of a stamp near the table's clock. */
static void test_peers_stamp_time(void **state)
{
	static const struct {
		sw_time clock, stamp_at, expect;
	} v[] = {
		{W32 + 100, W32 - 2000, W32 - 2000}, /* before the wrap, clock after it */
		{W32 - 100, W32 + 3000, W32 + 3000}, /* a stamp slightly ahead of the clock */
		{5 * W32, 5 * W32 - 60000, 5 * W32 - 60000},
		{1000, 1000 - 30000, 0},             /* before time 0: 0, not a huge time */
	};
	struct sw_peers t;

	(void)state;
	assert_int_equal(sw_peers_init(&t, 4, 0, key), 0);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		print_message("  case %zu: clock %llu\n", i, (unsigned long long)v[i].clock);
		t.now = v[i].clock;
		assert_int_equal(sw_peers_stamp_time(&t, sw_stamp_of(v[i].stamp_at)), v[i].expect);
	}
	sw_peers_free(&t, NULL);
}

/* The owner's timer: sw_peers_expire at each sw_peers_next_expiry, with one busy peer
 * that receives every 20 s and one that is only sent to every 20 s, until `end`. */
static void drive(struct sw_peers *t, sw_time from, sw_time end, struct sw_pktq_pool *pool)
{
	sw_time now = from, tick = from;

	while (now < end) {
		sw_time next = sw_peers_next_expiry(t);

		tick += 20000;
		now = next < tick ? next : tick;
		if (now > end)
			now = end;
		if (now == tick) {
			struct sw_peer *rx = sw_peers_lookup(t, (uint8_t[16]){0x20, 1, [15] = 1}, now, pool);
			struct sw_peer *tx = sw_peers_lookup(t, (uint8_t[16]){0x20, 1, [15] = 2}, now, pool);

			assert_non_null(rx);
			assert_non_null(tx);
			rx->last_rx = sw_stamp_of(now);
			tx->last_tx = sw_stamp_of(now);
			sw_peers_touch(t, rx);
			sw_peers_touch(t, tx);
		} else {
			tick -= 20000;
		}
		sw_peers_expire(t, now, pool);
	}
}

/* The wraparound guarantee: an entry left idle is gone long before its stamps wrap, and a
 * peer kept alive by transmissions alone never looks valid again through the wrap. */
static void wrap_guarantee_at(sw_time t0)
{
	struct sw_peers t;
	struct sw_pktq_pool pool;
	uint8_t pkt[60] = {0x60};
	struct sw_peer *idle, *tx;
	sw_time end = t0 + W32 + 1000; /* a stale stamp would read 1 s old here */

	assert_int_equal(sw_peers_init(&t, 8, 0, key), 0);
	assert_int_equal(sw_pktq_pool_init(&pool, 4, 1280), 0);
	assert_int_equal(sw_peers_next_expiry(&t), SW_TIME_NEVER);
	add(&t, 1, t0, &pool);
	tx = add(&t, 2, t0, &pool);
	sw_peers_set_trusted(&t, tx, true);
	tx->last_rx = sw_stamp_of(t0); /* heard once, then only sent to */
	idle = add(&t, 3, t0, &pool);
	idle->last_rx = idle->last_tx = sw_stamp_of(t0);
	assert_true(sw_pktq_push(&pool, &idle->q, pkt, sizeof(pkt)));
	assert_true(sw_peers_next_expiry(&t) <= t0 + SW_PEERS_SWEEP_MS);
	drive(&t, t0, end, &pool);
	assert_null(find(&t, 3));
	assert_int_equal(t.stats.expired, 1);
	assert_int_equal(t.stats.stalled, 0);
	assert_int_equal(pool.nfree, 4);
	tx = find(&t, 2);
	assert_non_null(tx);
	assert_true(sw_peer_trusted(tx));
	assert_false(sw_peer_valid(tx, end));
	assert_true(sw_stamp_age(end, tx->last_rx) >= SW_STAMP_MAX_AGE);
	assert_true(sw_stamp_age(end, tx->bubble_window) >= SW_STAMP_MAX_AGE);
	assert_true(sw_stamp_age(end, tx->last_tx) <= 20000);
	assert_true(sw_peer_valid(find(&t, 1), end));
	assert_true(sw_stamp_age(end, find(&t, 1)->last_rx) <= 20000);
	assert_true(sw_stamp_age(end, find(&t, 1)->last_tx) >= SW_STAMP_MAX_AGE);
	sw_peers_free(&t, &pool);
	sw_pktq_pool_free(&pool);
}

static void test_peers_wrap_guarantee(void **state)
{
	(void)state;
	FOR_BASES(wrap_guarantee_at)
}

/* A table whose owner never ran the hand (frozen process): after SW_PEERS_STALL_MS the
 * next lookup empties it instead of reading stamps that may have wrapped. */
static void stall_at(sw_time t0)
{
	struct sw_peers t;
	struct sw_pktq_pool pool;
	uint8_t a[16], pkt[60] = {0x60};
	struct sw_peer *p;

	assert_int_equal(sw_peers_init(&t, 8, 0, key), 0);
	assert_int_equal(sw_pktq_pool_init(&pool, 4, 1280), 0);
	addr_of(a, 5);
	p = sw_peers_add(&t, a, t0, &pool);
	p->last_rx = p->last_tx = sw_stamp_of(t0);
	assert_true(sw_pktq_push(&pool, &p->q, pkt, sizeof(pkt)));
	/* exactly 2^32 ms later the stamps read 0 ms old: without the guard, fresh */
	assert_int_equal(sw_stamp_age(t0 + W32, p->last_rx), 0);
	assert_null(sw_peers_lookup(&t, a, t0 + W32, &pool));
	assert_int_equal(t.stats.stalled, 1);
	assert_int_equal(t.n, 0);
	assert_int_equal(pool.nfree, 4);
	/* the table works again at once */
	p = sw_peers_add(&t, a, t0 + W32, &pool);
	assert_non_null(p);
	assert_ptr_equal(sw_peers_lookup(&t, a, t0 + W32 + 1, &pool), p);
	/* a table driven by its timer is not emptied: 25 days of steps and lookups */
	add(&t, 1, t0 + W32, &pool);
	add(&t, 2, t0 + W32, &pool);
	drive(&t, t0 + W32, t0 + W32 + 2 * (sw_time)SW_PEERS_STALL_MS, &pool);
	assert_int_equal(t.stats.stalled, 1);
	assert_int_equal(t.n, 2);
	assert_null(find(&t, 5)); /* idle: expired by the hand */
	sw_peers_free(&t, &pool);
	sw_pktq_pool_free(&pool);
}

static void test_peers_stall_empties_table(void **state)
{
	(void)state;
	FOR_BASES(stall_at)
}

/* The hand frees idle entries (and their queues) within one pass, whatever their place
 * in the table, and the deadline goes back to NEVER once the table is empty. */
static void sweep_at(sw_time t0)
{
	struct sw_peers t;
	struct sw_pktq_pool pool;
	uint8_t pkt[60] = {0x60};
	sw_time now, limit;
	size_t steps = 0;

	assert_int_equal(sw_peers_init(&t, 3000, 0, key), 0);
	limit = t0 + SW_PEERS_SWEEP_MS + t.lifetime + t.sweep_every;
	assert_int_equal(sw_pktq_pool_init(&pool, 16, 1280), 0);
	for (uint32_t i = 0; i < 3000; i++)
		add(&t, i, t0, &pool);
	for (uint32_t i = 0; i < 16; i++)
		assert_true(sw_pktq_push(&pool, &find(&t, i * 150)->q, pkt, sizeof(pkt)));
	while (t.n) {
		now = sw_peers_next_expiry(&t);
		if (now > limit)
			fprintf(stderr, "%zu entries left at +%llu ms\n", t.n,
				(unsigned long long)(now - t0));
		assert_true(now <= limit);
		sw_peers_expire(&t, now, &pool);
		steps++;
	}
	assert_int_equal(t.stats.expired, 3000);
	assert_int_equal(pool.nfree, 16);
	assert_int_equal(sw_peers_next_expiry(&t), SW_TIME_NEVER);
	assert_true(steps <= 3000 / SW_PEERS_SWEEP_BUDGET + 2);
	sw_peers_free(&t, &pool);
	sw_pktq_pool_free(&pool);
}

static void test_peers_sweep_frees_idle_entries(void **state)
{
	(void)state;
	FOR_BASES(sweep_at)
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
		cmocka_unit_test(test_peers_slot_layout),
		cmocka_unit_test(test_peers_stamp_helpers),
		cmocka_unit_test(test_peers_stamp_time),
		cmocka_unit_test(test_peers_wrap_guarantee),
		cmocka_unit_test(test_peers_stall_empties_table),
		cmocka_unit_test(test_peers_sweep_frees_idle_entries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
