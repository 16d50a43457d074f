/* workers: N copies of the data path for a relay, one thread each (Workers N). Each copy
 * has its own loop, SO_REUSEPORT socket, tunnel queue and engine with its own share of the
 * peers; the kernel steers every packet of a peer to the worker that owns it (sys/steer),
 * so the data path shares nothing and takes no lock per packet. The main thread takes a
 * copy's guard (held by its thread for the length of one wakeup, never while it waits)
 * only to read or reconfigure it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "daemon/daemon_int.h"
#include "daemon/log.h"
#include "daemon/role.h"
#include "sys/clock.h"
#include "sys/steer.h"

unsigned sw_workers_want(const struct sw_config *cfg, const struct sw_role_ops *role)
{
	long cpus;

	if (!role->open_worker || cfg->workers == 1)
		return 1;
	if (cfg->workers)
		return cfg->workers;
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (cpus < 1)
		return 1;
	return cpus > SW_CFG_MAX_WORKERS ? SW_CFG_MAX_WORKERS : (unsigned)cpus;
}

static void on_wake(void *ctx, uint32_t events)
{
	struct sw_daemon *w = ctx;
	uint64_t v;

	(void)events;
	if (read(w->wakefd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		sw_log_warn("worker %u: eventfd", w->index);
	atomic_store(&w->quit, true);
}

/* A copy of the main instance for worker i: configuration and role; its own loop. */
static int worker_new(struct sw_daemon *d, unsigned i, struct sw_daemon **wp)
{
	struct sw_daemon *w;
	int err = sw_daemon_create(&w, &d->cfg, d->role);

	if (err)
		return err;
	w->main = d;
	w->index = i;
	w->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	err = w->wakefd < 0 ? -errno : sw_loop_init(&w->loop, sw_daemon_on_timer, w);
	if (!err)
		err = sw_loop_add(&w->loop, w->wakefd, EPOLLIN, on_wake, w);
	if (!err)
		err = -pthread_mutex_init(&w->guard, NULL);
	if (err) {
		sw_daemon_destroy(w);
		return err;
	}
	sw_loop_guard(&w->loop, &w->guard);
	*wp = w;
	return 0;
}

static int steer(struct sw_daemon *d)
{
	int err;

	for (unsigned s = 0; s < d->nudp; s++) {
		err = sw_steer_udp(d->udp[s].u.fd, d->nworkers);
		if (err) {
			sw_log_errno(err, "Workers %u: cannot steer UDP socket %u", d->nworkers, s);
			return err;
		}
	}
	if (d->tun.fd >= 0) {
		err = sw_steer_tun(d->tun.fd, d->nworkers);
		if (err) {
			sw_log_errno(err, "Workers %u: cannot steer the tunnel's queues (eBPF)%s%s",
				     d->nworkers, sw_steer_log()[0] ? ": " : "", sw_steer_log());
			return err;
		}
	}
	return 0;
}

int sw_workers_open(struct sw_daemon *d)
{
	struct sw_daemon *w;
	int err;

	d->worker[0] = d;
	d->nworkers = 1;
	if (d->want <= 1)
		return 0;
	for (unsigned i = 1; i < d->want; i++) {
		err = worker_new(d, i, &w);
		if (err) {
			sw_log_errno(err, "worker %u", i);
			return err;
		}
		d->worker[d->nworkers++] = w;
		err = d->role->open_worker(w, &w->cfg, d->state, &w->state);
		if (err) {
			sw_log_errno(err, "worker %u: role %s cannot start", i, d->role->name);
			w->state = NULL;
			return err;
		}
		w->opened = true;
		if (w->nudp != d->nudp || (w->tun.fd >= 0) != (d->tun.fd >= 0)) {
			sw_log_warnx("worker %u: sockets or tunnel differ from worker 0", i);
			return -EINVAL;
		}
	}
	err = steer(d);
	if (!err)
		sw_log_info("%u workers, peers steered by the kernel (SO_REUSEPORT and tunnel "
			    "queues)", d->nworkers);
	return err;
}

static void *worker_main(void *arg)
{
	struct sw_daemon *w = arg;
	int err = 0;

	pthread_mutex_lock(&w->guard);
	sw_daemon_rearm(w);
	pthread_mutex_unlock(&w->guard);
	while (!atomic_load(&w->quit)) {
		err = sw_loop_run_once(&w->loop, -1);
		if (err < 0) {
			sw_log_errno(err, "worker %u: event loop", w->index);
			break;
		}
	}
	return NULL;
}

int sw_workers_start(struct sw_daemon *d)
{
	int err;

	for (unsigned i = 1; i < d->nworkers; i++) {
		struct sw_daemon *w = d->worker[i];

		err = pthread_create(&w->thread, NULL, worker_main, w);
		if (err) {
			sw_log_errno(-err, "worker %u: thread", i);
			return -err;
		}
		w->running = true;
	}
	return 0;
}

void sw_workers_stop(struct sw_daemon *d)
{
	uint64_t one = 1;

	for (unsigned i = 1; i < d->nworkers; i++) {
		struct sw_daemon *w = d->worker[i];

		if (!w->running)
			continue;
		atomic_store(&w->quit, true);
		if (write(w->wakefd, &one, sizeof(one)) < 0)
			sw_log_warn("worker %u: eventfd", i);
		pthread_join(w->thread, NULL);
		w->running = false;
	}
}

void sw_workers_close(struct sw_daemon *d)
{
	while (d->nworkers > 1) {
		struct sw_daemon *w = d->worker[--d->nworkers];

		pthread_mutex_destroy(&w->guard);
		sw_daemon_destroy(w);
	}
}

void sw_workers_lock(struct sw_daemon *d)
{
	for (unsigned i = 1; i < d->nworkers; i++)
		pthread_mutex_lock(&d->worker[i]->guard);
}

void sw_workers_unlock(struct sw_daemon *d)
{
	for (unsigned i = d->nworkers; i-- > 1;)
		pthread_mutex_unlock(&d->worker[i]->guard);
}
