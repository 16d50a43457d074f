/* probe: `shipworm probe`, see probe.h. */
#include "probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/json.h"
#include "engine/client.h"
#include "sys/clock.h"
#include "sys/rand.h"

#define PROBE_TIMEOUT_S 40u /* three phases of three RSs 4 s apart, and some slack */
#define PROBE_TIMEOUT_MAX 3600u
#define PROBE_OUT 16
#define PROBE_RX_BATCH 64 /* datagrams read per wake-up */

struct probe_opts {
	bool json, cone;
	uint16_t port;
	unsigned timeout_s;
	const char *server, *server2;
};

struct probe {
	struct sw_client c;
	struct sw_out out;
	struct sw_out_pkt pkt[PROBE_OUT];
	uint8_t arena[PROBE_OUT * 1536];
	struct sw_event ev[PROBE_OUT];
	int fd;
	uint8_t state;
	bool done;
	sw_time t0, t_end;
};

void sw_probe_usage(FILE *f)
{
	fprintf(
	    f,
	    "Usage: shipworm probe [--json] [--no-cone] [--port N] [--timeout S] SERVER"
	    " [SERVER2]\n"
	    "Qualify once against the Teredo server SERVER (a name or an IPv4 address;\n"
	    "SERVER2, its second address, defaults to SERVER + 1) as shipwormd's client would,\n"
	    "without a daemon, a tunnel or privileges, and report the mapping the server saw,\n"
	    "the NAT type and the Teredo address this host would get.\n"
	    "  --json       one JSON object instead of text\n"
	    "  --no-cone    skip the cone test (RFC 5991): a cone NAT then shows as restricted\n"
	    "  --port N     local UDP port (default: chosen by the kernel)\n"
	    "  --timeout S  give up after S seconds (default %u)\n"
	    "Exit status: 0 qualified, 1 no answer or failure, 2 usage, 3 symmetric NAT.\n",
	    PROBE_TIMEOUT_S);
}

/* --- arguments --- */

static int parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	return (errno || end == s || *end || s[0] == '-' || *v < lo || *v > hi) ? -EINVAL : 0;
}

static int parse_opt(int ch, struct probe_opts *o)
{
	unsigned long v;

	switch (ch) {
	case 'j':
		o->json = true;
		return 0;
	case 'n':
		o->cone = false;
		return 0;
	case 'p':
		if (parse_uint(optarg, 1, 65535, &v) < 0) {
			fprintf(stderr, "shipworm probe: --port %s: 1-65535 expected\n", optarg);
			return -EINVAL;
		}
		o->port = (uint16_t)v;
		return 0;
	case 't':
		if (parse_uint(optarg, 1, PROBE_TIMEOUT_MAX, &v) < 0) {
			fprintf(stderr, "shipworm probe: --timeout %s: 1-%u seconds expected\n",
				optarg, PROBE_TIMEOUT_MAX);
			return -EINVAL;
		}
		o->timeout_s = (unsigned)v;
		return 0;
	default:
		return -EINVAL;
	}
}

/* 0, 1 (help shown) or -EINVAL. */
static int parse_args(int argc, char *argv[], struct probe_opts *o)
{
	static const struct option lo[] = {
	    {"json", no_argument, NULL, 'j'},	    {"no-cone", no_argument, NULL, 'n'},
	    {"port", required_argument, NULL, 'p'}, {"timeout", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},	    {NULL, 0, NULL, 0},
	};
	int ch;

	*o = (struct probe_opts){.cone = true, .timeout_s = PROBE_TIMEOUT_S};
	while ((ch = getopt_long(argc, argv, "jh", lo, NULL)) != -1) {
		if (ch == 'h')
			return 1;
		if (parse_opt(ch, o) < 0)
			return -EINVAL;
	}
	if (optind >= argc || argc - optind > 2)
		return -EINVAL;
	o->server = argv[optind];
	o->server2 = optind + 1 < argc ? argv[optind + 1] : NULL;
	return 0;
}

/* --- the network side --- */

static int resolve(const char *name, uint32_t *ip)
{
	struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_DGRAM}, *res;
	int err = getaddrinfo(name, NULL, &hints, &res);

	if (err != 0) {
		fprintf(stderr, "shipworm probe: %s: %s\n", name, gai_strerror(err));
		return -ENOENT;
	}
	*ip = ntohl(((const struct sockaddr_in *)(const void *)res->ai_addr)->sin_addr.s_addr);
	freeaddrinfo(res);
	return 0;
}

