/*
 * role: the seam between the daemon and a role (client, relay, host-relay, server). A
 * role adapter owns one engine and translates between it and the daemon: it asks the
 * daemon for sockets, the tunnel and routes while privileged (open), then is fed inputs
 * and timers and answers through a struct sw_out that the daemon flushes in batches.
 * The daemon owns the event loop, the sockets, netlink and the control socket; a role
 * never makes a system call itself.
 */
#ifndef SW_DAEMON_ROLE_H
#define SW_DAEMON_ROLE_H

#include <stddef.h>
#include <stdint.h>

#include "engine/io.h"
#include "wire/addr.h"

struct sw_config;
struct sw_daemon;
struct sw_json;

struct sw_role_ops {
	const char *name;
	/* Privileged phase: build the engine from cfg, and request resources from d with the
	 * sw_daemon_* calls below. Returns 0 or a negative errno; *state is the role's. */
	int (*open)(struct sw_daemon *d, const struct sw_config *cfg, void **state);
	/* Optional (Workers): open one more worker with its own engine on d, a copy of the
	 * daemon with its own loop; `first` is the state open() made. Its sockets share the
	 * first worker's address and port (SO_REUSEPORT) and it gets a queue of the same
	 * tunnel; the kernel steers each peer's packets to one worker. NULL: no workers. The
	 * status, peers, stats and reload calls come on the first state only, with every
	 * worker held still, and are the role's to extend over the group. */
	int (*open_worker)(struct sw_daemon *d, const struct sw_config *cfg, void *first,
			   void **state);
	/* A datagram on socket `sock` (index returned by sw_daemon_udp_open) from `from`,
	 * received on local IPv4 `local_ip` (host order, from IP_PKTINFO). */
	void (*udp_input)(void *state, unsigned sock, struct sw_endpoint from, uint32_t local_ip,
			  const uint8_t *buf, size_t len, sw_time now, struct sw_out *out);
	/* An IPv6 packet read from the tunnel device. */
	void (*tun_input)(void *state, const uint8_t *buf, size_t len, sw_time now,
			  struct sw_out *out);
	/* Timers: called when now >= next_deadline(). */
	void (*timer)(void *state, sw_time now, struct sw_out *out);
	sw_time (*next_deadline)(void *state);
	/* SIGHUP: apply what can change without a restart; keep peers. 0 or -errno (the old
	 * configuration stays in force on error). */
	int (*reload)(void *state, const struct sw_config *cfg);
	/* Fill role-specific fields into the current JSON object (status), and an array of
	 * peer objects (peers). */
	void (*status)(void *state, struct sw_json *j, sw_time now);
	void (*peers)(void *state, struct sw_json *j, sw_time now);
	/* Counters, for status/metrics. */
	size_t (*stats)(void *state, struct sw_stat *out, size_t cap);
	void (*close)(void *state);
	/* Optional: a name for SW_EV_STATE values, for the log ("qualified"); NULL = number. */
	const char *(*state_name)(uint8_t state);
};

/* The roles that exist, by RelayType (NULL when unknown). */
const struct sw_role_ops *sw_role_find(const char *relay_type);

/* Services the daemon offers to roles during open(). All return >= 0 or -errno. */
/* Bind a UDP socket to ip:port (host order; ip 0 = any, port 0 = random); returns the
 * socket index used in udp_input and sw_out_pkt.sock. */
int sw_daemon_udp_open(struct sw_daemon *d, uint32_t ip, uint16_t port);
/* The bound port of a socket (after a random bind). */
uint16_t sw_daemon_udp_port(struct sw_daemon *d, unsigned sock);
/* Join IPv4 multicast group (host order) on socket `sock`, e.g. 224.0.0.253 for client
 * local discovery (RFC 4380 §5.2.8). 0 or -errno. */
int sw_daemon_udp_join(struct sw_daemon *d, unsigned sock, uint32_t group);
/* Create/attach the TUN device and bring it up with this MTU. */
int sw_daemon_tun_open(struct sw_daemon *d, const char *name, unsigned mtu);
/* Routes through the tunnel, removed by the daemon when it stops. */
int sw_daemon_route_add(struct sw_daemon *d, const uint8_t prefix[16], unsigned len,
			unsigned metric);
/* Whether the host has an IPv6 default route not through our tunnel (native IPv6, RFC 4380
 * §5.5): 1, 0 or -errno. A netlink route dump; may also be called after open(). */
int sw_daemon_native_ipv6(struct sw_daemon *d);
/* The workers this daemon runs the role on (Workers resolved; 1 without). */
unsigned sw_daemon_workers(const struct sw_daemon *d);
/* Randomness for the engine (getrandom-backed). */
const struct sw_rand *sw_daemon_rand(struct sw_daemon *d);

#endif
