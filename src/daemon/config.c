/* config: the Miredo-compatible configuration parser (see config.h). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "daemon/config.h"
#include "sw_config.h"

enum cfg_type {
	T_RELAYTYPE, T_HOST, T_IP4, T_PORT, T_IFNAME, T_UINT, T_SIZE, T_PREFIX, T_FACILITY,
	T_BOOL, T_PATH, T_USER, T_ID,
};

#define ALL (SW_CFG_CLIENT | SW_CFG_RELAY | SW_CFG_SERVER | SW_CFG_HOST_RELAY)
#define NOT_CLIENT (SW_CFG_RELAY | SW_CFG_SERVER | SW_CFG_HOST_RELAY)
#define OFF(f) offsetof(struct sw_config, f)
#define SZ(f) sizeof(((struct sw_config *)0)->f)

struct cfg_key {
	const char *name;
	enum cfg_type type;
	size_t off, size; /* the field (strings: its buffer size) */
	size_t off2;      /* T_HOST: the uint32_t IPv4 literal field */
	unsigned long min, max;
	unsigned roles;   /* where the directive means something (else a warning) */
};

/* The directives, one row each. Roles add rows (and a field in struct sw_config). */
static const struct cfg_key keys[] = {
	{"RelayType", T_RELAYTYPE, OFF(relay_type), SZ(relay_type), 0, 0, 0, ALL},
	{"ServerAddress", T_HOST, OFF(server_name), SZ(server_name), OFF(server_ip), 0, 0,
	 SW_CFG_CLIENT},
	{"ServerAddress2", T_HOST, OFF(server_name2), SZ(server_name2), OFF(server_ip2), 0, 0,
	 SW_CFG_CLIENT},
	{"BindAddress", T_IP4, OFF(bind_ip), 0, 0, 0, 0, ALL},
	{"BindPort", T_PORT, OFF(bind_port), 0, 0, 0, 65535, ALL},
	{"InterfaceName", T_IFNAME, OFF(ifname), SZ(ifname), 0, 0, 0, ALL},
	{"InterfaceMTU", T_UINT, OFF(mtu), 0, 0, 1280, 65535, ALL},
	{"Prefix", T_PREFIX, OFF(prefix), 0, 0, 0, 0, NOT_CLIENT},
	{"ServerBindAddress", T_IP4, OFF(server_bind_ip), 0, 0, 0, 0, SW_CFG_SERVER},
	{"ServerBindAddress2", T_IP4, OFF(server_bind_ip2), 0, 0, 0, 0, SW_CFG_SERVER},
	{"SyslogFacility", T_FACILITY, OFF(syslog_facility), 0, 0, 0, 0, ALL},
	{"RefreshInterval", T_UINT, OFF(refresh_interval), 0, 0, 10, 3600, SW_CFG_CLIENT},
	{"MaxPeers", T_UINT, OFF(max_peers), 0, 0, 1, 1u << 24, ALL},
	{"QueueBytes", T_SIZE, OFF(queue_bytes), 0, 0, 0, 1u << 20, ALL},
	{"ControlSocket", T_PATH, OFF(control_socket), SZ(control_socket), 0, 0, 0, ALL},
	{"User", T_USER, OFF(user), SZ(user), 0, 0, 0, ALL},
	{"ClientSecretsFile", T_PATH, OFF(client_secrets_file), SZ(client_secrets_file), 0, 0, 0,
	 SW_CFG_SERVER},
	{"LocalDiscovery", T_BOOL, OFF(local_discovery), 0, 0, 0, 0, SW_CFG_CLIENT},
	{"ConeProbe", T_BOOL, OFF(cone_probe), 0, 0, 0, 0, SW_CFG_CLIENT},
	{"GlobalRFC6890", T_BOOL, OFF(global_rfc6890), 0, 0, 0, 0, ALL},
	{"ServerRelay", T_BOOL, OFF(server_relay), 0, 0, 0, 0, SW_CFG_SERVER},
	{"ServerRateLimit", T_UINT, OFF(server_rate), 0, 0, 0, 1000000, SW_CFG_SERVER},
	{"ServerRateBurst", T_UINT, OFF(server_burst), 0, 0, 1, 1000000, SW_CFG_SERVER},
	{"ServerForwardLimit", T_UINT, OFF(server_fwd_rate), 0, 0, 0, 1000000, SW_CFG_SERVER},
	{"ServerForwardBurst", T_UINT, OFF(server_fwd_burst), 0, 0, 1, 1000000, SW_CFG_SERVER},
	{"Offload", T_BOOL, OFF(offload), 0, 0, 0, 0, ALL},
	{"ClientIdentifier", T_ID, OFF(client_id), SZ(client_id), 0, 0, 0, SW_CFG_CLIENT},
	{"ClientSecretFile", T_PATH, OFF(client_secret_file), SZ(client_secret_file), 0, 0, 0,
	 SW_CFG_CLIENT},
	{"SymmetricTest", T_BOOL, OFF(symmetric_test), 0, 0, 0, 0, SW_CFG_CLIENT},
	{"NativeIPv6Check", T_BOOL, OFF(native_ipv6_check), 0, 0, 0, 0, SW_CFG_CLIENT},
	{"Workers", T_UINT, OFF(workers), 0, 0, 0, SW_CFG_MAX_WORKERS,
	 SW_CFG_RELAY | SW_CFG_HOST_RELAY},
	{"Seccomp", T_BOOL, OFF(seccomp), 0, 0, 0, 0, ALL},
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))
_Static_assert(NKEYS <= SW_CFG_MAX_KEYS, "raise SW_CFG_MAX_KEYS");

