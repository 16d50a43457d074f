/* Unit tests of the configuration parser: every directive, every error with its line,
 * and the files Debian's miredo and miredo-server packages ship. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include <cmocka.h>

#include "daemon/config.h"
#include "sw_config.h"

#define MAX_MSGS 16

struct msgs {
	char m[MAX_MSGS][512];
	size_t n;
};

static void collect(void *ctx, const char *msg)
{
	struct msgs *m = ctx;

	if (m->n < MAX_MSGS)
		snprintf(m->m[m->n], sizeof(m->m[0]), "%s", msg);
	m->n++;
}

/* Parse text (lines separated by '\n') as file "t.conf". */
static int parse(const char *text, struct sw_config *cfg, struct msgs *m)
{
	struct sw_config_parser p;
	char line[2048];
	const char *s = text;

	memset(m, 0, sizeof(*m));
	sw_config_read_init(&p, cfg, "t.conf", collect, m);
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);

		assert_true(n < sizeof(line));
		memcpy(line, s, n);
		line[n] = '\0';
		sw_config_read_line(&p, line);
		s += n + (nl ? 1 : 0);
	}
	return sw_config_read_finish(&p);
}

static void print_msgs(const char *input, const struct msgs *m)
{
	print_message("input:\n%s\nmessages (%zu):\n", input, m->n);
	for (size_t i = 0; i < m->n && i < MAX_MSGS; i++)
		print_message("  %s\n", m->m[i]);
}

static uint32_t ip4(unsigned a, unsigned b, unsigned c, unsigned d)
{
	return (uint32_t)a << 24 | b << 16 | c << 8 | d;
}

static void test_defaults(void **state)
{
	struct sw_config c;
	struct msgs m;
	const uint8_t pfx[16] = {0x20, 0x01};
	char sock[128];

	(void)state;
	assert_int_equal(parse("ServerAddress 192.0.2.1\n", &c, &m), 0);
	assert_int_equal(m.n, 0);
	assert_string_equal(c.relay_type, "client");
	assert_int_equal(c.role, SW_CFG_CLIENT);
	assert_false(c.restricted);
	assert_string_equal(c.server_name, "192.0.2.1");
	assert_int_equal(c.server_ip, ip4(192, 0, 2, 1));
	assert_string_equal(c.server_name2, "");
	assert_int_equal(c.server_ip2, ip4(192, 0, 2, 2));
	assert_int_equal(c.bind_ip, 0);
	assert_int_equal(c.bind_port, 0);
	assert_string_equal(c.ifname, "teredo");
	assert_int_equal(c.mtu, 1280);
	assert_memory_equal(c.prefix, pfx, 16);
	assert_int_equal(c.syslog_facility, LOG_DAEMON);
	assert_int_equal(c.refresh_interval, 30);
	assert_int_equal(c.max_peers, 1024);
	assert_int_equal(c.queue_bytes, 8192);
	snprintf(sock, sizeof(sock), "%s/t.sock", SW_RUNDIR);
	assert_string_equal(c.control_socket, sock);
	assert_string_equal(c.user, "shipworm");
	assert_string_equal(c.client_secrets_file, "");
	assert_false(c.local_discovery);
	assert_false(c.cone_probe);
	assert_false(c.global_rfc6890);
	assert_string_equal(c.instance, "t");
	assert_int_equal(sw_config_line(&c, "serveraddress"), 1);
	assert_int_equal(sw_config_line(&c, "BindPort"), 0);
}

/* One directive at a time: the line, any context it needs, what print() says back. */
struct dir_case {
	const char *text;
	const char *printed; /* a line sw_config_print must contain */
};