static struct sockaddr_in sin_of(struct sw_endpoint ep)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};

	sa.sin_addr.s_addr = htonl(ep.ip);
	sa.sin_port = htons(ep.port);
	return sa;
}

/* The source address the kernel would use towards the server (no packet is sent). */
static int local_ip_towards(uint32_t server, uint32_t *ip)
{
	struct sockaddr_in sa = sin_of((struct sw_endpoint){server, SW_TEREDO_PORT});
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		err = -errno;
	close(fd);
	*ip = ntohl(sa.sin_addr.s_addr);
	return err;
}

/* The service socket, bound to port (0: the kernel picks one); its port in *bound. */
static int open_socket(uint16_t port, uint16_t *bound)
{
	struct sockaddr_in sa = sin_of((struct sw_endpoint){0, port});
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	*bound = ntohs(sa.sin_port);
	return fd;
}

/* --- the engine loop --- */

/* Sends the engine's datagrams; notes state changes; ends the round when it settles. */
static void flush(struct probe *p, sw_time now)
{
	for (size_t i = 0; i < p->out.n; i++) {
		const struct sw_out_pkt *o = &p->out.pkt[i];
		struct sockaddr_in sa = sin_of(o->dst);

		if (o->kind == SW_OUT_UDP) /* a lost datagram is a lost RS: the engine retries */
			(void)sendto(p->fd, o->data, o->len, 0, (struct sockaddr *)&sa, sizeof sa);
	}
	for (size_t i = 0; i < p->out.n_ev; i++) {
		if (p->out.ev[i].kind != SW_EV_STATE)
			continue;
		p->state = p->out.ev[i].state;
		if (p->state != SW_CLIENT_PROBE && !p->done) {
			p->done = true;
			p->t_end = now;
		}
	}
	sw_out_reset(&p->out);
}

static void receive(struct probe *p, uint32_t local_ip)
{
	uint8_t buf[2048];

	for (int i = 0; i < PROBE_RX_BATCH && !p->done; i++) {
		struct sockaddr_in sa = {0};
		socklen_t len = sizeof sa;
		ssize_t n =
		    recvfrom(p->fd, buf, sizeof buf, MSG_TRUNC, (struct sockaddr *)&sa, &len);
		struct sw_endpoint from = {ntohl(sa.sin_addr.s_addr), ntohs(sa.sin_port)};
		sw_time now = sw_clock_now();

		if (n < 0)
			return;
		if ((size_t)n > sizeof buf || len != sizeof sa || sa.sin_family != AF_INET)
			continue; /* truncated: no valid Teredo packet is that long here */
		sw_client_udp(&p->c, from, local_ip, buf, (size_t)n, now, &p->out);
		flush(p, now);
	}
}

static int poll_ms(sw_time now, sw_time until)
{
	if (until <= now)
		return 0;
	return until - now > INT_MAX ? INT_MAX : (int)(until - now);
}

/* Runs the round until the engine settles or the time is up (p->done false then). */
static void run(struct probe *p, uint32_t local_ip, unsigned timeout_s)
{
	struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
	sw_time now = sw_clock_now(), end = now + SW_SEC(timeout_s);

	p->t0 = now;
	sw_client_start(&p->c, now, &p->out);
	flush(p, now);
	while (!p->done && now < end) {
		sw_time dl = sw_client_next_deadline(&p->c);

		if (poll(&pfd, 1, poll_ms(now, dl < end ? dl : end)) > 0)
			receive(p, local_ip);
		now = sw_clock_now();
		if (!p->done && now >= sw_client_next_deadline(&p->c)) {
			sw_client_timer(&p->c, now, &p->out);
			flush(p, now);
		}
	}
	if (!p->done)
		p->t_end = now;
}

static uint64_t stat_of(const struct sw_client *c, const char *name)
{
	struct sw_stat st[96];
	size_t n = sw_client_stats(c, st, sizeof st / sizeof st[0]);

	for (size_t i = 0; i < n; i++)
		if (strcmp(st[i].name, name) == 0)
			return st[i].value;
	return 0;
}