static const struct {
	const char *word;
	enum sw_cfg_role role;
} relay_types[] = {
	{"client", SW_CFG_CLIENT}, {"autoclient", SW_CFG_CLIENT}, {"relay", SW_CFG_RELAY},
	{"cone", SW_CFG_RELAY},    {"restricted", SW_CFG_RELAY},  {"server", SW_CFG_SERVER},
	{"host-relay", SW_CFG_HOST_RELAY},
};

static const struct {
	const char *name;
	int facility;
} facilities[] = {
	{"daemon", LOG_DAEMON}, {"kern", LOG_KERN},	{"user", LOG_USER},
	{"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2},
	{"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},
	{"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
};

const char *sw_config_role_name(enum sw_cfg_role r)
{
	switch (r) {
	case SW_CFG_CLIENT: return "client";
	case SW_CFG_RELAY: return "relay";
	case SW_CFG_SERVER: return "server";
	case SW_CFG_HOST_RELAY: return "host-relay";
	}
	return "?";
}

/* A token made safe and short for a message. */
static const char *tok(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] && i + 4 < len; i++)
		buf[i] = isprint((unsigned char)s[i]) ? s[i] : '?';
	if (s[i])
		buf[i++] = '.', buf[i++] = '.', buf[i++] = '.';
	buf[i] = '\0';
	return buf;
}

static void __attribute__((format(printf, 3, 4)))
report(struct sw_config_parser *p, bool warning, const char *fmt, ...)
{
	char msg[512], where[SW_CFG_NAME + 16];
	size_t n;
	va_list ap;

	if (p->lineno)
		snprintf(where, sizeof(where), "%s:%u: %s", p->file, p->lineno,
			 warning ? "warning: " : "");
	else
		snprintf(where, sizeof(where), "%s: %s", p->file, warning ? "warning: " : "");
	n = (size_t)snprintf(msg, sizeof(msg), "%s", where);
	if (n >= sizeof(msg))
		n = sizeof(msg) - 1;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	va_end(ap);
	if (warning)
		p->warnings++;
	else
		p->errors++;
	if (p->report)
		p->report(p->ctx, msg);
}

static void defaults(struct sw_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->path, sizeof(cfg->path), "-");
	snprintf(cfg->relay_type, sizeof(cfg->relay_type), "client");
	cfg->role = SW_CFG_CLIENT;
	snprintf(cfg->ifname, sizeof(cfg->ifname), "teredo");
	cfg->mtu = 1280;
	cfg->prefix[0] = 0x20;
	cfg->prefix[1] = 0x01;
	cfg->syslog_facility = LOG_DAEMON;
	cfg->refresh_interval = 30;
	cfg->queue_bytes = 8192;
	cfg->server_rate = 50; /* the server engine's SW_SERVER_RL_* and SW_SERVER_FWD_* */
	cfg->server_burst = 100;
	cfg->server_fwd_rate = 500;
	cfg->server_fwd_burst = 1000;
	cfg->offload = true;
	cfg->symmetric_test = true;
	cfg->native_ipv6_check = true;
	cfg->seccomp = true;
	cfg->workers = 1;
	snprintf(cfg->user, sizeof(cfg->user), "shipworm");
}