static const struct dir_case dir_cases[] = {
	{"RelayType client\nServerAddress 192.0.2.1", "RelayType client\n"},
	{"RelayType autoclient\nServerAddress 192.0.2.1", "RelayType autoclient\n"},
	{"RelayType relay", "RelayType relay\n"},
	{"RelayType cone", "RelayType cone\n"},
	{"RelayType restricted", "RelayType restricted\n"},
	{"RelayType server\nServerBindAddress 192.0.2.10", "RelayType server\n"},
	{"RelayType host-relay", "RelayType host-relay\n"},
	{"RELAYTYPE RELAY", "RelayType relay\n"},
	{"ServerAddress teredo.example.net", "ServerAddress teredo.example.net\n"},
	{"ServerAddress 192.0.2.1\nServerAddress2 teredo2.example.net",
	 "ServerAddress2 teredo2.example.net\n"},
	{"ServerAddress 192.0.2.1\nServerAddress2 192.0.2.77", "ServerAddress2 192.0.2.77\n"},
	{"ServerAddress 192.0.2.1\nBindAddress 198.51.100.7", "BindAddress 198.51.100.7\n"},
	{"ServerAddress 192.0.2.1\nBindPort 3545", "BindPort 3545\n"},
	{"ServerAddress 192.0.2.1\nInterfaceName tun-teredo0", "InterfaceName tun-teredo0\n"},
	{"RelayType relay\nInterfaceMTU 1400", "InterfaceMTU 1400\n"},
	{"RelayType relay\nPrefix 3ffe:831f::", "Prefix 3ffe:831f::\n"},
	{"RelayType relay\nPrefix 2001:0::/32", "Prefix 2001::\n"},
	{"ServerBindAddress 192.0.2.10", "ServerBindAddress2 192.0.2.11\n"},
	{"ServerBindAddress 192.0.2.10\nServerBindAddress2 192.0.2.99",
	 "ServerBindAddress2 192.0.2.99\n"},
	{"RelayType relay\nSyslogFacility local3", "SyslogFacility local3\n"},
	{"RelayType relay\nSyslogFacility KERN", "SyslogFacility kern\n"},
	{"RelayType relay\nSyslogFacility user", "SyslogFacility user\n"},
	{"ServerAddress 192.0.2.1\nRefreshInterval 20", "RefreshInterval 20\n"},
	{"RelayType relay", "MaxPeers 65536\n"},
	{"RelayType server\nServerBindAddress 192.0.2.10", "MaxPeers 65536\n"},
	{"RelayType host-relay", "MaxPeers 1024\n"},
	{"RelayType relay\nMaxPeers 100", "MaxPeers 100\n"},
	{"RelayType relay\nQueueBytes 0", "QueueBytes 0\n"},
	{"RelayType relay\nControlSocket /run/x/y.sock", "ControlSocket /run/x/y.sock\n"},
	{"RelayType relay\nUser teredo_d", "User teredo_d\n"},
	{"ServerBindAddress 192.0.2.10\nClientSecretsFile /etc/shipworm/secrets",
	 "ClientSecretsFile /etc/shipworm/secrets\n"},
	{"ServerAddress 192.0.2.1\nLocalDiscovery yes", "LocalDiscovery yes\n"},
	{"ServerAddress 192.0.2.1\nLocalDiscovery off", "LocalDiscovery no\n"},
	{"ServerAddress 192.0.2.1\nConeProbe true", "ConeProbe yes\n"},
	{"RelayType relay\nGlobalRFC6890 1", "GlobalRFC6890 yes\n"},
	{"ServerBindAddress 192.0.2.10", "ServerRelay no\n"},
	{"ServerBindAddress 192.0.2.10\nServerRelay yes", "ServerRelay yes\n"},
	{"ServerBindAddress 192.0.2.10", "ServerRateLimit 50\n"},
	{"ServerBindAddress 192.0.2.10", "ServerRateBurst 100\n"},
	{"ServerBindAddress 192.0.2.10", "ServerForwardLimit 500\n"},
	{"ServerBindAddress 192.0.2.10", "ServerForwardBurst 1000\n"},
	{"ServerBindAddress 192.0.2.10\nServerRateLimit 0", "ServerRateLimit 0\n"},
	{"ServerBindAddress 192.0.2.10\nServerRateBurst 7", "ServerRateBurst 7\n"},
	{"ServerBindAddress 192.0.2.10\nServerForwardLimit 0", "ServerForwardLimit 0\n"},
	{"ServerBindAddress 192.0.2.10\nServerForwardBurst 9", "ServerForwardBurst 9\n"},
	/* client: secure qualification, SymmetricTest, NativeIPv6Check (statements 22, 52) */
	{"ServerAddress 192.0.2.1\nClientIdentifier alice@example\nClientSecretFile /etc/s",
	 "ClientIdentifier alice@example\n"},
	{"ServerAddress 192.0.2.1\nClientIdentifier a\nClientSecretFile /etc/shipworm/c.secret",
	 "ClientSecretFile /etc/shipworm/c.secret\n"},
	{"ServerAddress 192.0.2.1", "SymmetricTest yes\n"},
	{"ServerAddress 192.0.2.1\nSymmetricTest no", "SymmetricTest no\n"},
	{"ServerAddress 192.0.2.1", "NativeIPv6Check yes\n"},
	{"RelayType autoclient\nServerAddress 192.0.2.1", "NativeIPv6Check yes\n"},
	{"ServerAddress 192.0.2.1\nNativeIPv6Check off", "NativeIPv6Check no\n"},
};

