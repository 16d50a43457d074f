/* sys/udp with offloads, over loopback: runs of equal-sized datagrams to one destination
 * leave as GSO sends, the receiving socket takes them coalesced (GRO) and splits them back;
 * every datagram arrives whole, in order, with its own length. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sys/udp.h"

#define LOOPBACK 0x7f000001u
#define N 300

static uint8_t data[N][1500];
static size_t want_len[N];

/* Runs of one size with a shorter last one, alternating sizes, a lone large datagram, a
 * run to another port and back. */
static size_t length_of(size_t i)
{
	if (i < 100)
		return 1200;              /* one run, capped at SW_UDP_GSO_SEGS */
	if (i < 130)
		return i == 129 ? 77 : 500; /* a run ending short */
	if (i < 150)
		return 100 + (i % 2) * 50; /* alternating: no runs of more than one size */
	if (i < 160)
		return 1400 + (i % 3);    /* growing then shrinking: short runs */
	return 1000;                      /* 140 of one size: several GSO sends */
}

static void test_udp_gso_gro_in_order(void **state)
{
	struct sw_udp a, b, c;
	struct sw_udp_rx *rx = sw_udp_rx_alloc(SW_UDP_GRO_BUFSIZE);
	struct sw_udp_msg out[N + 1], *in;
	size_t got = 0, j = 0;

	(void)state;
	assert_non_null(rx);
	assert_int_equal(sw_udp_open(&a, LOOPBACK, 0, SW_UDP_OFFLOAD), 0);
	assert_int_equal(sw_udp_open(&b, LOOPBACK, 0, SW_UDP_OFFLOAD), 0);
	assert_int_equal(sw_udp_open(&c, LOOPBACK, 0, 0), 0);
	if (!b.gro) {
		print_message("no UDP GRO in this kernel: the split is not exercised\n");
	}
	for (size_t i = 0; i < N; i++) {
		want_len[i] = length_of(i);
		for (size_t k = 0; k < want_len[i]; k++)
			data[i][k] = (uint8_t)(i * 31 + k);
		out[j++] = (struct sw_udp_msg){.peer = {LOOPBACK, b.port}, .data = data[i],
					       .len = want_len[i]};
		if (i == 200) /* one datagram elsewhere in the middle of a run */
			out[j++] = (struct sw_udp_msg){.peer = {LOOPBACK, c.port}, .data = data[0],
						       .len = 1000};
	}
	assert_int_equal(sw_udp_send(&a, out, j), j);
	assert_int_equal(a.stats.tx_packets, j);
	assert_int_equal(a.stats.tx_errors + a.stats.tx_again, 0);
	if (a.gso) {
		assert_true(a.stats.tx_gso >= 5);
		assert_true(a.stats.tx_gso_datagrams >= 250);
	}
	for (int round = 0; round < 200 && got < N; round++) {
		int n = sw_udp_recv(&b, rx, &in);

		assert_true(n >= 0);
		for (int i = 0; i < n; i++, got++) {
			assert_true(got < N);
			if (in[i].len != want_len[got] || in[i].peer.port != a.port)
				print_error("datagram %zu: %zu bytes, want %zu\n", got, in[i].len,
					    want_len[got]);
			assert_int_equal(in[i].len, want_len[got]);
			assert_memory_equal(in[i].data, data[got], in[i].len);
			assert_int_equal(in[i].local_ip, LOOPBACK);
			assert_int_equal(in[i].peer.port, a.port);
		}
		if (n == 0)
			usleep(5000);
	}
	assert_int_equal(got, N);
	assert_int_equal(b.stats.rx_packets, N);
	assert_int_equal(b.stats.rx_truncated + b.stats.rx_overflow, 0);
	print_message("gso sends %llu (%llu datagrams), gro receives %llu (%llu datagrams)\n",
		      (unsigned long long)a.stats.tx_gso,
		      (unsigned long long)a.stats.tx_gso_datagrams,
		      (unsigned long long)b.stats.rx_gro,
		      (unsigned long long)b.stats.rx_gro_datagrams);
	if (a.gso && b.gro) /* loopback hands GSO sends to a GRO socket whole */
		assert_true(b.stats.rx_gro >= 1);
	sw_udp_close(&a);
	sw_udp_close(&b);
	sw_udp_close(&c);
	sw_udp_rx_free(rx);
}

/* Datagrams with their own TTL or source address form runs only with their equals. */
static void test_udp_gso_paths(void **state)
{
	struct sw_udp a, b;
	struct sw_udp_rx *rx = sw_udp_rx_alloc(SW_UDP_GRO_BUFSIZE);
	struct sw_udp_msg out[40], *in;
	int got = 0;

	(void)state;
	assert_int_equal(sw_udp_open(&a, LOOPBACK, 0, SW_UDP_OFFLOAD), 0);
	assert_int_equal(sw_udp_open(&b, LOOPBACK, 0, SW_UDP_OFFLOAD), 0);
	for (int i = 0; i < 40; i++)
		out[i] = (struct sw_udp_msg){.peer = {LOOPBACK, b.port}, .data = data[i],
					     .len = 600, .ttl = i < 20 ? 0 : 5,
					     .local_ip = i >= 30 ? LOOPBACK : 0};
	assert_int_equal(sw_udp_send(&a, out, 40), 40);
	if (a.gso) {
		assert_int_equal(a.stats.tx_gso, 3);
		assert_int_equal(a.stats.tx_gso_datagrams, 40);
	}
	for (int round = 0; round < 100 && got < 40; round++) {
		int n = sw_udp_recv(&b, rx, &in);

		for (int i = 0; i < n; i++, got++) {
			assert_int_equal(in[i].len, 600);
			assert_memory_equal(in[i].data, data[got], 600);
		}
		if (n == 0)
			usleep(5000);
	}
	assert_int_equal(got, 40);
	sw_udp_close(&a);
	sw_udp_close(&b);
	sw_udp_rx_free(rx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_gso_gro_in_order),
		cmocka_unit_test(test_udp_gso_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