void sw_config_instance(const char *path, char *out, size_t len)
{
	const char *b = strrchr(path, '/');
	size_t n;

	b = b ? b + 1 : path;
	n = strlen(b);
	if (n >= 5 && strcmp(b + n - 5, ".conf") == 0)
		n -= 5;
	if (n >= len)
		n = len - 1;
	memcpy(out, b, n);
	out[n] = '\0';
	if (n == 0 || strcmp(out, "-") == 0)
		snprintf(out, len, "shipwormd");
}

void sw_config_read_init(struct sw_config_parser *p, struct sw_config *cfg, const char *file,
			 sw_config_report_fn report_fn, void *ctx)
{
	memset(p, 0, sizeof(*p));
	defaults(cfg);
	p->cfg = cfg;
	p->file = file ? file : "-";
	p->report = report_fn;
	p->ctx = ctx;
	sw_config_instance(p->file, cfg->instance, sizeof(cfg->instance));
}

static const struct cfg_key *key_find(const char *name, size_t *idx)
{
	for (size_t i = 0; i < NKEYS; i++) {
		if (strcasecmp(keys[i].name, name) == 0) {
			*idx = i;
			return &keys[i];
		}
	}
	return NULL;
}

unsigned sw_config_line(const struct sw_config *cfg, const char *name)
{
	size_t i;

	return key_find(name, &i) ? cfg->line[i] : 0;
}

/* Value parsers: 0, or -1 with a message in err. */
static int parse_ulong(const char *v, unsigned long min, unsigned long max, unsigned long *out,
		       char *err, size_t len)
{
	unsigned long x = 0;
	char t[80];

	if (!*v || strlen(v) > 10)
		goto bad;
	for (const char *c = v; *c; c++) {
		if (!isdigit((unsigned char)*c))
			goto bad;
		x = x * 10 + (unsigned long)(*c - '0');
	}
	if (x < min || x > max) {
		snprintf(err, len, "'%s' is out of range (%lu to %lu)", tok(v, t, sizeof(t)), min,
			 max);
		return -1;
	}
	*out = x;
	return 0;
bad:
	snprintf(err, len, "'%s' is not a number", tok(v, t, sizeof(t)));
	return -1;
}

static int parse_ip4(const char *v, uint32_t *ip, char *err, size_t len)
{
	struct in_addr a;
	char t[80];

	if (inet_pton(AF_INET, v, &a) != 1) {
		snprintf(err, len, "'%s' is not an IPv4 address", tok(v, t, sizeof(t)));
		return -1;
	}
	*ip = ntohl(a.s_addr);
	return 0;
}

static bool all_digits_dots(const char *v)
{
	for (; *v; v++)
		if (!isdigit((unsigned char)*v) && *v != '.')
			return false;
	return true;
}

static int parse_host(const char *v, char *name, size_t size, uint32_t *ip, char *err,
		      size_t len)
{
	char t[80];
	size_t n = strlen(v);

	*ip = 0;
	if (all_digits_dots(v) && parse_ip4(v, ip, err, len) < 0)
		return -1;
	for (const char *c = v; *c; c++) {
		if (!isalnum((unsigned char)*c) && *c != '.' && *c != '-' && *c != '_') {
			snprintf(err, len, "'%s' is not a hostname or IPv4 address",
				 tok(v, t, sizeof(t)));
			return -1;
		}
	}
	if (n >= size || n > 253) {
		snprintf(err, len, "'%s' is too long", tok(v, t, sizeof(t)));
		return -1;
	}
	memcpy(name, v, n + 1);
	return 0;
}