static void test_every_directive(void **state)
{
	char out[4096];
	struct sw_config c;
	struct msgs m;

	(void)state;
	for (size_t i = 0; i < sizeof(dir_cases) / sizeof(dir_cases[0]); i++) {
		const struct dir_case *t = &dir_cases[i];
		int rc = parse(t->text, &c, &m);

		sw_config_print(&c, out, sizeof(out));
		if (rc != 0 || m.n != 0 || !strstr(out, t->printed)) {
			print_msgs(t->text, &m);
			print_message("rc %d, printed:\n%s\nexpected a line: %s", rc, out,
				      t->printed);
			fail();
		}
	}
}

static void test_fields(void **state)
{
	struct sw_config c;
	struct msgs m;
	const char *text = "RelayType restricted\n"
			   "BindAddress 198.51.100.7\n"
			   "BindPort 3544\n"
			   "InterfaceMTU 1480\n"
			   "Prefix 3ffe:831f::\n"
			   "SyslogFacility local7\n"
			   "MaxPeers 77\n"
			   "QueueBytes 1000\n"
			   "User nobody\n"
			   "GlobalRFC6890 on\n";
	const uint8_t pfx[16] = {0x3f, 0xfe, 0x83, 0x1f};

	(void)state;
	assert_int_equal(parse(text, &c, &m), 0);
	assert_int_equal(c.role, SW_CFG_RELAY);
	assert_true(c.restricted);
	assert_int_equal(c.bind_ip, ip4(198, 51, 100, 7));
	assert_int_equal(c.bind_port, 3544);
	assert_int_equal(c.mtu, 1480);
	assert_memory_equal(c.prefix, pfx, 16);
	assert_int_equal(c.syslog_facility, LOG_LOCAL7);
	assert_int_equal(c.max_peers, 77);
	assert_int_equal(c.queue_bytes, 1000);
	assert_string_equal(c.user, "nobody");
	assert_true(c.global_rfc6890);
	assert_int_equal(sw_config_line(&c, "GlobalRFC6890"), 10);
}

static void test_s28_refresh_interval_configurable(void **state)
{
	struct sw_config c;
	struct msgs m;

	(void)state;
	assert_int_equal(parse("ServerAddress 192.0.2.1\nRefreshInterval 45\n", &c, &m), 0);
	assert_int_equal(c.refresh_interval, 45);
	assert_int_equal(parse("ServerAddress 192.0.2.1\n", &c, &m), 0);
	assert_int_equal(c.refresh_interval, 30);
}

static void test_s51_service_port_configurable(void **state)
{
	struct sw_config c;
	struct msgs m;

	(void)state;
	assert_int_equal(parse("ServerAddress 192.0.2.1\nBindPort 40000\n", &c, &m), 0);
	assert_int_equal(c.bind_port, 40000);
	assert_int_equal(parse("ServerAddress 192.0.2.1\n", &c, &m), 0);
	assert_int_equal(c.bind_port, 0); /* 0: the client binds a random port */
}

static void test_server_hostname_kept(void **state)
{
	struct sw_config c;
	struct msgs m;

	(void)state;
	assert_int_equal(parse("ServerAddress teredo.example.net\n", &c, &m), 0);
	assert_string_equal(c.server_name, "teredo.example.net");
	assert_int_equal(c.server_ip, 0);
	assert_int_equal(c.server_ip2, 0); /* resolved (+1) by the client role */
}

