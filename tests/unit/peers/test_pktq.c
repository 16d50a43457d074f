/* pktq: FIFO order, per-queue byte bound, pool exhaustion, reuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/pktq.h"

static void fill(uint8_t *b, size_t len, uint8_t tag)
{
	memset(b, tag, len);
}

static void test_pktq_fifo_order(void **state)
{
	struct sw_pktq_pool pool;
	struct sw_pktq q = {0};
	uint8_t b[100];
	size_t len;
	const uint8_t *p;

	(void)state;
	assert_int_equal(sw_pktq_pool_init(&pool, 8, 4000), 0);
	for (uint8_t i = 1; i <= 5; i++) {
		fill(b, 10u + i, i);
		assert_true(sw_pktq_push(&pool, &q, b, 10u + i));
	}
	assert_int_equal(q.n, 5);
	assert_int_equal(q.bytes, 11 + 12 + 13 + 14 + 15);
	for (uint8_t i = 1; i <= 5; i++) {
		p = sw_pktq_peek(&pool, &q, &len);
		assert_non_null(p);
		assert_int_equal(len, 10u + i);
		assert_int_equal(p[0], i);
		sw_pktq_pop(&pool, &q);
	}
	assert_null(sw_pktq_peek(&pool, &q, &len));
	assert_true(sw_pktq_empty(&q));
	assert_int_equal(q.bytes, 0);
	assert_int_equal(pool.nfree, 8);
	sw_pktq_pool_free(&pool);
}

static void test_pktq_bounds(void **state)
{
	struct sw_pktq_pool pool;
	struct sw_pktq q1 = {0}, q2 = {0};
	uint8_t b[1300];

	(void)state;
	fill(b, sizeof(b), 7);
	assert_int_equal(sw_pktq_pool_init(&pool, 3, 1280), 0);
	assert_false(sw_pktq_push(&pool, &q1, b, 1281)); /* bigger than a buffer */
	assert_int_equal(pool.dropped_big, 1);
	assert_true(sw_pktq_push(&pool, &q1, b, 1000));
	assert_false(sw_pktq_push(&pool, &q1, b, 281)); /* over the per-queue bound */
	assert_int_equal(pool.dropped_big, 2);
	assert_true(sw_pktq_push(&pool, &q1, b, 280));
	assert_true(sw_pktq_push(&pool, &q2, b, 100));
	assert_false(sw_pktq_push(&pool, &q2, b, 100)); /* pool exhausted */
	assert_int_equal(pool.dropped_full, 1);
	sw_pktq_clear(&pool, &q1);
	assert_int_equal(pool.nfree, 2);
	assert_true(sw_pktq_push(&pool, &q2, b, 100));
	assert_int_equal(q2.n, 2);
	sw_pktq_clear(&pool, &q2);
	assert_int_equal(pool.nfree, 3);
	sw_pktq_pool_free(&pool);
}

static void test_pktq_interleaved_queues(void **state)
{
	struct sw_pktq_pool pool;
	struct sw_pktq q[3] = {{0}};
	uint8_t b[4];
	size_t len;

	(void)state;
	assert_int_equal(sw_pktq_pool_init(&pool, 30, 4000), 0);
	for (uint8_t i = 0; i < 24; i++) {
		b[0] = i;
		assert_true(sw_pktq_push(&pool, &q[i % 3], b, 1));
		if (i % 5 == 4)
			sw_pktq_pop(&pool, &q[(i / 5) % 3]);
	}
	for (unsigned k = 0; k < 3; k++) {
		int prev = -1;
		const uint8_t *p;

		while ((p = sw_pktq_peek(&pool, &q[k], &len)) != NULL) {
			assert_int_equal(p[0] % 3, k);
			assert_true(p[0] > prev);
			prev = p[0];
			sw_pktq_pop(&pool, &q[k]);
		}
	}
	assert_int_equal(pool.nfree, 30);
	sw_pktq_pool_free(&pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pktq_fifo_order),
		cmocka_unit_test(test_pktq_bounds),
		cmocka_unit_test(test_pktq_interleaved_queues),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