static int parse_prefix(const char *v, uint8_t prefix[16], char *err, size_t len)
{
	char buf[64], t[80];
	const char *slash = strchr(v, '/');
	struct in6_addr a;
	size_t n = slash ? (size_t)(slash - v) : strlen(v);

	if (n >= sizeof(buf))
		goto bad;
	memcpy(buf, v, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET6, buf, &a) != 1 || (slash && strcmp(slash, "/32") != 0))
		goto bad;
	for (size_t i = 4; i < 16; i++)
		if (a.s6_addr[i])
			goto bad;
	if (a.s6_addr[0] == 0xff || (a.s6_addr[0] == 0 && a.s6_addr[1] == 0 &&
				     a.s6_addr[2] == 0 && a.s6_addr[3] == 0))
		goto bad;
	memcpy(prefix, a.s6_addr, 16);
	return 0;
bad:
	snprintf(err, len, "'%s' is not a unicast IPv6 /32 prefix", tok(v, t, sizeof(t)));
	return -1;
}

static int parse_word(const char *v, const char *what, bool (*ok)(int), size_t size, char *out,
		      char *err, size_t len)
{
	char t[80];
	size_t n = strlen(v);

	for (const char *c = v; *c; c++) {
		if (!ok((unsigned char)*c)) {
			snprintf(err, len, "'%s' is not a valid %s", tok(v, t, sizeof(t)), what);
			return -1;
		}
	}
	if (n >= size) {
		snprintf(err, len, "'%s' is too long for %s (at most %zu characters)",
			 tok(v, t, sizeof(t)), what, size - 1);
		return -1;
	}
	memcpy(out, v, n + 1);
	return 0;
}

static bool ifname_char(int c)
{
	return isgraph(c) && c != '/' && c != ':' && c != '%';
}

static bool user_char(int c)
{
	return isalnum(c) || c == '_' || c == '-' || c == '.';
}

static bool path_char(int c)
{
	return isgraph(c);
}

static int parse_bool(const char *v, bool *out, char *err, size_t len)
{
	static const char *yes[] = {"yes", "true", "on", "1"}, *no[] = {"no", "false", "off", "0"};
	char t[80];

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0 || strcasecmp(v, no[i]) == 0) {
			*out = strcasecmp(v, yes[i]) == 0;
			return 0;
		}
	}
	snprintf(err, len, "'%s' is not yes or no", tok(v, t, sizeof(t)));
	return -1;
}

static int parse_relaytype(struct sw_config *cfg, const char *v, char *err, size_t len)
{
	char t[80];

	for (size_t i = 0; i < sizeof(relay_types) / sizeof(relay_types[0]); i++) {
		if (strcasecmp(v, relay_types[i].word) == 0) {
			snprintf(cfg->relay_type, sizeof(cfg->relay_type), "%s",
				 relay_types[i].word);
			cfg->role = relay_types[i].role;
			cfg->restricted = strcmp(relay_types[i].word, "restricted") == 0;
			return 0;
		}
	}
	snprintf(err, len,
		 "unknown RelayType '%s' (client, autoclient, relay, cone, restricted, server, "
		 "host-relay)",
		 tok(v, t, sizeof(t)));
	return -1;
}

static int parse_facility(const char *v, int *out, char *err, size_t len)
{
	char t[80];

	for (size_t i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++) {
		if (strcasecmp(v, facilities[i].name) == 0) {
			*out = facilities[i].facility;
			return 0;
		}
	}
	snprintf(err, len, "unknown SyslogFacility '%s' (daemon, local0 ... local7, kern, user)",
		 tok(v, t, sizeof(t)));
	return -1;
}