static void test_syntax(void **state)
{
	struct sw_config c;
	struct msgs m;
	const char *text = "# comment\n"
			   "\n"
			   "   \t  \n"
			   "  # indented comment\n"
			   "\tserveraddress\t192.0.2.1\r\n"
			   "BINDPORT   3545   # trailing comment\n"
			   "InterfaceName teredo#1\n";

	(void)state;
	if (parse(text, &c, &m) != 0) {
		print_msgs(text, &m);
		fail();
	}
	assert_int_equal(c.server_ip, ip4(192, 0, 2, 1));
	assert_int_equal(c.bind_port, 3545);
	assert_string_equal(c.ifname, "teredo#1");
	assert_int_equal(sw_config_line(&c, "ServerAddress"), 5);
	assert_int_equal(sw_config_line(&c, "BindPort"), 6);
}

/* Every error path: input, and the one message expected (exactly). */
#define A75 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

struct err_case {
	const char *text;
	const char *msg;
};

static const struct err_case err_cases[] = {
	{"RelayType relay\nFooBar 1", "t.conf:2: unknown directive 'FooBar'"},
	{"RelayType relay\nBindPort", "t.conf:2: 'BindPort' needs a value"},
	{"RelayType relay\nBindPort 1 2", "t.conf:2: unexpected '2' after the value of 'BindPort'"},
	{"RelayType relay\nBindPort 1\nbindport 2",
	 "t.conf:3: duplicate 'BindPort' (first given on line 2)"},
	{"RelayType relay\nBindPort 65536",
	 "t.conf:2: BindPort: '65536' is out of range (0 to 65535)"},
	{"RelayType relay\nBindPort -1", "t.conf:2: BindPort: '-1' is not a number"},
	{"RelayType relay\nBindPort 12345678901", "t.conf:2: BindPort: '12345678901' is not a number"},
	{"RelayType relay\nBindPort 0x10", "t.conf:2: BindPort: '0x10' is not a number"},
	{"RelayType mesh",
	 "t.conf:1: RelayType: unknown RelayType 'mesh' (client, autoclient, relay, cone, "
	 "restricted, server, host-relay)"},
	{"ServerAddress 192.0.2.300", "t.conf:1: ServerAddress: '192.0.2.300' is not an IPv4 address"},
	{"ServerAddress bad/name",
	 "t.conf:1: ServerAddress: 'bad/name' is not a hostname or IPv4 address"},
	{"ServerAddress 192.0.2.1\nServerAddress2 a_b!",
	 "t.conf:2: ServerAddress2: 'a_b!' is not a hostname or IPv4 address"},
	{"RelayType relay\nBindAddress 2001:db8::1",
	 "t.conf:2: BindAddress: '2001:db8::1' is not an IPv4 address"},
	{"RelayType relay\nInterfaceName abcdefghijklmnop",
	 "t.conf:2: InterfaceName: 'abcdefghijklmnop' is too long for interface name (at most 15 "
	 "characters)"},
	{"RelayType relay\nInterfaceName a/b",
	 "t.conf:2: InterfaceName: 'a/b' is not a valid interface name"},
	{"RelayType relay\nInterfaceMTU 1279",
	 "t.conf:2: InterfaceMTU: '1279' is out of range (1280 to 65535)"},
	{"RelayType relay\nInterfaceMTU 65536",
	 "t.conf:2: InterfaceMTU: '65536' is out of range (1280 to 65535)"},
	{"RelayType relay\nPrefix 2001:0:1::", "t.conf:2: Prefix: '2001:0:1::' is not a unicast IPv6 /32 prefix"},
	{"RelayType relay\nPrefix 2001::/48", "t.conf:2: Prefix: '2001::/48' is not a unicast IPv6 /32 prefix"},
	{"RelayType relay\nPrefix ff02::", "t.conf:2: Prefix: 'ff02::' is not a unicast IPv6 /32 prefix"},
	{"RelayType relay\nPrefix ::", "t.conf:2: Prefix: '::' is not a unicast IPv6 /32 prefix"},
	{"RelayType relay\nPrefix 192.0.2.1", "t.conf:2: Prefix: '192.0.2.1' is not a unicast IPv6 /32 prefix"},
	{"RelayType relay\nSyslogFacility mail",
	 "t.conf:2: SyslogFacility: unknown SyslogFacility 'mail' (daemon, local0 ... local7, kern, "
	 "user)"},
	{"ServerAddress 192.0.2.1\nRefreshInterval 5",
	 "t.conf:2: RefreshInterval: '5' is out of range (10 to 3600)"},
	{"RelayType relay\nMaxPeers 0", "t.conf:2: MaxPeers: '0' is out of range (1 to 16777216)"},
	{"RelayType relay\nQueueBytes 2000000",
	 "t.conf:2: QueueBytes: '2000000' is out of range (0 to 1048576)"},
	{"RelayType relay\nControlSocket run/x.sock",
	 "t.conf:2: ControlSocket: 'run/x.sock' is not an absolute path"},
	{"RelayType relay\nControlSocket /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	 "t.conf:2: ControlSocket: '/" A75 "...' is too long for path (at most 107 characters)"},
	{"RelayType relay\nUser r00t$", "t.conf:2: User: 'r00t$' is not a valid user name"},
	{"ServerBindAddress 192.0.2.1\nClientSecretsFile secrets",
	 "t.conf:2: ClientSecretsFile: 'secrets' is not an absolute path"},
	{"ServerAddress 192.0.2.1\nLocalDiscovery maybe",
	 "t.conf:2: LocalDiscovery: 'maybe' is not yes or no"},
	{"ServerAddress 192.0.2.1\nConeProbe 2", "t.conf:2: ConeProbe: '2' is not yes or no"},
	{"RelayType relay\nGlobalRFC6890 nope", "t.conf:2: GlobalRFC6890: 'nope' is not yes or no"},
	{"ServerBindAddress 192.0.2.1\nServerRelay maybe",
	 "t.conf:2: ServerRelay: 'maybe' is not yes or no"},
	{"ServerBindAddress 192.0.2.1\nServerRateBurst 0",
	 "t.conf:2: ServerRateBurst: '0' is out of range (1 to 1000000)"},
	{"ServerBindAddress 192.0.2.1\nServerForwardLimit 2000000",
	 "t.conf:2: ServerForwardLimit: '2000000' is out of range (0 to 1000000)"},
	{"ServerAddress 192.0.2.1\nSymmetricTest 3", "t.conf:2: SymmetricTest: '3' is not yes or no"},
	{"ServerAddress 192.0.2.1\nNativeIPv6Check x",
	 "t.conf:2: NativeIPv6Check: 'x' is not yes or no"},
	{"ServerAddress 192.0.2.1\nClientSecretFile s",
	 "t.conf:2: ClientSecretFile: 's' is not an absolute path"},
	{"ServerAddress 192.0.2.1\nClientIdentifier a\x01" "b",
	 "t.conf:2: ClientIdentifier: 'a?b' is not a valid client identifier"},
	{"ServerAddress 192.0.2.1\nClientIdentifier "
	 "a1234567890123456789012345678901234567890123456789012345678901234",
	 "t.conf:2: ClientIdentifier: 'a1234567890123456789012345678901234567890123456789012345678901234' "
	 "is too long for client identifier (at most 64 characters)"},
	{"ServerAddress 192.0.2.1\nClientIdentifier alice",
	 "t.conf: secure qualification needs both ClientIdentifier and ClientSecretFile"},
	{"ServerAddress 192.0.2.1\nClientSecretFile /etc/s",
	 "t.conf: secure qualification needs both ClientIdentifier and ClientSecretFile"},
	{"BindPort 1", "t.conf: RelayType client needs ServerAddress"},
	{"RelayType autoclient", "t.conf: RelayType autoclient needs ServerAddress"},
	{"RelayType server", "t.conf: RelayType server needs ServerBindAddress"},
	{"ServerBindAddress 255.255.255.255",
	 "t.conf: ServerBindAddress 255.255.255.255 has no next address"},
	{"RelayType relay\nAbcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnop 1",
	 "t.conf:2: unknown directive 'Abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk'"},
	{"RelayType relay\nFoo\x01 1", "t.conf:2: unknown directive 'Foo?'"},
};

static void test_every_error(void **state)
{
	struct sw_config c;
	struct msgs m;

	(void)state;
	for (size_t i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		const struct err_case *t = &err_cases[i];
		int rc = parse(t->text, &c, &m);

		if (rc != -EINVAL || m.n != 1 || strcmp(m.m[0], t->msg) != 0) {
			print_msgs(t->text, &m);
			print_message("rc %d; expected exactly: %s\n", rc, t->msg);
			fail();
		}
	}
}

static void test_line_too_long(void **state)
{
	char text[SW_CFG_LINE + 64];
	struct sw_config c;
	struct msgs m;

	(void)state;
	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	memcpy(text, "RelayType relay\n", 16);
	assert_int_equal(parse(text, &c, &m), -EINVAL);
	assert_int_equal(m.n, 1);
	assert_string_equal(m.m[0], "t.conf:2: line too long (more than 1024 characters)");
}

static void test_all_errors_reported(void **state)
{
	struct sw_config c;
	struct msgs m;
	const char *text = "RelayType relay\n"
			   "BindPort 99999\n"
			   "# fine\n"
			   "Nope yes\n"
			   "InterfaceMTU\n"
			   "MaxPeers 10\n"
			   "MaxPeers 20\n";

	(void)state;
	assert_int_equal(parse(text, &c, &m), -EINVAL);
	if (m.n != 4) {
		print_msgs(text, &m);
		fail();
	}
	assert_string_equal(m.m[0], "t.conf:2: BindPort: '99999' is out of range (0 to 65535)");
	assert_string_equal(m.m[1], "t.conf:4: unknown directive 'Nope'");
	assert_string_equal(m.m[2], "t.conf:5: 'InterfaceMTU' needs a value");
	assert_string_equal(m.m[3], "t.conf:7: duplicate 'MaxPeers' (first given on line 6)");
}

static void test_warning_unused_directive(void **state)
{
	struct sw_config c;
	struct msgs m;

	(void)state;
	assert_int_equal(parse("ServerAddress 192.0.2.1\nPrefix 3ffe::\n", &c, &m), 0);
	assert_int_equal(m.n, 1);
	assert_string_equal(m.m[0], "t.conf:2: warning: 'Prefix' is not used with RelayType client");
	assert_int_equal(parse("RelayType relay\nServerAddress 192.0.2.1\nLocalDiscovery yes\n", &c,
			       &m), 0);
	assert_int_equal(m.n, 2);
	assert_string_equal(m.m[0],
			    "t.conf:2: warning: 'ServerAddress' is not used with RelayType relay");
	assert_string_equal(m.m[1],
			    "t.conf:3: warning: 'LocalDiscovery' is not used with RelayType relay");
	/* ignored means ignored: the value stays the default and the line is forgotten */
	assert_int_equal(c.server_ip, 0);
	assert_string_equal(c.server_name, "");
	assert_false(c.local_discovery);
	assert_int_equal(sw_config_line(&c, "LocalDiscovery"), 0);
	/* a miredo-server.conf becomes a server at the end; a client directive read before
	 * that (found by fuzz_config) must not survive into a configuration that prints
	 * without it */
	assert_int_equal(parse("ServerBindAddress 192.0.2.10\nConeProbe on\n", &c, &m), 0);
	assert_int_equal(m.n, 1);
	assert_false(c.cone_probe);
}

static void test_print_roundtrip(void **state)
{
	static const char *texts[] = {
		"ServerAddress teredo.example.net\nBindPort 3545\nLocalDiscovery yes\n",
		"RelayType cone\nPrefix 3ffe:831f::\nInterfaceMTU 1400\nMaxPeers 5\n",
		"ServerBindAddress 192.0.2.10\nClientSecretsFile /etc/s\nSyslogFacility local1\n",
		"RelayType host-relay\nControlSocket /tmp/h.sock\nUser nobody\n",
	};
	struct sw_config a, b;
	struct msgs m;
	char out[4096];

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		assert_int_equal(parse(texts[i], &a, &m), 0);
		sw_config_print(&a, out, sizeof(out));
		if (parse(out, &b, &m) != 0 || m.n != 0) {
			print_msgs(out, &m);
			fail();
		}
		memset(a.line, 0, sizeof(a.line));
		memset(b.line, 0, sizeof(b.line));
		if (memcmp(&a, &b, sizeof(a)) != 0) {
			print_message("input:\n%s\nprinted:\n%s\n", texts[i], out);
			fail();
		}
	}
}

