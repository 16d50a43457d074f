/* Unit tests of the control socket (daemon/control.c): a real Unix socket in a temporary
 * directory, a fake provider, and a test client driven in the same thread. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/control.h"
#include "daemon/json.h"
#include "jread.h"
#include "sw_config.h"

struct fixture {
	char dir[64];
	char path[96];
	struct sw_ctl *c;
	unsigned n_peers;
	char line[SW_CTL_REPLY_MAX + 2];
	struct sw_jread_node nodes[4096];
	struct sw_jread r;
};

static void fake_status(void *ctx, struct sw_json *j, sw_time now)
{
	(void)ctx;
	sw_json_str(j, "role", "client");
	sw_json_str(j, "state", "qualified");
	sw_json_u64(j, "uptime_ms", now);
}

static void fake_peers(void *ctx, struct sw_json *j, sw_time now)
{
	struct fixture *f = ctx;
	static const uint8_t a[16] = {0x20, 0x01, 0, 0, 0x41, 0x36, 0xe3, 0x78,
				      0x80, 0,    0x63, 0xbf, 0x3f, 0xff, 0xfd, 0xd2};

	for (unsigned i = 0; i < f->n_peers; i++) {
		sw_json_obj_begin(j, NULL);
		sw_json_ip6(j, "address", a);
		sw_json_endpoint(j, "mapping", (struct sw_endpoint){0xc000022d, (uint16_t)i});
		sw_json_bool(j, "trusted", i % 2);
		sw_json_u64(j, "last_rx_ms", now - i);
		sw_json_obj_end(j);
	}
}

static size_t fake_stats(void *ctx, struct sw_stat *out, size_t cap)
{
	(void)ctx;
	if (cap < 2)
		return 0;
	out[0] = (struct sw_stat){"rx_packets", "packets received", 42};
	out[1] = (struct sw_stat){"drop_bad_auth", "dropped: \"bad\" auth", 7};
	return 2;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	strcpy(f->dir, "/tmp/sw-ctl-test-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/run/test.sock", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char sub[160];

	sw_ctl_close(f->c);
	unlink(f->path);
	snprintf(sub, sizeof(sub), "%s/run", f->dir);
	rmdir(sub);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void open_ctl(struct fixture *f)
{
	struct sw_ctl_provider p = {.ctx = f, .instance = "test", .status = fake_status,
				    .peers = fake_peers, .stats = fake_stats};
	int rc = sw_ctl_open(&f->c, f->path, (gid_t)-1, &p);

	if (rc < 0)
		fail_msg("sw_ctl_open(%s): %s", f->path, strerror(-rc));
}

static int client_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		fail_msg("connect %s: %s", path, strerror(errno));
	return fd;
}

/* Run the server and read one line into f->line; returns its length, or -1 on EOF. */
static ssize_t read_line(struct fixture *f, int fd, sw_time now)
{
	size_t len = 0;

	for (int round = 0; round < 2000; round++) {
		ssize_t r;

		sw_ctl_run(f->c, now);
		r = recv(fd, f->line + len, 1, MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno == ECONNRESET))
			return -1;
		if (r < 0) {
			assert_true(errno == EAGAIN);
			poll(NULL, 0, 1);
			continue;
		}
		if (f->line[len] == '\n') {
			f->line[len] = '\0';
			return (ssize_t)len;
		}
		len++;
		round = 0;
		assert_true(len < sizeof(f->line) - 1);
	}
	fail_msg("no line from the control socket");
	return -1;
}