const char *sw_config_facility_name(int facility)
{
	for (size_t i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (facilities[i].facility == facility)
			return facilities[i].name;
	return "daemon";
}

static int parse_value(struct sw_config *cfg, const struct cfg_key *k, const char *v, char *err,
		       size_t len)
{
	uint8_t *f = (uint8_t *)cfg + k->off;
	unsigned long x;
	char t[80];

	switch (k->type) {
	case T_RELAYTYPE:
		return parse_relaytype(cfg, v, err, len);
	case T_HOST:
		return parse_host(v, (char *)f, k->size, (uint32_t *)((uint8_t *)cfg + k->off2),
				  err, len);
	case T_IP4:
		return parse_ip4(v, (uint32_t *)f, err, len);
	case T_PORT:
		if (parse_ulong(v, k->min, k->max, &x, err, len) < 0)
			return -1;
		*(uint16_t *)f = (uint16_t)x;
		return 0;
	case T_UINT:
		if (parse_ulong(v, k->min, k->max, &x, err, len) < 0)
			return -1;
		*(unsigned *)f = (unsigned)x;
		return 0;
	case T_SIZE:
		if (parse_ulong(v, k->min, k->max, &x, err, len) < 0)
			return -1;
		*(size_t *)f = x;
		return 0;
	case T_IFNAME:
		return parse_word(v, "interface name", ifname_char, k->size, (char *)f, err, len);
	case T_USER:
		return parse_word(v, "user name", user_char, k->size, (char *)f, err, len);
	case T_ID:
		return parse_word(v, "client identifier", path_char, k->size, (char *)f, err, len);
	case T_PATH:
		if (v[0] != '/') {
			snprintf(err, len, "'%s' is not an absolute path", tok(v, t, sizeof(t)));
			return -1;
		}
		return parse_word(v, "path", path_char, k->size, (char *)f, err, len);
	case T_PREFIX:
		return parse_prefix(v, f, err, len);
	case T_FACILITY:
		return parse_facility(v, (int *)f, err, len);
	case T_BOOL:
		return parse_bool(v, (bool *)f, err, len);
	}
	return -1;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Next whitespace-separated token of *s into buf; false at the end or a comment. A token
 * longer than the buffer is cut and flagged by *cut. */
static bool next_token(const char **s, char *buf, size_t len, bool *cut)
{
	const char *c = *s;
	size_t n = 0;

	while (is_space(*c))
		c++;
	if (!*c || *c == '#') {
		*s = c;
		return false;
	}
	*cut = false;
	for (; *c && !is_space(*c); c++) {
		if (n + 1 < len)
			buf[n++] = *c;
		else
			*cut = true;
	}
	buf[n] = '\0';
	*s = c;
	return true;
}

static void directive(struct sw_config_parser *p, const char *name, const char *value,
		      const char *rest)
{
	char extra[SW_CFG_LINE + 1], err[400], t[80];
	const struct cfg_key *k;
	size_t idx;
	bool cut;

	k = key_find(name, &idx);
	if (!k) {
		report(p, false, "unknown directive '%s'", tok(name, t, sizeof(t)));
		return;
	}
	if (!value) {
		report(p, false, "'%s' needs a value", k->name);
		return;
	}
	if (next_token(&rest, extra, sizeof(extra), &cut)) {
		report(p, false, "unexpected '%s' after the value of '%s'",
		       tok(extra, t, sizeof(t)), k->name);
		return;
	}
	if (p->cfg->line[idx]) {
		report(p, false, "duplicate '%s' (first given on line %u)", k->name,
		       p->cfg->line[idx]);
		return;
	}
	if (parse_value(p->cfg, k, value, err, sizeof(err)) < 0) {
		p->bad |= 1ull << idx;
		report(p, false, "%s: %s", k->name, err);
		return;
	}
	p->cfg->line[idx] = p->lineno;
}

void sw_config_read_line(struct sw_config_parser *p, const char *line)
{
	char name[64], value[SW_CFG_LINE + 1];
	const char *s = line;
	bool cut_name = false, cut_value = false, has_value;

	p->lineno++;
	if (strlen(line) > SW_CFG_LINE + 1) {
		report(p, false, "line too long (more than %d characters)", SW_CFG_LINE);
		return;
	}
	if (!next_token(&s, name, sizeof(name), &cut_name))
		return;
	has_value = next_token(&s, value, sizeof(value), &cut_value);
	if (cut_name) {
		report(p, false, "unknown directive '%s'", name);
		return;
	}
	directive(p, name, has_value ? value : NULL, s);
}

/* The bytes a directive's value takes in struct sw_config (T_HOST: the name only). */
static size_t field_size(const struct cfg_key *k)
{
	switch (k->type) {
	case T_IP4: return sizeof(uint32_t);
	case T_PORT: return sizeof(uint16_t);
	case T_UINT: return sizeof(unsigned);
	case T_SIZE: return sizeof(size_t);
	case T_PREFIX: return 16;
	case T_FACILITY: return sizeof(int);
	case T_BOOL: return sizeof(bool);
	default: return k->size;
	}
}

/* A directive that means nothing for the role is warned about and then ignored: its value
 * goes back to the default, as if the line were not there. */
static void check_roles(struct sw_config_parser *p)
{
	unsigned saved = p->lineno;
	struct sw_config d;

	defaults(&d);
	for (size_t i = 0; i < NKEYS; i++) {
		const struct cfg_key *k = &keys[i];

		if (!p->cfg->line[i] || (k->roles & p->cfg->role))
			continue;
		p->lineno = p->cfg->line[i];
		report(p, true, "'%s' is not used with RelayType %s", k->name,
		       p->cfg->relay_type);
		memcpy((uint8_t *)p->cfg + k->off, (const uint8_t *)&d + k->off, field_size(k));
		if (k->type == T_HOST)
			memcpy((uint8_t *)p->cfg + k->off2, (const uint8_t *)&d + k->off2,
			       sizeof(uint32_t));
		p->cfg->line[i] = 0;
	}
	p->lineno = saved;
}

/* Whether the directive was given with an error (so checks that depend on it are moot). */
static bool is_bad(const struct sw_config_parser *p, const char *name)
{
	size_t i;

	return key_find(name, &i) && (p->bad & (1ull << i));
}

static void derive(struct sw_config_parser *p)
{
	struct sw_config *c = p->cfg;
	int n;

	if (c->role == SW_CFG_CLIENT && !c->server_name[0] && !is_bad(p, "ServerAddress"))
		report(p, false, "RelayType %s needs ServerAddress", c->relay_type);
	if (c->role == SW_CFG_CLIENT && !c->client_id[0] != !c->client_secret_file[0] &&
	    !is_bad(p, "ClientIdentifier") && !is_bad(p, "ClientSecretFile"))
		report(p, false, "secure qualification needs both ClientIdentifier and "
		       "ClientSecretFile");
	if (c->role == SW_CFG_SERVER && !c->server_bind_ip && !is_bad(p, "ServerBindAddress"))
		report(p, false, "RelayType server needs ServerBindAddress");
	if (!c->server_name2[0] && c->server_ip && c->server_ip != UINT32_MAX)
		c->server_ip2 = c->server_ip + 1;
	if (c->server_bind_ip && !sw_config_line(c, "ServerBindAddress2")) {
		if (c->server_bind_ip == UINT32_MAX)
			report(p, false, "ServerBindAddress 255.255.255.255 has no next address");
		c->server_bind_ip2 = c->server_bind_ip + 1;
	}
	if (!sw_config_line(c, "MaxPeers"))
		c->max_peers = (c->role & (SW_CFG_CLIENT | SW_CFG_HOST_RELAY)) ? 1024 : 65536;
	if (!c->control_socket[0]) {
		n = snprintf(c->control_socket, sizeof(c->control_socket), "%s/%s.sock",
			     SW_RUNDIR, c->instance);
		if (n < 0 || (size_t)n >= sizeof(c->control_socket))
			report(p, false, "default ControlSocket for instance '%s' is too long",
			       c->instance);
	}
}

int sw_config_read_finish(struct sw_config_parser *p)
{
	unsigned saved = p->lineno;

	/* A miredo-server.conf has no RelayType: a ServerBindAddress makes it a server. */
	if (!sw_config_line(p->cfg, "RelayType") && sw_config_line(p->cfg, "ServerBindAddress")) {
		snprintf(p->cfg->relay_type, sizeof(p->cfg->relay_type), "server");
		p->cfg->role = SW_CFG_SERVER;
	}
	if (!is_bad(p, "RelayType"))
		check_roles(p);
	p->lineno = 0;
	if (!is_bad(p, "RelayType"))
		derive(p);
	p->lineno = saved;
	return p->errors ? -EINVAL : 0;
}

int sw_config_load(struct sw_config *cfg, const char *path, sw_config_report_fn report_fn,
		   void *ctx)
{
	struct sw_config_parser p;
	char line[SW_CFG_LINE + 2];
	FILE *f;
	int err;

	sw_config_read_init(&p, cfg, path, report_fn, ctx);
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	f = fopen(path, "re");
	if (!f) {
		err = errno;
		report(&p, false, "%s", strerror(err));
		return -err;
	}
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);

		if (n == sizeof(line) - 1 && line[n - 1] != '\n') {
			int ch;

			while ((ch = fgetc(f)) != EOF && ch != '\n')
				;
			p.lineno++;
			report(&p, false, "line too long (more than %d characters)", SW_CFG_LINE);
			continue;
		}
		sw_config_read_line(&p, line);
	}
	err = ferror(f) ? -EIO : 0;
	fclose(f);
	if (err) {
		report(&p, false, "read error");
		return err;
	}
	return sw_config_read_finish(&p);
}