static void test_print_truncates(void **state)
{
	struct sw_config c;
	struct msgs m;
	char full[4096], small[16];
	size_t n;

	(void)state;
	assert_int_equal(parse("RelayType relay\n", &c, &m), 0);
	n = sw_config_print(&c, full, sizeof(full));
	assert_int_equal(n, strlen(full));
	assert_int_equal(sw_config_print(&c, small, sizeof(small)), n);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, full, sizeof(small) - 1);
}

static void test_instance(void **state)
{
	static const struct {
		const char *path, *inst;
	} t[] = {
		{"/etc/shipworm/home.conf", "home"}, {"relay.conf", "relay"},
		{"/etc/miredo/miredo-server.conf", "miredo-server"}, {"/x/y", "y"},
		{"/x/.conf", "shipwormd"}, {"-", "shipwormd"},
	};
	char out[64];

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		sw_config_instance(t[i].path, out, sizeof(out));
		if (strcmp(out, t[i].inst) != 0) {
			print_message("%s -> %s (expected %s)\n", t[i].path, out, t[i].inst);
			fail();
		}
	}
}

static void test_debian_miredo_conf(void **state)
{
	struct sw_config c;
	struct msgs m = {0};

	(void)state;
	assert_int_equal(sw_config_load(&c, DATA_DIR "/miredo.conf", collect, &m), 0);
	assert_int_equal(m.n, 0);
	assert_int_equal(c.role, SW_CFG_CLIENT);
	assert_string_equal(c.ifname, "teredo");
	assert_string_equal(c.server_name, "teredo-debian.remlab.net");
	assert_int_equal(c.server_ip, 0);
	assert_int_equal(c.bind_port, 0);
	assert_string_equal(c.instance, "miredo");
	assert_string_equal(c.path, DATA_DIR "/miredo.conf");
}

