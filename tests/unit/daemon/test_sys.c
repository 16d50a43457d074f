/* Unit tests of the parts of sys/ that need no privileges: the loop (timer, signals, fds),
 * batched UDP over loopback (IP_PKTINFO, TTL, DF off, truncation), sd_notify, randomness
 * and the clock. TUN, netlink and privileges are tested in tests/net/daemon.sh. */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "sys/clock.h"
#include "sys/loop.h"
#include "sys/notify.h"
#include "sys/rand.h"
#include "sys/udp.h"

#define LOOPBACK 0x7f000001u

struct hits {
	int timer, fd, sig;
	sw_time at;
};

static void on_timer(void *ctx, uint32_t ev)
{
	struct hits *h = ctx;

	(void)ev;
	h->timer++;
	h->at = sw_clock_now();
}

static void on_fd(void *ctx, uint32_t ev)
{
	struct hits *h = ctx;

	(void)ev;
	h->fd++;
}

static void on_sig(void *ctx, int sig)
{
	struct hits *h = ctx;

	h->sig = sig;
}

static void test_loop_timer(void **state)
{
	struct sw_loop l;
	struct hits h = {0};
	sw_time t0 = sw_clock_now();

	(void)state;
	assert_int_equal(sw_loop_init(&l, on_timer, &h), 0);
	assert_int_equal(sw_loop_timer(&l, t0 + 30), 0);
	for (int i = 0; i < 10 && !h.timer; i++)
		assert_true(sw_loop_run_once(&l, 1000) >= 0);
	assert_int_equal(h.timer, 1);
	if (h.at < t0 + 30 || h.at > t0 + 1000) {
		print_message("armed for %llu, fired at %llu\n", (unsigned long long)(t0 + 30),
			      (unsigned long long)h.at);
		fail();
	}
	/* a deadline in the past (0 included) fires at once; NEVER disarms */
	assert_int_equal(sw_loop_timer(&l, 0), 0);
	assert_int_equal(sw_loop_run_once(&l, 1000), 1);
	assert_int_equal(h.timer, 2);
	assert_int_equal(sw_loop_timer(&l, t0 + 10), 0);
	assert_int_equal(sw_loop_timer(&l, SW_TIME_NEVER), 0);
	assert_int_equal(sw_loop_run_once(&l, 50), 0);
	assert_int_equal(h.timer, 2);
	sw_loop_close(&l);
}

