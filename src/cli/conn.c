/* conn: see conn.h. */
#include "conn.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "sw_config.h"

static const char *rundir(void)
{
	const char *d = getenv("SHIPWORM_RUNDIR");

	return d && *d ? d : SW_RUNDIR;
}

static bool is_sock_name(const char *name)
{
	size_t l = strlen(name);

	return l > 5 && name[0] != '.' && strcmp(name + l - 5, ".sock") == 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

int sw_conn_list(char names[][SW_CONN_NAME_MAX], size_t cap)
{
	DIR *d = opendir(rundir());
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)) && n < cap) {
		size_t l = strlen(e->d_name);

		if (is_sock_name(e->d_name) && l - 5 < SW_CONN_NAME_MAX)
			snprintf(names[n++], SW_CONN_NAME_MAX, "%.*s", (int)(l - 5), e->d_name);
	}
	closedir(d);
	qsort(names, n, SW_CONN_NAME_MAX, cmp_names);
	return (int)n;
}

/* The only instance in the run directory. */
static int only_socket(char *path, size_t cap)
{
	char names[8][SW_CONN_NAME_MAX];
	int n = sw_conn_list(names, 8);

	if (n < 0) {
		fprintf(stderr, "shipworm: %s: %s (is shipwormd running?)\n", rundir(), strerror(-n));
		return n;
	}
	if (n == 0) {
		fprintf(stderr, "shipworm: no control socket in %s (is shipwormd running?)\n",
			rundir());
		return -ENOENT;
	}
	if (n > 1) {
		fprintf(stderr, "shipworm: several instances in %s, name one:", rundir());
		for (int i = 0; i < n; i++)
			fprintf(stderr, " %s", names[i]);
		fprintf(stderr, "%s\n", n == 8 ? " ..." : "");
		return -EINVAL;
	}
	if ((size_t)snprintf(path, cap, "%s/%s.sock", rundir(), names[0]) >= cap)
		return -ENAMETOOLONG;
	return 0;
}

int sw_conn_path(const char *instance, char *path, size_t cap)
{
	if (!instance)
		return only_socket(path, cap);
	if (!*instance || strchr(instance, '/') || instance[0] == '.') {
		fprintf(stderr, "shipworm: bad instance name '%s'\n", instance);
		return -EINVAL;
	}
	if ((size_t)snprintf(path, cap, "%s/%s.sock", rundir(), instance) >= cap) {
		fprintf(stderr, "shipworm: instance name too long\n");
		return -ENAMETOOLONG;
	}
	return 0;
}

static int conn_open(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = SW_CONN_TIMEOUT_MS / 1000};
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "shipworm: %s: path too long\n", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	/* a daemon that does not accept (backlog full) or read must not hang us */
	if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == 0 &&
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	err = errno;
	if (fd >= 0)
		close(fd);
	fprintf(stderr, "shipworm: %s: %s%s\n", path, strerror(err),
		err == ENOENT || err == ECONNREFUSED ? " (is shipwormd running?)"
		: err == EACCES ? " (root or the daemon's group is needed)" : "");
	return -err;
}

static int wait_fd(int fd, short events, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = events};
	int rc = poll(&p, 1, timeout_ms);

	if (rc < 0)
		return errno == EINTR ? 0 : -errno;
	return rc == 0 ? -ETIMEDOUT : 0;
}

int sw_conn_line(struct sw_conn *c, int timeout_ms, char **line)
{
	char *nl;

	if (c->consumed) {
		c->len -= c->consumed;
		memmove(c->buf, c->buf + c->consumed, c->len);
		c->consumed = 0;
	}
	while (!(nl = memchr(c->buf, '\n', c->len))) {
		ssize_t r;
		int rc;

		if (c->len == c->cap)
			return -EMSGSIZE;
		if ((rc = wait_fd(c->fd, POLLIN, timeout_ms)) < 0)
			return rc;
		r = recv(c->fd, c->buf + c->len, c->cap - c->len, MSG_DONTWAIT);
		if (r < 0 && errno != EINTR && errno != EAGAIN)
			return -errno;
		if (r == 0)
			return -ECONNRESET;
		if (r > 0)
			c->len += (size_t)r;
	}
	*nl = '\0';
	c->consumed = (size_t)(nl - c->buf) + 1;
	*line = c->buf;
	return (int)(nl - c->buf);
}

static int check_greeting(const char *line)
{
	struct sw_jread_node nodes[16];
	struct sw_jread r;
	char buf[256];
	uint64_t v = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	if (sw_jread_parse(&r, nodes, 16, buf, strlen(buf)) < 0 ||
	    sw_jread_u64(sw_jread_get(&r, sw_jread_root(&r), "shipworm"), &v) < 0) {
		fprintf(stderr, "shipworm: not a shipwormd control socket\n");
		return -EPROTO;
	}
	if (v != SW_CONN_PROTO) {
		fprintf(stderr, "shipworm: control protocol %llu not supported (this is %d)\n",
			(unsigned long long)v, SW_CONN_PROTO);
		return -EPROTO;
	}
	return 0;
}

