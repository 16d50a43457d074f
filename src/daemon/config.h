/*
 * config: shipwormd's configuration, read from Miredo's miredo.conf / miredo-server.conf
 * syntax unchanged ("Directive value", '#' comments, case-insensitive names). One push
 * parser (init/line/finish) serves the file, the tests and the fuzzer. Never exits,
 * never logs: every problem goes to the caller's report callback as "file:line: message".
 */
#ifndef SW_DAEMON_CONFIG_H
#define SW_DAEMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SW_CFG_NAME 256   /* hostnames, paths */
#define SW_CFG_IFNAME 16  /* IFNAMSIZ */
#define SW_CFG_SOCK 108   /* sun_path */
#define SW_CFG_LINE 1024  /* longest accepted line */
#define SW_CFG_MAX_KEYS 64
#define SW_CFG_MAX_WORKERS 64 /* Workers at most */
#define SW_CFG_ID 65      /* ClientIdentifier: 64 printable characters */

/* The role family a RelayType selects (several RelayType words share one). */
enum sw_cfg_role {
	SW_CFG_CLIENT = 1,     /* client, autoclient */
	SW_CFG_RELAY = 2,      /* relay, cone, restricted */
	SW_CFG_SERVER = 4,     /* server (also relays, RFC 4380 §5.4.3) */
	SW_CFG_HOST_RELAY = 8, /* host-relay (RFC 4380 §5.5) */
};

struct sw_config {
	char path[SW_CFG_NAME];     /* the file read ("-" when none) */
	char instance[64];          /* basename of path without ".conf" */
	char relay_type[16];        /* RelayType as written, lower case (default client) */
	enum sw_cfg_role role;
	bool restricted;            /* RelayType restricted: direct bubbles */
	char server_name[SW_CFG_NAME];  /* ServerAddress: hostname or IPv4 text, "" = unset */
	uint32_t server_ip;         /* ServerAddress as an IPv4 literal, else 0 (host order) */
	char server_name2[SW_CFG_NAME]; /* ServerAddress2, "" = primary + 1 */
	uint32_t server_ip2;        /* ServerAddress2, or server_ip + 1 for a literal */
	uint32_t bind_ip;           /* BindAddress, 0 = any */
	uint16_t bind_port;         /* BindPort, 0 = not set (the role picks: random) */
	char ifname[SW_CFG_IFNAME]; /* InterfaceName (default "teredo") */
	unsigned mtu;               /* InterfaceMTU (default 1280) */
	uint8_t prefix[16];         /* Prefix, a /32 (default 2001:0::) */
	uint32_t server_bind_ip;    /* ServerBindAddress (server) */
	uint32_t server_bind_ip2;   /* ServerBindAddress2, default ServerBindAddress + 1 */
	int syslog_facility;        /* SyslogFacility as LOG_* (default LOG_DAEMON) */
	unsigned refresh_interval;  /* RefreshInterval seconds (default 30) */
	unsigned max_peers;         /* MaxPeers (default 1024 client/host-relay, 65536 else) */
	size_t queue_bytes;         /* QueueBytes per peer awaiting trust (default 8192) */
	char control_socket[SW_CFG_SOCK]; /* ControlSocket (default <rundir>/<instance>.sock) */
	char user[64];              /* User (default "shipworm") */
	char client_secrets_file[SW_CFG_NAME]; /* ClientSecretsFile (server), "" = none */
	bool local_discovery;       /* LocalDiscovery (client, default no) */
	bool cone_probe;            /* ConeProbe: RFC 4380 cone phase (client, default no) */
	bool global_rfc6890;        /* GlobalRFC6890: stricter global-IPv4 test (default no) */
	bool server_relay;          /* ServerRelay: server + relay, RFC 4380 §5.4.3 (default no) */
	unsigned server_rate;       /* ServerRateLimit: packets/s per source IPv4 (50; 0 = none) */
	unsigned server_burst;      /* ServerRateBurst (100) */
	unsigned server_fwd_rate;   /* ServerForwardLimit: forwarded/s per destination (500; 0 = none) */
	unsigned server_fwd_burst;  /* ServerForwardBurst (1000) */
	bool offload;               /* Offload: TUN superpackets, UDP GSO/GRO (default yes) */
	unsigned workers;           /* Workers: relay threads, 0 = one per CPU (default 1) */
	char client_id[SW_CFG_ID];  /* ClientIdentifier: secure qualification (client), "" = none */
	char client_secret_file[SW_CFG_NAME]; /* ClientSecretFile: its shared secret (client) */
	bool symmetric_test;        /* SymmetricTest: secondary-address NAT test (client, yes) */
	bool native_ipv6_check;     /* NativeIPv6Check: step aside while a native IPv6 default
				     * route exists, RFC 4380 §5.5 (client, default yes) */
	bool seccomp;               /* Seccomp: system-call allowlist after the drop (yes) */
	/* Line on which each directive was given (0 = default), indexed like the key table. */
	unsigned line[SW_CFG_MAX_KEYS];
};

/* Receives one complete message: "file:line: text" or "file: text" (no newline). */
typedef void (*sw_config_report_fn)(void *ctx, const char *msg);

struct sw_config_parser {
	struct sw_config *cfg;
	const char *file;
	unsigned lineno;
	unsigned errors, warnings;
	uint64_t bad; /* directives given with an error (bit = key index): checks that
		       * depend on them are skipped */
	sw_config_report_fn report;
	void *ctx;
};

/* Fill cfg with the defaults and start a parse of `file` (a name for messages). */
void sw_config_read_init(struct sw_config_parser *p, struct sw_config *cfg, const char *file,
			 sw_config_report_fn report, void *ctx);
/* One line (without or with its '\n'); counts the line number. */
void sw_config_read_line(struct sw_config_parser *p, const char *line);
/* Cross-checks and derived defaults. 0, or -EINVAL when any error was reported. */
int sw_config_read_finish(struct sw_config_parser *p);

/* Read a whole file through the parser; sets path and instance. 0, -EINVAL (errors were
 * reported) or -errno when the file cannot be read (reported too). */
int sw_config_load(struct sw_config *cfg, const char *path, sw_config_report_fn report,
		   void *ctx);
/* Instance name of a config path: basename without ".conf". */
void sw_config_instance(const char *path, char *out, size_t len);

/* Line where the directive `name` was given (case-insensitive), 0 when defaulted or
 * unknown. */
unsigned sw_config_line(const struct sw_config *cfg, const char *name);
/* Write the configuration back in the same syntax, every directive, normalised: the
 * result parses to the same struct. Returns bytes written (like snprintf). */
size_t sw_config_print(const struct sw_config *cfg, char *buf, size_t len);

/* Names for messages: "daemon", "local0", ...; "client", "relay", "server", "host-relay". */
const char *sw_config_facility_name(int facility);
const char *sw_config_role_name(enum sw_cfg_role r);

#endif
