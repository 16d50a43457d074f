/*
 * daemon_int: the inside of struct sw_daemon, shared by daemon.c (lifecycle, services,
 * status) and dispatch.c (the loop). Not for roles: they use role.h.
 */
#ifndef SW_DAEMON_DAEMON_INT_H
#define SW_DAEMON_DAEMON_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <signal.h>

#include "daemon/config.h"
#include "daemon/daemon.h"
#include "engine/io.h"
#include "sys/loop.h"
#include "sys/netlink.h"
#include "sys/tun.h"
#include "sys/udp.h"

#define SW_DAEMON_MAX_SOCKS 4
#define SW_DAEMON_OUT 512           /* outputs per batch */
#define SW_DAEMON_ARENA (1u << 20)  /* bytes of output per batch */
#define SW_DAEMON_EVENTS 64
#define SW_DAEMON_TUN_BATCH 64      /* packets (or superpackets) read from the tunnel per wakeup */
#define SW_DAEMON_TUN_SLOTS 256     /* packets (or segments) from the tunnel per output batch */
#define SW_DAEMON_RX_ROUNDS 8       /* recvmmsg batches per socket per wakeup */

struct sw_daemon_stats {
#define SW_DAEMON_FIELD(f, name, help) uint64_t f;
	SW_DAEMON_STATS(SW_DAEMON_FIELD)
#undef SW_DAEMON_FIELD
};

struct sw_daemon_sock {
	struct sw_udp u;
	struct sw_daemon *d;
	unsigned index;
};

struct sw_daemon {
	struct sw_config cfg;
	const struct sw_role_ops *role;
	void *state;
	bool opened, stop;
	sw_time started;
	struct sw_loop loop;
	struct sw_nl nl;
	struct sw_ctl *ctl;
	struct sw_daemon_sock udp[SW_DAEMON_MAX_SOCKS];
	unsigned nudp;
	struct sw_udp_rx *rx;
	struct sw_tun tun;
	int ifindex;
	unsigned mtu;
	uint8_t *tunbuf; /* SW_DAEMON_TUN_SLOTS slots of tun_slot bytes */
	size_t tun_slot;
	size_t tun_next; /* the next free slot: those before it may be in the output batch */
	uint8_t *superbuf; /* offload: tun_slot + SW_OFFLOAD_MAX bytes, a superpacket whole */
	struct sw_gro gro; /* offload: TCP segments joined for one tunnel write */
	uint16_t seg_len[SW_DAEMON_TUN_SLOTS];
	struct sw_out out;
	uint64_t out_full_total;
	struct sw_out_pkt pkt[SW_DAEMON_OUT];
	struct sw_event ev[SW_DAEMON_EVENTS];
	struct sw_udp_msg tx[SW_DAEMON_OUT];
	struct sw_daemon_stats stats;
	/* Workers (workers.c). The main instance is worker 0 and runs in the main thread;
	 * workers 1.. are copies with their own loop, socket, tunnel queue and engine, each
	 * run by a thread of its own. */
	struct sw_daemon *main; /* the main instance (itself there) */
	unsigned index;         /* worker number */
	unsigned want;          /* main: workers to open (Workers resolved) */
	unsigned nworkers;      /* main: workers open, itself included */
	struct sw_daemon *worker[SW_CFG_MAX_WORKERS]; /* main: [0] is itself */
	pthread_t thread;
	bool running;           /* the thread was started */
	pthread_mutex_t guard;  /* copies: held by their thread while it handles a wakeup */
	int wakefd;             /* copies: eventfd that tells the thread to stop */
	atomic_bool quit;
	uint8_t arena[SW_DAEMON_ARENA];
};

/* Loop callbacks (dispatch.c). */
void sw_daemon_on_udp(void *ctx, uint32_t events);
void sw_daemon_on_tun(void *ctx, uint32_t events);
void sw_daemon_on_timer(void *ctx, uint32_t events);
void sw_daemon_on_signal(void *ctx, int sig);
/* Block SIGTERM, SIGINT, SIGHUP until sw_daemon_run() reads them. 0 or -errno. */
int sw_daemon_block_signals(void);
/* Workers (workers.c). Privileged phase, after the role opened on the main instance: the
 * copies, their resources and the kernel's steering. 0 or -errno (logged). */
int sw_workers_open(struct sw_daemon *d);
/* Start and stop the threads (after a fork, before the loop; after the loop). */
int sw_workers_start(struct sw_daemon *d);
void sw_workers_stop(struct sw_daemon *d);
/* Free the copies (their threads stopped). */
void sw_workers_close(struct sw_daemon *d);
/* Hold every copy's guard, so that the role may look across the group (status, peers,
 * stats, reload) from the main thread. Not nested: each caller takes them once. */
void sw_workers_lock(struct sw_daemon *d);
void sw_workers_unlock(struct sw_daemon *d);
/* Workers resolved from cfg->workers (0: one per online CPU) for a role that has them. */
unsigned sw_workers_want(const struct sw_config *cfg, const struct sw_role_ops *role);
/* Arm the loop's timer for the earliest of the role's and the control socket's deadlines. */
void sw_daemon_rearm(struct sw_daemon *d);

#endif