int sw_conn_send(struct sw_conn *c, const char *req)
{
	char line[256];
	size_t len = (size_t)snprintf(line, sizeof(line), "%s\n", req);
	const char *s = line;

	if (len >= sizeof(line))
		return -EMSGSIZE;
	while (len > 0) {
		ssize_t w = send(c->fd, s, len, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -errno;
		s += w;
		len -= (size_t)w;
	}
	return 0;
}

static void conn_error(const char *path, int rc)
{
	if (rc != -EPROTO)
		fprintf(stderr, "shipworm: %s: %s\n", path, strerror(-rc));
}

int sw_conn_open(struct sw_conn *c, const char *path)
{
	char *line;
	int rc;

	memset(c, 0, sizeof(*c));
	c->path = path;
	c->fd = conn_open(path);
	if (c->fd < 0)
		return c->fd;
	c->cap = SW_CONN_REPLY_MAX;
	c->buf = malloc(c->cap);
	rc = c->buf ? sw_conn_line(c, SW_CONN_TIMEOUT_MS, &line) : -ENOMEM;
	if (rc >= 0)
		rc = check_greeting(line);
	if (rc < 0) {
		conn_error(path, rc);
		sw_conn_close(c);
		return rc;
	}
	return 0;
}

void sw_conn_close(struct sw_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

int sw_conn_parse(struct sw_reply *out, const char *line)
{
	size_t len = strlen(line), cap = len / 2 + 2;
	struct sw_jread_node *nodes = calloc(cap, sizeof(*nodes));
	const struct sw_jread_node *ok;

	memset(out, 0, sizeof(*out));
	out->line = strdup(line);
	out->parsed = strdup(line);
	if (!nodes || !out->line || !out->parsed) {
		free(nodes);
		return -ENOMEM;
	}
	if (sw_jread_parse(&out->r, nodes, cap, out->parsed, len) < 0 ||
	    sw_jread_root(&out->r)->type != SW_JREAD_OBJ) {
		fprintf(stderr, "shipworm: malformed reply from the daemon\n");
		return -EPROTO;
	}
	out->root = sw_jread_root(&out->r);
	ok = sw_jread_get(&out->r, out->root, "ok");
	if (!ok || ok->type != SW_JREAD_BOOL || !ok->b) {
		const char *err = sw_jread_str(&out->r, out->root, "error");
		fprintf(stderr, "shipworm: daemon: %s\n", err ? err : "request failed");
		return -EPROTO;
	}
	return 0;
}

int sw_conn_request(const char *path, const char *req, struct sw_reply *out)
{
	struct sw_conn c;
	char *line;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = sw_conn_open(&c, path);
	if (rc < 0)
		return rc;
	rc = sw_conn_send(&c, req);
	if (rc >= 0)
		rc = sw_conn_line(&c, SW_CONN_TIMEOUT_MS, &line);
	if (rc >= 0)
		rc = sw_conn_parse(out, line);
	else
		conn_error(path, rc);
	sw_conn_close(&c);
	return rc < 0 ? rc : 0;
}

void sw_conn_free(struct sw_reply *r)
{
	free(r->line);
	free(r->parsed);
	free(r->r.nodes);
	memset(r, 0, sizeof(*r));
}

int sw_conn_args(int argc, char *argv[], struct sw_conn_target *t, void (*usage)(FILE *f))
{
	static const struct option lo[] = {
		{"json", no_argument, NULL, 'j'}, {"socket", required_argument, NULL, 'S'},
		{"all", no_argument, NULL, 'a'},  {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(t, 0, sizeof(*t));
	while ((c = getopt_long(argc, argv, "jah", lo, NULL)) != -1) {
		switch (c) {
		case 'j': t->json = true; break;
		case 'a': t->all = true; break;
		case 'S': t->socket = optarg; break;
		case 'h': usage(stdout); return 1;
		default: usage(stderr); return -EINVAL;
		}
	}
	if (optind < argc)
		t->instance = argv[optind++];
	if (optind < argc || (t->instance && t->socket)) {
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

int sw_conn_resolve(const struct sw_conn_target *t, char *path, size_t cap)
{
	if (!t->socket)
		return sw_conn_path(t->instance, path, cap);
	if ((size_t)snprintf(path, cap, "%s", t->socket) >= cap) {
		fprintf(stderr, "shipworm: socket path too long\n");
		return -ENAMETOOLONG;
	}
	return 0;
}

int sw_conn_fetch(const struct sw_conn_target *t, const char *req, struct sw_reply *out)
{
	char path[4096];
	int rc;

	memset(out, 0, sizeof(*out));
	rc = sw_conn_resolve(t, path, sizeof(path));
	return rc < 0 ? rc : sw_conn_request(path, req, out);
}