static const struct sw_jread_node *request(struct fixture *f, int fd, const char *req)
{
	ssize_t len;

	assert_int_equal(send(fd, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
	len = read_line(f, fd, 1000);
	assert_true(len > 0);
	if (sw_jread_parse(&f->r, f->nodes, 4096, f->line, (size_t)len) < 0)
		fail_msg("reply to '%s' is not JSON", req);
	return sw_jread_root(&f->r);
}

static bool reply_ok(struct fixture *f, const struct sw_jread_node *root)
{
	const struct sw_jread_node *ok = sw_jread_get(&f->r, root, "ok");

	return ok && ok->type == SW_JREAD_BOOL && ok->b;
}

static uint64_t member_u64(struct fixture *f, const struct sw_jread_node *o, const char *k)
{
	uint64_t v = UINT64_MAX;

	if (sw_jread_u64(sw_jread_get(&f->r, o, k), &v) < 0)
		fail_msg("member %s missing or not an integer", k);
	return v;
}

static int connect_greeted(struct fixture *f)
{
	int fd = client_connect(f->path);
	char want[64];

	snprintf(want, sizeof(want), "{\"shipworm\":1,\"version\":\"%s\"}", SW_VERSION);
	assert_true(read_line(f, fd, 0) > 0);
	assert_string_equal(f->line, want);
	return fd;
}

static void test_ctl_socket_mode_and_dir(void **state)
{
	struct fixture *f = *state;
	struct stat st;

	open_ctl(f);
	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	if ((st.st_mode & 0777) != 0660)
		fail_msg("socket mode %o, want 0660", st.st_mode & 0777);
	assert_true(sw_ctl_fd(f->c) >= 0);
	assert_true(sw_ctl_next_deadline(f->c) == SW_TIME_NEVER);
	sw_ctl_close(f->c);
	f->c = NULL;
	assert_int_equal(stat(f->path, &st), -1); /* close unlinks */
}

/* The socket's group is the one given (needs root to chown; skipped otherwise). */
static void test_ctl_socket_group(void **state)
{
	struct fixture *f = *state;
	struct sw_ctl_provider p = {0};
	struct stat st;
	gid_t g = 65534;

	if (geteuid() != 0)
		skip();
	assert_int_equal(sw_ctl_open(&f->c, f->path, g, &p), 0);
	assert_int_equal(stat(f->path, &st), 0);
	if (st.st_gid != g || (st.st_mode & 0777) != 0660)
		fail_msg("socket gid %u mode %o, want %u 0660", (unsigned)st.st_gid,
			 st.st_mode & 0777, (unsigned)g);
}

static void test_ctl_status(void **state)
{
	struct fixture *f = *state;
	const struct sw_jread_node *root, *counters;
	int fd;

	open_ctl(f);
	fd = connect_greeted(f);
	root = request(f, fd, "status\n");
	assert_true(reply_ok(f, root));
	assert_string_equal(sw_jread_str(&f->r, root, "role"), "client");
	assert_string_equal(sw_jread_str(&f->r, root, "state"), "qualified");
	assert_int_equal(member_u64(f, root, "uptime_ms"), 1000);
	counters = sw_jread_get(&f->r, root, "counters");
	assert_int_equal(member_u64(f, counters, "rx_packets"), 42);
	assert_int_equal(member_u64(f, counters, "ctl_clients_accepted"), 1);
	assert_int_equal(member_u64(f, counters, "ctl_requests"), 1);
	/* "ok" is the last member: the explicit final status */
	assert_true(f->nodes[f->r.n - 1].type == SW_JREAD_BOOL);
	assert_string_equal(f->nodes[f->r.n - 1].key, "ok");
	assert_true(sw_ctl_next_deadline(f->c) == 1000 + SW_CTL_IDLE_TIMEOUT);
	close(fd);
}

static void test_ctl_peers_metrics_help_errors(void **state)
{
	struct fixture *f = *state;
	const struct sw_jread_node *root, *m;
	int fd;

	f->n_peers = 3;
	open_ctl(f);
	fd = connect_greeted(f);
	root = request(f, fd, "peers\r\n");
	assert_true(reply_ok(f, root));
	assert_int_equal(sw_jread_get(&f->r, root, "peers")->len, 3);
	root = request(f, fd, "metrics\n");
	assert_true(reply_ok(f, root));
	assert_string_equal(sw_jread_str(&f->r, root, "instance"), "test");
	m = sw_jread_first(&f->r, sw_jread_get(&f->r, root, "metrics"));
	assert_non_null(m);
	assert_string_equal(sw_jread_str(&f->r, m, "name"), "rx_packets");
	assert_string_equal(sw_jread_str(&f->r, m, "help"), "packets received");
	assert_int_equal(member_u64(f, m, "value"), 42);
	root = request(f, fd, "help\n");
	assert_true(reply_ok(f, root));
	root = request(f, fd, "\nbogus\n"); /* empty lines are ignored */
	assert_false(reply_ok(f, root));
	assert_non_null(sw_jread_get(&f->r, root, "ok"));
	assert_string_equal(sw_jread_str(&f->r, root, "error"), "unknown request (try: help)");
	/* two requests in one write: two replies, in order */
	assert_int_equal(send(fd, "help\nstatus\n", 12, 0), 12);
	assert_true(read_line(f, fd, 1000) > 0);
	assert_non_null(strstr(f->line, "\"requests\""));
	assert_true(read_line(f, fd, 1000) > 0);
	assert_non_null(strstr(f->line, "\"role\""));
	close(fd);
}

static void test_ctl_reply_too_large(void **state)
{
	struct fixture *f = *state;
	const struct sw_jread_node *root;
	int fd;

	f->n_peers = SW_CTL_REPLY_MAX / 64; /* each peer object is well over 64 bytes */
	open_ctl(f);
	fd = connect_greeted(f);
	root = request(f, fd, "peers\n");
	assert_false(reply_ok(f, root));
	assert_string_equal(sw_jread_str(&f->r, root, "error"), "reply too large");
	close(fd);
}

static void test_ctl_stale_socket(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct sw_ctl_provider p = {0};
	struct sw_ctl *other = NULL;
	char sub[160];
	int fd;

	/* a socket file nobody listens on: removed and replaced */
	snprintf(sub, sizeof(sub), "%s/run", f->dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	open_ctl(f);
	/* a live daemon: refused, and its socket left alone */
	assert_int_equal(sw_ctl_open(&other, f->path, (gid_t)-1, &p), -EADDRINUSE);
	assert_null(other);
	close(connect_greeted(f));
	sw_ctl_close(f->c);
	f->c = NULL;
	/* not a socket: refused, file kept */
	fd = open(f->path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(sw_ctl_open(&other, f->path, (gid_t)-1, &p), -EEXIST);
	assert_int_equal(access(f->path, F_OK), 0);
	unlink(f->path);
}

static void test_ctl_path_too_long(void **state)
{
	struct sw_ctl_provider p = {0};
	struct sw_ctl *c = NULL;
	char path[200];

	(void)state;
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	assert_int_equal(sw_ctl_open(&c, path, (gid_t)-1, &p), -ENAMETOOLONG);
	assert_null(c);
}

static void test_ctl_client_limit(void **state)
{
	struct fixture *f = *state;
	int fds[SW_CTL_MAX_CLIENTS + 1];
	struct sw_stat st[16];

	open_ctl(f);
	for (int i = 0; i < SW_CTL_MAX_CLIENTS; i++)
		fds[i] = connect_greeted(f);
	fds[SW_CTL_MAX_CLIENTS] = client_connect(f->path);
	assert_true(read_line(f, fds[SW_CTL_MAX_CLIENTS], 0) > 0);
	assert_string_equal(f->line, "{\"ok\":false,\"error\":\"too many clients\"}");
	assert_int_equal(read_line(f, fds[SW_CTL_MAX_CLIENTS], 0), -1);
	assert_true(sw_ctl_stats(f->c, st, 16) >= 2);
	assert_string_equal(st[1].name, "ctl_clients_refused");
	assert_int_equal(st[1].value, 1);
	for (int i = 0; i <= SW_CTL_MAX_CLIENTS; i++)
		close(fds[i]);
}

static void test_ctl_request_too_long(void **state)
{
	struct fixture *f = *state;
	char req[SW_CTL_REQ_MAX + 10];
	int fd;

	open_ctl(f);
	fd = connect_greeted(f);
	memset(req, 's', sizeof(req));
	assert_int_equal(send(fd, req, sizeof(req), 0), (ssize_t)sizeof(req));
	assert_true(read_line(f, fd, 0) > 0);
	assert_string_equal(f->line, "{\"ok\":false,\"error\":\"request too long\"}");
	assert_int_equal(read_line(f, fd, 0), -1); /* and the client is closed */
	close(fd);
}

static uint64_t ctl_counter(struct fixture *f, const char *name)
{
	struct sw_stat st[32];
	size_t n = sw_ctl_stats(f->c, st, 32);

	for (size_t i = 0; i < n; i++)
		if (strcmp(st[i].name, name) == 0)
			return st[i].value;
	fail_msg("no counter %s", name);
	return 0;
}

/* A client that never reads a large reply is closed after the write timeout; an idle one
 * after the idle timeout; the loop never blocks on either. */
static void test_ctl_timeouts(void **state)
{
	struct fixture *f = *state;
	int slow, idle;
	char buf[256];

	f->n_peers = 8000; /* ~700 KB: more than the socket buffers hold */
	open_ctl(f);
	slow = connect_greeted(f);
	idle = connect_greeted(f);
	assert_int_equal(send(slow, "peers\n", 6, 0), 6);
	sw_ctl_run(f->c, 100);
	sw_ctl_run(f->c, 100);
	assert_true(sw_ctl_next_deadline(f->c) == 100 + SW_CTL_WRITE_TIMEOUT);
	sw_ctl_run(f->c, 100 + SW_CTL_WRITE_TIMEOUT);
	assert_int_equal(ctl_counter(f, "ctl_write_timeouts"), 1);
	assert_int_equal(ctl_counter(f, "ctl_idle_timeouts"), 0);
	sw_ctl_run(f->c, SW_CTL_IDLE_TIMEOUT);
	assert_int_equal(ctl_counter(f, "ctl_idle_timeouts"), 1);
	assert_true(sw_ctl_next_deadline(f->c) == SW_TIME_NEVER);
	assert_int_equal(recv(idle, buf, sizeof(buf), 0), 0);
	close(slow);
	close(idle);
}

static void expect_engine_events(struct fixture *f, int mon)
{
	static const struct {
		struct sw_event ev;
		const char *name, *line;
	} v[] = {
		{{.kind = SW_EV_STATE, .state = 2}, "qualified",
		 "{\"event\":\"state\",\"state\":\"qualified\"}"},
		{{.kind = SW_EV_STATE, .state = 7}, NULL, "{\"event\":\"state\",\"state\":7}"},
		{{.kind = SW_EV_ADDR_ADD, .prefix_len = 32,
		  .addr = {0x20, 0x01, 0, 0, 0x41, 0x36, 0xe3, 0x78, 0x80, 0, 0x63, 0xbf, 0x3f, 0xff,
			   0xfd, 0xd2}},
		 NULL,
		 "{\"event\":\"address\",\"op\":\"add\",\"address\":"
		 "\"2001:0:4136:e378:8000:63bf:3fff:fdd2\",\"prefix_len\":32}"},
		{{.kind = SW_EV_ADDR_DEL, .prefix_len = 64}, NULL,
		 "{\"event\":\"address\",\"op\":\"del\",\"address\":\"::\",\"prefix_len\":64}"},
		{{.kind = SW_EV_MTU, .mtu = 1280}, NULL, "{\"event\":\"mtu\",\"mtu\":1280}"},
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		sw_ctl_engine_event(f->c, &v[i].ev, v[i].name, 2000);
		assert_true(read_line(f, mon, 2000) > 0);
		if (strcmp(f->line, v[i].line) != 0)
			fail_msg("event %zu: got %s, want %s", i, f->line, v[i].line);
	}
	sw_ctl_reload_event(f->c, false, 2000);
	assert_true(read_line(f, mon, 2000) > 0);
	assert_string_equal(f->line, "{\"event\":\"reload\",\"ok\":false}");
}

/* monitor: events reach subscribed clients only; a monitor client may stay idle; a backlog
 * that overflows drops events (counted) and one not drained hits the write timeout. */
static void test_ctl_monitor(void **state)
{
	struct fixture *f = *state;
	const struct sw_jread_node *root;
	char big[1001];
	int mon, plain;

	open_ctl(f);
	mon = connect_greeted(f);
	plain = connect_greeted(f);
	root = request(f, mon, "monitor\n");
	assert_true(reply_ok(f, root));
	sw_ctl_event(f->c, "{\"event\":\"state\",\"state\":\"qualified\"}", 2000);
	sw_ctl_event(f->c, NULL, 2000);
	assert_true(read_line(f, mon, 2000) > 0);
	assert_string_equal(f->line, "{\"event\":\"state\",\"state\":\"qualified\"}");
	assert_int_equal(recv(plain, big, sizeof(big), MSG_DONTWAIT), -1); /* nothing for it */
	expect_engine_events(f, mon);
	sw_ctl_run(f->c, 1000 + SW_CTL_IDLE_TIMEOUT);
	assert_int_equal(ctl_counter(f, "ctl_idle_timeouts"), 1); /* plain, not mon */
	root = request(f, mon, "help\n");                          /* still served */
	assert_true(reply_ok(f, root));
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (int i = 0; i < 2000; i++)
		sw_ctl_event(f->c, big, 70000);
	assert_true(ctl_counter(f, "ctl_events_dropped") > 0);
	assert_true(ctl_counter(f, "ctl_events") > 60);
	assert_true(sw_ctl_next_deadline(f->c) == 70000 + SW_CTL_WRITE_TIMEOUT);
	sw_ctl_run(f->c, 70000 + SW_CTL_WRITE_TIMEOUT);
	assert_int_equal(ctl_counter(f, "ctl_write_timeouts"), 1);
	close(mon);
	close(plain);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ctl_socket_mode_and_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_socket_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_peers_metrics_help_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_reply_too_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_stale_socket, setup, teardown),
		cmocka_unit_test(test_ctl_path_too_long),
		cmocka_unit_test_setup_teardown(test_ctl_client_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_request_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_timeouts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_monitor, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
