/* control: see control.h. Clients live in a fixed table; each has at most one reply in
 * flight (plus, for monitor clients, a bounded event backlog), so a client that does not
 * read costs one bounded buffer until its timeout. */
#include "daemon/control.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/json.h"
#include "sw_config.h"

#define CTL_COUNTERS(X)                                                                  \
	X(accepted, "ctl_clients_accepted", "control clients accepted")                  \
	X(refused, "ctl_clients_refused", "control clients refused: client limit reached") \
	X(requests, "ctl_requests", "control requests answered")                         \
	X(bad_request, "ctl_bad_requests", "control requests unknown")                   \
	X(req_too_long, "ctl_request_too_long", "control requests over the line limit")  \
	X(reply_too_large, "ctl_reply_too_large", "control replies over the size limit") \
	X(write_timeout, "ctl_write_timeouts", "control clients closed: reply not read") \
	X(idle_timeout, "ctl_idle_timeouts", "control clients closed: idle")             \
	X(io_error, "ctl_io_errors", "control socket I/O errors")                        \
	X(events, "ctl_events", "events queued to monitor clients")                      \
	X(events_dropped, "ctl_events_dropped", "events dropped: monitor backlog full")

struct ctl_counters {
#define X(f, name, help) uint64_t f;
	CTL_COUNTERS(X)
#undef X
};

struct ctl_client {
	int fd; /* -1: free slot */
	size_t in_len;
	char in[SW_CTL_REQ_MAX];
	char *out;
	size_t out_len, out_off;
	sw_time since; /* last request, or when the pending reply was queued */
	bool closing;  /* close once the reply is written */
	bool monitor;  /* subscribed to events */
};

struct sw_ctl {
	int lfd, efd;
	char *path;
	struct sw_ctl_provider p;
	struct ctl_client cl[SW_CTL_MAX_CLIENTS];
	struct ctl_counters n;
	char *scratch;
};

#define LISTENER_TAG SW_CTL_MAX_CLIENTS