static void test_debian_miredo_server_conf(void **state)
{
	struct sw_config c;
	struct msgs m = {0};

	(void)state;
	assert_int_equal(sw_config_load(&c, DATA_DIR "/miredo-server.conf", collect, &m), 0);
	assert_int_equal(m.n, 0);
	assert_int_equal(c.role, SW_CFG_SERVER);
	assert_string_equal(c.relay_type, "server");
	assert_int_equal(c.server_bind_ip, ip4(192, 0, 2, 221));
	assert_int_equal(c.server_bind_ip2, ip4(192, 0, 2, 222));
	assert_string_equal(c.instance, "miredo-server");
}

static void test_load_missing(void **state)
{
	struct sw_config c;
	struct msgs m = {0};

	(void)state;
	assert_int_equal(sw_config_load(&c, DATA_DIR "/absent.conf", collect, &m), -ENOENT);
	assert_int_equal(m.n, 1);
	assert_string_equal(m.m[0], DATA_DIR "/absent.conf: No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_directive),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_s28_refresh_interval_configurable),
		cmocka_unit_test(test_s51_service_port_configurable),
		cmocka_unit_test(test_server_hostname_kept),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_every_error),
		cmocka_unit_test(test_line_too_long),
		cmocka_unit_test(test_all_errors_reported),
		cmocka_unit_test(test_warning_unused_directive),
		cmocka_unit_test(test_print_roundtrip),
		cmocka_unit_test(test_print_truncates),
		cmocka_unit_test(test_instance),
		cmocka_unit_test(test_debian_miredo_conf),
		cmocka_unit_test(test_debian_miredo_server_conf),
		cmocka_unit_test(test_load_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
