/* ctl_fake: a stand-in daemon for the CLI tests. Serves the control socket at argv[1] with
 * fixed status, peers and counters, and a state event every 100 ms to monitor clients,
 * until SIGTERM or argv[2] seconds (default 30) pass. */
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/control.h"
#include "daemon/json.h"

static volatile sig_atomic_t stop;
static bool alt_names; /* $CTL_FAKE_ALT: the other names roles use for mapped, nat_type */

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static sw_time now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (sw_time)ts.tv_sec * 1000 + (sw_time)ts.tv_nsec / 1000000;
}

static void fake_status(void *ctx, struct sw_json *j, sw_time now)
{
	static const uint8_t a[16] = {0x20, 0x01, 0, 0, 0x41, 0x36, 0xe3, 0x78,
				      0x80, 0,    0x63, 0xbf, 0x3f, 0xff, 0xfd, 0xd2};

	(void)ctx;
	(void)now;
	sw_json_str(j, "role", "client");
	sw_json_str(j, "instance", "fake");
	sw_json_str(j, "version", "0.1.0");
	sw_json_u64(j, "pid", 4242);
	sw_json_u64(j, "uptime_ms", 7530000);
	sw_json_str(j, "interface", "teredo");
	sw_json_u64(j, "mtu", 1280);
	sw_json_str(j, "state", "qualified");
	sw_json_str(j, alt_names ? "nat" : "nat_type", "restricted");
	if (alt_names) {
		sw_json_ip4(j, "server", 0x4136e378);
		sw_json_ip4(j, "server2", 0x4136e379);
	} else {
		sw_json_obj_begin(j, "server");
		sw_json_ip4(j, "primary", 0x4136e378);
		sw_json_ip4(j, "secondary", 0x4136e379);
		sw_json_obj_end(j);
	}
	sw_json_endpoint(j, "local", (struct sw_endpoint){0xc0a80102, 3544});
	sw_json_endpoint(j, alt_names ? "mapping" : "mapped", (struct sw_endpoint){0xc000022d, 40000});
	sw_json_ms(j, "qualified_for", 65000);
	sw_json_ms(j, "last_server_rx", 2500);
	sw_json_ip6(j, "address", a);
	sw_json_u64(j, "refresh_interval_ms", 30000);
	sw_json_ms(j, "last_refresh_ms", 12000);
	sw_json_u64(j, "peers", 2);
	sw_json_str(j, "qualification_note", "extra \"field\"");
	sw_json_arr_begin(j, "sockets");
	sw_json_endpoint(j, NULL, (struct sw_endpoint){0xc0a80102, 3544});
	sw_json_endpoint(j, NULL, (struct sw_endpoint){0xc0a80102, 3545});
	sw_json_arr_end(j);
	sw_json_obj_begin(j, "nested");
	sw_json_u64(j, "inner_value", 9);
	sw_json_obj_end(j);
}

static void fake_peers(void *ctx, struct sw_json *j, sw_time now)
{
	static const uint8_t a[16] = {0x20, 0x01, 0, 0, 0xc6, 0x33, 0x64, 0x76,
				      0,    0,    0xdf, 0xff, 0x3f, 0xff, 0xfd, 0xf5};

	(void)ctx;
	(void)now;
	sw_json_obj_begin(j, NULL);
	sw_json_ip6(j, "address", a);
	sw_json_endpoint(j, "mapping", (struct sw_endpoint){0xc000020a, 8192});
	sw_json_bool(j, "trusted", true);
	sw_json_u64(j, "last_rx_ms", 3000);
	sw_json_u64(j, "last_tx_ms", 500);
	sw_json_u64(j, "queued_bytes", 0);
	sw_json_obj_end(j);
	sw_json_obj_begin(j, NULL);
	sw_json_str(j, "address", "2001:db8::1");
	sw_json_bool(j, "trusted", false);
	sw_json_u64(j, "queued_bytes", 3072);
	sw_json_obj_end(j);
}

static size_t fake_stats(void *ctx, struct sw_stat *out, size_t cap)
{
	(void)ctx;
	if (cap < 4)
		return 0;
	out[0] = (struct sw_stat){"udp_rx_packets", "UDP datagrams received", 1234};
	out[1] = (struct sw_stat){"drop_bad_auth", "dropped: bad \\ auth\nline", 5};
	out[2] = (struct sw_stat){"drop-odd name", "", 0};
	out[3] = (struct sw_stat){"peers", "peers in the table", 2, .gauge = true};
	return 4;
}

static void send_event(struct sw_ctl *c, unsigned n)
{
	char buf[128];
	struct sw_json j;

	sw_json_init(&j, buf, sizeof(buf));
	sw_json_obj_begin(&j, NULL);
	sw_json_str(&j, "event", "state");
	sw_json_str(&j, "state", n % 2 ? "qualified" : "probe");
	sw_json_u64(&j, "seq", n);
	sw_json_obj_end(&j);
	sw_ctl_event(c, sw_json_finish(&j), now_ms());
}

int main(int argc, char *argv[])
{
	struct sw_ctl_provider p = {.instance = "fake", .status = fake_status,
				    .peers = fake_peers, .stats = fake_stats};
	struct sw_ctl *c;
	sw_time end;
	int rc;

	if (argc < 2)
		return 2;
	alt_names = getenv("CTL_FAKE_ALT") != NULL;
	end = now_ms() + SW_SEC(argc > 2 ? atoi(argv[2]) : 30);
	signal(SIGTERM, on_term);
	rc = sw_ctl_open(&c, argv[1], (gid_t)-1, &p);
	if (rc < 0) {
		fprintf(stderr, "ctl_fake: %s: %s\n", argv[1], strerror(-rc));
		return 1;
	}
	for (unsigned n = 0; !stop && now_ms() < end; n++) {
		struct pollfd pfd = {.fd = sw_ctl_fd(c), .events = POLLIN};

		poll(&pfd, 1, 100);
		sw_ctl_run(c, now_ms());
		send_event(c, n);
	}
	sw_ctl_close(c);
	return 0;
}