static int make_dir(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int probe_stale(const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, rc;

	if (lstat(sa->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (rc == 0)
		return -EADDRINUSE;
	if (errno != ECONNREFUSED)
		return -errno;
	if (unlink(sa->sun_path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

static int bind_listen(const struct sockaddr_un *sa, gid_t group)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	mode_t old;
	int rc;

	if (fd < 0)
		return -errno;
	old = umask(0117);
	rc = bind(fd, (const struct sockaddr *)sa, sizeof(*sa));
	umask(old);
	if (rc < 0)
		goto fail;
	if (group != (gid_t)-1 && chown(sa->sun_path, (uid_t)-1, group) < 0)
		goto fail_unlink;
	if (listen(fd, SW_CTL_MAX_CLIENTS) < 0)
		goto fail_unlink;
	return fd;
fail_unlink:
	rc = -errno;
	unlink(sa->sun_path);
	close(fd);
	return rc;
fail:
	rc = -errno;
	close(fd);
	return rc;
}

static int epoll_add(int efd, int fd, uint32_t events, uint64_t tag)
{
	struct epoll_event ev = {.events = events, .data.u64 = tag};

	return epoll_ctl(efd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

static int ctl_setup(struct sw_ctl *c, const struct sockaddr_un *sa, gid_t group)
{
	int rc = make_dir(sa->sun_path);

	if (rc < 0 || (rc = probe_stale(sa)) < 0)
		return rc;
	c->lfd = bind_listen(sa, group);
	if (c->lfd < 0)
		return c->lfd;
	c->efd = epoll_create1(EPOLL_CLOEXEC);
	if (c->efd < 0)
		return -errno;
	return epoll_add(c->efd, c->lfd, EPOLLIN, LISTENER_TAG);
}

int sw_ctl_open(struct sw_ctl **cp, const char *path, gid_t group,
		const struct sw_ctl_provider *p)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct sw_ctl *c;
	int rc;

	*cp = NULL;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->lfd = c->efd = -1;
	for (size_t i = 0; i < SW_CTL_MAX_CLIENTS; i++)
		c->cl[i].fd = -1;
	c->p = *p;
	c->path = strdup(path);
	c->scratch = malloc(SW_CTL_REPLY_MAX);
	rc = c->path && c->scratch ? ctl_setup(c, &sa, group) : -ENOMEM;
	if (rc < 0) {
		if (c->lfd >= 0)
			unlink(path);
		free(c->path);
		c->path = NULL; /* never unlink a socket we did not create */
		sw_ctl_close(c);
		return rc;
	}
	*cp = c;
	return 0;
}

int sw_ctl_fd(const struct sw_ctl *c)
{
	return c->efd;
}

static void client_close(struct sw_ctl *c, struct ctl_client *cl)
{
	epoll_ctl(c->efd, EPOLL_CTL_DEL, cl->fd, NULL);
	close(cl->fd);
	free(cl->out);
	memset(cl, 0, sizeof(*cl));
	cl->fd = -1;
}

static void client_watch(struct sw_ctl *c, struct ctl_client *cl)
{
	struct epoll_event ev = {.events = cl->out ? EPOLLOUT : EPOLLIN,
				 .data.u64 = (uint64_t)(cl - c->cl)};

	epoll_ctl(c->efd, EPOLL_CTL_MOD, cl->fd, &ev);
}

/* Write what the socket takes; false when the client is gone. */
static bool client_flush(struct sw_ctl *c, struct ctl_client *cl)
{
	while (cl->out_off < cl->out_len) {
		ssize_t w = send(cl->fd, cl->out + cl->out_off, cl->out_len - cl->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && (errno == EAGAIN || errno == EINTR))
			return true;
		if (w <= 0) {
			c->n.io_error++;
			client_close(c, cl);
			return false;
		}
		cl->out_off += (size_t)w;
	}
	free(cl->out);
	cl->out = NULL;
	cl->out_len = cl->out_off = 0;
	if (cl->closing) {
		client_close(c, cl);
		return false;
	}
	return true;
}

/* Append one line (text without the newline) to what is pending, if the result stays
 * within bound bytes. The write timeout runs from when output became pending. */
static bool client_queue(struct ctl_client *cl, const char *text, size_t bound, sw_time now)
{
	size_t len = strlen(text), pending = cl->out_len - cl->out_off;
	char *p;

	if (pending + len + 1 > bound || !(p = malloc(pending + len + 1)))
		return false;
	if (pending)
		memcpy(p, cl->out + cl->out_off, pending);
	memcpy(p + pending, text, len);
	p[pending + len] = '\n';
	free(cl->out);
	cl->out = p;
	cl->out_len = pending + len + 1;
	cl->out_off = 0;
	if (pending == 0)
		cl->since = now;
	return true;
}

/* Queue one reply line and try to send it; false when the client is gone. */
static bool client_reply(struct sw_ctl *c, struct ctl_client *cl, const char *text, sw_time now)
{
	if (!client_queue(cl, text, SW_CTL_REPLY_MAX + 1, now)) {
		c->n.io_error++;
		client_close(c, cl);
		return false;
	}
	return client_flush(c, cl);
}

static size_t collect_stats(const struct sw_ctl *c, struct sw_stat *st, size_t cap)
{
	size_t n;

	memset(st, 0, cap * sizeof(*st)); /* providers may set only name, help and value */
	n = c->p.stats ? c->p.stats(c->p.ctx, st, cap) : 0;

	if (n > cap)
		n = cap;
	n += sw_ctl_stats(c, st + n, cap - n);
	for (size_t i = 0; i < n; i++) /* a nameless counter would break the JSON object */
		if (!st[i].name)
			st[i].name = "unnamed";
	return n;
}

static void render_counters(const struct sw_ctl *c, struct sw_json *j)
{
	struct sw_stat st[SW_CTL_MAX_STATS];
	size_t n = collect_stats(c, st, SW_CTL_MAX_STATS);

	sw_json_obj_begin(j, "counters");
	for (size_t i = 0; i < n; i++)
		sw_json_u64(j, st[i].name, st[i].value);
	sw_json_obj_end(j);
}

static void render_metrics(const struct sw_ctl *c, struct sw_json *j)
{
	struct sw_stat st[SW_CTL_MAX_STATS];
	size_t n = collect_stats(c, st, SW_CTL_MAX_STATS);

	if (c->p.instance)
		sw_json_str(j, "instance", c->p.instance);
	sw_json_arr_begin(j, "metrics");
	for (size_t i = 0; i < n; i++) {
		sw_json_obj_begin(j, NULL);
		sw_json_str(j, "name", st[i].name);
		sw_json_str(j, "help", st[i].help ? st[i].help : "");
		sw_json_u64(j, "value", st[i].value);
		if (st[i].gauge)
			sw_json_str(j, "type", "gauge");
		sw_json_obj_end(j);
	}
	sw_json_arr_end(j);
}

static void render_help(struct sw_json *j)
{
	sw_json_arr_begin(j, "requests");
	sw_json_str(j, NULL, "status");
	sw_json_str(j, NULL, "peers");
	sw_json_str(j, NULL, "metrics");
	sw_json_str(j, NULL, "help");
	sw_json_str(j, NULL, "monitor");
	sw_json_arr_end(j);
}

/* Render the reply to req into c->scratch; returns the error text or NULL. */
static const char *render(struct sw_ctl *c, struct ctl_client *cl, const char *req, sw_time now,
			  struct sw_json *j)
{
	sw_json_init(j, c->scratch, SW_CTL_REPLY_MAX);
	sw_json_obj_begin(j, NULL);
	if (strcmp(req, "status") == 0) {
		if (c->p.status)
			c->p.status(c->p.ctx, j, now);
		render_counters(c, j);
	} else if (strcmp(req, "peers") == 0) {
		sw_json_arr_begin(j, "peers");
		if (c->p.peers)
			c->p.peers(c->p.ctx, j, now);
		sw_json_arr_end(j);
	} else if (strcmp(req, "metrics") == 0) {
		render_metrics(c, j);
	} else if (strcmp(req, "help") == 0) {
		render_help(j);
	} else if (strcmp(req, "monitor") == 0) {
		cl->monitor = true;
		sw_json_bool(j, "monitor", true);
	} else {
		c->n.bad_request++;
		return "unknown request (try: help)";
	}
	sw_json_bool(j, "ok", true);
	sw_json_obj_end(j);
	if (!sw_json_finish(j)) {
		c->n.reply_too_large++;
		return "reply too large";
	}
	return NULL;
}

static const char *error_line(char *buf, size_t cap, const char *msg)
{
	struct sw_json j;

	sw_json_init(&j, buf, cap);
	sw_json_obj_begin(&j, NULL);
	sw_json_bool(&j, "ok", false);
	sw_json_str(&j, "error", msg);
	sw_json_obj_end(&j);
	return sw_json_finish(&j);
}

static bool serve_request(struct sw_ctl *c, struct ctl_client *cl, const char *req, sw_time now)
{
	struct sw_json j;
	const char *err;
	char ebuf[128];

	c->n.requests++;
	err = render(c, cl, req, now, &j);
	if (!err)
		return client_reply(c, cl, c->scratch, now);
	return client_reply(c, cl, error_line(ebuf, sizeof(ebuf), err), now);
}

/* Take the first complete line out of cl->in into req; false when none. */
static bool next_line(struct ctl_client *cl, char *req)
{
	char *nl = memchr(cl->in, '\n', cl->in_len);
	size_t len, rest;

	if (!nl)
		return false;
	len = (size_t)(nl - cl->in);
	rest = cl->in_len - len - 1;
	memcpy(req, cl->in, len);
	while (len > 0 && (req[len - 1] == '\r' || req[len - 1] == ' ' || req[len - 1] == '\t'))
		len--;
	req[len] = '\0';
	memmove(cl->in, nl + 1, rest);
	cl->in_len = rest;
	return true;
}

/* Answer buffered requests one at a time (one reply in flight). false: client gone. */
static bool client_process(struct sw_ctl *c, struct ctl_client *cl, sw_time now)
{
	char req[SW_CTL_REQ_MAX];
	char ebuf[128];

	while (!cl->out && next_line(cl, req)) {
		cl->since = now;
		if (req[0] != '\0' && !serve_request(c, cl, req, now))
			return false;
	}
	if (!cl->out && cl->in_len == sizeof(cl->in)) {
		c->n.req_too_long++;
		cl->closing = true;
		return client_reply(c, cl, error_line(ebuf, sizeof(ebuf), "request too long"), now);
	}
	return true;
}

static void client_readable(struct sw_ctl *c, struct ctl_client *cl, sw_time now)
{
	ssize_t r = recv(cl->fd, cl->in + cl->in_len, sizeof(cl->in) - cl->in_len, MSG_DONTWAIT);

	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		if (r < 0)
			c->n.io_error++;
		client_close(c, cl);
		return;
	}
	cl->in_len += (size_t)r;
	if (client_process(c, cl, now))
		client_watch(c, cl);
}

static void client_writable(struct sw_ctl *c, struct ctl_client *cl, sw_time now)
{
	if (client_flush(c, cl) && client_process(c, cl, now))
		client_watch(c, cl);
}

static struct ctl_client *free_slot(struct sw_ctl *c)
{
	for (size_t i = 0; i < SW_CTL_MAX_CLIENTS; i++)
		if (c->cl[i].fd < 0)
			return &c->cl[i];
	return NULL;
}

static void refuse(struct sw_ctl *c, int fd)
{
	char buf[128];
	const char *line = error_line(buf, sizeof(buf) - 1, "too many clients");
	size_t len = strlen(line);

	c->n.refused++;
	buf[len] = '\n';
	(void)!send(fd, buf, len + 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

static void greet(struct sw_ctl *c, struct ctl_client *cl, sw_time now)
{
	char buf[128];
	struct sw_json j;

	sw_json_init(&j, buf, sizeof(buf));
	sw_json_obj_begin(&j, NULL);
	sw_json_u64(&j, "shipworm", 1);
	sw_json_str(&j, "version", SW_VERSION);
	sw_json_obj_end(&j);
	if (client_reply(c, cl, sw_json_finish(&j), now))
		client_watch(c, cl);
}

static void accept_all(struct sw_ctl *c, sw_time now)
{
	for (int i = 0; i < SW_CTL_MAX_CLIENTS; i++) {
		int fd = accept4(c->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct ctl_client *cl;

		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR)
				c->n.io_error++;
			return;
		}
		cl = free_slot(c);
		if (!cl || epoll_add(c->efd, fd, EPOLLIN, (uint64_t)(cl - c->cl)) < 0) {
			refuse(c, fd);
			continue;
		}
		c->n.accepted++;
		cl->fd = fd;
		cl->since = now;
		greet(c, cl, now);
	}
}

/* When a client is closed unless something happens: its pending output not drained, or
 * no request (monitor clients may stay idle). */
static sw_time client_deadline(const struct ctl_client *cl)
{
	if (cl->out)
		return cl->since + SW_CTL_WRITE_TIMEOUT;
	return cl->monitor ? SW_TIME_NEVER : cl->since + SW_CTL_IDLE_TIMEOUT;
}

static void expire(struct sw_ctl *c, sw_time now)
{
	for (size_t i = 0; i < SW_CTL_MAX_CLIENTS; i++) {
		struct ctl_client *cl = &c->cl[i];
		sw_time t = client_deadline(cl);

		if (cl->fd < 0 || now < t)
			continue;
		if (cl->out)
			c->n.write_timeout++;
		else
			c->n.idle_timeout++;
		client_close(c, cl);
	}
}

void sw_ctl_run(struct sw_ctl *c, sw_time now)
{
	struct epoll_event ev[SW_CTL_MAX_CLIENTS + 1];
	int n = epoll_wait(c->efd, ev, SW_CTL_MAX_CLIENTS + 1, 0);

	for (int i = 0; i < n; i++) {
		uint64_t tag = ev[i].data.u64;
		struct ctl_client *cl;

		if (tag == LISTENER_TAG) {
			accept_all(c, now);
			continue;
		}
		cl = &c->cl[tag];
		if (cl->fd < 0)
			continue;
		if (cl->out)
			client_writable(c, cl, now);
		else
			client_readable(c, cl, now);
	}
	expire(c, now);
}

sw_time sw_ctl_next_deadline(const struct sw_ctl *c)
{
	sw_time next = SW_TIME_NEVER;

	for (size_t i = 0; i < SW_CTL_MAX_CLIENTS; i++) {
		sw_time t = client_deadline(&c->cl[i]);

		if (c->cl[i].fd >= 0 && t < next)
			next = t;
	}
	return next;
}

void sw_ctl_event(struct sw_ctl *c, const char *line, sw_time now)
{
	if (!c || !line)
		return;
	for (size_t i = 0; i < SW_CTL_MAX_CLIENTS; i++) {
		struct ctl_client *cl = &c->cl[i];

		if (cl->fd < 0 || !cl->monitor)
			continue;
		if (!client_queue(cl, line, SW_CTL_EVENT_BACKLOG, now)) {
			c->n.events_dropped++;
			continue;
		}
		c->n.events++;
		if (client_flush(c, cl))
			client_watch(c, cl);
	}
}

void sw_ctl_engine_event(struct sw_ctl *c, const struct sw_event *ev, const char *state_name,
			 sw_time now)
{
	char buf[192];
	struct sw_json j;

	sw_json_init(&j, buf, sizeof(buf));
	sw_json_obj_begin(&j, NULL);
	switch (ev->kind) {
	case SW_EV_STATE:
		sw_json_str(&j, "event", "state");
		if (state_name)
			sw_json_str(&j, "state", state_name);
		else
			sw_json_u64(&j, "state", ev->state);
		break;
	case SW_EV_ADDR_ADD:
	case SW_EV_ADDR_DEL:
		sw_json_str(&j, "event", "address");
		sw_json_str(&j, "op", ev->kind == SW_EV_ADDR_ADD ? "add" : "del");
		sw_json_ip6(&j, "address", ev->addr);
		sw_json_u64(&j, "prefix_len", ev->prefix_len);
		break;
	case SW_EV_MTU:
		sw_json_str(&j, "event", "mtu");
		sw_json_u64(&j, "mtu", ev->mtu);
		break;
	default:
		return;
	}
	sw_json_obj_end(&j);
	sw_ctl_event(c, sw_json_finish(&j), now);
}

void sw_ctl_reload_event(struct sw_ctl *c, bool ok, sw_time now)
{
	sw_ctl_event(c, ok ? "{\"event\":\"reload\",\"ok\":true}"
			   : "{\"event\":\"reload\",\"ok\":false}",
		     now);
}

size_t sw_ctl_stats(const struct sw_ctl *c, struct sw_stat *out, size_t cap)
{
	const struct sw_stat all[] = {
#define X(f, name, help) {name, help, c->n.f},
		CTL_COUNTERS(X)
#undef X
	};
	size_t n = sizeof(all) / sizeof(all[0]);

	if (n > cap)
		n = cap;
	memcpy(out, all, n * sizeof(all[0]));
	return n;
}

void sw_ctl_close(struct sw_ctl *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < SW_CTL_MAX_CLIENTS; i++)
		if (c->cl[i].fd >= 0)
			client_close(c, &c->cl[i]);
	if (c->lfd >= 0)
		close(c->lfd);
	if (c->efd >= 0)
		close(c->efd);
	if (c->path)
		unlink(c->path);
	free(c->path);
	free(c->scratch);
	free(c);
}