/* The round's outcome, through the engine's accessors and counters. */
static void collect(const struct probe *p, struct sw_probe_result *r)
{
	struct sw_teredo t;

	r->state = p->state;
	r->nat = sw_client_nat(&p->c);
	r->timed_out = !p->done;
	r->elapsed_ms = p->t_end - p->t0;
	r->rs_sent = stat_of(&p->c, "client_rs_sent");
	r->ra_received = stat_of(&p->c, "client_ra_accepted");
	r->secondary = stat_of(&p->c, "client_failover") > 0;
	r->have_addr = sw_client_addr(&p->c, r->addr);
	if (r->have_addr && sw_addr_decode(r->addr, &t) == 0) {
		r->mapped = t.mapped;
		r->have_mapped = true;
		r->cone = (t.flags & SW_FLAG_CONE) != 0;
	} else if (r->ra_received > 0 && sw_client_first_mapping(&p->c, &r->mapped)) {
		/* what the primary saw (symmetric: one of two) */
		r->have_mapped = true;
	}
}

static int probe_setup(struct probe *p, const struct probe_opts *o, struct sw_probe_result *r)
{
	struct sw_client_conf conf = {.cone_phase = o->cone, .max_peers = 8, .pool_bufs = 4};
	int err;

	if (resolve(o->server, &r->server) < 0 ||
	    (o->server2 && resolve(o->server2, &r->server2) < 0))
		return SW_PROBE_FAILED;
	if (!o->server2)
		r->server2 = r->server + 1;
	if (!sw_ipv4_is_global(r->server, 0) || !sw_ipv4_is_global(r->server2, 0) ||
	    r->server == r->server2) {
		fprintf(stderr,
			"shipworm probe: %s: the server addresses must be two global"
			" unicast IPv4 addresses\n",
			o->server);
		return SW_PROBE_USAGE;
	}
	if ((err = local_ip_towards(r->server, &r->local.ip)) < 0) {
		fprintf(stderr, "shipworm probe: no route to %s: %s\n", o->server, strerror(-err));
		return SW_PROBE_FAILED;
	}
	if ((p->fd = open_socket(o->port, &r->local.port)) < 0) {
		fprintf(stderr, "shipworm probe: UDP port %u: %s\n", o->port, strerror(-p->fd));
		return SW_PROBE_FAILED;
	}
	conf.server = r->server;
	conf.server2 = r->server2;
	conf.local_ip = r->local.ip;
	conf.local_port = r->local.port;
	if ((err = sw_client_init(&p->c, &conf, &sw_sysrand)) < 0) {
		fprintf(stderr, "shipworm probe: client engine: %s\n", strerror(-err));
		close(p->fd);
		return SW_PROBE_FAILED;
	}
	sw_out_init(&p->out, p->pkt, PROBE_OUT, p->arena, sizeof p->arena, p->ev, PROBE_OUT);
	r->cone_test = o->cone;
	return SW_PROBE_OK;
}

int sw_probe_main(int argc, char *argv[])
{
	struct sw_probe_result r = {0};
	struct probe_opts o;
	struct probe *p;
	int rc = parse_args(argc, argv, &o);

	if (rc != 0) {
		sw_probe_usage(rc > 0 ? stdout : stderr);
		return rc > 0 ? SW_PROBE_OK : SW_PROBE_USAGE;
	}
	if ((p = calloc(1, sizeof *p)) == NULL) {
		fprintf(stderr, "shipworm probe: out of memory\n");
		return SW_PROBE_FAILED;
	}
	p->fd = -1;
	if ((rc = probe_setup(p, &o, &r)) == SW_PROBE_OK) {
		run(p, r.local.ip, o.timeout_s);
		collect(p, &r);
		sw_client_free(&p->c);
		close(p->fd);
		sw_probe_print(stdout, &r, o.json);
		rc = sw_probe_status(&r);
	}
	free(p);
	return rc;
}

/* --- the report --- */

int sw_probe_status(const struct sw_probe_result *r)
{
	if (r->state == SW_CLIENT_QUALIFIED)
		return SW_PROBE_OK;
	return r->nat == SW_NAT_SYMMETRIC ? SW_PROBE_SYMMETRIC : SW_PROBE_FAILED;
}

static const char *result_key(const struct sw_probe_result *r)
{
	switch (sw_probe_status(r)) {
	case SW_PROBE_OK:
		return "qualified";
	case SW_PROBE_SYMMETRIC:
		return "symmetric";
	default:
		return r->ra_received ? "incomplete" : "no_answer";
	}
}

