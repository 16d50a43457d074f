/* daemon_testrole: a stand-in role linked only into shipwormd-testrole, so that the daemon
 * (sockets, tunnel, netlink, events, control socket, signals) can be tested in a namespace
 * on its own. It takes the place of RelayType relay: one UDP socket on BindAddress:BindPort
 * that echoes every datagram, the tunnel with its route (Prefix/32), and after the first
 * timer the address <Prefix>::1/128 announced as an event. Never used by shipwormd itself. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"
#include "daemon/json.h"
#include "daemon/role.h"

struct testrole {
	int sock;
	bool addr_done;
	uint8_t addr[16];
	uint64_t udp_in, tun_in, reloads;
};

static int t_open(struct sw_daemon *d, const struct sw_config *cfg, void **state)
{
	struct testrole *t = calloc(1, sizeof(*t));
	int err;

	if (!t)
		return -ENOMEM;
	t->sock = sw_daemon_udp_open(d, cfg->bind_ip, cfg->bind_port);
	err = t->sock < 0 ? t->sock : sw_daemon_tun_open(d, cfg->ifname, cfg->mtu);
	if (!err)
		err = sw_daemon_route_add(d, cfg->prefix, 32, 1024);
	if (err) {
		free(t);
		return err;
	}
	memcpy(t->addr, cfg->prefix, 16);
	t->addr[15] = 1;
	*state = t;
	return 0;
}

static void t_udp(void *state, unsigned sock, struct sw_endpoint from, uint32_t local_ip,
		  const uint8_t *buf, size_t len, sw_time now, struct sw_out *out)
{
	struct testrole *t = state;

	(void)local_ip;
	(void)now;
	t->udp_in++;
	sw_out_ref(out, SW_OUT_UDP, (uint8_t)sock, from, buf, len);
}

static void t_tun(void *state, const uint8_t *buf, size_t len, sw_time now, struct sw_out *out)
{
	struct testrole *t = state;

	(void)buf;
	(void)len;
	(void)now;
	(void)out;
	t->tun_in++;
}

static sw_time t_deadline(void *state)
{
	struct testrole *t = state;

	return t->addr_done ? SW_TIME_NEVER : 0;
}

static void t_timer(void *state, sw_time now, struct sw_out *out)
{
	struct testrole *t = state;
	struct sw_event ev = {.kind = SW_EV_ADDR_ADD, .prefix_len = 128};

	(void)now;
	memcpy(ev.addr, t->addr, 16);
	if (sw_out_event(out, &ev))
		t->addr_done = true;
}

static int t_reload(void *state, const struct sw_config *cfg)
{
	struct testrole *t = state;

	(void)cfg;
	t->reloads++;
	return 0;
}

static void t_status(void *state, struct sw_json *j, sw_time now)
{
	struct testrole *t = state;

	(void)now;
	sw_json_str(j, "state", "test");
	sw_json_ip6(j, "address", t->addr);
	sw_json_u64(j, "test_reloads", t->reloads);
}

static size_t t_stats(void *state, struct sw_stat *out, size_t cap)
{
	struct testrole *t = state;
	const struct sw_stat s[] = {
		{"test_udp_in", "datagrams echoed", t->udp_in},
		{"test_tun_in", "tunnel packets read", t->tun_in},
	};
	size_t n = cap < 2 ? cap : 2;

	memcpy(out, s, n * sizeof(s[0]));
	return n;
}

static void t_close(void *state)
{
	free(state);
}

const struct sw_role_ops sw_role_relay = {
	.name = "testrole",
	.open = t_open,
	.udp_input = t_udp,
	.tun_input = t_tun,
	.timer = t_timer,
	.next_deadline = t_deadline,
	.reload = t_reload,
	.status = t_status,
	.stats = t_stats,
	.close = t_close,
};