static void test_loop_fds_and_signals(void **state)
{
	struct sw_loop l;
	struct hits h = {0};
	int p[2], extra[SW_LOOP_MAX][2];

	(void)state;
	assert_int_equal(sw_loop_init(&l, on_timer, &h), 0);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(sw_loop_add(&l, p[0], EPOLLIN, on_fd, &h), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(sw_loop_run_once(&l, 1000), 1);
	assert_int_equal(h.fd, 1);
	assert_int_equal(sw_loop_del(&l, p[0]), 0);
	assert_int_equal(sw_loop_run_once(&l, 10), 0); /* still readable, but not watched */
	assert_int_equal(sw_loop_del(&l, p[0]), -ENOENT);
	/* the bound: SW_LOOP_MAX fds, then -ENOSPC */
	for (int i = 0; i < SW_LOOP_MAX; i++) {
		assert_int_equal(pipe(extra[i]), 0);
		assert_int_equal(sw_loop_add(&l, extra[i][0], EPOLLIN, on_fd, &h), 0);
	}
	assert_int_equal(sw_loop_add(&l, p[0], EPOLLIN, on_fd, &h), -ENOSPC);
	for (int i = 0; i < SW_LOOP_MAX; i++) {
		close(extra[i][0]);
		close(extra[i][1]);
	}
	/* signals arrive through the loop, not as handlers */
	const int sigs[] = {SIGUSR1};
	assert_int_equal(sw_loop_signals(&l, sigs, 1, on_sig, &h), 0);
	assert_int_equal(raise(SIGUSR1), 0);
	for (int i = 0; i < 10 && !h.sig; i++)
		assert_true(sw_loop_run_once(&l, 1000) >= 0);
	assert_int_equal(h.sig, SIGUSR1);
	close(p[0]);
	close(p[1]);
	sw_loop_close(&l);
}

static void test_udp_batch_pktinfo_ttl(void **state)
{
	struct sw_udp a, b;
	struct sw_udp_rx *rx = sw_udp_rx_alloc(2048);
	struct sw_udp_msg out[100], *in;
	uint8_t data[100][8];
	int got = 0, val = -1;
	socklen_t len = sizeof(val);

	(void)state;
	assert_non_null(rx);
	assert_int_equal(sw_udp_open(&a, LOOPBACK, 0, 0), 0);
	assert_int_equal(sw_udp_open(&b, LOOPBACK, 0, SW_UDP_REUSEPORT), 0);
	assert_int_not_equal(a.port, 0);
	assert_int_equal(getsockopt(a.fd, IPPROTO_IP, IP_MTU_DISCOVER, &val, &len), 0);
	assert_int_equal(val, IP_PMTUDISC_DONT);
	for (int i = 0; i < 100; i++) {
		memset(data[i], i, sizeof(data[i]));
		out[i] = (struct sw_udp_msg){.peer = {LOOPBACK, b.port},
					     .local_ip = i % 2 ? LOOPBACK : 0,
					     .ttl = i % 3 ? 1 : 0,
					     .data = data[i],
					     .len = 1 + (size_t)i % 8};
	}
	assert_int_equal(sw_udp_send(&a, out, 100), 100);
	assert_int_equal(a.stats.tx_packets, 100);
	for (int round = 0; round < 20 && got < 100; round++) {
		int n = sw_udp_recv(&b, rx, &in);

		assert_true(n >= 0 && n <= SW_UDP_BATCH);
		for (int i = 0; i < n; i++, got++) {
			assert_int_equal(in[i].peer.ip, LOOPBACK);
			assert_int_equal(in[i].peer.port, a.port);
			assert_int_equal(in[i].local_ip, LOOPBACK);
			assert_int_equal(in[i].len, 1 + (size_t)got % 8);
			assert_memory_equal(in[i].data, data[got], in[i].len);
		}
		if (n == 0)
			usleep(10000);
	}
	assert_int_equal(got, 100);
	assert_int_equal(b.stats.rx_packets, 100);
	sw_udp_close(&a);
	sw_udp_close(&b);
	sw_udp_rx_free(rx);
}

static void test_udp_truncated_and_refused(void **state)
{
	struct sw_udp a, b;
	struct sw_udp_rx *rx = sw_udp_rx_alloc(2048);
	static uint8_t big[3000];
	struct sw_udp_msg m, *in;
	int n = 0;

	(void)state;
	assert_int_equal(sw_udp_open(&a, LOOPBACK, 0, 0), 0);
	assert_int_equal(sw_udp_open(&b, LOOPBACK, 0, 0), 0);
	m = (struct sw_udp_msg){.peer = {LOOPBACK, b.port}, .data = big, .len = sizeof(big)};
	assert_int_equal(sw_udp_send(&a, &m, 1), 1);
	for (int i = 0; i < 20 && b.stats.rx_truncated == 0; i++) {
		n = sw_udp_recv(&b, rx, &in);
		usleep(5000);
	}
	assert_int_equal(n, 0);
	assert_int_equal(b.stats.rx_truncated, 1);
	/* a datagram the kernel refuses (source address not ours) is counted and skipped */
	m.len = 10;
	m.local_ip = 0xC0000201u; /* 192.0.2.1 */
	assert_int_equal(sw_udp_send(&a, &m, 1), 0);
	assert_int_equal(a.stats.tx_errors, 1);
	sw_udp_close(&a);
	sw_udp_close(&b);
	sw_udp_rx_free(rx);
}

static int notify_listener(struct sockaddr_un *sun, socklen_t *len, bool abstract)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int n;

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	n = snprintf(sun->sun_path, sizeof(sun->sun_path), "%s/sw-notify-%d",
		     abstract ? "@" : "/tmp", (int)getpid());
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)n);
	setenv("NOTIFY_SOCKET", sun->sun_path, 1);
	if (abstract)
		sun->sun_path[0] = '\0';
	else
		unlink(sun->sun_path);
	assert_int_equal(bind(fd, (struct sockaddr *)sun, *len), 0);
	return fd;
}

static void test_notify(void **state)
{
	struct sockaddr_un sun;
	socklen_t len;
	char buf[128];

	(void)state;
	for (int abstract = 0; abstract < 2; abstract++) {
		int fd = notify_listener(&sun, &len, abstract);
		ssize_t n;

		assert_int_equal(sw_notify("READY=1"), 1);
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		assert_int_equal(n, 7);
		buf[n] = '\0';
		assert_string_equal(buf, "READY=1");
		assert_int_equal(sw_notifyf("STATUS=%s %d", "up", 3), 1);
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		assert_string_equal(buf, "STATUS=up 3");
		if (!abstract)
			unlink(sun.sun_path);
		close(fd);
	}
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	assert_int_equal(sw_notify("READY=1"), -EINVAL);
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(sw_notify("READY=1"), 0);
}

static void test_rand_and_clock(void **state)
{
	uint8_t a[32] = {0}, b[32] = {0};
	sw_time t0, t1;

	(void)state;
	sw_sysrand.fill(sw_sysrand.ctx, a, sizeof(a));
	sw_sysrand.fill(sw_sysrand.ctx, b, sizeof(b));
	assert_memory_not_equal(a, b, sizeof(a));
	t0 = sw_clock_now();
	usleep(20000);
	t1 = sw_clock_now();
	assert_true(t1 >= t0 + 20 && t1 < t0 + 2000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loop_timer),
		cmocka_unit_test(test_loop_fds_and_signals),
		cmocka_unit_test(test_udp_batch_pktinfo_ttl),
		cmocka_unit_test(test_udp_truncated_and_refused),
		cmocka_unit_test(test_notify),
		cmocka_unit_test(test_rand_and_clock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