static const char *result_text(const struct sw_probe_result *r)
{
	switch (sw_probe_status(r)) {
	case SW_PROBE_OK:
		return "qualified";
	case SW_PROBE_SYMMETRIC:
		return "symmetric NAT: Teredo cannot work here";
	default:
		return r->ra_received ? "the server's second address did not answer: no result"
				      : "no answer from the server";
	}
}

static const char *nat_text(const struct sw_probe_result *r)
{
	switch (r->nat) {
	case SW_NAT_NONE:
		return "the server sees this host's own address and port";
	case SW_NAT_CONE:
		return "anyone gets through (the server's other address did, unasked)";
	case SW_NAT_RESTRICTED:
		return r->cone_test
			   ? "only hosts this host sent to get through (peers need bubbles)"
			   : "one mapping for both server addresses (cone test not run)";
	case SW_NAT_SYMMETRIC:
		return "a new mapping for each destination";
	default:
		return "not determined";
	}
}

static void print_json(FILE *f, const struct sw_probe_result *r)
{
	char buf[2048];
	struct sw_json j;

	sw_json_init(&j, buf, sizeof buf);
	sw_json_obj_begin(&j, NULL);
	sw_json_ip4(&j, "server", r->server);
	sw_json_ip4(&j, "server2", r->server2);
	sw_json_str(&j, "answered_by",
		    r->ra_received == 0 ? "none"
		    : r->secondary	? "secondary"
					: "primary");
	sw_json_str(&j, "result", result_key(r));
	sw_json_bool(&j, "timed_out", r->timed_out);
	sw_json_str(&j, "nat_type", sw_client_nat_name(r->nat));
	sw_json_bool(&j, "cone_test", r->cone_test);
	sw_json_endpoint(&j, "local", r->local);
	if (r->have_mapped)
		sw_json_endpoint(&j, "mapped", r->mapped);
	else
		sw_json_null(&j, "mapped");
	if (r->have_addr) {
		sw_json_ip6(&j, "address", r->addr);
		sw_json_bool(&j, "cone", r->cone);
	} else {
		sw_json_null(&j, "address");
		sw_json_null(&j, "cone");
	}
	if (r->state == SW_CLIENT_QUALIFIED)
		sw_json_u64(&j, "qualify_ms", r->elapsed_ms);
	else
		sw_json_null(&j, "qualify_ms");
	sw_json_u64(&j, "elapsed_ms", r->elapsed_ms);
	sw_json_u64(&j, "rs_sent", r->rs_sent);
	sw_json_u64(&j, "ra_received", r->ra_received);
	sw_json_obj_end(&j);
	fprintf(f, "%s\n", sw_json_finish(&j) ? buf : "{}");
}

static void print_text(FILE *f, const struct sw_probe_result *r)
{
	char a[24], b[24], a6[INET6_ADDRSTRLEN];

	fprintf(f, "server:       %s (primary), %s (secondary)%s\n",
		sw_ip4_str(r->server, a, sizeof a), sw_ip4_str(r->server2, b, sizeof b),
		r->ra_received && r->secondary ? "; the primary did not answer" : "");
	fprintf(f, "result:       %s%s\n", result_text(r), r->timed_out ? " (timed out)" : "");
	fprintf(f, "NAT type:     %s\n              %s\n", sw_client_nat_name(r->nat), nat_text(r));
	fprintf(f, "local:        %s\n", sw_endpoint_str(r->local, a, sizeof a));
	fprintf(f, "mapped:       %s\n",
		r->have_mapped ? sw_endpoint_str(r->mapped, b, sizeof b) : "-");
	if (r->have_addr)
		fprintf(f, "address:      %s (cone flag: %s)\n",
			inet_ntop(AF_INET6, r->addr, a6, sizeof a6), r->cone ? "yes" : "no");
	else
		fprintf(f, "address:      -\n");
	if (r->state == SW_CLIENT_QUALIFIED)
		fprintf(f, "qualified in: %llu ms\n", (unsigned long long)r->elapsed_ms);
	else
		fprintf(f, "gave up after: %llu ms\n", (unsigned long long)r->elapsed_ms);
	fprintf(f, "RS/RA:        %llu sent, %llu received\n", (unsigned long long)r->rs_sent,
		(unsigned long long)r->ra_received);
}

void sw_probe_print(FILE *f, const struct sw_probe_result *r, bool json)
{
	if (json)
		print_json(f, r);
	else
		print_text(f, r);
}