static size_t print_value(const struct sw_config *cfg, const struct cfg_key *k, char *buf,
			  size_t len)
{
	const uint8_t *f = (const uint8_t *)cfg + k->off;
	char a[INET6_ADDRSTRLEN];
	struct in_addr v4;

	switch (k->type) {
	case T_RELAYTYPE: case T_HOST: case T_IFNAME: case T_USER: case T_PATH: case T_ID:
		return (size_t)snprintf(buf, len, "%s", (const char *)f);
	case T_IP4:
		v4.s_addr = htonl(*(const uint32_t *)f);
		return (size_t)snprintf(buf, len, "%s", inet_ntop(AF_INET, &v4, a, sizeof(a)));
	case T_PORT:
		return (size_t)snprintf(buf, len, "%u", *(const uint16_t *)f);
	case T_UINT:
		return (size_t)snprintf(buf, len, "%u", *(const unsigned *)f);
	case T_SIZE:
		return (size_t)snprintf(buf, len, "%zu", *(const size_t *)f);
	case T_PREFIX:
		return (size_t)snprintf(buf, len, "%s", inet_ntop(AF_INET6, f, a, sizeof(a)));
	case T_FACILITY:
		return (size_t)snprintf(buf, len, "%s",
					sw_config_facility_name(*(const int *)f));
	case T_BOOL:
		return (size_t)snprintf(buf, len, "%s", *(const bool *)f ? "yes" : "no");
	}
	return 0;
}

/* Whether a directive has something to print (unset optional strings and addresses do not). */
static bool printable(const struct sw_config *cfg, const struct cfg_key *k)
{
	const uint8_t *f = (const uint8_t *)cfg + k->off;

	if (!(k->roles & cfg->role))
		return false;
	if (k->type == T_HOST || k->type == T_PATH || k->type == T_ID)
		return f[0] != '\0';
	if (k->type == T_IP4)
		return *(const uint32_t *)f != 0;
	return true;
}

size_t sw_config_print(const struct sw_config *cfg, char *buf, size_t len)
{
	char val[SW_CFG_NAME + 8];
	size_t n = 0;

	for (size_t i = 0; i < NKEYS; i++) {
		if (!printable(cfg, &keys[i]))
			continue;
		print_value(cfg, &keys[i], val, sizeof(val));
		n += (size_t)snprintf(n < len ? buf + n : NULL, n < len ? len - n : 0, "%s %s\n",
				      keys[i].name, val);
	}
	if (len && n >= len)
		buf[len - 1] = '\0';
	if (!n && len)
		buf[0] = '\0';
	return n;
}
