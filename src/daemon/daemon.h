/*
 * daemon: one running shipwormd instance: the configured role wired to sys/ (UDP sockets,
 * the TUN device, netlink, the event loop) and to the control socket. It owns every
 * resource and gives back what it added (addresses, routes, socket path) when it stops.
 * Roles see it only through the sw_daemon_* services of role.h.
 */
#ifndef SW_DAEMON_DAEMON_H
#define SW_DAEMON_DAEMON_H

#include <stddef.h>
#include <sys/types.h>

#include "engine/io.h"

struct sw_config;
struct sw_daemon;
struct sw_json;
struct sw_role_ops;

/* Counters of the daemon itself (names as exported in status and metrics). */
#define SW_DAEMON_STATS(X)                                                                  \
	X(out_full, "daemon_out_full", "outputs dropped: the output batch was full")       \
	X(tun_dropped, "daemon_tun_dropped", "tunnel packets dropped: no tunnel or too big") \
	X(udp_bad_sock, "daemon_udp_bad_socket", "datagrams for a socket that is not open") \
	X(addr_added, "daemon_addr_added", "addresses configured on the tunnel")           \
	X(addr_removed, "daemon_addr_removed", "addresses removed from the tunnel")        \
	X(netlink_errors, "daemon_netlink_errors", "netlink requests that failed")          \
	X(events_dropped, "daemon_events_dropped", "role events that could not be applied") \
	X(reloads, "daemon_reloads", "configuration reloads applied")                      \
	X(reload_errors, "daemon_reload_errors", "configuration reloads refused")

/* Create an instance for cfg (copied) run by role. 0 or -errno. */
int sw_daemon_create(struct sw_daemon **d, const struct sw_config *cfg,
		     const struct sw_role_ops *role);
/* The privileged phase: netlink, the control socket (group ctl_group, or (gid_t)-1), the
 * role's open() (sockets, tunnel, routes), the signals. 0 or -errno (already logged). */
int sw_daemon_start(struct sw_daemon *d, gid_t ctl_group);
/* Run until SIGTERM/SIGINT (SIGHUP reloads cfg's file). 0, or -errno on a loop failure. */
int sw_daemon_run(struct sw_daemon *d);
/* Remove what was added (routes, addresses), close everything, free d (NULL is fine). */
void sw_daemon_destroy(struct sw_daemon *d);

/* What the control socket reports. status: the members of the open status object
 * (role, instance, version, pid, uptime_ms, config, interface, mtu, sockets, then the
 * role's own members). stats: daemon, UDP, tunnel and role counters. */
void sw_daemon_status(struct sw_daemon *d, struct sw_json *j, sw_time now);
void sw_daemon_peers(struct sw_daemon *d, struct sw_json *j, sw_time now);
size_t sw_daemon_stats(struct sw_daemon *d, struct sw_stat *out, size_t cap);

#endif
